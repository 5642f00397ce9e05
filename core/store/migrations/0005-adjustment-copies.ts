import type { Migration } from './types.js';

/*
 * A posted adjustment replaced by the provider's copy of it (core/store/adjustment-copies.ts). When an
 * import or sync brings the provider's entry for a posted adjustment (Orb: metadata
 * ledgerscope_idempotency_key or the id push recorded; Moesif: transaction_id = the key), that entry
 * replaces the local 'ledgerscope' entry in the same transaction, so the ledger holds the movement once.
 * Decisions written down here:
 * - The local entry row is deleted: it is derived data (this row keeps the proposal, body and run/item).
 *   `entry_source_id` keeps the key it was posted under; `replaced_by_source` / `replaced_by_source_id`
 *   name the entry that represents the adjustment now, and every reader follows them.
 * - `pushed_at` stays what it was: the time this database pushed it, or NULL when another machine (or a
 *   person) put it at the provider. `replaced_at` (when the copy arrived) is the provider's confirmation:
 *   a replaced adjustment is never pushed again, and views show it as "confirmed by provider".
 *   Writing the arrival time into pushed_at would claim a push this database never made.
 * - `copy_difference`: where the provider's copy differs from what was posted (amount, kind, status),
 *   as one line for people; NULL when it matches. The provider's copy is kept either way.
 * - One provider entry represents at most one adjustment (partial unique index).
 */
export const migration0005: Migration = {
  id: '0005-adjustment-copies',
  sql: `
ALTER TABLE reconcile_adjustments ADD COLUMN replaced_by_source TEXT CHECK (replaced_by_source IS NULL OR replaced_by_source = 'orb' OR replaced_by_source = 'moesif');
ALTER TABLE reconcile_adjustments ADD COLUMN replaced_by_source_id TEXT CHECK (replaced_by_source_id IS NULL OR replaced_by_source_id <> '');
ALTER TABLE reconcile_adjustments ADD COLUMN replaced_at INTEGER;
ALTER TABLE reconcile_adjustments ADD COLUMN copy_difference TEXT;
CREATE UNIQUE INDEX reconcile_adjustments_by_replacement ON reconcile_adjustments (replaced_by_source, replaced_by_source_id)
  WHERE replaced_by_source IS NOT NULL;
`,
};
