// adjustment.list and adjustment.push over the loopback host (the same door as Electron's): keys from
// the host's environment, the Moesif and Orb wire servers as the providers, confirm required by the schema.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../core/host/browser-host.js';
import { TOKEN_HEADER } from '../../core/host/http-host.js';
import { inlineExecutor } from '../../core/host/jobs.js';
import { MoesifWireServer } from '../wire/moesif-server.js';
import { startOrbServer } from '../wire/orb-server.js';
import { moesifAdjustedDb, NOW, orbAdjustedDb } from '../sources-api/adjustment-fixtures.js';
import { onCleanup, tempDir } from '../sources-api/helpers.js';
import { fakeRenderer } from './fixtures.js';

let host: BrowserHost | null = null;
afterEach(async () => {
  await host?.close();
  host = null;
});

/** The host's event stream (POST /api/events, one JSON event a line), collected until the host closes. */
async function listen(): Promise<any[]> {
  const events: any[] = [];
  const response = await fetch(`http://127.0.0.1:${host!.port}/api/events`, { method: 'POST', headers: { [TOKEN_HEADER]: host!.token } });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return;
      pending += decoder.decode(value, { stream: true });
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) if (line.trim() !== '') events.push(JSON.parse(line));
    }
  })();
  return events;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

async function start(dbPath: string, env: NodeJS.ProcessEnv): Promise<(method: string, input: unknown) => Promise<{ status: number; body: any }>> {
  const dir = tempDir();
  host = await startBrowserHost({ dbPath, port: 0, rendererDir: fakeRenderer(dir), clock: () => NOW + 60_000, executor: inlineExecutor, version: '9.9.9', configDir: join(dir, 'config'), env });
  const base = `http://127.0.0.1:${host.port}`;
  const token = host.token;
  return async (method, input) => {
    const response = await fetch(`${base}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token }, body: JSON.stringify(input) });
    return { status: response.status, body: await response.json() };
  };
}

describe('adjustment.push', () => {
  it('refused by the schema without confirm: true; with it, pushed with the host\'s key; list shows the status', async () => {
    const moesif = await new MoesifWireServer().start();
    onCleanup(() => moesif.close());
    const { path, keys, runId } = moesifAdjustedDb();
    const key = keys['payment:pi_3']!;
    const call = await start(path, { MOESIF_MANAGEMENT_TOKEN: moesif.token, LEDGERSCOPE_MOESIF_API_BASE: moesif.url });

    const before = await call('adjustment.list', { run_id: runId });
    expect(before.body.value.push_ready).toEqual({ orb: false, moesif: true });
    expect(before.body.value.adjustments).toMatchObject([{ idempotency_key: key, provider: 'moesif', customer_id: 'co_A', amount: '70.000000000000000000123', pushed_at: null, push_attempts: 0 }]);

    for (const input of [{}, { confirm: false }, { confirm: 'yes' }, { confirm: true, keys: [] }, { confirm: true, extra: 1 }]) {
      const refused = await call('adjustment.push', input);
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('invalid_input');
    }
    expect((await call('adjustment.push', {})).body.error.message).toContain('confirm');
    expect(moesif.requests).toHaveLength(0);

    const unknown = await call('adjustment.push', { confirm: true, keys: ['lsadj_nope'] });
    expect(unknown.body.error).toEqual({ code: 'not_found', message: 'no posted adjustment "lsadj_nope"' });

    const pushed = await call('adjustment.push', { confirm: true, run_id: runId });
    expect(pushed.body).toEqual({ ok: true, value: { pushed: [{ idempotency_key: key, provider_entry_id: key }], already_pushed: [], failed: [], skipped: [], cancelled: [] } });
    expect(moesif.transactions.get(key)).toContain('"amount":70.000000000000000000123');
    const after = await call('adjustment.list', { unpushed: false });
    expect(after.body.value.adjustments[0]).toMatchObject({ pushed_at: '2025-03-31T00:01:00.000Z', push_attempts: 1, push_error: null, provider_entry_id: key });
    expect((await call('adjustment.list', { unpushed: true })).body.value.adjustments).toEqual([]);
    const again = await call('adjustment.push', { confirm: true, keys: [key] });
    expect(again.body.value.already_pushed).toEqual([key]);
    expect(moesif.requests).toHaveLength(1);
  });

  it("without the provider's key the adjustments are skipped with the reason; a provider error is kept on the record", async () => {
    const orb = await startOrbServer();
    onCleanup(() => orb.close());
    const { path, keys } = orbAdjustedDb();
    const noKeys = await start(path, {});
    const skipped = await noKeys('adjustment.push', { confirm: true, keys: [keys['payment:pi_1']] });
    expect(skipped.body.value.skipped).toEqual([{ idempotency_key: keys['payment:pi_1'], reason: 'no Orb API key (set ORB_API_KEY, or add it in Settings)' }]);
    await host?.close();
    // cus_O is unknown to this Orb: its 404 is the recorded error.
    const call = await start(path, { ORB_API_KEY: orb.apiKey, LEDGERSCOPE_ORB_API_BASE: orb.url });
    const failed = await call('adjustment.push', { confirm: true, keys: [keys['payment:pi_1']] });
    expect(failed.body.value.failed).toEqual([{ idempotency_key: keys['payment:pi_1'], error: 'POST /customers/cus_O/credits/ledger_entry: Orb answered 404: customer cus_O does not exist' }]);
    const record = (await call('adjustment.list', {})).body.value.adjustments.find((a: { idempotency_key: string }) => a.idempotency_key === keys['payment:pi_1']);
    expect(record).toMatchObject({ pushed_at: null, push_attempts: 1, push_error: 'POST /customers/cus_O/credits/ledger_entry: Orb answered 404: customer cus_O does not exist' });
  });

  it('a push that waits for a rate limit says why in push events, and pushCancel ends the wait at once: nothing counts as pushed, the rest is not sent', async () => {
    const orb = await startOrbServer();
    onCleanup(() => orb.close());
    orb.addCustomer('cus_O');
    // Orb asks for 45 s before each retry: without a cancel the push would sit through three of them.
    orb.faults.push({ status: 429, headers: { 'Retry-After': '45' }, times: 100, path: /ledger_entry/ });
    const { path, keys } = orbAdjustedDb();
    const call = await start(path, { ORB_API_KEY: orb.apiKey, LEDGERSCOPE_ORB_API_BASE: orb.url });
    const events = await listen();
    const order = [keys['entry:orb:inc_a']!, keys['entry:orb:inc_b']!];
    const pushing = call('adjustment.push', { confirm: true, keys: order });
    await until(() => events.some((e) => e.type === 'push' && e.progress.waiting !== null));
    const progress = events.filter((e) => e.type === 'push').map((e) => e.progress);
    expect(progress[0]).toEqual({ done: 0, total: 2, idempotency_key: order[0], waiting: null });
    expect(progress[1]).toEqual({
      done: 0, total: 2, idempotency_key: order[0],
      waiting: expect.stringMatching(/^POST \/customers\/cus_O\/credits\/ledger_entry: Orb answered 429.*: waiting 45 s before retrying$/),
    });

    expect((await call('adjustment.pushCancel', {})).body).toEqual({ ok: true, value: { cancelled: true } });
    const report = (await pushing).body.value;
    expect(report).toEqual({
      pushed: [], already_pushed: [], skipped: [],
      failed: [{ idempotency_key: order[0], error: 'cancelled while it was being sent; push it again to be sure it is there (its idempotency key makes a repeat safe)' }],
      cancelled: [order[1]],
    });
    // One request went out (the one Orb refused); the second adjustment was never sent.
    expect(orb.createRequests.map((r) => r.idempotencyKey)).toEqual([order[0]]);
    expect((await call('adjustment.pushCancel', {})).body.value).toEqual({ cancelled: false });
    const listed = (await call('adjustment.list', {})).body.value.adjustments;
    expect(listed.filter((a: { pushed_at: string | null }) => a.pushed_at !== null)).toEqual([]);
    expect(listed.find((a: { idempotency_key: string }) => a.idempotency_key === order[0]).push_attempts).toBe(1);
  });
});
