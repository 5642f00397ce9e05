// The provider's copy of a pushed balancing adjustment replaces the local entry (core/store/adjustment-copies.ts):
// real SQLite files, the real `orb-billing` SDK and Moesif client against the wire servers. Nothing stubbed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../core/cli/main.js';
import { runSync } from '../../core/cli/sync-command.js';
import { replayFromCheckpoint } from '../../core/ledger/checkpoint.js';
import { replayAccount } from '../../core/ledger/replay.js';
import type { AccountKey, AccountState } from '../../core/ledger/types.js';
import { pushClientsFromKeys } from '../../core/service/adjustment-push-clients.js';
import { listPostedAdjustments, postAdjustment, pushAdjustments } from '../../core/service/adjustments.js';
import { ImportRejected, importFiles } from '../../core/import/ledger-files.js';
import { customerBalance } from '../../core/service/ledger-queries.js';
import { getReconcileRun, runReconciliation } from '../../core/service/reconcile-service.js';
import type { PaymentRecord } from '../../core/payments/types.js';
import { CHECKPOINT_MIN_ENTRIES, loadAccountEntries, loadCheckpoint, openLedgerDb, type LedgerDb } from '../../core/store/index.js';
import { OrbExport } from '../audit/orb-export-builder.js';
import { at, payment } from '../reconcile/fixtures.js';
import { MoesifWireServer } from '../wire/moesif-server.js';
import { startOrbServer, type OrbWireServer } from '../wire/orb-server.js';
import { moesifAdjustedDb, NOW } from './adjustment-fixtures.js';
import { dumpDb, onCleanup, tempDb, tempDir } from './helpers.js';

/** After the wire servers' copies (created 2025-03-31): every balance below is read as of here. */
const LATER = Date.parse('2025-04-02T00:00:00Z');
const noWait = { maxRetries: 2, sleep: async () => {} };
const ORB_USD: AccountKey = { customerId: 'cus_O', subscriptionId: null, unit: 'USD' };

function collectingIo(): { io: { out(text: string): void; err(text: string): void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (text) => out.push(text), err: (text) => err.push(text) }, out, err };
}

function current(db: LedgerDb, customerId: string): string {
  return customerBalance(db, customerId, LATER).accounts[0]!.current;
}

/** The ledger tables: equal dumps mean the ledger and the adjustments did not change. */
function ledgerTables(db: LedgerDb): string {
  const tables = ['entries', 'accounts', 'account_checkpoints', 'reconcile_adjustments'];
  return JSON.stringify(tables.map((table) => db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).raw().all()));
}

function run(db: LedgerDb, payments: PaymentRecord[], asOf: number) {
  const { run: summary } = runReconciliation(db, { asOf, now: asOf, stripe: { name: 'test', listPayments: () => payments, listStripeCustomers: () => [] } });
  return getReconcileRun(db, summary.run_id, { offset: 0, limit: 1000 });
}

function post(db: LedgerDb, runId: string, itemId: string, edit: Record<string, unknown> = {}, now = NOW): string {
  const proposal = getReconcileRun(db, runId, { offset: 0, limit: 1000 }).items.find((item) => item.item_id === itemId)?.proposal;
  if (proposal === null || proposal === undefined) throw new Error(`run ${runId} proposes nothing for ${itemId}`);
  return postAdjustment(db, { ...proposal, ...edit }, { runId, itemId, now, by: 'test' }).idempotency_key;
}

async function orbWithLedger(): Promise<OrbWireServer> {
  const orb = await startOrbServer();
  onCleanup(() => orb.close());
  orb.addCustomer('cus_O');
  const ledger = new OrbExport('cus_O', 'USD');
  ledger.increment('inc_a', '100', '2025-03-01T00:00:00Z', { cost: '1' });
  ledger.increment('inc_b', '20', '2025-03-02T00:00:00Z', { cost: '1' });
  orb.addLedger('cus_O', ledger.records);
  return orb;
}

async function syncOrbCli(path: string, orb: OrbWireServer, now: number): Promise<{ status: number; out: string; err: string }> {
  const { io, out, err } = collectingIo();
  const status = await runSync({ io, now }, 'orb', { db: path, apiBase: orb.url }, { env: { ORB_API_KEY: orb.apiKey } });
  // Progress lines aside: what is left are warnings.
  return { status, out: out.join(''), err: err.filter((line) => !/objects? so far/.test(line)).join('') };
}

const ORB_PAYMENTS = [payment('pi_a', 'cus_O', '100', at(0)), payment('pi_1', 'cus_O', '5', at(1))];

describe('the provider copy of a pushed adjustment replaces the local entry', () => {
  it('Orb end to end: missing_in_ledger → post → push → `sync orb` counts the credit once, the item stays settled; syncing again changes nothing', async () => {
    const orb = await orbWithLedger();
    const { path, db } = tempDb();
    expect((await syncOrbCli(path, orb, NOW)).status).toBe(0);
    const first = run(db, ORB_PAYMENTS, NOW);
    expect(first.items.find((item) => item.item_id === 'payment:pi_1')).toMatchObject({ category: 'missing_in_ledger', settled: false });
    const key = post(db, first.run.run_id, 'payment:pi_1');
    const posted = current(db, 'cus_O');
    expect(posted).toBe('125');

    const { clients } = pushClientsFromKeys({ orbApiKey: orb.apiKey, orbApiBase: orb.url }, noWait);
    const report = await pushAdjustments(db, { confirm: true, clients, now: () => NOW + 1 });
    expect(report.pushed).toEqual([{ idempotency_key: key, provider_entry_id: 'orb_entry_1' }]);
    expect(orb.ledgers.get('cus_O')!.at(-1)).toMatchObject({ id: 'orb_entry_1', metadata: { ledgerscope_idempotency_key: key } });

    const synced = await syncOrbCli(path, orb, LATER);
    expect(synced).toMatchObject({ status: 0, err: '' });
    expect(synced.out).toContain("posted adjustments now counted once (Orb's copy replaced the local entry): 1");
    // Counted once: the balance right after posting, the local entry gone, Orb's in its place.
    expect(current(db, 'cus_O')).toBe(posted);
    const entries = loadAccountEntries(db, ORB_USD);
    expect(entries.map((e) => `${e.source}:${e.sourceId}`)).toEqual(['orb:inc_a', 'orb:inc_b', 'orb:orb_entry_1']);
    expect(db.prepare('SELECT entry_count FROM accounts WHERE customer_id = ?').pluck().get('cus_O')).toBe(3);
    const adjustment = listPostedAdjustments(db)[0]!;
    expect(adjustment).toMatchObject({
      idempotency_key: key, entry_source: 'orb', entry_id: 'orb_entry_1', provider_entry_id: 'orb_entry_1', copy_difference: null,
      pushed_at: expect.any(String), confirmed_at: '2025-04-02T00:00:00.000Z',
    });
    // The block is Orb's own id (DESIGN §5), not the local key.
    expect(entries[2]!.blockId ?? entries[2]!.sourceId).toBe('orb_entry_1');

    const next = run(db, ORB_PAYMENTS, LATER);
    expect(next.items.find((item) => item.item_id === 'payment:pi_1')).toMatchObject({ settled: true, adjustment_ids: ['orb_entry_1'] });
    expect(next.items.filter((item) => item.category === 'duplicate_credit')).toEqual([]);

    const before = dumpDb(db);
    const again = await syncOrbCli(path, orb, LATER);
    expect(again.out).toContain('ledger entries: 0 new, 3 unchanged');
    expect(dumpDb(db)).toBe(before);
    // Nothing is pushed again: the adjustment is at Orb.
    expect(await pushAdjustments(db, { confirm: true, clients, keys: [key], now: () => LATER })).toMatchObject({ pushed: [], already_pushed: [key] });
  });

  it('a later unpushed void naming the replaced block is remapped to Orb\'s block (entry and body); pushed, its copy replaces it too', async () => {
    const orb = await orbWithLedger();
    const { path, db } = tempDb();
    await syncOrbCli(path, orb, NOW);
    const first = run(db, ORB_PAYMENTS, NOW);
    const credit = post(db, first.run.run_id, 'payment:pi_1');
    // inc_b has no payment: its void proposal, edited to take 2 from the block the credit adjustment created.
    // Posted after Orb's copy is dated (2025-03-31): Orb's block exists by then. (One dated earlier fails the replay check.)
    const voidKey = post(db, first.run.run_id, 'entry:orb:inc_b', { block_id: credit, amount: '2' }, Date.parse('2025-04-01T00:00:00Z'));
    const { clients } = pushClientsFromKeys({ orbApiKey: orb.apiKey, orbApiBase: orb.url }, noWait);
    await pushAdjustments(db, { confirm: true, clients, keys: [credit], now: () => NOW + 1 });

    const synced = await syncOrbCli(path, orb, LATER);
    expect(synced.err).toBe(`sync orb: adjustment ${voidKey} now names block orb_entry_1 (was ${credit}, replaced by the provider's copy orb_entry_1)\n`);
    const local = loadAccountEntries(db, ORB_USD).find((e) => e.sourceId === voidKey)!;
    expect(local.blockId).toBe('orb_entry_1');
    expect(listPostedAdjustments(db).find((a) => a.idempotency_key === voidKey)!.body).toMatchObject({ block_id: 'orb_entry_1' });
    expect(current(db, 'cus_O')).toBe('123');

    await pushAdjustments(db, { confirm: true, clients, keys: [voidKey], now: () => LATER });
    expect(JSON.parse(orb.createRequests.at(-1)!.body)).toMatchObject({ entry_type: 'void', block_id: 'orb_entry_1' });
    await syncOrbCli(path, orb, LATER + 1);
    expect(loadAccountEntries(db, ORB_USD).map((e) => `${e.source}:${e.sourceId}`)).toEqual(['orb:inc_a', 'orb:inc_b', 'orb:orb_entry_1', 'orb:orb_entry_2']);
    expect(current(db, 'cus_O')).toBe('123');
  });

  it('a void already at Orb naming the local block cannot follow the replacement: the customer is skipped with a block_id problem, nothing written', async () => {
    const orb = await orbWithLedger();
    const { path, db } = tempDb();
    await syncOrbCli(path, orb, NOW);
    const first = run(db, ORB_PAYMENTS, NOW);
    const credit = post(db, first.run.run_id, 'payment:pi_1');
    post(db, first.run.run_id, 'entry:orb:inc_b', { block_id: credit, amount: '2' });
    const { clients } = pushClientsFromKeys({ orbApiKey: orb.apiKey, orbApiBase: orb.url }, noWait);
    await pushAdjustments(db, { confirm: true, clients, now: () => NOW + 1 });
    const before = ledgerTables(db);
    const synced = await syncOrbCli(path, orb, LATER);
    expect(synced.err).toMatch(/^sync orb: customer cus_O skipped: orb:\/customers\/cus_O\/credits\/ledger.*block_id.*replaces Ledgerscope adjustment lsadj_.*already at the provider naming block lsadj_/);
    expect(ledgerTables(db)).toBe(before);
  });

  it('Moesif: post + push, then the Moesif export holding that transaction counts it once and the item stays settled; re-importing changes nothing', async () => {
    const moesif = await new MoesifWireServer().start();
    onCleanup(() => moesif.close());
    const { path, db, keys } = moesifAdjustedDb();
    const key = keys['payment:pi_3']!;
    const posted = current(db, 'co_A');
    expect(posted).toBe('140.000000000000000000123');
    const { clients } = pushClientsFromKeys({ moesifToken: moesif.token, moesifApiBase: moesif.url }, noWait);
    expect((await pushAdjustments(db, { confirm: true, clients, now: () => NOW + 1 })).pushed).toHaveLength(1);
    // Moesif's export of the transaction it holds: the body pushed, with its created_at.
    const exported = moesif.transactions.get(key)!.replace(/}$/, ',"created_at":"2025-03-31T12:00:00Z"}');
    const file = { path: 'moesif-export.jsonl', text: `${exported}\n` };

    const summary = importFiles(path, [file], { now: LATER });
    expect(summary).toMatchObject({ inserted: 1, warnings: [], replaced: [{ idempotencyKey: key, source: 'moesif', sourceId: key, difference: null }] });
    expect(current(db, 'co_A')).toBe(posted);
    expect(loadAccountEntries(db, { customerId: 'co_A', subscriptionId: null, unit: 'USD' }).map((e) => `${e.source}:${e.sourceId}`)).toEqual(['moesif:pi_1', 'moesif:use-1', `moesif:${key}`]);
    expect(listPostedAdjustments(db)[0]).toMatchObject({ entry_source: 'moesif', entry_id: key, confirmed_at: '2025-04-02T00:00:00.000Z', copy_difference: null });
    const next = run(db, [payment('pi_1', 'co_A', '100', at(0)), payment('pi_3', 'co_A', '70', at(5))], LATER);
    // Counted once toward its item (the fixture posted 70 plus 1.23e-19 on purpose, so the item keeps that tiny difference).
    expect(next.items.find((item) => item.item_id === 'payment:pi_3')).toMatchObject({ actual: '70.000000000000000000123', adjustment_ids: [key] });
    expect(next.items.filter((item) => item.category === 'duplicate_credit')).toEqual([]);

    const before = ledgerTables(db);
    expect(importFiles(path, [file], { now: LATER + 1 })).toMatchObject({ inserted: 0, unchanged: 1, replaced: [] });
    expect(ledgerTables(db)).toBe(before);
  });

  it('a copy in another account, or carrying the key of another provider\'s adjustment, rejects the import naming file, line and field; nothing written', () => {
    const { path, db, keys } = moesifAdjustedDb();
    const key = keys['payment:pi_3']!;
    const before = dumpDb(db);
    const elsewhere = { company_id: 'co_B', transaction_id: key, type: 'credit', amount: 70, created_at: '2025-03-31T12:00:00Z' };
    const other = { path: 'other.jsonl', text: `${JSON.stringify({ company_id: 'co_A', transaction_id: 'use-2', type: 'debit', amount: -1, created_at: '2025-03-04T00:00:00Z' })}\n${JSON.stringify(elsewhere)}\n` };
    const rejected = (() => {
      try {
        importFiles(path, [other], { now: LATER });
      } catch (error) {
        return error as ImportRejected;
      }
      throw new Error('the import was not rejected');
    })();
    expect(rejected).toBeInstanceOf(ImportRejected);
    expect(rejected.problems).toEqual([
      {
        file: 'other.jsonl', line: 2, pointer: null, field: 'customer_id',
        message: `moesif entry "${key}" is the provider's copy of Ledgerscope adjustment ${key} (transaction_id is ${key}), but it is in account co_B/-/USD and the adjustment was posted for co_A/-/USD`,
      },
    ]);
    const orbExport = new OrbExport('co_A', 'USD');
    orbExport.increment('orb_x', '70', '2025-03-31T00:00:00Z', { cost: '1' }).metadata = { ledgerscope_idempotency_key: key };
    expect(() => importFiles(path, [{ path: 'orb.jsonl', text: orbExport.jsonl() }], { now: LATER })).toThrow(
      /orb\.jsonl:1.*metadata\.ledgerscope_idempotency_key.*posted for moesif, not orb/,
    );
    expect(dumpDb(db)).toBe(before);
  });

  it('a copy whose amount differs still replaces the local entry; the difference is recorded and `import` prints one warning line', async () => {
    const { path, db, keys } = moesifAdjustedDb();
    const key = keys['payment:pi_3']!;
    const file = join(tempDir(), 'moesif-export.jsonl');
    const copy = { company_id: 'co_A', transaction_id: key, type: 'credit', amount: 70, created_at: '2025-03-31T12:00:00Z' };
    writeFileSync(file, `${JSON.stringify(copy)}\n`);
    const { io, out, err } = collectingIo();
    expect(await runCli(['import', file, '--db', path], io, LATER)).toBe(0);
    const difference = `the provider's copy moesif ${key} has amount 70 (posted 70.000000000000000000123)`;
    expect(err).toEqual([`import: warning: adjustment ${key} replaced by moesif ${key}: ${difference}; the provider's copy is kept\n`]);
    expect(out.join('')).toContain("1 posted adjustment now counted once: the provider's copy replaced the local entry");
    expect(listPostedAdjustments(db)[0]).toMatchObject({ entry_id: key, entry_source: 'moesif', copy_difference: difference });
    // The provider's amount is what the ledger holds now.
    expect(current(db, 'co_A')).toBe('140');
  });

  it(`a long account (≥ ${CHECKPOINT_MIN_ENTRIES} entries): after the replacement its checkpoint is rebuilt and answers as a full replay does`, () => {
    const path = join(tempDir(), 'ledger.sqlite');
    const debits = CHECKPOINT_MIN_ENTRIES + 200;
    const lines = [JSON.stringify({ company_id: 'co_L', transaction_id: 'pi_1', type: 'credit', amount: 100000, created_at: '2025-03-01T00:00:00Z' })];
    for (let i = 0; i < debits; i++) {
      lines.push(JSON.stringify({ company_id: 'co_L', transaction_id: `use-${i}`, type: 'debit', amount: -1, created_at: new Date(Date.parse('2025-03-02T00:00:00Z') + i * 60_000).toISOString() }));
    }
    importFiles(path, [{ path: 'long.jsonl', text: lines.join('\n') + '\n' }], { now: NOW });
    const db = openLedgerDb(path, { create: false });
    onCleanup(() => {
      db.close();
    });
    const first = run(db, [payment('pi_1', 'co_L', '100000', at(0)), payment('pi_3', 'co_L', '70', at(1))], NOW);
    // Posted early, so its entry sits inside the checkpointed prefix, not in the tail.
    const key = post(db, first.run.run_id, 'payment:pi_3', {}, Date.parse('2025-03-02T00:30:30Z'));
    const key_: AccountKey = { customerId: 'co_L', subscriptionId: null, unit: 'USD' };
    const countBefore = loadAccountEntries(db, key_).length;
    const copy = { company_id: 'co_L', transaction_id: key, type: 'credit', amount: 70, created_at: '2025-03-31T00:00:00Z' };
    expect(importFiles(path, [{ path: 'copy.jsonl', text: `${JSON.stringify(copy)}\n` }], { now: LATER }).replaced).toHaveLength(1);

    const entries = loadAccountEntries(db, key_);
    expect(entries.length).toBe(countBefore);
    expect(entries.some((e) => e.source === 'ledgerscope')).toBe(false);
    expect(db.prepare('SELECT entry_count FROM accounts WHERE customer_id = ?').pluck().get('co_L')).toBe(entries.length);
    const stored = loadCheckpoint(db, key_);
    expect(stored).not.toBeNull();
    const stateJson = (state: AccountState): string => JSON.stringify({ ...state, entries: undefined });
    for (const asOf of [LATER, Date.parse('2025-03-31T00:00:00Z'), Date.parse('2025-03-30T00:00:00Z')]) {
      if (asOf < stored!.checkpoint.validFrom) continue;
      expect(stateJson(replayFromCheckpoint(key_, stored!.checkpoint, stored!.tail, { asOf }))).toBe(stateJson(replayAccount(key_, entries, { asOf })));
    }
    expect(customerBalance(db, 'co_L', LATER).accounts[0]!.current).toBe(replayAccount(key_, entries, { asOf: LATER }).current.toFixed());
  });
});
