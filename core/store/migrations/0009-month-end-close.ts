import type { Migration } from './types.js';

/*
 * Month-end close (issue 13): who did what to a run and when, a lock that can be lifted only on record,
 * reversals of posted adjustments, and the review of fuzzy and grouped matches. Decisions written down here:
 * - `reconcile_run_events` is the run's history, append-only: run, sign_off, reopen, adjustment, reversal,
 *   push, review. Each row says who (the operator name from Settings; NULL when none was set, e.g. the CLI)
 *   and when. The sign-off columns of 0003 hold the sign-off in force; re-opening clears them and the
 *   history keeps both the sign-off and the re-open with its reason.
 * - A run is locked while it is signed off: no adjustment, reversal or review is written against it.
 * - A reversal is an ordinary adjustment row (same run and item, its own idempotency key) naming the one it
 *   reverses in `reverses_key`; at most one reversal per adjustment (unique index). Nothing is deleted.
 * - A review (accepted / rejected) is one row per run item, replaced when the reviewer changes their mind
 *   (the history keeps every decision).
 */
export const migration0009: Migration = {
  id: '0009-month-end-close',
  sql: `
ALTER TABLE reconcile_runs ADD COLUMN created_by TEXT;
ALTER TABLE reconcile_adjustments ADD COLUMN reverses_key TEXT REFERENCES reconcile_adjustments (idempotency_key);
ALTER TABLE reconcile_adjustments ADD COLUMN pushed_by TEXT;
CREATE UNIQUE INDEX reconcile_adjustments_by_reversed ON reconcile_adjustments (reverses_key) WHERE reverses_key IS NOT NULL;

CREATE TABLE reconcile_run_events (
  id INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES reconcile_runs (id),
  kind TEXT NOT NULL CHECK (kind IN ('run', 'sign_off', 'reopen', 'adjustment', 'reversal', 'push', 'review')),
  by TEXT,
  at INTEGER NOT NULL,
  reason TEXT,
  detail TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX reconcile_run_events_by_run ON reconcile_run_events (run_id, id);

CREATE TABLE reconcile_item_reviews (
  run_id TEXT NOT NULL,
  item_id TEXT NOT NULL,
  decision TEXT NOT NULL CHECK (decision = 'accepted' OR decision = 'rejected'),
  by TEXT,
  at INTEGER NOT NULL,
  reason TEXT,
  PRIMARY KEY (run_id, item_id),
  FOREIGN KEY (run_id, item_id) REFERENCES reconcile_items (run_id, item_id)
) STRICT;
`,
};
