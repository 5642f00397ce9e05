import type { ItemCategory } from '../reconcile/types.js';
import type { LedgerDb } from './open.js';
import { prepared } from './statements.js';

/* What the latest reconciliation run says about given Stripe objects (the support timeline's column). */

export interface PaymentItemRef {
  runId: string;
  itemId: string;
  category: ItemCategory;
  settled: boolean;
  paymentIds: string[];
  entryIds: string[];
}

/** The newest complete run's id, or null when none is complete. */
export function latestCompleteRunId(db: LedgerDb): string | null {
  return (prepared(db, "SELECT id FROM reconcile_runs WHERE state = 'complete' ORDER BY seq DESC LIMIT 1").pluck().get() as string | undefined) ?? null;
}

/** Items of a run that name any of `paymentIds`, in run order. */
export function runItemsNamingPayments(db: LedgerDb, runId: string, paymentIds: readonly string[]): PaymentItemRef[] {
  if (paymentIds.length === 0) return [];
  const rows = prepared(
    db,
    'SELECT item_id, category, settled, payment_ids, entry_ids FROM reconcile_items WHERE run_id = ? ' +
      'AND EXISTS (SELECT 1 FROM json_each(payment_ids) WHERE value IN (SELECT value FROM json_each(?))) ORDER BY id',
  )
    .raw()
    .all(runId, JSON.stringify(paymentIds)) as [string, string, number, string, string][];
  return rows.map(([itemId, category, settled, payments, entries]) => ({
    runId,
    itemId,
    category: category as ItemCategory,
    settled: settled === 1,
    paymentIds: JSON.parse(payments) as string[],
    entryIds: JSON.parse(entries) as string[],
  }));
}
