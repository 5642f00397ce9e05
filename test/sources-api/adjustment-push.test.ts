// Pushing posted adjustments to the providers (issue 4): the real `orb-billing` SDK and the Moesif client
// against the wire-format servers on 127.0.0.1. Nothing of ours is stubbed.
import { describe, expect, it } from 'vitest';
import { orbPushClient, pushClientsFromKeys } from '../../core/service/adjustment-push-clients.js';
import { listPostedAdjustments, pushAdjustments } from '../../core/service/adjustments.js';
import { OrbApi } from '../../core/sync/orb-client.js';
import { RateLimiter } from '../../core/sync/rate-limiter.js';
import { MoesifWireServer } from '../wire/moesif-server.js';
import { startOrbServer, type OrbWireServer } from '../wire/orb-server.js';
import { HUGE, moesifAdjustedDb, NOW, orbAdjustedDb, TINY } from './adjustment-fixtures.js';
import { onCleanup } from './helpers.js';

async function orbServer(): Promise<OrbWireServer> {
  const orb = await startOrbServer();
  onCleanup(() => orb.close());
  orb.addCustomer('cus_O');
  return orb;
}

async function moesifServer(): Promise<MoesifWireServer> {
  const moesif = await new MoesifWireServer().start();
  onCleanup(() => moesif.close());
  return moesif;
}

const noWait = { maxRetries: 2, sleep: async () => {} };

function orbClients(orb: OrbWireServer, key = orb.apiKey) {
  return pushClientsFromKeys({ orbApiKey: key, orbApiBase: orb.url }, noWait);
}

function api(orb: OrbWireServer): OrbApi {
  return new OrbApi({ apiKey: orb.apiKey, apiBase: orb.url, limiter: new RateLimiter({ ratePerSecond: 10_000, burst: 100 }), maxRetries: 2 });
}

describe('push to Orb: Create ledger entry through the SDK', () => {
  it('an increment, a decrement, a void and an amendment land with their exact amount literals, each under its Idempotency-Key', async () => {
    const orb = await orbServer();
    const { db, keys } = orbAdjustedDb();
    const { clients, missing } = orbClients(orb);
    const report = await pushAdjustments(db, { confirm: true, clients, missing, now: () => NOW + 1 });
    expect(report.failed).toEqual([]);
    expect(report.skipped).toEqual([]);
    expect(report.pushed).toHaveLength(4);
    const sent = new Map(orb.createRequests.map((request) => [request.idempotencyKey, request]));
    expect(orb.createRequests.every((request) => request.status === 201 && request.customerId === 'cus_O')).toBe(true);
    const body = (item: string): string => sent.get(keys[item]!)!.body;
    // The literal text, not a float's rendering of it.
    expect(body('payment:pi_1')).toContain(`"amount":${HUGE},`);
    expect(body('entry:orb:inc_c')).toContain(`"amount":${TINY},`);
    expect(body('entry:orb:inc_b')).toContain('"entry_type":"decrement","amount":0.5,');
    expect(JSON.parse(body('entry:orb:inc_a'))).toMatchObject({ entry_type: 'void', amount: 10, block_id: 'inc_a', currency: 'USD' });
    expect(JSON.parse(body('entry:orb:inc_c'))).toMatchObject({ entry_type: 'amendment', block_id: 'inc_c' });
    expect(JSON.parse(body('payment:pi_1'))).toMatchObject({ entry_type: 'increment', per_unit_cost_basis: '1', metadata: { ledgerscope_idempotency_key: keys['payment:pi_1'] } });
    // customer_id is the path, not a body field (the server refuses fields Orb does not document).
    for (const request of orb.createRequests) expect(JSON.parse(request.body)).not.toHaveProperty('customer_id');
    // Recorded locally with Orb's entry id; Orb's ledger now holds them (read back exactly).
    const posted = listPostedAdjustments(db);
    expect(posted.every((a) => a.pushed_at !== null && a.push_attempts === 1 && a.push_error === null && /^orb_entry_\d$/.test(a.provider_entry_id ?? ''))).toBe(true);
    const ledger = await api(orb).ledger('cus_O', null, 20);
    expect(ledger.items).toHaveLength(4);
    expect(ledger.text).toContain(`"amount":${HUGE}`);
    expect(ledger.text).toContain(`"amount":${TINY}`);
    // Pushing again sends nothing: none is left unpushed, and naming them finds them already pushed.
    expect(await pushAdjustments(db, { confirm: true, clients, now: () => NOW + 2 })).toEqual({ pushed: [], already_pushed: [], failed: [], skipped: [], cancelled: [] });
    const named = await pushAdjustments(db, { confirm: true, clients, keys: Object.values(keys), now: () => NOW + 3 });
    expect(named.already_pushed).toEqual(Object.values(keys));
    expect(orb.createRequests).toHaveLength(4);
  });

  it('Orb dedupes a repeated Idempotency-Key (the local mark lost): the same entry, not a second one; another body under the key is refused', async () => {
    const orb = await orbServer();
    const client = api(orb);
    const body = `{"entry_type":"increment","amount":${HUGE},"currency":"USD"}`;
    const first = await client.createLedgerEntry('cus_O', body, 'lsadj_same_key');
    const again = await client.createLedgerEntry('cus_O', body, 'lsadj_same_key');
    expect(again.id).toBe(first.id);
    expect(orb.ledgers.get('cus_O')).toHaveLength(1);
    expect(first.text).toContain(`"amount":${HUGE}`);
    // Through the push client too: a record whose push was not recorded is sent again and gets the same entry.
    const push = orbPushClient(client);
    const request = { provider: 'orb' as const, customerId: 'cus_O', idempotencyKey: 'lsadj_same_key', body: { customer_id: 'cus_O', entry_type: 'increment', amount: HUGE, currency: 'USD' } };
    expect(await push.push(request)).toEqual({ providerEntryId: first.id });
    expect(orb.ledgers.get('cus_O')).toHaveLength(1);
    await expect(client.createLedgerEntry('cus_O', '{"entry_type":"increment","amount":5,"currency":"USD"}', 'lsadj_same_key')).rejects.toThrow(
      'POST /customers/cus_O/credits/ledger_entry: Orb answered 409: Idempotency-Key lsadj_same_key was already used with a different request body',
    );
    expect(orb.ledgers.get('cus_O')).toHaveLength(1);
  });

  it('a 500 and a 429 (Retry-After) are retried by the SDK with the same key and body; the entry is created once', async () => {
    const orb = await orbServer();
    orb.faults.push({ status: 500, times: 1, path: /ledger_entry$/ }, { status: 429, times: 1, path: /ledger_entry$/, headers: { 'Retry-After': '0' } });
    const { db, keys } = orbAdjustedDb();
    const report = await pushAdjustments(db, { confirm: true, clients: orbClients(orb).clients, keys: [keys['payment:pi_1']!], now: () => NOW + 1 });
    expect(report.pushed).toHaveLength(1);
    expect(orb.createRequests.map((r) => r.status)).toEqual([500, 429, 201]);
    expect(new Set(orb.createRequests.map((r) => `${r.idempotencyKey} ${r.body}`)).size).toBe(1);
    expect(orb.ledgers.get('cus_O')).toHaveLength(1);
    expect(listPostedAdjustments(db).find((a) => a.idempotency_key === keys['payment:pi_1'])).toMatchObject({ push_attempts: 1, push_error: null });
  });

  it("a 400 (Orb's validation error) and a 401 leave the record unpushed with the provider's words and the attempts counted; the key is never in them", async () => {
    const orb = await startOrbServer();
    onCleanup(() => orb.close());
    orb.addCustomer('cus_O').currency = 'EUR';
    const { db, keys } = orbAdjustedDb();
    const key = keys['entry:orb:inc_a']!;
    const refused = await pushAdjustments(db, { confirm: true, clients: orbClients(orb).clients, keys: [key], now: () => NOW + 1 });
    expect(refused.failed).toEqual([
      { idempotency_key: key, error: "POST /customers/cus_O/credits/ledger_entry: Orb answered 400: Request validation error: currency USD must match the customer's invoicing currency EUR" },
    ]);
    const wrongKey = 'orb_wrong_key_5678';
    const rejected = await pushAdjustments(db, { confirm: true, clients: orbClients(orb, wrongKey).clients, keys: [key], now: () => NOW + 2 });
    expect(rejected.failed[0]!.error).toBe('the Orb key was rejected (401) — check ORB_API_KEY');
    const record = listPostedAdjustments(db).find((a) => a.idempotency_key === key)!;
    expect(record).toMatchObject({ pushed_at: null, push_attempts: 2, push_error: 'the Orb key was rejected (401) — check ORB_API_KEY', provider_entry_id: null });
    expect(JSON.stringify(listPostedAdjustments(db))).not.toContain(wrongKey);
    expect(orb.ledgers.get('cus_O') ?? []).toHaveLength(0);
  });

  it('refused without confirmation, and a provider without a key is skipped with the reason: nothing is sent', async () => {
    const orb = await orbServer();
    const { db } = orbAdjustedDb();
    const { clients, missing } = orbClients(orb);
    await expect(pushAdjustments(db, { confirm: false, clients, now: () => NOW })).rejects.toThrow(/explicit confirmation/);
    const none = pushClientsFromKeys({ orbApiKey: '', moesifToken: null });
    const skipped = await pushAdjustments(db, { confirm: true, clients: none.clients, missing: none.missing, now: () => NOW });
    expect(skipped.skipped).toHaveLength(4);
    expect(skipped.skipped[0]!.reason).toBe('no Orb API key (set ORB_API_KEY, or add it in Settings)');
    expect(missing).toEqual({ moesif: 'no Moesif management token (set MOESIF_MANAGEMENT_TOKEN, or add it in Settings)' });
    expect(orb.requests).toHaveLength(0);
    expect(listPostedAdjustments(db).every((a) => a.push_attempts === 0)).toBe(true);
  });
});

describe('push to Moesif: balance transactions', () => {
  it('the adjustment lands with its exact amount; re-pushing sends nothing; a lost local mark is a 409 Moesif answers as the same transaction', async () => {
    const moesif = await moesifServer();
    const { db, keys } = moesifAdjustedDb();
    const key = keys['payment:pi_3']!;
    const { clients } = pushClientsFromKeys({ moesifToken: moesif.token, moesifApiBase: moesif.url }, noWait);
    const report = await pushAdjustments(db, { confirm: true, clients, now: () => NOW + 1 });
    expect(report.pushed).toEqual([{ idempotency_key: key, provider_entry_id: key }]);
    const sent = moesif.transactions.get(key)!;
    expect(sent).toContain('"amount":70.000000000000000000123');
    expect(JSON.parse(sent)).toMatchObject({ company_id: 'co_A', transaction_id: key, type: 'credit' });
    expect(await pushAdjustments(db, { confirm: true, clients, keys: [key], now: () => NOW + 2 })).toMatchObject({ already_pushed: [key] });
    expect(moesif.requests).toHaveLength(1);
    // The same request again straight through the client (as if the local mark were lost): one transaction.
    const record = listPostedAdjustments(db)[0]!;
    expect(await clients.moesif!.push({ provider: 'moesif', customerId: record.customer_id, idempotencyKey: key, body: record.body })).toEqual({ providerEntryId: key });
    expect(moesif.requests.map((r) => r.status)).toEqual([201, 409]);
    expect(moesif.transactions.size).toBe(1);
  });

  it('a rejected token is recorded as the failure, without the token; a 500 after storing is retried into one transaction', async () => {
    const moesif = await moesifServer();
    const { db, keys } = moesifAdjustedDb();
    const key = keys['payment:pi_3']!;
    const wrong = pushClientsFromKeys({ moesifToken: 'moesif_wrong_token_99', moesifApiBase: moesif.url }, noWait);
    const failed = await pushAdjustments(db, { confirm: true, clients: wrong.clients, now: () => NOW + 1 });
    expect(failed.failed[0]!.error).toMatch(/^the Moesif token was rejected \(401\)/);
    expect(JSON.stringify(listPostedAdjustments(db))).not.toContain('moesif_wrong_token_99');
    moesif.failAfterStoring = 1;
    const { clients } = pushClientsFromKeys({ moesifToken: moesif.token, moesifApiBase: moesif.url }, noWait);
    const pushed = await pushAdjustments(db, { confirm: true, clients, now: () => NOW + 2 });
    expect(pushed.pushed).toHaveLength(1);
    expect(moesif.transactions.size).toBe(1);
    expect(listPostedAdjustments(db)[0]).toMatchObject({ push_attempts: 2, push_error: null });
  });
});
