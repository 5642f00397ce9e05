import type { MethodInput } from '../api/contract.js';
import { ApiError } from '../api/errors.js';
import {
  RECONCILE_CATEGORIES,
  type AdjustmentPosted,
  type AdjustmentPreview,
  type ReconcileCategoryCount,
  type ReconcileComparison,
  type ReconcileEntry,
  type ReconcileItemRow,
  type ReconcileItemView,
  type ReconcilePayment,
  type ReconcileRunPage,
  type ReconcileRunsList,
  type ReconcileRunSummary,
  type ReconciliationSettings,
} from '../api/types.js';
import type { LedgerEntry } from '../ledger/types.js';
import { LedgerRuleError } from '../ledger/types.js';
import { toCanonical } from '../money/decimal.js';
import { isDifference, SettingsError } from '../reconcile/index.js';
import { countEntries, countPayments, listRunItems, loadAccountEntries, loadPayment, type LedgerDb } from '../store/index.js';
import { formatInstant, formatOptionalInstant, type Instant } from '../time/instant.js';
import { AdjustmentRejected, exportAdjustments, listPostedAdjustments, postAdjustment, previewAdjustment } from './adjustments.js';
import { CloseRefused, currentDrift, RunLockedError, RunNotFound } from './run-close.js';
import { listItemReviews } from '../store/index.js';
import { MappingCsvError } from '../reconcile/customer-mapping-csv.js';
import {
  compareReconcileRuns,
  getReconcileRun,
  listReconcileRuns,
  ReconcileServiceError,
  signOffReconcileRun,
  type RunSummaryView,
} from './reconcile-service.js';

/*
 * The reconciliation screen's reads and writes over core/service/reconcile-service and adjustments:
 * runs listed and paged with the payments and ledger entries of each item side by side, and the
 * adjustment dialog's preview, post and export. Errors of those services become ApiErrors the page
 * shows as they are (they name the field and what was expected).
 */

/** Runs the call; the reconcile services' own errors become ApiErrors with their message. */
export function asApiError<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw apiErrorOf(error);
  }
}

export function apiErrorOf(error: unknown): unknown {
  if (error instanceof ApiError) return error;
  if (error instanceof ReconcileServiceError) {
    return new ApiError(error.code === 'invalid' ? 'invalid_input' : error.code, error.message);
  }
  if (error instanceof AdjustmentRejected) return new ApiError('invalid_input', error.problems.join('; '));
  // A locked run is a state the user can change (re-open it): a conflict, with the message saying how.
  if (error instanceof RunLockedError) return new ApiError('conflict', error.message);
  if (error instanceof CloseRefused) return new ApiError('invalid_input', error.message);
  if (error instanceof RunNotFound) return new ApiError('not_found', error.message);
  if (error instanceof MappingCsvError) return new ApiError('invalid_input', error.problems.join('; '));
  if (error instanceof SettingsError) return new ApiError('invalid_input', `reconciliation settings: ${error.problems.join('; ')}`);
  if (error instanceof LedgerRuleError) return new ApiError('conflict', error.message);
  return error;
}

const CATEGORY_ORDER = new Map<string, number>(RECONCILE_CATEGORIES.map((category, index) => [category, index]));

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The service's run view with its settings and inputs typed (the service wrote both; checked here). */
export function runSummary(view: RunSummaryView): ReconcileRunSummary {
  const settings = isRecord(view.settings) ? view.settings : {};
  const inputs = isRecord(view.inputs) ? view.inputs : {};
  const count = (value: unknown): number => (typeof value === 'number' && Number.isSafeInteger(value) ? value : 0);
  const reconciliation: ReconciliationSettings = {
    date_window_days: count(settings['date_window_days']),
    amount_tolerance: typeof settings['amount_tolerance'] === 'string' ? settings['amount_tolerance'] : '0',
  };
  return {
    ...view,
    settings: reconciliation,
    inputs: {
      ...inputs,
      payment_count: count(inputs['payment_count']),
      ledger_entry_count: count(inputs['ledger_entry_count']),
      adjustment_count: count(inputs['adjustment_count']),
    },
  };
}

export function runsList(db: LedgerDb | null): ReconcileRunsList {
  if (db === null) return { runs: [], payment_count: 0, entry_count: 0 };
  return { runs: listReconcileRuns(db).map(runSummary), payment_count: countPayments(db), entry_count: countEntries(db) };
}

/**
 * A complete run's items never change, so they are kept per run (the last two asked), grouped by
 * category: filtering and paging then cost no SQL. (core/store pages a run in output order only.)
 */
export class RunItemsCache {
  private readonly runs = new Map<string, ReconcileItemView[]>();

  grouped(db: LedgerDb, runId: string): ReconcileItemView[] {
    let items = this.runs.get(runId);
    if (items === undefined) {
      const listed = listRunItems(db, runId) as ReconcileItemView[];
      // Stable: within a category, the run's own order (customer, subscription, unit, time).
      items = listed
        .map((item, position) => ({ item, position }))
        .sort((a, b) => (CATEGORY_ORDER.get(a.item.category) ?? 99) - (CATEGORY_ORDER.get(b.item.category) ?? 99) || a.position - b.position)
        .map(({ item }) => item);
      this.runs.set(runId, items);
      while (this.runs.size > 2) this.runs.delete(this.runs.keys().next().value as string);
    }
    return items;
  }

  clear(): void {
    this.runs.clear();
  }
}

function paymentDetail(db: LedgerDb, id: string): ReconcilePayment {
  // "<charge id>#amount_refunded" names the refund a charge states without a refund record.
  const stored = loadPayment(db, id.split('#')[0]!);
  if (stored === null) {
    return { id, found: false, kind: null, customer_id: null, amount: null, currency: null, status: null, at: null, amount_refunded: null, description: null };
  }
  const record = stored.record;
  return {
    id,
    found: true,
    kind: id.includes('#') ? 'refund' : record.kind,
    customer_id: record.customerId,
    amount: id.includes('#') ? (record.amountRefunded === null ? null : toCanonical(record.amountRefunded)) : toCanonical(record.amount),
    currency: record.currency,
    status: record.status,
    at: formatInstant(record.at),
    amount_refunded: record.amountRefunded === null ? null : toCanonical(record.amountRefunded),
    description: record.description,
  };
}

function entryDetail(id: string, unit: string, entries: readonly LedgerEntry[] | null): ReconcileEntry {
  const entry = entries?.find((candidate) => candidate.sourceId === id);
  if (entry === undefined) {
    return { id, found: false, source: null, kind: null, status: null, amount: null, unit, at: null, block_id: null, cost_basis: null, expires_at: null, description: null };
  }
  return {
    id,
    found: true,
    source: entry.source,
    kind: entry.kind,
    status: entry.status,
    amount: toCanonical(entry.amount),
    unit: entry.unit,
    at: formatInstant(entry.at),
    block_id: entry.kind === 'increment' ? (entry.blockId ?? entry.sourceId) : entry.blockId,
    cost_basis: entry.costBasis === null ? null : toCanonical(entry.costBasis),
    expires_at: formatOptionalInstant(entry.expiresAt),
    description: entry.description,
  };
}

/** Open now: a difference (or a rejected match) not settled, with no adjustment in force posted for it since. */
function isOpen(item: ReconcileItemView, posted: ReadonlySet<string>, rejected: ReadonlySet<string> = new Set()): boolean {
  return (isDifference(item.category) || rejected.has(item.item_id)) && !item.settled && !posted.has(item.item_id);
}

export function runPage(cache: RunItemsCache, db: LedgerDb, input: MethodInput<'reconcile.get'>): ReconcileRunPage {
  return asApiError(() => {
    // Throws not_found for an unknown or incomplete run; the drift lines come with it.
    const detail = getReconcileRun(db, input.run_id, { offset: 0, limit: 1 });
    const items = cache.grouped(db, input.run_id);
    const postedByItem = new Map<string, ReconcileItemRow['posted']>();
    for (const adjustment of listPostedAdjustments(db, { runId: input.run_id })) {
      // A reversed adjustment (and its reversal) no longer settles the item: it is open again.
      if (adjustment.reverses_key !== null || adjustment.reversed_by_key !== null) continue;
      postedByItem.set(adjustment.item_id, {
        idempotency_key: adjustment.idempotency_key,
        entry_id: adjustment.entry_id,
        posted_at: adjustment.posted_at,
        posted_by: adjustment.posted_by,
      });
    }
    const posted = new Set(postedByItem.keys());
    const reviews = listItemReviews(db, input.run_id);
    const rejected = new Set([...reviews.values()].filter((review) => review.decision === 'rejected').map((review) => review.itemId));
    const counts: ReconcileCategoryCount[] = RECONCILE_CATEGORIES.map((category) => ({ category, total: 0, open: 0, settled: 0 }));
    for (const item of items) {
      const count = counts[CATEGORY_ORDER.get(item.category) ?? -1];
      if (count === undefined) continue;
      count.total++;
      if (isOpen(item, posted, rejected)) count.open++;
      if (item.settled) count.settled++;
    }
    const wanted = input.categories === undefined || input.categories.length === 0 ? null : new Set<string>(input.categories);
    const only = input.item_ids === undefined ? null : new Set(input.item_ids);
    const filtered = items.filter(
      (item) => (wanted === null || wanted.has(item.category)) && (input.open_only !== true || isOpen(item, posted, rejected)) && (only === null || only.has(item.item_id)),
    );
    const accountEntries = new Map<string, LedgerEntry[] | null>();
    const entriesOf = (item: ReconcileItemView): LedgerEntry[] | null => {
      if (item.customer_id === null) return null;
      const key = JSON.stringify([item.customer_id, item.subscription_id, item.unit]);
      let entries = accountEntries.get(key);
      if (entries === undefined) {
        entries = loadAccountEntries(db, { customerId: item.customer_id, subscriptionId: item.subscription_id, unit: item.unit });
        accountEntries.set(key, entries);
      }
      return entries;
    };
    const rows: ReconcileItemRow[] = filtered.slice(input.offset, input.offset + input.limit).map((item) => ({
      ...item,
      open: isOpen(item, posted, rejected),
      review: reviewView(reviews.get(item.item_id)),
      payments: item.payment_ids.map((id) => paymentDetail(db, id)),
      entries: item.entry_ids.map((id) => entryDetail(id, item.unit, entriesOf(item))),
      posted: postedByItem.get(item.item_id) ?? null,
    }));
    return {
      run: runSummary(detail.run),
      counts,
      // Now, not when the run ran: adjustments posted (and reversed) since move the lines.
      drift: currentDrift(db, input.run_id).filter((line) => !/^[+-]?0*(\.0*)?$/.test(line.difference)),
      total: filtered.length,
      offset: input.offset,
      rows,
    };
  });
}

export function compareRuns(db: LedgerDb, input: MethodInput<'reconcile.compare'>): ReconcileComparison {
  return asApiError(() => compareReconcileRuns(db, input.from_run_id, input.to_run_id) as ReconcileComparison);
}

/** `operator`: the name set in Settings, used when the caller names nobody. */
export function signOff(db: LedgerDb, input: MethodInput<'reconcile.signOff'>, now: Instant, operator: string | null = null): ReconcileRunSummary {
  return asApiError(() =>
    runSummary(
      signOffReconcileRun(db, input.run_id, {
        by: input.by ?? operator,
        ...(input.note === undefined ? {} : { note: input.note }),
        now,
        confirmOpen: input.confirm_open_differences === true,
      }),
    ),
  );
}

function reviewView(review: { decision: 'accepted' | 'rejected'; by: string | null; at: number; reason: string | null } | undefined): ReconcileItemRow['review'] {
  return review === undefined ? null : { decision: review.decision, by: review.by, at: formatInstant(review.at), reason: review.reason };
}

export function adjustmentPreview(db: LedgerDb, input: MethodInput<'adjustment.preview'>, now: Instant): AdjustmentPreview {
  // Posting places the entry at the host's "now", so the preview does too.
  return asApiError(() => previewAdjustment(db, input.proposal, now));
}

export function adjustmentPost(db: LedgerDb, input: MethodInput<'adjustment.post'>, now: Instant): AdjustmentPosted {
  return asApiError(() => postAdjustment(db, input.proposal, { runId: input.run_id, itemId: input.item_id, now, by: input.by ?? null }));
}

/** JSON Lines of provider request bodies, and a file name that says which. */
export function adjustmentExport(db: LedgerDb, input: MethodInput<'adjustment.export'>, databaseName: string): { file_name: string; text: string } {
  const text = asApiError(() =>
    exportAdjustments(db, {
      ...(input.run_id === undefined ? {} : { runId: input.run_id }),
      ...(input.provider === undefined ? {} : { provider: input.provider }),
      ...(input.which === undefined ? {} : { which: input.which }),
    }),
  );
  const parts = [databaseName.replace(/\.[^.]*$/, ''), input.which === 'proposed' ? 'proposed-adjustments' : 'adjustments', input.run_id, input.provider].filter(
    (part): part is string => part !== undefined,
  );
  return { file_name: `${parts.join('-')}.jsonl`, text };
}
