import { detectFormat, type SourceFormat } from '../sources/index.js';
import { replacementWarnings } from '../store/index.js';
import { importStripeFiles } from './stripe-files.js';
import { importFiles, type ImportFileInput, type ImportOptions } from './ledger-files.js';

/*
 * The one import entry point for hosts (CLI, loopback host, Electron): ledger files go through
 * importFiles; Stripe files (payments and credit grants) through importStripeFiles, which writes payments
 * and ledger entries in one transaction. Both are all-or-nothing and throw ImportRejected.
 */

export interface AnyImportSummary {
  files: { path: string; format: SourceFormat; records: number }[];
  /** New ledger entries written. */
  inserted: number;
  /** Ledger entries already stored with the same content (L5). */
  unchanged: number;
  /** Accounts that received new entries (ledger imports; null for Stripe imports). */
  accountsTouched: number | null;
  /** Stripe payments written: new, new versions (status changes), unchanged; null for ledger imports. */
  payments: { inserted: number; updated: number; unchanged: number } | null;
  /** Posted adjustments whose local entry the provider's copy (a new entry here) replaced. */
  adjustmentsReplaced: number;
  /** One line each (a provider copy that differs from what was posted, ...). */
  warnings: string[];
}

/** Stripe when asked for, or when any file's content is a Stripe export. */
export function isStripeImport(files: readonly ImportFileInput[], source: SourceFormat | undefined): boolean {
  if (source !== undefined) return source === 'stripe' || source === 'stripe-csv';
  return files.some((file) => {
    const format = detectFormat(file.path, file.text);
    return format === 'stripe' || format === 'stripe-csv';
  });
}

export function importAnyFiles(dbPath: string, files: readonly ImportFileInput[], options: ImportOptions): AnyImportSummary {
  if (isStripeImport(files, options.source)) {
    const { onProgress: _progress, ...stripeOptions } = options;
    const summary = importStripeFiles(dbPath, files, stripeOptions);
    const { inserted, updated, unchanged } = summary.payments;
    return {
      files: summary.files,
      inserted: summary.entries.inserted,
      unchanged: summary.entries.unchanged,
      accountsTouched: null,
      payments: { inserted, updated, unchanged },
      adjustmentsReplaced: summary.replaced.length,
      warnings: [...summary.notes, ...replacementWarnings(summary.replaced)],
    };
  }
  const summary = importFiles(dbPath, files, options);
  return {
    files: summary.files,
    inserted: summary.inserted,
    unchanged: summary.unchanged,
    accountsTouched: summary.accountsTouched,
    payments: null,
    adjustmentsReplaced: summary.replaced.length,
    warnings: summary.warnings,
  };
}
