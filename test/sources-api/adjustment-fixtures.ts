// Databases with posted balancing adjustments, made the way a user makes them: import a ledger,
// reconcile it against Stripe money, post (possibly edited) proposals. No provider is contacted.
import { join } from 'node:path';
import type { AdjustmentProposal } from '../../core/api/types.js';
import { postAdjustment } from '../../core/service/adjustments.js';
import { importFiles } from '../../core/import/ledger-files.js';
import { getReconcileRun, runReconciliation } from '../../core/service/reconcile-service.js';
import { openLedgerDb, type LedgerDb } from '../../core/store/index.js';
import { at, payment } from '../reconcile/fixtures.js';
import { onCleanup, tempDir } from './helpers.js';

export const NOW = at(30);

/** Amounts a float cannot hold: they must reach the provider with these exact digits. */
export const HUGE = '12345678901234567.89';
export const TINY = '0.000000000000000000123';

export interface AdjustedDb {
  path: string;
  db: LedgerDb;
  runId: string;
  /** Idempotency key by item id. */
  keys: Record<string, string>;
}

function jsonl(records: object[]): string {
  return records.map((record) => JSON.stringify(record)).join('\n') + '\n';
}

function post(db: LedgerDb, runId: string, itemId: string, edit: Partial<AdjustmentProposal> = {}): string {
  const proposal = getReconcileRun(db, runId).items.find((item) => item.item_id === itemId)?.proposal;
  if (proposal === null || proposal === undefined) throw new Error(`run ${runId} proposes nothing for ${itemId}`);
  const result = postAdjustment(db, { ...proposal, ...edit }, { runId, itemId, now: NOW, by: 'test' });
  return result.idempotency_key;
}

/**
 * Orb customer cus_O (USD): four increments inc_a..inc_d with no payment (missing_in_stripe) and a payment
 * pi_1 with no credit (missing_in_ledger). Posted: a void of inc_a, a decrement of 0.5, an increment of
 * HUGE and an amendment of TINY to inc_c; inc_d's void is left proposed when `all` is false.
 */
export function orbAdjustedDb(options: { postAll?: boolean } = {}): AdjustedDb {
  const path = join(tempDir(), 'ledger.sqlite');
  const increments = ['a', 'b', 'c', 'd'].map((letter, index) => ({
    customer_id: 'cus_O', id: `inc_${letter}`, entry_type: 'increment', amount: 10 * (index + 1), currency: 'USD', per_unit_cost_basis: '1',
    created_at: `2025-03-0${index + 1}T00:00:00Z`,
  }));
  importFiles(path, [{ path: 'orb-bodies.jsonl', text: jsonl(increments) }], { now: at(10) });
  const db = openLedgerDb(path, { create: false });
  onCleanup(() => {
    db.close();
  });
  const { run } = runReconciliation(db, { asOf: NOW, now: NOW, stripe: { name: 'test', listPayments: () => [payment('pi_1', 'cus_O', '5', at(1))], listStripeCustomers: () => [] } });
  const keys: Record<string, string> = {};
  keys['entry:orb:inc_a'] = post(db, run.run_id, 'entry:orb:inc_a');
  keys['entry:orb:inc_b'] = post(db, run.run_id, 'entry:orb:inc_b', { kind: 'decrement', amount: '0.5', block_id: null });
  keys['payment:pi_1'] = post(db, run.run_id, 'payment:pi_1', { amount: HUGE });
  keys['entry:orb:inc_c'] = post(db, run.run_id, 'entry:orb:inc_c', { kind: 'amendment', amount: TINY, block_id: 'inc_c' });
  if (options.postAll === true) keys['entry:orb:inc_d'] = post(db, run.run_id, 'entry:orb:inc_d');
  return { path, db, runId: run.run_id, keys };
}

/** Moesif company co_A: pi_3 (70 USD) was never credited → a `credit`, posted as 70 plus TINY. */
export function moesifAdjustedDb(): AdjustedDb {
  const path = join(tempDir(), 'ledger.sqlite');
  const moesif = jsonl([
    { company_id: 'co_A', transaction_id: 'pi_1', type: 'credit', amount: 100, created_at: '2025-03-01T00:00:00Z' },
    { company_id: 'co_A', transaction_id: 'use-1', type: 'debit', amount: -30, created_at: '2025-03-03T00:00:00Z' },
  ]);
  importFiles(path, [{ path: 'moesif.jsonl', text: moesif }], { now: at(10) });
  const db = openLedgerDb(path, { create: false });
  onCleanup(() => {
    db.close();
  });
  const payments = [payment('pi_1', 'co_A', '100', at(0)), payment('pi_3', 'co_A', '70', at(5))];
  const { run } = runReconciliation(db, { asOf: NOW, now: NOW, stripe: { name: 'test', listPayments: () => payments, listStripeCustomers: () => [] } });
  const keys = { 'payment:pi_3': post(db, run.run_id, 'payment:pi_3', { amount: '70.000000000000000000123' }) };
  return { path, db, runId: run.run_id, keys };
}
