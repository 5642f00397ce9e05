import { LedgerRuleError } from '../ledger/types.js';
import { replayAccount } from '../ledger/replay.js';
import {
  adjustmentMetadata,
  isDifference,
  previewEntry,
  proposalEntry,
  proposalFromView,
  proposalView,
  providerBodiesJsonl,
  type BalancePreview,
  type Proposal,
  type ProviderBody,
  type Provider,
} from '../reconcile/index.js';
import {
  findAdjustment,
  findRun,
  insertRunEvent,
  listItemReviews,
  findRunItem,
  insertAdjustment,
  listAdjustments,
  listRunItems,
  loadAccountEntries,
  maxOrdinal,
  recordPushFailure,
  recordPushSuccess,
  type AdjustmentRecord,
  type LedgerDb,
} from '../store/index.js';
import { formatInstant, formatOptionalInstant, type Instant } from '../time/instant.js';
import { ReconcileServiceError } from './reconcile-service.js';
import { assertRunOpen, cleanText } from './run-close.js';

/*
 * Balancing adjustments: preview (the engine replays the account without and with the entry), post
 * (one canonical entry, one transaction, idempotent by key), export (the providers' request bodies,
 * JSON Lines) and push (only on explicit confirmation; idempotent; a failure is recorded, not lost).
 */

export class AdjustmentRejected extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'AdjustmentRejected';
  }
}

function parseProposal(input: unknown): Proposal {
  try {
    return proposalFromView(input);
  } catch (error) {
    if (error instanceof Error && 'problems' in error) throw new AdjustmentRejected((error as { problems: string[] }).problems);
    throw error;
  }
}

/**
 * Balance preview of a proposal (possibly edited): current, pending, available and deficit before and
 * after, and the blocks it touches, with the entry placed at `asOf` (pass now to preview posting now).
 */
export function previewAdjustment(db: LedgerDb, proposal: unknown, asOf: Instant): BalancePreview {
  const parsed = parseProposal(proposal);
  const entries = loadAccountEntries(db, parsed.account);
  const entry = proposalEntry(parsed, asOf, maxOrdinal(db) + 1);
  try {
    return previewEntry(parsed.account, entries, entry, asOf);
  } catch (error) {
    if (error instanceof LedgerRuleError) throw new AdjustmentRejected([`${error.rule}: ${error.field}: ${error.message}`]);
    throw error;
  }
}

export interface PostResult {
  status: 'posted' | 'already_posted';
  idempotency_key: string;
  /** The ledger entry's id (source "ledgerscope"). */
  entry_id: string;
  run_id: string;
  item_id: string;
  posted_at: string;
}

/**
 * Posts a proposal (possibly edited) to the local ledger: ONE canonical entry, written with the record of
 * the run and item it settles, in one transaction. Posting the same key again does nothing. Refused:
 * a proposal for another run or item than named, an item that is not an open difference of that run, an
 * item that got another adjustment since that run (run again first), an entry the ledger rules reject.
 */
export function postAdjustment(
  db: LedgerDb,
  proposal: unknown,
  context: { runId: string; itemId: string; now: Instant; by?: string | null },
): PostResult {
  const parsed = parseProposal(proposal);
  if (parsed.runId !== context.runId || parsed.itemId !== context.itemId) {
    throw new AdjustmentRejected([`proposal is for run ${parsed.runId} item ${parsed.itemId}, not run ${context.runId} item ${context.itemId}`]);
  }
  return db
    .transaction((): PostResult => {
      const existing = findAdjustment(db, parsed.idempotencyKey);
      if (existing !== null) return postResult('already_posted', existing);
      const run = findRun(db, context.runId);
      if (run === null || run.state !== 'complete') throw new ReconcileServiceError('not_found', `no complete reconciliation run ${JSON.stringify(context.runId)}`);
      // A signed-off run is locked (issue 13): the contract refuses, and says how to go on.
      assertRunOpen(run);
      const item = findRunItem(db, context.runId, context.itemId);
      if (item === null) throw new ReconcileServiceError('not_found', `run ${context.runId} has no item ${JSON.stringify(context.itemId)}`);
      // A rejected fuzzy or grouped match is a difference again: it may be balanced.
      const rejected = listItemReviews(db, context.runId).get(context.itemId)?.decision === 'rejected';
      if ((!isDifference(item.category) && !rejected) || item.settled) {
        throw new AdjustmentRejected([`item ${context.itemId} of run ${context.runId} is ${item.settled ? 'settled' : item.category}: nothing to balance`]);
      }
      const counted = new Set(item.adjustment_ids);
      // A run counts an adjustment by the entry that represented it then: the local one, or the provider's copy since.
      const later = listAdjustments(db, { itemId: context.itemId }).filter(
        (adjustment) => !counted.has(adjustment.entrySourceId) && !counted.has(adjustment.postedEntrySourceId),
      );
      if (later.length > 0) {
        const first = later[0]!;
        throw new AdjustmentRejected([
          `item ${context.itemId} already has adjustment ${first.idempotencyKey} (run ${first.runId}) that run ${context.runId} did not see; run reconcile again`,
        ]);
      }
      const entries = loadAccountEntries(db, parsed.account);
      const entry = proposalEntry(parsed, context.now, maxOrdinal(db) + 1);
      try {
        replayAccount(parsed.account, [...entries, entry], { keepEntries: false });
      } catch (error) {
        if (error instanceof LedgerRuleError) throw new AdjustmentRejected([`${error.rule}: ${error.field}: ${error.message}`]);
        throw error;
      }
      const view = proposalView(parsed);
      insertAdjustment(db, {
        entry,
        raw: JSON.stringify({ run_id: parsed.runId, item_id: parsed.itemId, provider: parsed.provider, body: parsed.body }),
        metadata: adjustmentMetadata(parsed),
        proposal: view,
        postedAt: context.now,
        postedBy: cleanText(context.by, 200),
      });
      insertRunEvent(db, {
        runId: context.runId,
        kind: 'adjustment',
        by: cleanText(context.by, 200),
        at: context.now,
        detail: { idempotency_key: parsed.idempotencyKey, item_id: context.itemId, kind: parsed.kind, amount: view.amount, unit: view.unit },
      });
      const stored = findAdjustment(db, parsed.idempotencyKey);
      if (stored === null) throw new Error(`adjustment ${parsed.idempotencyKey} was not stored`);
      return postResult('posted', stored);
    })
    .immediate();
}

function postResult(status: PostResult['status'], record: AdjustmentRecord): PostResult {
  return {
    status,
    idempotency_key: record.idempotencyKey,
    entry_id: record.entrySourceId,
    run_id: record.runId,
    item_id: record.itemId,
    posted_at: formatInstant(record.postedAt),
  };
}

export interface AdjustmentView {
  idempotency_key: string;
  run_id: string;
  item_id: string;
  provider: Provider;
  customer_id: string;
  subscription_id: string | null;
  unit: string;
  kind: string;
  amount: string;
  entry_id: string;
  posted_at: string;
  posted_by: string | null;
  pushed_at: string | null;
  push_attempts: number;
  push_error: string | null;
  provider_entry_id: string | null;
  /** The entry that represents it now: the local one, or the provider's copy that replaced it (entry_id is its id). */
  entry_source: 'ledgerscope' | 'orb' | 'moesif';
  /** When the provider's copy replaced the local entry: confirmed by the provider. */
  confirmed_at: string | null;
  copy_difference: string | null;
  /** A reversal: the key of the adjustment it reverses. */
  reverses_key: string | null;
  /** The key of the reversal that undid this one. */
  reversed_by_key: string | null;
  pushed_by: string | null;
  /** pushed (or confirmed by the provider), failed, or not_pushed. */
  push_status: 'pushed' | 'confirmed' | 'failed' | 'not_pushed';
  body: ProviderBody;
}

export function pushStatusOf(record: AdjustmentRecord): AdjustmentView['push_status'] {
  if (record.pushedAt !== null) return 'pushed';
  if (record.replacedAt !== null) return 'confirmed';
  return record.pushError !== null ? 'failed' : 'not_pushed';
}

export function adjustmentView(record: AdjustmentRecord): AdjustmentView {
  return {
    idempotency_key: record.idempotencyKey,
    run_id: record.runId,
    item_id: record.itemId,
    provider: record.provider,
    customer_id: record.customerId,
    subscription_id: record.subscriptionId,
    unit: record.unit,
    kind: record.kind,
    amount: record.amount,
    entry_id: record.entrySourceId,
    posted_at: formatInstant(record.postedAt),
    posted_by: record.postedBy,
    pushed_at: formatOptionalInstant(record.pushedAt),
    push_attempts: record.pushAttempts,
    push_error: record.pushError,
    provider_entry_id: record.providerEntryId,
    entry_source: record.entrySource,
    confirmed_at: formatOptionalInstant(record.replacedAt),
    copy_difference: record.copyDifference,
    reverses_key: record.reversesKey,
    reversed_by_key: record.reversedByKey,
    pushed_by: record.pushedBy,
    push_status: pushStatusOf(record),
    body: record.body,
  };
}

export interface AdjustmentListFilter {
  runId?: string;
  itemId?: string;
  unpushed?: boolean;
  customerId?: string;
  provider?: Provider;
  pushStatus?: AdjustmentView['push_status'];
}

/** Posted adjustments across runs, in the order they were posted, filtered by run, customer, provider and push status. */
export function listPostedAdjustments(db: LedgerDb, filter: AdjustmentListFilter = {}): AdjustmentView[] {
  const { pushStatus, ...stored } = filter;
  const views = listAdjustments(db, stored).map(adjustmentView);
  return pushStatus === undefined ? views : views.filter((view) => view.push_status === pushStatus);
}

export interface ExportOptions {
  /** Only this run's. */
  runId?: string;
  /** Only this provider's. */
  provider?: Provider;
  /** posted (default): adjustments posted locally; proposed: a run's open proposals, not yet posted. */
  which?: 'posted' | 'proposed';
}

/** Adjustments as the providers' API request bodies, one per line (amounts as JSON number literals). */
export function exportAdjustments(db: LedgerDb, options: ExportOptions = {}): string {
  let bodies: { provider: Provider; body: ProviderBody }[];
  if ((options.which ?? 'posted') === 'posted') {
    bodies = listAdjustments(db, { ...(options.runId === undefined ? {} : { runId: options.runId }) }).map((record) => ({ provider: record.provider, body: record.body }));
  } else {
    if (options.runId === undefined) throw new ReconcileServiceError('invalid', 'exporting proposals needs the run they belong to');
    const run = findRun(db, options.runId);
    if (run === null || run.state !== 'complete') throw new ReconcileServiceError('not_found', `no complete reconciliation run ${JSON.stringify(options.runId)}`);
    // Only items still open: not settled by the run, and no adjustment in force posted for them since.
    const inForce = new Set(
      listAdjustments(db, { runId: options.runId })
        .filter((adjustment) => adjustment.reversesKey === null && adjustment.reversedByKey === null)
        .map((adjustment) => adjustment.itemId),
    );
    bodies = listRunItems(db, options.runId)
      .filter((item) => item.proposal !== null && !item.settled && !inForce.has(item.item_id))
      .map((item) => ({ provider: item.proposal!.provider, body: item.proposal!.body }));
  }
  return providerBodiesJsonl(bodies.filter((entry) => options.provider === undefined || entry.provider === options.provider).map((entry) => entry.body));
}

/** One request for a provider's API; `body` amounts are decimal strings (the client sends them exactly). */
export interface AdjustmentPushRequest {
  provider: Provider;
  /** Orb: the customer id of the path (/customers/{customer_id}/credits/ledger_entry); Moesif: company_id. */
  customerId: string;
  /** Orb: the Idempotency-Key header; Moesif: the body's transaction_id already is the key. */
  idempotencyKey: string;
  body: ProviderBody;
  /** Aborted when the user cancels the push: a wait for a retry ends at once, a request in flight is dropped. */
  signal?: AbortSignal;
}

/**
 * A provider client as push needs it. Resolves with the provider's id for the new entry; rejects with an
 * Error whose message is the provider's error (it is recorded as is). The Moesif and Orb API clients of
 * core/sources implement it.
 */
export interface AdjustmentPushClient {
  push(request: AdjustmentPushRequest): Promise<{ providerEntryId: string | null }>;
}

export interface PushOptions {
  /** Must be true: pushing writes to the provider's live ledger. */
  confirm: boolean;
  /** Only these keys (default: every unpushed adjustment, filtered by runId). */
  keys?: readonly string[];
  runId?: string;
  clients: Partial<Record<Provider, AdjustmentPushClient>>;
  /** Why a provider has no client (e.g. its key is not set): the skip's reason. */
  missing?: Partial<Record<Provider, string>>;
  /** The clock, read per push (when each attempt happened). */
  now: () => Instant;
  /** Who pushes (the operator name), recorded with each push. */
  by?: string | null;
  /** Cancels the push: adjustments not yet sent are listed as cancelled; the one in flight is recorded as failed. */
  signal?: AbortSignal;
  /** Before each adjustment and once at the end (idempotency_key null). */
  onProgress?: (progress: { done: number; total: number; idempotency_key: string | null }) => void;
}

export interface PushReport {
  pushed: { idempotency_key: string; provider_entry_id: string | null }[];
  already_pushed: string[];
  failed: { idempotency_key: string; error: string }[];
  /** No client configured for the provider: not attempted. */
  skipped: { idempotency_key: string; reason: string }[];
  /** Not sent: the push was cancelled before their turn. */
  cancelled: string[];
}

/** A function, not an inline test: the compiler would keep a narrowing from before an await. */
function wasAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** The named keys (an unknown one, or one of another run than runId, is an error), else every unpushed adjustment (of runId when given). */
function selectForPush(db: LedgerDb, selection: { keys?: readonly string[] | undefined; runId?: string | undefined }): AdjustmentRecord[] {
  if (selection.keys !== undefined) {
    return selection.keys.map((key) => {
      const record = findAdjustment(db, key);
      if (record === null) throw new ReconcileServiceError('not_found', `no posted adjustment ${JSON.stringify(key)}`);
      // Both named: the keys must be that run's (a key of another run is a mistake, not a filter).
      if (selection.runId !== undefined && record.runId !== selection.runId) {
        throw new ReconcileServiceError('invalid', `adjustment ${key} belongs to run ${record.runId}, not ${selection.runId}`);
      }
      return record;
    });
  }
  return listAdjustments(db, { ...(selection.runId === undefined ? {} : { runId: selection.runId }), unpushed: true });
}

/** What a push with the same selection would look at (a dry run: nothing is sent). */
export function adjustmentsForPush(db: LedgerDb, selection: { keys?: readonly string[] | undefined; runId?: string | undefined }): AdjustmentView[] {
  return selectForPush(db, selection).map(adjustmentView);
}

/**
 * Pushes posted adjustments to their providers, one by one, only with `confirm: true`. Already pushed
 * ones are not sent again; the provider dedupes a repeated request by its idempotency key too. A failed
 * push leaves the record unpushed with the provider's error and the attempt counted.
 */
export async function pushAdjustments(db: LedgerDb, options: PushOptions): Promise<PushReport> {
  if (options.confirm !== true) {
    throw new AdjustmentRejected(['push: refused without explicit confirmation (confirm: true); pushing writes to the provider\'s ledger']);
  }
  const report: PushReport = { pushed: [], already_pushed: [], failed: [], skipped: [], cancelled: [] };
  const records = selectForPush(db, options);
  const signal = options.signal;
  for (const [done, record] of records.entries()) {
    if (signal?.aborted === true) {
      report.cancelled.push(record.idempotencyKey);
      continue;
    }
    options.onProgress?.({ done, total: records.length, idempotency_key: record.idempotencyKey });
    // Its copy came back from the provider (pushed from here or elsewhere): it is there; never send it again.
    if (record.pushedAt !== null || record.replacedAt !== null) {
      report.already_pushed.push(record.idempotencyKey);
      continue;
    }
    const client = options.clients[record.provider];
    if (client === undefined) {
      const reason = options.missing?.[record.provider] ?? `no ${record.provider} client configured`;
      report.skipped.push({ idempotency_key: record.idempotencyKey, reason });
      // Not sent, but asked for: the run's history says who tried, when, and why nothing went out.
      const at = options.now();
      db.transaction(() =>
        insertRunEvent(db, { runId: record.runId, kind: 'push', by: cleanText(options.by, 200), at, reason, detail: { idempotency_key: record.idempotencyKey, result: 'skipped' } }),
      ).immediate();
      continue;
    }
    try {
      const request: AdjustmentPushRequest = { provider: record.provider, customerId: record.customerId, idempotencyKey: record.idempotencyKey, body: record.body };
      const result = await client.push(signal === undefined ? request : { ...request, signal });
      const at = options.now();
      const by = cleanText(options.by, 200);
      db.transaction(() => {
        recordPushSuccess(db, record.idempotencyKey, { at, providerEntryId: result.providerEntryId, by });
        insertRunEvent(db, { runId: record.runId, kind: 'push', by, at, detail: { idempotency_key: record.idempotencyKey, result: 'pushed' } });
      }).immediate();
      report.pushed.push({ idempotency_key: record.idempotencyKey, provider_entry_id: result.providerEntryId });
    } catch (error) {
      // Cancelled mid-request: whether the provider applied it is unknown, so it is a failure to push
      // again, never a success; the idempotency key makes the repeat safe.
      const message =
        wasAborted(signal)
          ? 'cancelled while it was being sent; push it again to be sure it is there (its idempotency key makes a repeat safe)'
          : error instanceof Error
            ? error.message
            : String(error);
      const at = options.now();
      db.transaction(() => {
        recordPushFailure(db, record.idempotencyKey, { at, error: message });
        insertRunEvent(db, { runId: record.runId, kind: 'push', by: cleanText(options.by, 200), at, reason: message, detail: { idempotency_key: record.idempotencyKey, result: 'failed' } });
      }).immediate();
      report.failed.push({ idempotency_key: record.idempotencyKey, error: message });
    }
  }
  options.onProgress?.({ done: records.length, total: records.length, idempotency_key: null });
  return report;
}
