import { Decimal, toCanonical } from '../money/decimal.js';
import { formatInstant } from '../time/instant.js';
import { csvRecord } from './csv-write.js';
import type { LiabilityReportView, UnitTotalView } from './liability-view.js';

/*
 * The deferred revenue / breakage journal a controller posts from the liability roll-forward (issue 13),
 * in the layout accounting tools import: date, account, debit, credit, memo. One balanced pair of lines
 * per movement and unit, valued at cost basis (the roll-forward's `value`). Decisions written down here:
 * - Dated the period's last day (the day before `to`, UTC): a month-end journal.
 * - purchased: Dr cash, Cr deferred revenue. consumed: Dr deferred revenue, Cr revenue. expired
 *   (breakage): Dr deferred revenue, Cr breakage. refunded: Dr deferred revenue, Cr cash. Promotional
 *   credits have value 0 and post nothing; voided and adjusted movements are left to the controller
 *   (their accounting depends on why).
 * - The unit is in the memo: a custom unit's value is money at its cost basis.
 */

export interface JournalAccountNames {
  cash: string;
  deferred_revenue: string;
  revenue: string;
  breakage: string;
}

export interface JournalLine {
  date: string;
  account: string;
  debit: string;
  credit: string;
  memo: string;
}

type Movement = 'purchased' | 'consumed' | 'expired' | 'refunded';

const POSTINGS: { line: Movement; label: string; debit: keyof JournalAccountNames; credit: keyof JournalAccountNames }[] = [
  { line: 'purchased', label: 'credits purchased', debit: 'cash', credit: 'deferred_revenue' },
  { line: 'consumed', label: 'credits consumed', debit: 'deferred_revenue', credit: 'revenue' },
  { line: 'expired', label: 'credits expired (breakage)', debit: 'deferred_revenue', credit: 'breakage' },
  { line: 'refunded', label: 'credits refunded', debit: 'deferred_revenue', credit: 'cash' },
];

/** The journal lines of a liability report, per unit in the report's order. */
export function journalLines(view: LiabilityReportView, accounts: JournalAccountNames): JournalLine[] {
  const date = formatInstant(Date.parse(view.to) - 1).slice(0, 10);
  const lines: JournalLine[] = [];
  for (const total of view.totals) {
    for (const posting of POSTINGS) {
      const value = movementValue(total, posting.line);
      if (value.isZero()) continue;
      // Positive in the line's usual direction; the other sign (a correction) swaps the sides.
      const [debit, credit] = value.gt(0) ? [posting.debit, posting.credit] : [posting.credit, posting.debit];
      const amount = toCanonical(value.abs());
      const memo = `${posting.label}, ${total.unit}, ${view.from} to ${view.to}`;
      lines.push({ date, account: accounts[debit], debit: amount, credit: '', memo });
      lines.push({ date, account: accounts[credit], debit: '', credit: amount, memo });
    }
  }
  return lines;
}

function movementValue(total: UnitTotalView, line: Movement): Decimal {
  const value = new Decimal(total[line].value);
  // purchased_cost_unknown has no value to post; consumed, expired and refunded are negative movements.
  return line === 'purchased' ? value : value.neg();
}

export const JOURNAL_COLUMNS = ['date', 'account', 'debit', 'credit', 'memo'] as const;

export function journalCsv(lines: readonly JournalLine[]): string {
  let out = csvRecord(JOURNAL_COLUMNS);
  for (const line of lines) out += csvRecord([line.date, line.account, line.debit, line.credit, line.memo]);
  return out;
}
