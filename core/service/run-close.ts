import { Decimal, toCanonical } from '../money/decimal.js';
import {
  clearSignOff,
  countOpenItems,
  countReviewable,
  findRun,
  findRunItem,
  insertRunEvent,
  listAdjustments,
  listRunAccounts,
  loadAccountEntries,
  listRunEvents,
  runCreatedBy,
  upsertItemReview,
  type LedgerDb,
  type RunRecord,
} from '../store/index.js';
import { replayAccount } from '../ledger/replay.js';
import type { ReconcileJsonAccount } from '../reconcile/index.js';
import { formatInstant, type Instant } from '../time/instant.js';

/*
 * Month-end close over a saved run (issue 13): the lock a sign-off puts on a run, re-opening it on
 * record, the run's history, the review of fuzzy and grouped matches, and the run's counts and drift
 * table as they stand now (a run's stored results say what it found; adjustments posted and reversed
 * since, and rejected matches, change what is still open).
 */

export class RunLockedError extends Error {
  constructor(readonly runId: string, readonly signOff: { by: string; at: Instant }) {
    super(
      `run ${runId} is signed off (by ${signOff.by} at ${formatInstant(signOff.at)}) and locked: nothing can be posted against it. ` +
        'Re-open it with a reason, or run a new reconciliation.',
    );
    this.name = 'RunLockedError';
  }
}

/** Throws RunLockedError while the run is signed off. Call inside the write transaction. */
export function assertRunOpen(run: RunRecord): void {
  if (run.signOff !== null) throw new RunLockedError(run.id, run.signOff);
}

/** Who and why, as every recorded action takes them; blank is none. */
export function cleanText(text: string | null | undefined, max: number): string | null {
  if (text === undefined || text === null) return null;
  const trimmed = text.trim();
  return trimmed === '' ? null : trimmed.slice(0, max);
}

const REASON_MAX = 4000;

export interface CurrentRunState {
  open_count: number;
  drift: ReconcileJsonAccount[];
  drift_count: number;
  review: { total: number; reviewed: number; unreviewed: number; rejected: number };
}

/**
 * A run's drift lines now: each account's actual and difference moved by the adjustments posted (and
 * reversed) against the run since, by what the engine says each one did to the balance (an amendment is
 * capped, L6): its entry's ending minus starting balance in the account's replay. Lines within the
 * tolerance stay, so a line that is settled shows 0.
 */
export function currentDrift(db: LedgerDb, runId: string): ReconcileJsonAccount[] {
  const lines = listRunAccounts(db, runId).map((line) => ({ ...line }));
  const keyOf = (customer: string | null, subscription: string | null, unit: string): string => JSON.stringify([customer, subscription, unit]);
  const byKey = new Map(lines.map((line) => [keyOf(line.customer_id, line.subscription_id, line.unit), line]));
  const movedBy = new Map<string, Map<string, Decimal>>(); // account → adjustment entry id → balance change
  for (const adjustment of listAdjustments(db, { runId })) {
    const key = keyOf(adjustment.customerId, adjustment.subscriptionId, adjustment.unit);
    const line = byKey.get(key);
    if (line === undefined) continue;
    let moved = movedBy.get(key);
    if (moved === undefined) {
      const account = { customerId: adjustment.customerId, subscriptionId: adjustment.subscriptionId, unit: adjustment.unit };
      moved = new Map(replayAccount(account, loadAccountEntries(db, account)).entries.map((replayed) => [replayed.entry.sourceId, replayed.endingBalance.minus(replayed.startingBalance)]));
      movedBy.set(key, moved);
    }
    const change = moved.get(adjustment.entrySourceId);
    if (change === undefined) continue; // not in the ledger (nothing it could have moved)
    line.actual = toCanonical(new Decimal(line.actual).plus(change));
    line.difference = toCanonical(new Decimal(line.difference).plus(change));
  }
  return lines;
}

function toleranceOf(run: RunRecord): Decimal {
  const settings = run.settings as { amount_tolerance?: unknown } | null;
  const text = typeof settings?.amount_tolerance === 'string' ? settings.amount_tolerance : '0';
  try {
    return new Decimal(text);
  } catch {
    return new Decimal(0);
  }
}

export function currentRunState(db: LedgerDb, run: RunRecord): CurrentRunState {
  if (run.state !== 'complete') return { open_count: run.openCount, drift: [], drift_count: run.driftCount, review: { total: 0, reviewed: 0, unreviewed: 0, rejected: 0 } };
  const drift = currentDrift(db, run.id);
  const tolerance = toleranceOf(run);
  const review = countReviewable(db, run.id);
  return {
    open_count: countOpenItems(db, run.id),
    drift,
    drift_count: drift.filter((line) => new Decimal(line.difference).abs().gt(tolerance)).length,
    review: { ...review, unreviewed: review.total - review.reviewed },
  };
}

export interface RunEventView {
  kind: string;
  by: string | null;
  at: string;
  reason: string | null;
  detail: Record<string, string>;
}

/** The run's history, oldest first: created, signed off, re-opened, adjustments, reversals, pushes, reviews. */
export function runHistory(db: LedgerDb, runId: string): RunEventView[] {
  const run = findRun(db, runId);
  if (run === null) throw new RunNotFound(runId);
  const events = listRunEvents(db, runId).map((event) => ({ kind: event.kind, by: event.by, at: formatInstant(event.at), reason: event.reason, detail: event.detail }));
  // Runs saved before migration 0009 have no 'run' event: their creation is still history.
  if (!events.some((event) => event.kind === 'run')) {
    events.unshift({ kind: 'run', by: runCreatedBy(db, runId), at: formatInstant(run.createdAt), reason: null, detail: { as_of: formatInstant(run.asOf) } });
  }
  return events;
}

export class RunNotFound extends Error {
  constructor(readonly runId: string) {
    super(`no reconciliation run ${JSON.stringify(runId)} in this database`);
    this.name = 'RunNotFound';
  }
}

export class CloseRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CloseRefused';
  }
}

/** Lifts a run's sign-off: who and why are required and recorded; the sign-off stays in the history. */
export function reopenRun(db: LedgerDb, runId: string, action: { by: string | null; reason: string | null; now: Instant }): void {
  const by = cleanText(action.by, 200);
  const reason = cleanText(action.reason, REASON_MAX);
  if (by === null) throw new CloseRefused('re-open: set your name in Settings first (who re-opens a run is recorded)');
  if (reason === null) throw new CloseRefused('re-open: give a reason (it is recorded in the run\'s history)');
  db.transaction(() => {
    const run = findRun(db, runId);
    if (run === null) throw new RunNotFound(runId);
    if (run.signOff === null) throw new CloseRefused(`run ${runId} is not signed off: there is nothing to re-open`);
    clearSignOff(db, runId);
    insertRunEvent(db, { runId, kind: 'reopen', by, at: action.now, reason, detail: { signed_off_by: run.signOff.by, signed_off_at: formatInstant(run.signOff.at) } });
  }).immediate();
}

/**
 * Accepts or rejects a fuzzy or grouped match. A rejected match counts as an open difference again: the
 * payment and the credit it paired are not agreed (run reconcile again to see them apart).
 */
export function reviewItem(
  db: LedgerDb,
  runId: string,
  review: { itemId: string; decision: 'accepted' | 'rejected'; by: string | null; reason: string | null; now: Instant },
): void {
  const by = cleanText(review.by, 200);
  const reason = cleanText(review.reason, REASON_MAX);
  db.transaction(() => {
    const run = findRun(db, runId);
    if (run === null || run.state !== 'complete') throw new RunNotFound(runId);
    assertRunOpen(run);
    const item = findRunItem(db, runId, review.itemId);
    if (item === null) throw new CloseRefused(`run ${runId} has no item ${JSON.stringify(review.itemId)}`);
    if (item.category !== 'matched_fuzzy' && item.category !== 'matched_grouped') {
      throw new CloseRefused(`item ${review.itemId} is ${item.category}: only fuzzy and grouped matches are reviewed`);
    }
    upsertItemReview(db, runId, { itemId: review.itemId, decision: review.decision, by, at: review.now, reason });
    insertRunEvent(db, { runId, kind: 'review', by, at: review.now, reason, detail: { item_id: review.itemId, decision: review.decision } });
  }).immediate();
}
