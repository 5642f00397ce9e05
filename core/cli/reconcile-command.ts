import { LedgerRuleError } from '../ledger/types.js';
import { isDifference, reconcileJsonView, SettingsError, type ReconcileResult } from '../reconcile/index.js';
import { runReconciliation } from '../service/reconcile-service.js';
import { LedgerDbError, openLedgerDb } from '../store/index.js';
import { toCanonical } from '../money/decimal.js';
import { formatInstant, parseInstant, type Instant } from '../time/instant.js';
import { textTable } from './text-table.js';
import { writeFileSync } from 'node:fs';
import { buildReconcileReport, reconcileReportCsv, reconcileReportXlsx, type ReconcileReport } from '../service/reconcile-report.js';
import { counted } from './counted.js';

export interface ReconcileCommandOptions {
  db: string;
  asOf?: string | undefined;
  json: boolean;
  /** Also write the reconciliation report here: .xlsx (a workbook) or .csv, by extension. */
  report?: string | undefined;
}

/**
 * `ledgerscope reconcile --db <path> [--as-of <instant>] [--json]`: runs and saves a reconciliation.
 * --json prints DESIGN §7's object. Exit 0 when every item is matched (matched_fuzzy and matched_grouped
 * count, pending is shown but is not a difference, a difference settled by posted adjustments is
 * "settled") and no account drifts; 1 when something is left to act on; 2 for bad input (one line per
 * problem on stderr).
 */
export function runReconcile(ctx: { io: { out(s: string): void; err(s: string): void }; now: number }, options: ReconcileCommandOptions): number | Promise<number> {
  const { io } = ctx;
  const reportFormat = options.report === undefined ? null : /\.xlsx$/i.test(options.report) ? 'xlsx' : /\.csv$/i.test(options.report) ? 'csv' : 'bad';
  if (reportFormat === 'bad') {
    io.err(`--report: name a .xlsx or .csv file, found ${JSON.stringify(options.report)}\n`);
    return 2;
  }
  let asOf: Instant = ctx.now;
  if (options.asOf !== undefined) {
    try {
      asOf = parseInstant(options.asOf);
    } catch (error) {
      io.err(`--as-of: ${(error as Error).message}\n`);
      return 2;
    }
  }
  let outcome;
  let report: ReconcileReport | null = null;
  try {
    const db = openLedgerDb(options.db, { create: false });
    try {
      outcome = runReconciliation(db, { asOf, now: ctx.now });
      if (reportFormat !== null) report = buildReconcileReport(db, outcome.run.run_id);
    } finally {
      db.close();
    }
  } catch (error) {
    if (error instanceof LedgerDbError) {
      io.err(`${error.message}\n`);
      return 2;
    }
    if (error instanceof SettingsError) {
      for (const problem of error.problems) io.err(`${problem}\n`);
      return 2;
    }
    if (error instanceof LedgerRuleError) {
      io.err(`customer ${error.entry.customerId}: entry ${error.entry.sourceId} breaks ${error.rule}: ${error.field}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (options.json) io.out(JSON.stringify(reconcileJsonView(outcome.result), null, 2) + '\n');
  else io.out(reconcileText(outcome.result));
  const code = outcome.differences ? 1 : 0;
  if (report === null || options.report === undefined) return code;
  const path = options.report;
  const written = (): number => {
    // Said on stderr: with --json, stdout stays one JSON document.
    io.err(`wrote the reconciliation report of ${report.runId} to ${path}\n`);
    return code;
  };
  const failed = (error: unknown): number => {
    io.err(`--report: cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})\n`);
    return 2;
  };
  if (reportFormat === 'csv') {
    try {
      writeFileSync(path, reconcileReportCsv(report));
      return written();
    } catch (error) {
      return failed(error);
    }
  }
  return reconcileReportXlsx(report).then((buffer) => {
    try {
      writeFileSync(path, buffer);
      return written();
    } catch (error) {
      return failed(error);
    }
  });
}

/** Rows a terminal table shows at most; --json has everything. */
const TEXT_ITEMS_LIMIT = 500;

/** The human report: counts per category, every item that is not plainly matched, and accounts that drift. */
export function reconcileText(result: ReconcileResult): string {
  const counts = new Map<string, number>();
  for (const item of result.items) {
    const category = item.settled ? 'settled' : item.category;
    counts.set(category, (counts.get(category) ?? 0) + 1);
  }
  let out = `reconciliation ${result.runId} as of ${formatInstant(result.asOf)}: ${counted(result.items.length, 'item')}\n`;
  out += textTable(['category', 'items'], [...counts].map(([category, count]) => [category, String(count)]));
  const notMatched = result.items.filter((item) => item.category !== 'matched' || item.settled);
  const shown = notMatched.slice(0, TEXT_ITEMS_LIMIT);
  if (shown.length > 0) {
    out += '\n' + textTable(
      ['category', 'customer', 'unit', 'expected', 'actual', 'difference', 'payments', 'entries', 'proposal'],
      shown.map((item) => [
        item.settled ? 'settled' : item.category,
        item.account.customerId,
        item.account.unit,
        toCanonical(item.expected),
        toCanonical(item.actual),
        toCanonical(item.difference),
        item.paymentIds.join(' '),
        item.entries.map((entry) => entry.sourceId).join(' '),
        item.proposal === null ? null : `${item.proposal.provider} ${item.proposal.kind} ${toCanonical(item.proposal.amount)}`,
      ]),
    );
    if (notMatched.length > shown.length) out += `… and ${notMatched.length - shown.length} more (--json lists every item)\n`;
  }
  const drifting = result.accounts.filter((line) => line.difference.abs().gt(result.settings.amountTolerance));
  out += drifting.length === 0
    ? '\nno account drifts\n'
    : `\nbalance drift (${drifting.length} ${drifting.length === 1 ? 'account' : 'accounts'})\n` + textTable(
        ['customer', 'subscription', 'unit', 'expected', 'actual', 'difference'],
        drifting.slice(0, TEXT_ITEMS_LIMIT).map((line) => [
          line.account.customerId,
          line.account.subscriptionId,
          line.account.unit,
          toCanonical(line.expected),
          toCanonical(line.actual),
          toCanonical(line.difference),
        ]),
      );
  const open = result.items.filter((item) => isDifference(item.category) && !item.settled).length;
  out += open === 0 ? 'nothing to balance\n' : `${open} ${open === 1 ? 'difference' : 'differences'} to balance (see each proposal)\n`;
  return out;
}
