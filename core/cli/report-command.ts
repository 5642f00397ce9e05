import { normalizeUnit } from '../money/units.js';
import { LedgerRuleError } from '../ledger/types.js';
import {
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
}

/**
 * `ledgerscope report liability --db <path> --from <instant> --to <instant> [--unit <code>] [--json|--csv]`:
 * the credit liability roll-forward over [from, to). Exit 0, or 2 for usage and unreadable databases
 * (one line per problem on stderr).
 */
export function runLiabilityReport(ctx: { io: CliIo; now: number }, options: LiabilityCommandOptions): number {
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
  if (options.json) io.out(JSON.stringify(view, null, 2) + '\n');
  else if (options.csv) io.out(liabilityReportCsv(view));
  else io.out(liabilityText(view));
  return 0;
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
