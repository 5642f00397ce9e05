// Issue 10 §4: a push is recorded as done only with the provider's own answer for its idempotency key.
// The wire servers answer a push with a 302 or 307 to another local server that would accept anything;
// following it would record an entry the provider never made. Real SDK, real client, real HTTP.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { pushClientsFromKeys } from '../../core/service/adjustment-push-clients.js';
import { listPostedAdjustments, pushAdjustments } from '../../core/service/adjustments.js';
import { MoesifWireServer } from '../wire/moesif-server.js';
import { startOrbServer, type OrbWireServer } from '../wire/orb-server.js';
import { moesifAdjustedDb, NOW, orbAdjustedDb } from './adjustment-fixtures.js';
import { onCleanup } from './helpers.js';

/** Another address that answers every request 201 with a plausible entry: what a followed redirect reaches. */
async function elsewhere(): Promise<{ url: string; hits: { method: string; body: string }[] }> {
  const hits: { method: string; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      hits.push({ method: req.method ?? '', body });
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ id: 'not_orb_entry_1', entry_type: 'increment', amount: 1, metadata: {} }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/customers/cus_O/credits/ledger_entry`, hits };
}

async function orbServer(): Promise<OrbWireServer> {
  const orb = await startOrbServer();
  onCleanup(() => orb.close());
  orb.addCustomer('cus_O');
  return orb;
}

const noWait = { maxRetries: 2, sleep: async () => {} };

describe('a redirect answering a push is an error: nothing is marked pushed', () => {
  for (const status of [302, 307]) {
    it(`Orb answers ${status}: the SDK does not follow it, the push is recorded as failed with the redirect named`, async () => {
      const orb = await orbServer();
      const other = await elsewhere();
      orb.faults.push({ status, times: 5, path: /ledger_entry$/, headers: { Location: other.url } });
      const { db, keys } = orbAdjustedDb();
      const key = keys['payment:pi_1']!;
      const { clients } = pushClientsFromKeys({ orbApiKey: orb.apiKey, orbApiBase: orb.url }, noWait);
      const report = await pushAdjustments(db, { confirm: true, clients, keys: [key], now: () => NOW + 1 });
      expect(report.pushed).toEqual([]);
      expect(report.failed).toEqual([{ idempotency_key: key, error: expect.stringContaining(`Orb answered ${status} (a redirect to ${other.url})`) }]);
      expect(other.hits).toEqual([]);
      // Not retried either: one request, and the record stays unpushed with the reason.
      expect(orb.createRequests.map((r) => r.status)).toEqual([status]);
      expect(listPostedAdjustments(db).find((a) => a.idempotency_key === key)).toMatchObject({ pushed_at: null, provider_entry_id: null, push_attempts: 1 });
    });

    it(`Moesif answers ${status}: the client does not follow it, the push is recorded as failed`, async () => {
      const moesif = await new MoesifWireServer().start();
      onCleanup(() => moesif.close());
      const other = await elsewhere();
      moesif.redirectNextPosts.push({ status, location: other.url });
      const { db, keys } = moesifAdjustedDb();
      const key = keys['payment:pi_3']!;
      const { clients } = pushClientsFromKeys({ moesifToken: moesif.token, moesifApiBase: moesif.url }, noWait);
      const report = await pushAdjustments(db, { confirm: true, clients, now: () => NOW + 1 });
      expect(report.pushed).toEqual([]);
      expect(report.failed).toEqual([{ idempotency_key: key, error: expect.stringContaining(`Moesif answered ${status} (a redirect to ${other.url})`) }]);
      expect(other.hits).toEqual([]);
      expect(moesif.transactions.size).toBe(0);
      expect(listPostedAdjustments(db)[0]).toMatchObject({ pushed_at: null, provider_entry_id: null, push_attempts: 1 });
    });
  }

  it("an Orb 201 whose entry does not carry this adjustment's idempotency key is not recorded as pushed", async () => {
    const orb = await orbServer();
    const { db, keys } = orbAdjustedDb();
    const key = keys['payment:pi_1']!;
    const stranger = { id: 'orb_entry_99', entry_type: 'increment', customer: { id: 'cus_O', external_customer_id: null }, amount: 70, metadata: { ledgerscope_idempotency_key: 'lsadj_someone_else' } };
    orb.faults.push({ status: 201, times: 1, path: /ledger_entry$/, body: JSON.stringify(stranger) });
    const { clients } = pushClientsFromKeys({ orbApiKey: orb.apiKey, orbApiBase: orb.url }, noWait);
    const report = await pushAdjustments(db, { confirm: true, clients, keys: [key], now: () => NOW + 1 });
    expect(report.pushed).toEqual([]);
    expect(report.failed[0]!.error).toContain("Orb's answer does not name this adjustment");
    expect(listPostedAdjustments(db).find((a) => a.idempotency_key === key)).toMatchObject({ pushed_at: null, provider_entry_id: null });
    // The next push gets Orb's own answer for the key and is recorded.
    const again = await pushAdjustments(db, { confirm: true, clients, keys: [key], now: () => NOW + 2 });
    expect(again.pushed).toEqual([{ idempotency_key: key, provider_entry_id: 'orb_entry_1' }]);
  });
});
