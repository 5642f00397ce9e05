// Runs, proposals, preview, post, idempotency and settlement on a real SQLite file (DESIGN §6).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PaymentRecord } from '../../core/payments/types.js';
import { importFiles } from '../../core/import/ledger-files.js';
import {
  AdjustmentRejected,
  exportAdjustments,
  listPostedAdjustments,
  postAdjustment,
  previewAdjustment,
  pushAdjustments,
  type AdjustmentPushClient,
} from '../../core/service/adjustments.js';
import {
  compareReconcileRuns,
  getReconcileRun,
  importCustomerMapping,
  listReconcileRuns,
  reconcileJsonOfRun,
  ReconcileServiceError,
  runReconciliation,
  signOffReconcileRun,
  type StripeMoneyReader,
} from '../../core/service/reconcile-service.js';
import { idempotencyKey, itemView as itemViewOf, reconcileJsonView, type ItemView } from '../../core/reconcile/index.js';
import { loadEntryEvidence, openLedgerDb, type LedgerDb } from '../../core/store/index.js';
import { at, payment } from './fixtures.js';

const NOW = at(30);

function stripe(payments: PaymentRecord[]): StripeMoneyReader {
  return { name: 'test', listPayments: () => payments, listStripeCustomers: () => [] };
}

function jsonl(records: object[]): string {
  return records.map((record) => JSON.stringify(record)).join('\n') + '\n';
}

let dir = '';
let path = '';
let db: LedgerDb;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ledgerscope-reconcile-'));
  path = join(dir, 'ledger.sqlite');
  const moesif = jsonl([
    { company_id: 'co_A', transaction_id: 'pi_1', type: 'credit', amount: 100, created_at: '2025-03-01T00:00:00Z' },
    { company_id: 'co_A', transaction_id: 'tx-2', type: 'credit', amount: 50, created_at: '2025-03-02T00:00:00Z' },
    { company_id: 'co_A', transaction_id: 'use-1', type: 'debit', amount: -30, created_at: '2025-03-03T00:00:00Z' },
  ]);
  importFiles(path, [{ path: 'moesif.jsonl', text: moesif }], { now: at(10) });
  db = openLedgerDb(path, { create: false });
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const PAYMENTS = [payment('pi_1', 'co_A', '100', at(0)), payment('pi_3', 'co_A', '70', at(5))];

function item(items: ItemView[], id: string): ItemView {
  const found = items.find((candidate) => candidate.item_id === id);
  if (found === undefined) throw new Error(`no item ${id} in ${items.map((i) => i.item_id).join(', ')}`);
  return found;
}

describe('runs', () => {
  it('a run is saved with its inputs, results and counts; items read back as the engine returned them', () => {
    const outcome = runReconciliation(db, { asOf: NOW, now: NOW, stripe: stripe(PAYMENTS) });
    expect(outcome.run.run_id).toMatch(/^R1-[0-9a-f]{8}$/);
    expect(outcome.differences).toBe(true);
    expect(outcome.run).toMatchObject({ state: 'complete', item_count: 3, open_count: 2, drift_count: 1, sign_off: null });
    expect(outcome.run.inputs).toMatchObject({ import_ids: [1], ledger_entry_count: 3, stripe: 'test', payment_count: 2 });
    const detail = getReconcileRun(db, outcome.run.run_id);
    expect(detail.items.map((i) => [i.item_id, i.category])).toEqual([
      ['payment:pi_1', 'matched'],
      ['entry:moesif:tx-2', 'missing_in_stripe'],
      ['payment:pi_3', 'missing_in_ledger'],
    ]);
    expect(detail.accounts).toEqual([{ customer_id: 'co_A', subscription_id: null, unit: 'USD', expected: '170', actual: '150', difference: '-20' }]);
    expect(reconcileJsonOfRun(db, outcome.run.run_id)).toEqual(JSON.parse(JSON.stringify(reconcileJsonView(outcome.result))));
    expect(listReconcileRuns(db).map((run) => run.run_id)).toEqual([outcome.run.run_id]);
  });

  it('sign-off records who, when and a note, once', () => {
    const { run } = runReconciliation(db, { asOf: NOW, now: NOW, stripe: stripe(PAYMENTS) });
    // The run has open differences: signing off with them is confirmed, with the note as the reason (issue 13).
    const signed = signOffReconcileRun(db, run.run_id, { by: 'dana@finance', note: 'March close', now: at(31), confirmOpen: true });
    expect(signed.sign_off).toEqual({ by: 'dana@finance', at: '2025-04-01T00:00:00.000Z', note: 'March close' });
    expect(() => signOffReconcileRun(db, run.run_id, { by: 'eve', now: at(32) })).toThrow(/already signed off by dana@finance/);
    expect(() => signOffReconcileRun(db, 'R9-nope', { by: 'eve', now: at(32) })).toThrow(ReconcileServiceError);
  });

  it('a customer mapping CSV links a Stripe customer to a ledger customer', () => {
    const payments = [payment('pi_1', 'cus_STRIPE', '100', at(0)), payment('pi_9', 'cus_STRIPE', '50', at(1))];
    importCustomerMapping(db, { name: 'map.csv', text: 'ledger customer id,stripe customer id\nco_A,cus_STRIPE\n' }, NOW);
    const { result } = runReconciliation(db, { asOf: NOW, now: NOW, stripe: stripe(payments) });
    expect(result.items.map((i) => [i.id, i.category, i.account.customerId])).toEqual([
      ['payment:pi_1', 'matched', 'co_A'],
      ['payment:pi_9', 'matched_fuzzy', 'co_A'],
    ]);
    expect(() => importCustomerMapping(db, { name: 'bad.csv', text: 'co_A,cus_1,extra\n' }, NOW)).toThrow(/bad.csv:1: -: expected 2 cells/);
  });
});

describe('balancing adjustments', () => {
  it('preview shows current, pending, available and the blocks touched, before and after, from the engine', () => {
    const { result } = runReconciliation(db, { asOf: NOW, now: NOW, stripe: stripe(PAYMENTS) });
    const proposal = item(result.items.map(itemViewOf), 'payment:pi_3').proposal!;
    const preview = previewAdjustment(db, proposal, NOW);
    expect(preview.before).toEqual({ current: '120', pending: '0', available: '120', deficit: '0', scheduled: '0' });
    expect(preview.after).toEqual({ current: '190', pending: '0', available: '190', deficit: '0', scheduled: '0' });
    expect(preview.blocks).toEqual([{ id: proposal.idempotency_key, before: null, after: { initial: '70', remaining: '70', status: 'active', expires_at: null } }]);
    const removal = item(result.items.map(itemViewOf), 'entry:moesif:tx-2').proposal!;
    expect(removal.body).toMatchObject({ type: 'adjustment', amount: '-50' });
    const removed = previewAdjustment(db, removal, NOW);
    expect([removed.before.current, removed.after.current]).toEqual(['120', '70']);
    expect(removed.effects.map((effect) => effect.type)).toEqual(['consume']);
  });

  it('post writes one canonical entry with its run and item; posting twice does nothing; the next run shows it settled', () => {
    const first = runReconciliation(db, { asOf: NOW, now: NOW, stripe: stripe(PAYMENTS) });
    const runId = first.run.run_id;
    const proposal = item(getReconcileRun(db, runId).items, 'payment:pi_3').proposal!;
    expect(proposal.idempotency_key).toBe(idempotencyKey(runId, 'payment:pi_3'));
    const posted = postAdjustment(db, proposal, { runId, itemId: 'payment:pi_3', now: at(31), by: 'dana' });
    expect(posted).toMatchObject({ status: 'posted', entry_id: proposal.idempotency_key, run_id: runId, item_id: 'payment:pi_3' });
    const again = postAdjustment(db, proposal, { runId, itemId: 'payment:pi_3', now: at(32) });
    expect(again.status).toBe('already_posted');
    const evidence = loadEntryEvidence(db, 'ledgerscope', proposal.idempotency_key);
    expect(evidence?.metadata).toEqual({ ledgerscope_idempotency_key: proposal.idempotency_key, ledgerscope_run_id: runId, ledgerscope_item_id: 'payment:pi_3' });
    expect(db.prepare("SELECT count(*) FROM entries WHERE source = 'ledgerscope'").pluck().get()).toBe(1);

    const second = runReconciliation(db, { asOf: at(40), now: at(40), stripe: stripe(PAYMENTS) });
    const settled = item(getReconcileRun(db, second.run.run_id).items, 'payment:pi_3');
    expect(settled).toMatchObject({ category: 'missing_in_ledger', settled: true, expected: '70', actual: '70', difference: '0', proposal: null });
    expect(settled.entry_ids).toEqual([proposal.idempotency_key]);
    const json = reconcileJsonView(second.result);
    expect(json.items.find((i) => i.payment_ids.includes('pi_3'))?.category).toBe('settled');
    // Still open: the credit with no payment. Post its proposal from the first run, then nothing is left.
    const removal = item(getReconcileRun(db, runId).items, 'entry:moesif:tx-2').proposal!;
    expect(postAdjustment(db, removal, { runId, itemId: 'entry:moesif:tx-2', now: at(41) }).status).toBe('posted');
    const third = runReconciliation(db, { asOf: at(50), now: at(50), stripe: stripe(PAYMENTS) });
    expect(third.differences).toBe(false);
    expect(third.result.accounts.map((a) => a.difference.toFixed())).toEqual(['0']);
    const comparison = compareReconcileRuns(db, runId, third.run.run_id);
    expect(comparison.resolved.map((r) => r.item_id)).toEqual(['entry:moesif:tx-2', 'payment:pi_3']);
    expect(comparison.appeared).toEqual([]);
    expect([comparison.open_before, comparison.open_after]).toEqual([2, 0]);
  });

  it('refused: an item that is not an open difference, a proposal for another item, a stale run, a rule the ledger breaks', () => {
    const { run } = runReconciliation(db, { asOf: NOW, now: NOW, stripe: stripe(PAYMENTS) });
    const items = getReconcileRun(db, run.run_id).items;
    const proposal = item(items, 'payment:pi_3').proposal!;
    expect(() => postAdjustment(db, proposal, { runId: run.run_id, itemId: 'payment:pi_1', now: NOW })).toThrow(/not run .* item payment:pi_1/);
    expect(() => postAdjustment(db, { ...proposal, amount: '-5' }, { runId: run.run_id, itemId: 'payment:pi_3', now: NOW })).toThrow(AdjustmentRejected);
    expect(() => postAdjustment(db, { ...proposal, idempotency_key: 'mine' }, { runId: run.run_id, itemId: 'payment:pi_3', now: NOW })).toThrow(/idempotency_key/);
    const voidUnknown = { ...proposal, provider: 'orb', kind: 'void', block_id: 'no-such-block', moesif_type: null };
    expect(() => postAdjustment(db, voidUnknown, { runId: run.run_id, itemId: 'payment:pi_3', now: NOW })).toThrow(/L6: block_id: void names block no-such-block/);
    // Another run posts for the item first: the older run's proposal is stale.
    const later = runReconciliation(db, { asOf: NOW, now: NOW + 1, stripe: stripe(PAYMENTS) });
    const fresh = item(getReconcileRun(db, later.run.run_id).items, 'payment:pi_3').proposal!;
    postAdjustment(db, fresh, { runId: later.run.run_id, itemId: 'payment:pi_3', now: NOW + 2 });
    expect(() => postAdjustment(db, proposal, { runId: run.run_id, itemId: 'payment:pi_3', now: NOW + 3 })).toThrow(/did not see; run reconcile again/);
    expect(db.prepare("SELECT count(*) FROM entries WHERE source = 'ledgerscope'").pluck().get()).toBe(1);
  });

  it('an edited proposal posts what the user set, with the body rebuilt from it', () => {
    const { run } = runReconciliation(db, { asOf: NOW, now: NOW, stripe: stripe(PAYMENTS) });
    const proposal = item(getReconcileRun(db, run.run_id).items, 'payment:pi_3').proposal!;
    const edited = { ...proposal, amount: '69.5', description: 'pi_3 less a fee', body: { forged: true } };
    postAdjustment(db, edited, { runId: run.run_id, itemId: 'payment:pi_3', now: NOW });
    const [posted] = listPostedAdjustments(db);
    expect(posted?.body).toEqual({
      company_id: 'co_A', transaction_id: proposal.idempotency_key, type: 'credit', amount: '69.5', description: 'pi_3 less a fee',
    });
    const next = runReconciliation(db, { asOf: NOW, now: NOW + 1, stripe: stripe(PAYMENTS) });
    const residual = item(getReconcileRun(db, next.run.run_id).items, 'payment:pi_3');
    expect(residual).toMatchObject({ settled: false, actual: '69.5', difference: '-0.5' });
    expect(residual.proposal?.amount).toBe('0.5');
  });

  it('export: the providers\' request bodies as JSON Lines, amounts as JSON numbers', () => {
    const { run } = runReconciliation(db, { asOf: NOW, now: NOW, stripe: stripe(PAYMENTS) });
    const items = getReconcileRun(db, run.run_id).items;
    const proposed = exportAdjustments(db, { runId: run.run_id, which: 'proposed' });
    expect(proposed.split('\n').filter(Boolean)).toHaveLength(2);
    for (const id of ['payment:pi_3', 'entry:moesif:tx-2']) postAdjustment(db, item(items, id).proposal!, { runId: run.run_id, itemId: id, now: NOW });
    const lines = exportAdjustments(db).split('\n').filter(Boolean);
    expect(lines[0]).toBe(
      `{"company_id":"co_A","transaction_id":"${idempotencyKey(run.run_id, 'payment:pi_3')}","type":"credit","amount":70,"description":"Ledgerscope ${run.run_id}: missing_in_ledger pi_3"}`,
    );
    expect(JSON.parse(lines[1]!)).toMatchObject({ type: 'adjustment', amount: -50 });
    expect(exportAdjustments(db, { provider: 'orb' })).toBe('');
  });

  it('push: only with confirmation; a failure stays unpushed with the provider\'s error; a re-push sends nothing again', async () => {
    const { run } = runReconciliation(db, { asOf: NOW, now: NOW, stripe: stripe(PAYMENTS) });
    const proposal = item(getReconcileRun(db, run.run_id).items, 'payment:pi_3').proposal!;
    postAdjustment(db, proposal, { runId: run.run_id, itemId: 'payment:pi_3', now: NOW });
    const sent: string[] = [];
    let fail = true;
    const moesif: AdjustmentPushClient = {
      push: async (request) => {
        sent.push(request.idempotencyKey);
        if (fail) throw new Error('HTTP 503: Moesif is unavailable');
        return { providerEntryId: 'moesif-123' };
      },
    };
    await expect(pushAdjustments(db, { confirm: false, clients: { moesif }, now: () => NOW })).rejects.toThrow(/explicit confirmation/);
    expect(sent).toEqual([]);
    const failed = await pushAdjustments(db, { confirm: true, clients: { moesif }, now: () => NOW });
    expect(failed.failed).toEqual([{ idempotency_key: proposal.idempotency_key, error: 'HTTP 503: Moesif is unavailable' }]);
    expect(listPostedAdjustments(db)[0]).toMatchObject({ pushed_at: null, push_attempts: 1, push_error: 'HTTP 503: Moesif is unavailable' });
    fail = false;
    const pushed = await pushAdjustments(db, { confirm: true, clients: { moesif }, now: () => NOW + 1 });
    expect(pushed.pushed).toEqual([{ idempotency_key: proposal.idempotency_key, provider_entry_id: 'moesif-123' }]);
    const again = await pushAdjustments(db, { confirm: true, clients: { moesif }, now: () => NOW + 2, keys: [proposal.idempotency_key] });
    expect(again.already_pushed).toEqual([proposal.idempotency_key]);
    expect(sent).toHaveLength(2);
    expect(listPostedAdjustments(db)[0]).toMatchObject({ push_attempts: 2, push_error: null, provider_entry_id: 'moesif-123' });
  });
});
