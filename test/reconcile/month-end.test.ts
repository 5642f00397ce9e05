// Issue 13, month-end close on a real SQLite file: sign-off locks, re-open is recorded, the run's
// summary follows its items, reversals undo without deleting, reviews count, the history is in order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PaymentRecord } from '../../core/payments/types.js';
import { importFiles } from '../../core/import/ledger-files.js';
import { AdjustmentRejected, exportAdjustments, listPostedAdjustments, postAdjustment, pushAdjustments } from '../../core/service/adjustments.js';
import { previewReversal, reverseAdjustment } from '../../core/service/adjustment-reversal.js';
import { getReconcileRun, listReconcileRuns, ReconcileServiceError, runReconciliation, signOffReconcileRun, type StripeMoneyReader } from '../../core/service/reconcile-service.js';
import { CloseRefused, reopenRun, reviewItem, RunLockedError, runHistory } from '../../core/service/run-close.js';
import { reversalKey } from '../../core/reconcile/index.js';
import { listItemReviews, loadAccountEntries, openLedgerDb, type LedgerDb } from '../../core/store/index.js';
import { replayAccount } from '../../core/ledger/replay.js';
import { toCanonical } from '../../core/money/decimal.js';
import { formatInstant } from '../../core/time/instant.js';
import { at, payment } from './fixtures.js';

const NOW = at(30);
const MINUTE = 60_000;

function stripe(payments: PaymentRecord[]): StripeMoneyReader {
  return { name: 'test', listPayments: () => payments, listStripeCustomers: () => [] };
}

let dir = '';
let db: LedgerDb;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ledgerscope-month-end-'));
  const path = join(dir, 'ledger.sqlite');
  const moesif = [
    { company_id: 'co_A', transaction_id: 'pi_1', type: 'credit', amount: 100, created_at: '2025-03-01T00:00:00Z' },
    { company_id: 'co_A', transaction_id: 'tx-2', type: 'credit', amount: 50, created_at: '2025-03-02T00:00:00Z' },
    { company_id: 'co_A', transaction_id: 'tx-9', type: 'credit', amount: 25, created_at: '2025-03-08T00:00:00Z' },
    { company_id: 'co_B', transaction_id: 'tx-b', type: 'credit', amount: 80, created_at: '2025-03-04T00:00:00Z' },
  ];
  importFiles(path, [{ path: 'moesif.jsonl', text: moesif.map((r) => JSON.stringify(r)).join('\n') + '\n' }], { now: at(10) });
  db = openLedgerDb(path, { create: false });
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

// pi_1 matched; tx-2 and tx-b credits with no payment; pi_3 paid, never credited; pi_9 matches tx-9 by amount (fuzzy).
const PAYMENTS = [payment('pi_1', 'co_A', '100', at(0)), payment('pi_3', 'co_A', '70', at(5)), payment('pi_9', 'co_A', '25', at(7))];

function newRun(by: string | null = 'Dana') {
  return runReconciliation(db, { asOf: NOW, now: NOW, stripe: stripe(PAYMENTS), by }).run;
}

function proposalOf(runId: string, itemId: string) {
  const item = getReconcileRun(db, runId).items.find((candidate) => candidate.item_id === itemId);
  if (item?.proposal == null) throw new Error(`no proposal for ${itemId}`);
  return item.proposal;
}

function current(customer: string): string {
  const replay = replayAccount({ customerId: customer, subscriptionId: null, unit: 'USD' }, loadAccountEntries(db, { customerId: customer, subscriptionId: null, unit: 'USD' }), {});
  return toCanonical(replay.current);
}

describe('sign-off lock', () => {
  it('signing off a run with open differences needs confirmation and a reason, and stores the reason', () => {
    const run = newRun();
    expect(run.open_count).toBe(3);
    expect(() => signOffReconcileRun(db, run.run_id, { by: 'Dana', now: at(31) })).toThrow(/3 open differences; confirm signing off with them and give a reason/);
    expect(() => signOffReconcileRun(db, run.run_id, { by: 'Dana', now: at(31), confirmOpen: true })).toThrow(/give a reason/);
    expect(() => signOffReconcileRun(db, run.run_id, { by: null, note: 'x', now: at(31), confirmOpen: true })).toThrow(/set your name in Settings/);
    const signed = signOffReconcileRun(db, run.run_id, { by: 'Dana', note: 'tx-2 is a goodwill credit, booked in April', now: at(31), confirmOpen: true });
    expect(signed).toMatchObject({ locked: true, sign_off: { by: 'Dana', note: 'tx-2 is a goodwill credit, booked in April' } });
  });

  it('a signed-off run refuses adjustments and reviews, saying why; re-opening with a reason unlocks it and is recorded', () => {
    const run = newRun();
    signOffReconcileRun(db, run.run_id, { by: 'Dana', note: 'closing with known differences', now: at(31), confirmOpen: true });
    const proposal = proposalOf(run.run_id, 'payment:pi_3');
    expect(() => postAdjustment(db, proposal, { runId: run.run_id, itemId: 'payment:pi_3', now: at(32), by: 'Eve' })).toThrow(RunLockedError);
    expect(() => postAdjustment(db, proposal, { runId: run.run_id, itemId: 'payment:pi_3', now: at(32), by: 'Eve' })).toThrow(
      /is signed off \(by Dana at 2025-04-01T00:00:00.000Z\) and locked: nothing can be posted against it\. Re-open it with a reason, or run a new reconciliation\./,
    );
    expect(listPostedAdjustments(db)).toEqual([]);
    expect(() => reviewItem(db, run.run_id, { itemId: 'payment:pi_9', decision: 'accepted', by: 'Eve', reason: null, now: at(32) })).toThrow(RunLockedError);

    expect(() => reopenRun(db, run.run_id, { by: 'Eve', reason: '  ', now: at(33) })).toThrow(CloseRefused);
    expect(() => reopenRun(db, run.run_id, { by: null, reason: 'late refund', now: at(33) })).toThrow(/set your name in Settings/);
    reopenRun(db, run.run_id, { by: 'Eve', reason: 'a late refund came in', now: at(33) });
    expect(listReconcileRuns(db)[0]).toMatchObject({ locked: false, sign_off: null });
    expect(() => reopenRun(db, run.run_id, { by: 'Eve', reason: 'again', now: at(33) })).toThrow(/not signed off/);
    expect(postAdjustment(db, proposal, { runId: run.run_id, itemId: 'payment:pi_3', now: at(34), by: 'Eve' }).status).toBe('posted');
  });

  it('the run history lists run, sign-off, re-open, adjustment, push and reversal in order with who and when', async () => {
    const run = newRun('Dana');
    signOffReconcileRun(db, run.run_id, { by: 'Dana', note: 'first close', now: at(31), confirmOpen: true });
    reopenRun(db, run.run_id, { by: 'Eve', reason: 'late refund', now: at(32) });
    const posted = postAdjustment(db, proposalOf(run.run_id, 'payment:pi_3'), { runId: run.run_id, itemId: 'payment:pi_3', now: at(33), by: 'Eve' });
    await pushAdjustments(db, { confirm: true, clients: {}, missing: { moesif: 'MOESIF_MANAGEMENT_TOKEN is not set' }, now: () => at(34), by: 'Eve' });
    await pushAdjustments(db, {
      confirm: true,
      clients: { moesif: { push: () => Promise.reject(new Error('503 unavailable')) } },
      now: () => at(35),
      by: 'Eve',
    });
    reverseAdjustment(db, posted.idempotency_key, { now: at(36), by: 'Fay', reason: 'posted to the wrong account' });
    const history = runHistory(db, run.run_id);
    expect(history.map((event) => [event.kind, event.by, event.at, event.reason])).toEqual([
      ['run', 'Dana', '2025-03-31T00:00:00.000Z', null],
      ['sign_off', 'Dana', '2025-04-01T00:00:00.000Z', 'first close'],
      ['reopen', 'Eve', '2025-04-02T00:00:00.000Z', 'late refund'],
      ['adjustment', 'Eve', '2025-04-03T00:00:00.000Z', null],
      ['push', 'Eve', '2025-04-04T00:00:00.000Z', 'MOESIF_MANAGEMENT_TOKEN is not set'],
      ['push', 'Eve', '2025-04-05T00:00:00.000Z', '503 unavailable'],
      ['reversal', 'Fay', '2025-04-06T00:00:00.000Z', 'posted to the wrong account'],
    ]);
    expect(history.filter((event) => event.kind === 'push').map((event) => event.detail['result'])).toEqual(['skipped', 'failed']);
    expect(history[3]!.detail).toMatchObject({ idempotency_key: posted.idempotency_key, item_id: 'payment:pi_3', amount: '70' });
  });
});

describe('run summary follows its items', () => {
  it('totals: after posting, the open count and the drift table update; export of proposals lists only open items', () => {
    const run = newRun();
    expect([run.open_count, run.drift_count]).toEqual([3, 2]);
    expect(exportAdjustments(db, { runId: run.run_id, which: 'proposed' }).trim().split('\n')).toHaveLength(3);
    postAdjustment(db, proposalOf(run.run_id, 'payment:pi_3'), { runId: run.run_id, itemId: 'payment:pi_3', now: at(31), by: 'Dana' });
    postAdjustment(db, proposalOf(run.run_id, 'entry:moesif:tx-2'), { runId: run.run_id, itemId: 'entry:moesif:tx-2', now: at(31), by: 'Dana' });
    const after = listReconcileRuns(db)[0]!;
    expect(after).toMatchObject({ open_count: 1, open_count_at_run: 3, drift_count: 1 });
    const detail = getReconcileRun(db, run.run_id);
    expect(detail.run.drift_count).toBe(1);
    const proposed = exportAdjustments(db, { runId: run.run_id, which: 'proposed' }).trim().split('\n');
    expect(proposed).toHaveLength(1);
    expect(proposed[0]).toContain('"company_id":"co_B"');
  });
});

describe('reversal', () => {
  it('a reversal is a linked, opposite adjustment: the balance returns, the item is open again, nothing is deleted', () => {
    const run = newRun();
    const posted = postAdjustment(db, proposalOf(run.run_id, 'payment:pi_3'), { runId: run.run_id, itemId: 'payment:pi_3', now: at(31), by: 'Dana' });
    expect(current('co_A')).toBe('245');
    const preview = previewReversal(db, posted.idempotency_key, at(32));
    expect(preview.proposal).toMatchObject({ kind: 'decrement', amount: '70', idempotency_key: reversalKey(posted.idempotency_key), item_id: 'payment:pi_3' });
    expect([preview.preview.before.current, preview.preview.after.current]).toEqual(['245', '175']);
    expect(listReconcileRuns(db)[0]!.open_count).toBe(2);

    const reversal = reverseAdjustment(db, posted.idempotency_key, { now: at(32), by: 'Eve', reason: 'wrong customer' });
    expect(reversal).toMatchObject({ reverses_key: posted.idempotency_key, kind: 'decrement', amount: '70', posted_by: 'Eve', run_id: run.run_id });
    expect(current('co_A')).toBe('175');
    const all = listPostedAdjustments(db);
    expect(all.map((a) => [a.idempotency_key, a.reverses_key, a.reversed_by_key])).toEqual([
      [posted.idempotency_key, null, reversal.idempotency_key],
      [reversal.idempotency_key, posted.idempotency_key, null],
    ]);
    expect(listReconcileRuns(db)[0]!.open_count).toBe(3);
    expect(() => reverseAdjustment(db, posted.idempotency_key, { now: at(33), by: 'Eve', reason: 'again' })).toThrow(/already reversed by/);
    expect(() => reverseAdjustment(db, reversal.idempotency_key, { now: at(33), by: 'Eve', reason: 'undo' })).toThrow(AdjustmentRejected);
    expect(() => reverseAdjustment(db, posted.idempotency_key, { now: at(33), by: 'Eve', reason: '' })).toThrow(/give a reason/);
    // The next run sees both and proposes the balancing entry again.
    const next = newRun();
    expect(getReconcileRun(db, next.run_id).items.find((i) => i.item_id === 'payment:pi_3')).toMatchObject({ category: 'missing_in_ledger', settled: false });
  });

  it('a reversal against a signed-off run is refused', () => {
    const run = newRun();
    const posted = postAdjustment(db, proposalOf(run.run_id, 'payment:pi_3'), { runId: run.run_id, itemId: 'payment:pi_3', now: at(31), by: 'Dana' });
    signOffReconcileRun(db, run.run_id, { by: 'Dana', note: 'ok', now: at(32), confirmOpen: true });
    expect(() => reverseAdjustment(db, posted.idempotency_key, { now: at(33), by: 'Eve', reason: 'x' })).toThrow(RunLockedError);
    expect(() => reverseAdjustment(db, 'lsadj_nope', { now: at(33), by: 'Eve', reason: 'x' })).toThrow(ReconcileServiceError);
  });

  it('adjustments list filters by run, customer, provider and push status', async () => {
    const run = newRun();
    postAdjustment(db, proposalOf(run.run_id, 'payment:pi_3'), { runId: run.run_id, itemId: 'payment:pi_3', now: at(31), by: 'Dana' });
    postAdjustment(db, proposalOf(run.run_id, 'entry:moesif:tx-b'), { runId: run.run_id, itemId: 'entry:moesif:tx-b', now: at(31) + MINUTE, by: 'Dana' });
    await pushAdjustments(db, { confirm: true, keys: [proposalOf(run.run_id, 'payment:pi_3').idempotency_key], clients: { moesif: { push: () => Promise.reject(new Error('401 bad token')) } }, now: () => at(32) });
    expect(listPostedAdjustments(db, { customerId: 'co_B' }).map((a) => a.customer_id)).toEqual(['co_B']);
    expect(listPostedAdjustments(db, { provider: 'orb' })).toEqual([]);
    expect(listPostedAdjustments(db, { provider: 'moesif', runId: run.run_id })).toHaveLength(2);
    expect(listPostedAdjustments(db, { pushStatus: 'failed' }).map((a) => [a.customer_id, a.push_error])).toEqual([['co_A', '401 bad token']]);
    expect(listPostedAdjustments(db, { pushStatus: 'not_pushed' }).map((a) => a.customer_id)).toEqual(['co_B']);
  });
});

describe('review of fuzzy and grouped matches', () => {
  it('accepting counts as reviewed; rejecting turns the match back into an open difference', () => {
    const run = newRun();
    expect(run.review).toEqual({ total: 1, reviewed: 0, unreviewed: 1, rejected: 0 });
    reviewItem(db, run.run_id, { itemId: 'payment:pi_9', decision: 'accepted', by: 'Dana', reason: null, now: at(31) });
    expect(listReconcileRuns(db)[0]).toMatchObject({ open_count: 3, review: { total: 1, reviewed: 1, unreviewed: 0, rejected: 0 } });
    reviewItem(db, run.run_id, { itemId: 'payment:pi_9', decision: 'rejected', by: 'Dana', reason: 'tx-9 was a promo top-up', now: at(32) });
    expect(listReconcileRuns(db)[0]).toMatchObject({ open_count: 4, review: { reviewed: 1, rejected: 1 } });
    expect(() => reviewItem(db, run.run_id, { itemId: 'payment:pi_3', decision: 'accepted', by: 'Dana', reason: null, now: at(32) })).toThrow(/only fuzzy and grouped matches/);
  });

  it('a decision carries into the next run while the match is unchanged, with who and when, and the history says so; a changed match is reviewed afresh', () => {
    const first = newRun();
    reviewItem(db, first.run_id, { itemId: 'payment:pi_9', decision: 'rejected', by: 'Dana', reason: 'tx-9 was a promo top-up', now: at(31) });
    const second = runReconciliation(db, { asOf: NOW, now: at(33), stripe: stripe(PAYMENTS), by: 'Eve' }).run;
    // Still rejected, so still an open difference: 3 differences + the rejected match, as in the first run.
    expect(second).toMatchObject({ open_count: 4, review: { total: 1, reviewed: 1, unreviewed: 0, rejected: 1 } });
    expect(listItemReviews(db, second.run_id).get('payment:pi_9')).toEqual({
      itemId: 'payment:pi_9', decision: 'rejected', by: 'Dana', at: at(31), reason: `carried from run ${first.run_id}: tx-9 was a promo top-up`,
    });
    expect(runHistory(db, second.run_id).filter((event) => event.kind === 'review')).toEqual([
      { kind: 'review', by: 'Eve', at: formatInstant(at(33)), reason: `carried from run ${first.run_id}`, detail: { item_id: 'payment:pi_9', decision: 'rejected', carried_from: first.run_id } },
    ]);
    // A third run names where the decision was made, not the run it passed through.
    const third = runReconciliation(db, { asOf: NOW, now: at(34), stripe: stripe(PAYMENTS), by: 'Eve' }).run;
    expect(listItemReviews(db, third.run_id).get('payment:pi_9')?.reason).toBe(`carried from run ${first.run_id}: tx-9 was a promo top-up`);

    // The payment now differs (another amount, still a fuzzy match candidate or not): nothing is carried.
    const changed = [PAYMENTS[0]!, PAYMENTS[1]!, payment('pi_9', 'co_A', '25.5', at(7))];
    const fourth = runReconciliation(db, { asOf: NOW, now: at(35), stripe: stripe(changed), by: 'Eve' }).run;
    expect(getReconcileRun(db, fourth.run_id).items.some((candidate) => candidate.item_id === 'payment:pi_9')).toBe(true);
    expect(listItemReviews(db, fourth.run_id).size).toBe(0);
  });
});
