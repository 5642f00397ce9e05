import { normalizeUnit } from '../money/units.js';
import { LedgerRuleError } from '../ledger/types.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfigDir } from '../host/browser-host.js';
import { SettingsFile, Settings, environmentKeys } from '../host/settings.js';
import {
  journalCsv,
  journalLines,
  JOURNAL_COLUMNS,
  liabilityXlsx,
  type JournalAccountNames,
  liabilityReportCsv,
  liabilityReportFromDb,
  liabilityReportView,
  MOVEMENT_LINES,
  type LiabilityReportView,
} from '../report/index.js';
import { LedgerDbError, openLedgerDb } from '../store/index.js';
import { parseInstant, type Instant } from '../time/instant.js';
import type { CliIo } from './io.js';
import { textTable } from './text-table.js';

export interface LiabilityCommandOptions {
  db: string;
  from: string;
  to: string;
  unit?: string | undefined;
  json: boolean;
  csv: boolean;
  /** Also write the report as a workbook here. */
  xlsx?: string | undefined;
}

/**
 * `ledgerscope report liability --db <path> --from <instant> --to <instant> [--unit <code>] [--json|--csv]`:
 * the credit liability roll-forward over [from, to). Exit 0, or 2 for usage and unreadable databases
 * (one line per problem on stderr).
 */
export function runLiabilityReport(ctx: { io: CliIo; now: number }, options: LiabilityCommandOptions): number | Promise<number> {
  const view = liabilityViewOrExit(ctx, options);
  if (typeof view === 'number') return view;
  const { io } = ctx;
  if (options.json) io.out(JSON.stringify(view, null, 2) + '\n');
  else if (options.csv) io.out(liabilityReportCsv(view));
  else io.out(liabilityText(view));
  if (options.xlsx === undefined) return 0;
  const path = options.xlsx;
  return liabilityXlsx(view).then((buffer) => {
    try {
      writeFileSync(path, buffer);
    } catch (error) {
      io.err(`--xlsx: cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})\n`);
      return 2;
    }
    io.err(`wrote the liability report to ${path}\n`);
    return 0;
  });
}

/**
 * `ledgerscope report journal --db <path> --from <instant> --to <instant> [--unit <code>] [--csv]`: the
 * deferred revenue / breakage journal of the period (date, account, debit, credit, memo), with the account
 * names set in Settings (the settings file of the config directory; defaults otherwise).
 */
export function runJournalReport(ctx: { io: CliIo; now: number }, options: LiabilityCommandOptions, env: NodeJS.ProcessEnv = process.env): number {
  if (options.json) {
    ctx.io.err('report journal: --json is not a journal layout; use --csv or the default table\n');
    return 2;
  }
  const view = liabilityViewOrExit(ctx, { ...options, csv: false });
  if (typeof view === 'number') return view;
  const accounts: JournalAccountNames = new Settings(new SettingsFile(join(defaultConfigDir(env), 'settings.json')), environmentKeys(env)).journalAccounts();
  const lines = journalLines(view, accounts);
  if (options.csv) ctx.io.out(journalCsv(lines));
  else if (lines.length === 0) ctx.io.out(`no purchase, consumption, expiry or refund with a value in [${view.from}, ${view.to})\n`);
  else ctx.io.out(textTable([...JOURNAL_COLUMNS], lines.map((line) => [line.date, line.account, line.debit, line.credit, line.memo])));
  return 0;
}

function liabilityViewOrExit(ctx: { io: CliIo; now: number }, options: LiabilityCommandOptions): LiabilityReportView | number {
  const { io } = ctx;
  const problems: string[] = [];
  const from = instantOption('--from', options.from, problems);
  const to = instantOption('--to', options.to, problems);
  if (from !== null && to !== null && !(from < to)) problems.push(`--to: must be after --from (the period is [from, to)), found ${options.from} .. ${options.to}`);
  if (options.json && options.csv) problems.push('report liability: choose one of --json and --csv');
  const unit = options.unit === undefined ? undefined : normalizeUnit(options.unit);
  if (unit === '') problems.push('--unit: expected a unit code like USD or credits');
  if (problems.length > 0 || from === null || to === null) {
    for (const problem of problems) io.err(`${problem}\n`);
    return 2;
  }
  let view: LiabilityReportView;
  try {
    const db = openLedgerDb(options.db, { create: false, readOnly: true });
    try {
      view = liabilityReportView(liabilityReportFromDb(db, { from, to, unit }));
    } finally {
      db.close();
    }
  } catch (error) {
    if (error instanceof LedgerDbError) {
      io.err(`${error.message}\n`);
      return 2;
    }
    if (error instanceof LedgerRuleError) {
      io.err(`customer ${error.entry.customerId}: entry ${error.entry.sourceId} breaks ${error.rule}: ${error.field}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  return view;
}

function instantOption(name: string, value: string, problems: string[]): Instant | null {
  try {
    return parseInstant(value);
  } catch (error) {
    problems.push(`${name}: ${(error as Error).message}`);
    return null;
  }
}

const LABELS: Record<(typeof MOVEMENT_LINES)[number], string> = {
  purchased: 'purchased',
  purchased_cost_unknown: 'purchased (cost basis unknown)',
  promotional: 'promotional granted',
  consumed: 'consumed',
  deficit_repaid: 'deficit repaid (value only)',
  expired: 'expired (breakage)',
  voided: 'voided',
  refunded: 'refunded',
  adjusted: 'adjusted',
  scheduled: 'scheduled (purchased, not yet usable)',
};

/** Per unit: the roll-forward (credits, value at cost basis, entries); then one row per account. */
export function liabilityText(view: LiabilityReportView): string {
  let out = `credit liability for [${view.from}, ${view.to})${view.unit === null ? '' : ` in ${view.unit}`}\n`;
  if (view.totals.length === 0) return out + 'no account held credit or moved in this period\n';
  for (const total of view.totals) {
    out += `\n${total.unit}: ${total.accounts} ${total.accounts === 1 ? 'account' : 'accounts'}\n`;
    const rows: (string | null)[][] = [['opening balance', total.opening_balance.credits, total.opening_balance.value, null]];
    for (const name of MOVEMENT_LINES) rows.push([LABELS[name], total[name].credits, total[name].value, String(total[name].entry_count)]);
    rows.push(['closing balance', total.closing_balance.credits, total.closing_balance.value, null]);
    out += textTable(['line', 'credits', 'value', 'entries'], rows);
    out += `consumed without a block (deficit, valued at 0): ${total.consumed_uncovered_credits}; deficit at close: ${total.closing_balance.deficit}\n`;
    if (!(total.opening_balance.scheduled === '0' && total.closing_balance.scheduled === '0')) {
      out += `scheduled, not yet usable: opening ${total.opening_balance.scheduled} (value ${total.opening_balance.scheduled_value}), closing ${total.closing_balance.scheduled} (value ${total.closing_balance.scheduled_value})\n`;
    }
    if (total.pending_not_included.entry_count > 0) {
      const count = total.pending_not_included.entry_count;
      out += `pending, not included: ${total.pending_not_included.credits} (${count} ${count === 1 ? 'entry' : 'entries'})\n`;
    }
  }
  out += '\n' + textTable(
    ['customer', 'subscription', 'unit', 'opening', 'purchased', 'cost_unknown', 'promotional', 'consumed', 'expired', 'voided', 'refunded', 'adjusted', 'closing', 'closing_value', 'scheduled', 'closing_scheduled'],
    view.accounts.map((a) => [
      a.customer_id,
      a.subscription_id,
      a.unit,
      a.opening_balance.credits,
      a.purchased.credits,
      a.purchased_cost_unknown.credits,
      a.promotional.credits,
      a.consumed.credits,
      a.expired.credits,
      a.voided.credits,
      a.refunded.credits,
      a.adjusted.credits,
      a.closing_balance.credits,
      a.closing_balance.value,
      a.scheduled.credits,
      a.closing_balance.scheduled,
    ]),
  );
  return out;
}
