import { toCanonical } from '../money/decimal.js';
import { formatInstant } from '../time/instant.js';
import { csvRecord } from './csv-write.js';
import { MOVEMENT_LINES, type AccountRollForward, type BalancePoint, type LiabilityReport, type MovementLine, type UnitTotal } from './liability.js';

/*
 * Boundary views of the liability report: JSON (`report liability --json`) and CSV (`--csv`). Amounts are
 * canonical decimal strings; movement lines are signed, so opening + Σ lines = closing by plain addition.
 */

export interface BalanceView {
  credits: string;
  value: string;
  deficit: string;
  /** L3: purchased, not yet usable (not in credits or value). */
  scheduled: string;
  scheduled_value: string;
}

export interface TotalLineView {
  credits: string;
  value: string;
  entry_count: number;
}

export interface AccountLineView extends TotalLineView {
  entry_ids: string[];
}

type Lines<T> = Record<MovementLine, T>;

export type AccountReportView = {
  customer_id: string;
  subscription_id: string | null;
  unit: string;
  opening_balance: BalanceView;
  closing_balance: BalanceView;
  /** Magnitude of `consumed.credits` no block covered (it became deficit), valued at 0. */
  consumed_uncovered_credits: string;
  pending_not_included: AccountLineView;
} & Lines<AccountLineView>;

export type UnitTotalView = {
  unit: string;
  accounts: number;
  opening_balance: BalanceView;
  closing_balance: BalanceView;
  consumed_uncovered_credits: string;
  pending_not_included: TotalLineView;
} & Lines<TotalLineView>;

export interface LiabilityReportView {
  report: 'liability';
  from: string;
  to: string;
  unit: string | null;
  lines: readonly MovementLine[];
  totals: UnitTotalView[];
  accounts: AccountReportView[];
}

function balanceView(point: BalancePoint): BalanceView {
  return {
    credits: toCanonical(point.credits),
    value: toCanonical(point.value),
    deficit: toCanonical(point.deficit),
    scheduled: toCanonical(point.scheduled),
    scheduled_value: toCanonical(point.scheduledValue),
  };
}

function accountView(account: AccountRollForward): AccountReportView {
  const lines = {} as Lines<AccountLineView>;
  for (const name of MOVEMENT_LINES) {
    const line = account.lines[name];
    lines[name] = { credits: toCanonical(line.credits), value: toCanonical(line.value), entry_count: line.entryIds.length, entry_ids: line.entryIds };
  }
  return {
    customer_id: account.key.customerId,
    subscription_id: account.key.subscriptionId,
    unit: account.key.unit,
    opening_balance: balanceView(account.opening),
    ...lines,
    consumed_uncovered_credits: toCanonical(account.uncoveredConsumed),
    closing_balance: balanceView(account.closing),
    pending_not_included: {
      credits: toCanonical(account.pending.credits),
      value: '0',
      entry_count: account.pending.entryIds.length,
      entry_ids: account.pending.entryIds,
    },
  };
}

function totalView(total: UnitTotal): UnitTotalView {
  const lines = {} as Lines<TotalLineView>;
  for (const name of MOVEMENT_LINES) {
    const line = total.lines[name];
    lines[name] = { credits: toCanonical(line.credits), value: toCanonical(line.value), entry_count: line.entryCount };
  }
  return {
    unit: total.unit,
    accounts: total.accounts,
    opening_balance: balanceView(total.opening),
    ...lines,
    consumed_uncovered_credits: toCanonical(total.uncoveredConsumed),
    closing_balance: balanceView(total.closing),
    pending_not_included: { credits: toCanonical(total.pending.credits), value: '0', entry_count: total.pending.entryCount },
  };
}

export function liabilityReportView(report: LiabilityReport): LiabilityReportView {
  return {
    report: 'liability',
    from: formatInstant(report.from),
    to: formatInstant(report.to),
    unit: report.unit,
    lines: MOVEMENT_LINES,
    totals: report.totals.map(totalView),
    accounts: report.accounts.map(accountView),
  };
}

/** CSV columns: one row per account, then one `total` row per unit; entry ids are counted, not listed. */
export function liabilityCsvHeader(): string[] {
  const columns = ['row_type', 'customer_id', 'subscription_id', 'unit', 'accounts', 'opening_credits', 'opening_value', 'opening_deficit'];
  for (const name of MOVEMENT_LINES) columns.push(`${name}_credits`, `${name}_value`, `${name}_entries`);
  columns.push('consumed_uncovered_credits', 'closing_credits', 'closing_value', 'closing_deficit', 'pending_not_included_credits', 'pending_not_included_entries');
  columns.push('opening_scheduled', 'opening_scheduled_value', 'closing_scheduled', 'closing_scheduled_value');
  return columns;
}

function csvRow(
  rowType: 'account' | 'total',
  ids: [string | null, string | null],
  unit: string,
  accounts: number,
  view: { opening_balance: BalanceView; closing_balance: BalanceView; consumed_uncovered_credits: string; pending_not_included: TotalLineView } & Lines<TotalLineView>,
): (string | number | null)[] {
  const row: (string | number | null)[] = [rowType, ids[0], ids[1], unit, accounts, view.opening_balance.credits, view.opening_balance.value, view.opening_balance.deficit];
  for (const name of MOVEMENT_LINES) row.push(view[name].credits, view[name].value, view[name].entry_count);
  row.push(
    view.consumed_uncovered_credits,
    view.closing_balance.credits,
    view.closing_balance.value,
    view.closing_balance.deficit,
    view.pending_not_included.credits,
    view.pending_not_included.entry_count,
  );
  row.push(view.opening_balance.scheduled, view.opening_balance.scheduled_value, view.closing_balance.scheduled, view.closing_balance.scheduled_value);
  return row;
}

/** The CSV's rows (under liabilityCsvHeader): one per account, then one total per unit. */
export function liabilityTableRows(view: LiabilityReportView): (string | number | null)[][] {
  return [
    ...view.accounts.map((account) => csvRow('account', [account.customer_id, account.subscription_id], account.unit, 1, account)),
    ...view.totals.map((total) => csvRow('total', [null, null], total.unit, total.accounts, total)),
  ];
}

export function liabilityReportCsv(view: LiabilityReportView): string {
  let out = csvRecord(liabilityCsvHeader());
  for (const row of liabilityTableRows(view)) out += csvRecord(row);
  return out;
}
