import { existsSync } from 'node:fs';
import { ImportRejected, type ImportFileInput } from './ledger-files.js';
import { parseImportFile, type ImportProblem, type ParsedEntry, type SourceFormat } from '../sources/index.js';
import { emptyStripeParsed, orderStripeEntries, resolveStripeLedger, type StripeParsed } from '../sources/stripe/index.js';
import { buildNewLedgerDb, entryAccount, LedgerDbError, openLedgerDb, type LedgerDb, type ReplacedAdjustment } from '../store/index.js';
import type { Instant } from '../time/instant.js';
import { writeLedgerEntries } from './provider-entries.js';
import { compareBalanceSummaries } from './stripe-balance-summary.js';
import { emptyObjectCounts, emptyPaymentCounts, writeFilePayments, writeObjects, type ObjectWriteCounts, type PaymentWriteCounts } from './payment-write.js';

/*
 * `ledgerscope import` for Stripe files (`--source stripe|stripe-csv`, or detected): one user action,
 * one transaction, like core/service/import-files.ts. Parse every file, then in one immediate
 * transaction: ledger entries (credit grants and their transactions) with L5 and replay validation,
 * payments with their versions (payment-write.ts), evidence objects. Any problem → nothing is written,
 * and a database file this import would have created is never made (it is built aside). Files of the other formats
 * may be in the same import: their entries go through the same checks.
 */

export interface StripeImportOptions {
  source?: SourceFormat;
  unit?: string;
  now: Instant;
  /**
   * Run every check inside the transaction, then roll it back: the import preview's dry run, which
   * finds exactly the problems the import would (L5 conflicts against the stored payments included).
   */
  dryRun?: boolean;
}

export interface StripeImportSummary {
  files: { path: string; format: SourceFormat; records: number }[];
  entries: { inserted: number; unchanged: number };
  /** Posted adjustments whose local entry the provider's copy (a ledger file in this import) replaced. */
  replaced: ReplacedAdjustment[];
  payments: PaymentWriteCounts;
  objects: ObjectWriteCounts;
  /** The `imports` row holding the new ledger entries, or null when no entry was new. */
  importId: number | null;
  /** What the readers passed over without an error (ignored CSV columns, incomplete rows skipped), one line each. */
  notes: string[];
}

/** Thrown at the end of a dry run's transaction so that it rolls back; carries what would be written. */
class DryRunRollback extends Error {
  constructor(readonly summary: StripeImportSummary) {
    super('dry run');
  }
}

/** The records one parsed file holds: ledger entries, or Stripe payments, grants, credit transactions and objects. */
export function stripeRecordCount(entries: number, stripe: StripeParsed | undefined): number {
  if (stripe === undefined) return entries;
  return stripe.payments.length + stripe.grants.length + stripe.creditTransactions.length + stripe.objects.length;
}

export function importStripeFiles(dbPath: string, files: readonly ImportFileInput[], options: StripeImportOptions): StripeImportSummary {
  if (files.length === 0) throw new Error('importStripeFiles: no files to import');
  const problems: ImportProblem[] = [];
  const otherEntries: ParsedEntry[] = [];
  const stripe = emptyStripeParsed();
  const summaryFiles: StripeImportSummary['files'] = [];
  for (const file of files) {
    const result = parseImportFile(file.path, file.text, {
      ...(options.source === undefined ? {} : { source: options.source }),
      ...(options.unit === undefined ? {} : { unit: options.unit }),
    });
    problems.push(...result.problems);
    if (result.format === null) continue;
    summaryFiles.push({ path: file.path, format: result.format, records: stripeRecordCount(result.entries.length, result.stripe) });
    otherEntries.push(...result.entries);
    if (result.stripe !== undefined) {
      stripe.payments.push(...result.stripe.payments);
      stripe.grants.push(...result.stripe.grants);
      stripe.creditTransactions.push(...result.stripe.creditTransactions);
      stripe.objects.push(...result.stripe.objects);
      stripe.balanceSummaries.push(...result.stripe.balanceSummaries);
      stripe.notes.push(...result.stripe.notes);
    }
  }
  if (problems.length > 0) throw new ImportRejected(problems);

  const write = (db: LedgerDb): StripeImportSummary => {
    const resolved = resolveStripeLedger(stripe, (grantId) => entryAccount(db, 'stripe', grantId), problems);
    if (problems.length > 0) throw new ImportRejected(problems);
    const entries = [...otherEntries, ...orderStripeEntries(resolved.entries)];
    const ledger = writeLedgerEntries(db, entries, resolved.voidsToCompute, {
      mode: 'strict',
      now: options.now,
      files: summaryFiles.map((file) => ({ path: file.path, format: file.format, records: file.records })),
      sourceOption: options.source ?? null,
      order: 'as-given',
    }, problems);
    if (problems.length > 0) throw new ImportRejected(problems);
    const payments = emptyPaymentCounts();
    writeFilePayments(db, stripe.payments, options.now, payments, problems);
    if (problems.length > 0) throw new ImportRejected(problems);
    const objects = emptyObjectCounts();
    writeObjects(db, [...stripe.objects, ...resolved.evidence], options.now, objects);
    const stated = compareBalanceSummaries(db, stripe.balanceSummaries, options.now);
    const summary = { files: summaryFiles, entries: { inserted: ledger.inserted, unchanged: ledger.unchanged }, replaced: ledger.replaced, payments, objects, importId: ledger.importId, notes: [...stripe.notes, ...ledger.notes, ...stated] };
    if (options.dryRun === true) throw new DryRunRollback({ ...summary, importId: null });
    return summary;
  };

  if (!existsSync(dbPath)) {
    // A new database is built aside and linked into place only when committed (core/store/new-db.ts):
    // the real path is never created by a dry run or a failed import, so it is never deleted either
    // (deleting it could take another process's committed import with it).
    try {
      const built = buildNewLedgerDb(dbPath, options.now, write);
      if (built.created) return built.value;
    } catch (error) {
      if (error instanceof DryRunRollback) return error.summary;
      throw error;
    }
    // Someone created the file meanwhile: import into it like into any existing database.
  }

  const db = openLedgerDb(dbPath, { create: false, now: options.now });
  try {
    return db.transaction(() => write(db)).immediate();
  } catch (error) {
    if (error instanceof DryRunRollback) return error.summary;
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new LedgerDbError(dbPath, `${dbPath}: another process is writing to this database; nothing was written, try again when it is done`);
    }
    throw error;
  } finally {
    db.close();
  }
}
