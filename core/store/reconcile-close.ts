import { isDifference } from '../reconcile/types.js';
import { ITEM_CATEGORIES } from '../reconcile/types.js';
import type { Instant } from '../time/instant.js';
import type { LedgerDb } from './open.js';
import { prepared } from './statements.js';

/*
 * Month-end close (migration 0009): a run's history of events, re-opening a signed-off run, reviews of
 * fuzzy and grouped matches, and the counts a run's summary is computed from now (not when it ran).
 * The caller (core/service) holds the transactions.
 */

export const RUN_EVENT_KINDS = ['run', 'sign_off', 'reopen', 'adjustment', 'reversal', 'push', 'review'] as const;
export type RunEventKind = (typeof RUN_EVENT_KINDS)[number];

export interface RunEventRecord {
  id: number;
  runId: string;
  kind: RunEventKind;
  by: string | null;
  at: Instant;
  reason: string | null;
  detail: Record<string, string>;
}

export function insertRunEvent(
  db: LedgerDb,
  event: { runId: string; kind: RunEventKind; by: string | null; at: Instant; reason?: string | null; detail?: Record<string, string> },
): void {
  prepared(db, 'INSERT INTO reconcile_run_events (run_id, kind, by, at, reason, detail) VALUES (?, ?, ?, ?, ?, ?)').run(
    event.runId, event.kind, event.by, event.at, event.reason ?? null, JSON.stringify(event.detail ?? {}),
  );
}

/** A run's history in the order it happened. */
export function listRunEvents(db: LedgerDb, runId: string): RunEventRecord[] {
  const rows = prepared(db, 'SELECT id, run_id, kind, by, at, reason, detail FROM reconcile_run_events WHERE run_id = ? ORDER BY at, id')
    .raw()
    .all(runId) as [number, string, string, string | null, number, string | null, string][];
  return rows.map(([id, run, kind, by, at, reason, detail]) => ({ id, runId: run, kind: kind as RunEventKind, by, at, reason, detail: JSON.parse(detail) as Record<string, string> }));
}

export function setRunCreatedBy(db: LedgerDb, runId: string, by: string | null): void {
  prepared(db, 'UPDATE reconcile_runs SET created_by = ? WHERE id = ?').run(by, runId);
}

export function runCreatedBy(db: LedgerDb, runId: string): string | null {
  return (prepared(db, 'SELECT created_by FROM reconcile_runs WHERE id = ?').pluck().get(runId) as string | null | undefined) ?? null;
}

/** Lifts a sign-off (the history keeps it): false when the run is not signed off. */
export function clearSignOff(db: LedgerDb, runId: string): boolean {
  return (
    prepared(db, 'UPDATE reconcile_runs SET signed_off_by = NULL, signed_off_at = NULL, sign_off_note = NULL WHERE id = ? AND signed_off_by IS NOT NULL').run(runId)
      .changes === 1
  );
}

export type ReviewDecision = 'accepted' | 'rejected';

export interface ItemReview {
  itemId: string;
  decision: ReviewDecision;
  by: string | null;
  at: Instant;
  reason: string | null;
}

export function upsertItemReview(db: LedgerDb, runId: string, review: ItemReview): void {
  prepared(
    db,
    'INSERT INTO reconcile_item_reviews (run_id, item_id, decision, by, at, reason) VALUES (?, ?, ?, ?, ?, ?) ' +
      'ON CONFLICT (run_id, item_id) DO UPDATE SET decision = excluded.decision, by = excluded.by, at = excluded.at, reason = excluded.reason',
  ).run(runId, review.itemId, review.decision, review.by, review.at, review.reason);
}

/** The reason a carried review carries: where it was decided, then the reviewer's own words. */
export function carriedReason(fromRun: string, reason: string | null): string {
  return `carried from run ${fromRun}${reason === null ? '' : `: ${reason}`}`;
}

/**
 * Carries reviews into a new run: a fuzzy or grouped match decided in an earlier run (the same item with
 * the same payments, entries and amounts) keeps its latest decision, who and when, so closing a month does
 * not review the same match again; a match that changed at all is reviewed afresh. A carried rejection is
 * an open difference again, as it was. Call in the new run's write transaction; returns what it carried.
 */
export function carryItemReviews(db: LedgerDb, runId: string): { itemId: string; decision: ReviewDecision; fromRun: string }[] {
  const items = prepared(
    db,
    "SELECT item_id, category, payment_ids, entry_ids, expected, actual FROM reconcile_items WHERE run_id = ? AND category IN ('matched_fuzzy', 'matched_grouped')",
  )
    .raw()
    .all(runId) as [string, string, string, string, string, string][];
  if (items.length === 0) return [];
  const latest = prepared(
    db,
    `SELECT r.run_id, r.decision, r.by, r.at, r.reason FROM reconcile_item_reviews r
       JOIN reconcile_items p ON p.run_id = r.run_id AND p.item_id = r.item_id
      WHERE r.item_id = ? AND r.run_id <> ? AND p.category = ? AND p.payment_ids = ? AND p.entry_ids = ? AND p.expected = ? AND p.actual = ?
      ORDER BY r.at DESC, r.rowid DESC LIMIT 1`,
  );
  const carried: { itemId: string; decision: ReviewDecision; fromRun: string }[] = [];
  for (const [itemId, category, paymentIds, entryIds, expected, actual] of items) {
    const found = latest.raw().get(itemId, runId, category, paymentIds, entryIds, expected, actual) as [string, string, string | null, number, string | null] | undefined;
    if (found === undefined) continue;
    const [fromRun, decision, by, at, reason] = found;
    // The reason of a review carried before already names where it was decided.
    const carriedText = reason !== null && reason.startsWith('carried from run ') ? reason : carriedReason(fromRun, reason);
    upsertItemReview(db, runId, { itemId, decision: decision as ReviewDecision, by, at, reason: carriedText });
    carried.push({ itemId, decision: decision as ReviewDecision, fromRun });
  }
  return carried;
}

export function listItemReviews(db: LedgerDb, runId: string): Map<string, ItemReview> {
  const rows = prepared(db, 'SELECT item_id, decision, by, at, reason FROM reconcile_item_reviews WHERE run_id = ?').raw().all(runId) as [
    string, string, string | null, number, string | null,
  ][];
  return new Map(rows.map(([itemId, decision, by, at, reason]) => [itemId, { itemId, decision: decision as ReviewDecision, by, at, reason }]));
}

const DIFFERENCE_CATEGORIES = ITEM_CATEGORIES.filter(isDifference);
const DIFFERENCE_LIST = DIFFERENCE_CATEGORIES.map((category) => `'${category}'`).join(', ');

/**
 * A run's open differences now: differences the run did not find settled and that hold no adjustment
 * still in force (posted for that item and not reversed), plus fuzzy or grouped matches a reviewer
 * rejected. Counted in SQL so a 100,000-item run costs one statement.
 */
export function countOpenItems(db: LedgerDb, runId: string): number {
  return prepared(
    db,
    `SELECT count(*) FROM reconcile_items i
      WHERE i.run_id = @run AND i.settled = 0
        AND (i.category IN (${DIFFERENCE_LIST})
             OR EXISTS (SELECT 1 FROM reconcile_item_reviews r WHERE r.run_id = i.run_id AND r.item_id = i.item_id AND r.decision = 'rejected'))
        AND NOT EXISTS (
          SELECT 1 FROM reconcile_adjustments a
           WHERE a.run_id = i.run_id AND a.item_id = i.item_id AND a.reverses_key IS NULL
             AND NOT EXISTS (SELECT 1 FROM reconcile_adjustments r WHERE r.reverses_key = a.idempotency_key))`,
  )
    .pluck()
    .get({ run: runId }) as number;
}

/** Items of the categories that need a reviewer (matched_fuzzy, matched_grouped): total and reviewed. */
export function countReviewable(db: LedgerDb, runId: string): { total: number; reviewed: number; rejected: number } {
  const row = prepared(
    db,
    `SELECT count(*), count(r.item_id), coalesce(sum(r.decision = 'rejected'), 0) FROM reconcile_items i
       LEFT JOIN reconcile_item_reviews r ON r.run_id = i.run_id AND r.item_id = i.item_id
      WHERE i.run_id = ? AND i.category IN ('matched_fuzzy', 'matched_grouped')`,
  )
    .raw()
    .get(runId) as [number, number, number];
  return { total: row[0], reviewed: row[1], rejected: row[2] };
}

/** The files the named imports read (path, format, records), in import order. */
export function importFilesOf(db: LedgerDb, importIds: readonly number[]): { importId: number; path: string; format: string; records: number }[] {
  const read = prepared(db, 'SELECT import_id, path, format, records FROM import_files WHERE import_id = ? ORDER BY position');
  return importIds.flatMap((id) =>
    (read.raw().all(id) as [number, string, string, number][]).map(([importId, path, format, records]) => ({ importId, path, format, records })),
  );
}
