import type { PaymentRecord } from '../payments/types.js';
import {
  compareRunItems,
  hasDifferences,
  isDifference,
  itemView,
  jsonItemOfView,
  parseReconcileSettings,
  reconcile,
  settingsText,
  accountView,
  type ItemView,
  type ReconcileJson,
  type ReconcileJsonAccount,
  type ReconcileResult,
  type ReconcileSettings,
  type RunComparison,
  type StripeCustomer,
} from '../reconcile/index.js';
import { parseCustomerMappingCsv } from '../reconcile/customer-mapping-csv.js';
import {
  adjustmentRefs,
  completeRun,
  failRun,
  findRun,
  ledgerInputsSnapshot,
  listCustomerMappings,
  listPayments,
  listRunAccounts,
  listRunItems,
  listRuns,
  listStripeCustomers,
  loadReconcileLedger,
  reserveRun,
  carryItemReviews,
  insertRunEvent,
  runCreatedBy,
  setRunCreatedBy,
  signOffRun,
  upsertCustomerMappings,
  type LedgerDb,
  type RunRecord,
} from '../store/index.js';
import { formatInstant, type Instant } from '../time/instant.js';
import { cleanText, currentRunState, type CurrentRunState } from './run-close.js';

/*
 * Reconciliation runs: what the CLI and the UI call. A run reads the ledger, the Stripe money and the
 * customer links, reserves its id (so proposals carry it), runs the pure engine, and saves inputs,
 * results and counts in one transaction. Runs are listed, read page by page, compared and signed off.
 */

/** Where a run reads Stripe money from (tests and hosts may give another). */
export interface StripeMoneyReader {
  /** Name recorded in the run's inputs. */
  readonly name: string;
  listPayments(db: LedgerDb): PaymentRecord[];
  listStripeCustomers(db: LedgerDb): StripeCustomer[];
}

/** The Stripe money the Stripe import and sync stored (core/store payments and customers). */
export const storedStripeMoney: StripeMoneyReader = {
  name: 'stored',
  listPayments: (db) => listPayments(db),
  listStripeCustomers: (db) => listStripeCustomers(db).map((customer) => ({ id: customer.id, metadata: customer.metadata })),
};

/** No Stripe money at all: every paid credit is then missing_in_stripe. */
export const noStripeMoney: StripeMoneyReader = {
  name: 'none',
  listPayments: () => [],
  listStripeCustomers: () => [],
};

/** The reader runs use when the caller names none. */
let defaultReader: StripeMoneyReader = storedStripeMoney;

/** Replaces the default reader (tests); returns the previous one. */
export function setDefaultStripeMoneyReader(reader: StripeMoneyReader): StripeMoneyReader {
  const previous = defaultReader;
  defaultReader = reader;
  return previous;
}

export class ReconcileServiceError extends Error {
  constructor(
    readonly code: 'not_found' | 'invalid' | 'conflict',
    message: string,
  ) {
    super(message);
    this.name = 'ReconcileServiceError';
  }
}

export interface RunReconciliationOptions {
  asOf: Instant;
  now: Instant;
  /** snake_case settings as stored by the host ({date_window_days, amount_tolerance}); defaults otherwise. */
  settings?: unknown;
  stripe?: StripeMoneyReader;
  /** Who runs it (the operator name from Settings), recorded in the run's history. */
  by?: string | null;
}

export interface RunSummaryView {
  run_id: string;
  state: 'running' | 'complete' | 'failed';
  created_at: string;
  as_of: string;
  settings: unknown;
  inputs: unknown;
  item_count: number;
  /** Open differences now (adjustments posted or reversed since, and rejected matches, counted). */
  open_count: number;
  /** Accounts that drift beyond the tolerance now. */
  drift_count: number;
  /** What the run itself found when it ran. */
  open_count_at_run: number;
  summary: Record<string, number> | null;
  error: string | null;
  sign_off: { by: string; at: string; note: string | null } | null;
  /** Signed off: nothing can be posted against it until it is re-opened. */
  locked: boolean;
  created_by: string | null;
  /** Fuzzy and grouped matches: how many a reviewer accepted or rejected. */
  review: CurrentRunState['review'];
}

/** A run as it stands now: its stored results, with open and drift counts from the current state of its items. */
export function runSummaryView(db: LedgerDb, run: RunRecord): RunSummaryView {
  const current = currentRunState(db, run);
  return {
    run_id: run.id,
    state: run.state,
    created_at: formatInstant(run.createdAt),
    as_of: formatInstant(run.asOf),
    settings: run.settings,
    inputs: run.inputs,
    item_count: run.itemCount,
    open_count: current.open_count,
    drift_count: current.drift_count,
    open_count_at_run: run.openCount,
    summary: run.summary,
    error: run.error,
    sign_off: run.signOff === null ? null : { by: run.signOff.by, at: formatInstant(run.signOff.at), note: run.signOff.note },
    locked: run.signOff !== null,
    created_by: runCreatedBy(db, run.id),
    review: current.review,
  };
}

export interface RunOutcome {
  run: RunSummaryView;
  result: ReconcileResult;
  /** True when the run found an unsettled difference or an account that drifts (CLI exit 1). */
  differences: boolean;
}

/** Runs and saves a reconciliation. Throws SettingsError for bad settings, LedgerRuleError for a ledger the engine cannot replay. */
export function runReconciliation(db: LedgerDb, options: RunReconciliationOptions): RunOutcome {
  const settings: ReconcileSettings = parseReconcileSettings(options.settings ?? {});
  const reader = options.stripe ?? defaultReader;
  const ledger = loadReconcileLedger(db);
  const payments = reader.listPayments(db);
  const stripeCustomers = reader.listStripeCustomers(db);
  const mappings = listCustomerMappings(db);
  const adjustments = adjustmentRefs(db);
  const snapshot = ledgerInputsSnapshot(db);
  const inputs = {
    import_ids: snapshot.importIds,
    ledger_entry_count: snapshot.entryCount,
    ledger_last_ordinal: snapshot.lastOrdinal,
    stripe: reader.name,
    payment_count: payments.length,
    stripe_customer_count: stripeCustomers.length,
    customer_mapping_count: mappings.length,
    adjustment_count: adjustments.length,
  };
  const by = cleanText(options.by, 200);
  const runId = db.transaction(() => {
    const id = reserveRun(db, { createdAt: options.now, asOf: options.asOf, settings: settingsText(settings), inputs });
    setRunCreatedBy(db, id, by);
    insertRunEvent(db, { runId: id, kind: 'run', by, at: options.now, detail: { as_of: formatInstant(options.asOf) } });
    return id;
  }).immediate();
  let result: ReconcileResult;
  try {
    result = reconcile({
      payments,
      ledger,
      customerLinks: { mappings, stripeCustomers },
      settings,
      asOf: options.asOf,
      runId,
      adjustments,
    });
  } catch (error) {
    db.transaction(() => failRun(db, runId, (error as Error).message)).immediate();
    throw error;
  }
  const items = result.items.map(itemView);
  const accounts = result.accounts.map(accountView);
  const summary: Record<string, number> = { ...result.stats.byCategory, settled: result.stats.settled };
  const openCount = items.filter((item) => isDifference(item.category) && !item.settled).length;
  const driftCount = result.accounts.filter((line) => line.difference.abs().gt(settings.amountTolerance)).length;
  db.transaction(() => {
    completeRun(db, runId, { items, accounts, openCount, driftCount, summary });
    // Matches reviewed in an earlier run and unchanged since keep their decision (the history says so).
    for (const carried of carryItemReviews(db, runId)) {
      insertRunEvent(db, {
        runId, kind: 'review', by, at: options.now, reason: `carried from run ${carried.fromRun}`,
        detail: { item_id: carried.itemId, decision: carried.decision, carried_from: carried.fromRun },
      });
    }
  }).immediate();
  const run = findRun(db, runId);
  if (run === null) throw new Error(`reconcile run ${runId} vanished after it was saved`);
  return { run: runSummaryView(db, run), result, differences: hasDifferences(result) };
}

export function listReconcileRuns(db: LedgerDb): RunSummaryView[] {
  return listRuns(db).map((run) => runSummaryView(db, run));
}

function completeRunOrThrow(db: LedgerDb, runId: string): RunRecord {
  const run = findRun(db, runId);
  if (run === null) throw new ReconcileServiceError('not_found', `no reconciliation run ${JSON.stringify(runId)} in this database`);
  if (run.state !== 'complete') throw new ReconcileServiceError('invalid', `run ${runId} is ${run.state}, not complete`);
  return run;
}

export interface RunDetailView {
  run: RunSummaryView;
  /** Items in output order, paged. */
  items: ItemView[];
  total_items: number;
  offset: number;
  accounts: ReconcileJsonAccount[];
}

export function getReconcileRun(db: LedgerDb, runId: string, page: { offset?: number; limit?: number } = {}): RunDetailView {
  const run = completeRunOrThrow(db, runId);
  return {
    run: runSummaryView(db, run),
    items: listRunItems(db, runId, page),
    total_items: run.itemCount,
    offset: page.offset ?? 0,
    accounts: listRunAccounts(db, runId),
  };
}

/** A stored run exactly as `reconcile --json` printed it (DESIGN §7). */
export function reconcileJsonOfRun(db: LedgerDb, runId: string): ReconcileJson {
  const run = completeRunOrThrow(db, runId);
  return {
    run_id: run.id,
    as_of: formatInstant(run.asOf),
    items: listRunItems(db, runId).map(jsonItemOfView),
    accounts: listRunAccounts(db, runId),
  };
}

/** Items that appeared, resolved or changed from one run to the other. */
export function compareReconcileRuns(db: LedgerDb, fromRunId: string, toRunId: string): RunComparison {
  completeRunOrThrow(db, fromRunId);
  completeRunOrThrow(db, toRunId);
  return compareRunItems(fromRunId, listRunItems(db, fromRunId), toRunId, listRunItems(db, toRunId));
}

/**
 * Signs a run off (who, when, a note) and so locks it. A run with open differences is signed off only
 * with `confirmOpen` and a reason (the note), both recorded. A signed-off run is a conflict (re-open it first).
 */
export function signOffReconcileRun(
  db: LedgerDb,
  runId: string,
  signOff: { by: string | null; note?: string | null; now: Instant; confirmOpen?: boolean },
): RunSummaryView {
  const by = (signOff.by ?? '').trim();
  if (by === '' || by.length > 200) throw new ReconcileServiceError('invalid', 'sign-off: set your name in Settings first (who signs off is recorded)');
  const note = signOff.note === undefined || signOff.note === null || signOff.note.trim() === '' ? null : signOff.note;
  if (note !== null && note.length > 4000) throw new ReconcileServiceError('invalid', 'sign-off: the note is longer than 4000 characters');
  db.transaction(() => {
    const run = completeRunOrThrow(db, runId);
    if (run.signOff !== null) {
      throw new ReconcileServiceError('conflict', `run ${runId} was already signed off by ${run.signOff.by} at ${formatInstant(run.signOff.at)}`);
    }
    const open = currentRunState(db, run).open_count;
    if (open > 0 && (signOff.confirmOpen !== true || note === null)) {
      throw new ReconcileServiceError(
        'invalid',
        `sign-off: run ${runId} still has ${open} open ${open === 1 ? 'difference' : 'differences'}; confirm signing off with them and give a reason`,
      );
    }
    if (!signOffRun(db, runId, { by, at: signOff.now, note })) throw new ReconcileServiceError('conflict', `run ${runId} could not be signed off`);
    insertRunEvent(db, { runId, kind: 'sign_off', by, at: signOff.now, reason: note, detail: { open_count: String(open) } });
  }).immediate();
  return runSummaryView(db, completeRunOrThrow(db, runId));
}

/**
 * Imports a customer mapping CSV (`ledger customer id, Stripe customer id`, an optional header): all rows
 * valid or nothing written; a Stripe customer mapped again takes the new ledger customer.
 */
export function importCustomerMapping(db: LedgerDb, file: { name: string; text: string }, now: Instant): { imported: number } {
  const mappings = parseCustomerMappingCsv(file.name, file.text);
  db.transaction(() => upsertCustomerMappings(db, mappings, file.name, now)).immediate();
  return { imported: mappings.length };
}

export function listCustomerLinks(db: LedgerDb): { ledger_customer_id: string; stripe_customer_id: string; origin: string; created_at: string }[] {
  return listCustomerMappings(db).map((mapping) => ({
    ledger_customer_id: mapping.ledgerCustomerId,
    stripe_customer_id: mapping.stripeCustomerId,
    origin: mapping.origin,
    created_at: formatInstant(mapping.createdAt),
  }));
}
