import { formatProblem, type ImportProblem } from '../sources/index.js';
import { RecordScope } from '../sources/problems.js';
import { emptyStripeParsed, mapStripeObject, resolveStripeLedger, type StripeParsed } from '../sources/stripe/index.js';
import { entryAccount, loadSourceDisagreement, saveSyncState, type LedgerDb, type SyncState } from '../store/index.js';
import type { Instant } from '../time/instant.js';
import { writeLedgerEntries } from '../import/provider-entries.js';
import { compareBalanceSummaries } from '../import/stripe-balance-summary.js';
import { emptyObjectCounts, emptyPaymentCounts, writeApiPayments, writeObjects, type ObjectWriteCounts, type PaymentWriteCounts } from '../import/payment-write.js';
import type { StripeJson } from './stripe-client.js';
import { SyncError } from './sync-errors.js';

/*
 * One committed unit of a Stripe sync: a page of objects (or of events) mapped to canonical records
 * and written, with the stream's new cursor, in ONE transaction. A crash before the commit loses the
 * page and keeps the old cursor (the page is fetched again); after it, both are there.
 */

export interface SyncCounts {
  payments: PaymentWriteCounts;
  entries: { inserted: number; unchanged: number; conflicts: number };
  objects: ObjectWriteCounts;
  /** Objects that could not be mapped (a shape Ledgerscope does not understand): skipped, with a warning. */
  skipped: number;
}

export function emptySyncCounts(): SyncCounts {
  return { payments: emptyPaymentCounts(), entries: { inserted: 0, unchanged: 0, conflicts: 0 }, objects: emptyObjectCounts(), skipped: 0 };
}

/** One object from the API, with where it came from and Stripe's clock for its state. */
export interface ApiObject {
  object: StripeJson;
  /** "stripe:/v1/charges" — the origin stored as evidence. */
  origin: string;
  observedAt: Instant | null;
}

/** Maps API objects; an object that does not map is skipped with a warning naming it and the field. */
export function mapApiObjects(objects: readonly ApiObject[], warnings: string[], counts: SyncCounts): StripeParsed {
  const out = emptyStripeParsed();
  for (const item of objects) {
    const problems: ImportProblem[] = [];
    const id = typeof item.object.id === 'string' ? item.object.id : '?';
    // The object id stands in the pointer's place: problems read "stripe:/v1/charges#ch_123: amount: ...".
    const scope = new RecordScope(item.origin, problems);
    scope.moveTo(null, id);
    mapStripeObject(item.object, { scope, raw: JSON.stringify(item.object), observedAt: item.observedAt, out });
    if (problems.length > 0) {
      counts.skipped++;
      for (const problem of problems) warnings.push(`skipped: ${formatProblem(problem)}`);
    }
  }
  return out;
}

/** Credit grants the transactions name that are in neither the batch nor the store. */
export function missingGrants(db: LedgerDb, parsed: StripeParsed): string[] {
  const inBatch = new Set(parsed.grants.map((grant) => grant.parsed.entry.sourceId));
  const missing = new Set<string>();
  for (const txn of parsed.creditTransactions) {
    if (!inBatch.has(txn.grantId) && entryAccount(db, 'stripe', txn.grantId) === null) missing.add(txn.grantId);
  }
  return [...missing];
}

export interface CommitOptions {
  now: Instant;
  /** The import row's file for new ledger entries ("stripe:/v1/billing/credit_grants"). */
  origin: string;
  /** Voided grants without a credits_voided transaction void their remaining (backfill); events wait for it. */
  computeVoids: boolean;
  /** The stream's new state; none for a step that keeps no cursor (the credit balance summaries). */
  state?: SyncState;
}

/** What the page's credit balance summaries said (none for most pages). */
export interface CommitResult {
  /** Accounts whose replay disagrees with the summary (each also a warning). */
  disagreeing: number;
}

/**
 * Writes one mapped page and the stream's state in one immediate transaction. Credit balance summaries
 * in the page are compared with the replay after its entries are written, in the same transaction, as
 * the file import does: what is compared is exactly what is committed.
 */
export function commitStripePage(db: LedgerDb, parsed: StripeParsed, options: CommitOptions, counts: SyncCounts, warnings: string[]): CommitResult {
  return db.transaction((): CommitResult => {
    const problems: ImportProblem[] = [];
    const resolved = resolveStripeLedger(parsed, (grantId) => entryAccount(db, 'stripe', grantId), problems);
    for (const problem of problems) warnings.push(`skipped: ${formatProblem(problem)}`);
    problems.length = 0;
    const ledger = writeLedgerEntries(
      db,
      resolved.entries,
      options.computeVoids ? resolved.voidsToCompute : [],
      { mode: 'lenient', now: options.now, files: [{ path: options.origin, format: 'stripe', records: resolved.entries.length }], sourceOption: 'stripe-api', order: 'stripe' },
      problems,
    );
    if (problems.length > 0) {
      // The provider's own ledger does not replay (L-rules): nothing of this page is written.
      throw new SyncError('data', `the Stripe credit data does not replay: ${problems.map(formatProblem).join('; ')}`);
    }
    counts.entries.inserted += ledger.inserted;
    counts.entries.unchanged += ledger.unchanged;
    counts.entries.conflicts += ledger.conflicts.length;
    for (const conflict of ledger.conflicts) warnings.push(`not applied: ${formatProblem(conflict)}`);
    warnings.push(...ledger.notes);
    writeApiPayments(db, parsed.payments, options.now, counts.payments);
    writeObjects(db, [...parsed.objects, ...resolved.evidence], options.now, counts.objects);
    const stated = parsed.balanceSummaries.length === 0 ? [] : compareBalanceSummaries(db, parsed.balanceSummaries, options.now);
    warnings.push(...stated);
    if (options.state !== undefined) saveSyncState(db, options.state);
    const disagreeing = parsed.balanceSummaries.filter(
      (summary) => loadSourceDisagreement(db, { customerId: summary.customerId, subscriptionId: null, unit: summary.unit }) !== null,
    ).length;
    return { disagreeing };
  }).immediate();
}
