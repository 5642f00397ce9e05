import { ZERO } from '../money/decimal.js';
import { compareAccountKeys, compareText } from '../ledger/account-key.js';
import type { AccountKey, LedgerEntry } from '../ledger/types.js';
import {
  accountRollForward,
  MOVEMENT_LINES,
  TieOutError,
  type AccountRollForward,
  type BalancePoint,
  type LiabilityOptions,
  type LiabilityReport,
  type UnitTotal,
} from './liability.js';

/**
 * Accumulates accounts one at a time (the store streams them) into the report; `finish` sorts, totals
 * per unit and checks that the totals tie out too.
 */
export class LiabilityReportBuilder {
  private readonly accounts: AccountRollForward[] = [];

  constructor(private readonly options: LiabilityOptions) {
    if (!(options.from < options.to)) throw new RangeError('the period must have from < to');
  }

  add(key: AccountKey, entries: readonly LedgerEntry[]): void {
    if (this.options.unit !== undefined && key.unit !== this.options.unit) return;
    const account = accountRollForward(key, entries, this.options);
    if (account !== null) this.accounts.push(account);
  }

  finish(): LiabilityReport {
    const accounts = [...this.accounts].sort((a, b) => compareAccountKeys(a.key, b.key));
    const byUnit = new Map<string, UnitTotal>();
    for (const account of accounts) {
      let total = byUnit.get(account.key.unit);
      if (total === undefined) {
        total = emptyTotal(account.key.unit);
        byUnit.set(account.key.unit, total);
      }
      addToTotal(total, account);
    }
    const totals = [...byUnit.values()].sort((a, b) => compareText(a.unit, b.unit));
    for (const total of totals) assertTotalTiesOut(total);
    return { from: this.options.from, to: this.options.to, unit: this.options.unit ?? null, accounts, totals };
  }
}

function zeroPoint(): BalancePoint {
  return { credits: ZERO, value: ZERO, deficit: ZERO, scheduled: ZERO, scheduledValue: ZERO };
}

function addPoint(a: BalancePoint, b: BalancePoint): BalancePoint {
  return {
    credits: a.credits.plus(b.credits),
    value: a.value.plus(b.value),
    deficit: a.deficit.plus(b.deficit),
    scheduled: a.scheduled.plus(b.scheduled),
    scheduledValue: a.scheduledValue.plus(b.scheduledValue),
  };
}

function emptyTotal(unit: string): UnitTotal {
  const lines = {} as UnitTotal['lines'];
  for (const name of MOVEMENT_LINES) lines[name] = { credits: ZERO, value: ZERO, entryCount: 0 };
  return {
    unit,
    accounts: 0,
    opening: zeroPoint(),
    lines,
    uncoveredConsumed: ZERO,
    pending: { credits: ZERO, value: ZERO, entryCount: 0 },
    closing: zeroPoint(),
  };
}

function addToTotal(total: UnitTotal, account: AccountRollForward): void {
  total.accounts++;
  total.opening = addPoint(total.opening, account.opening);
  total.closing = addPoint(total.closing, account.closing);
  for (const name of MOVEMENT_LINES) {
    const line = total.lines[name];
    const add = account.lines[name];
    line.credits = line.credits.plus(add.credits);
    line.value = line.value.plus(add.value);
    line.entryCount += add.entryIds.length;
  }
  total.uncoveredConsumed = total.uncoveredConsumed.plus(account.uncoveredConsumed);
  total.pending.credits = total.pending.credits.plus(account.pending.credits);
  total.pending.entryCount += account.pending.entryIds.length;
}

function assertTotalTiesOut(total: UnitTotal): void {
  let credits = total.opening.credits;
  let value = total.opening.value;
  for (const name of MOVEMENT_LINES) {
    credits = credits.plus(total.lines[name].credits);
    value = value.plus(total.lines[name].value);
  }
  if (!credits.eq(total.closing.credits) || !value.eq(total.closing.value)) {
    throw new TieOutError(total.unit, `opening + movements = ${credits.toFixed()} (value ${value.toFixed()}), closing ${total.closing.credits.toFixed()} (value ${total.closing.value.toFixed()})`);
  }
}

/** The report over in-memory accounts: pure, the same answer for the same input (I3). */
export function liabilityReport(
  accounts: Iterable<{ key: AccountKey; entries: readonly LedgerEntry[] }>,
  options: LiabilityOptions,
): LiabilityReport {
  const builder = new LiabilityReportBuilder(options);
  for (const account of accounts) builder.add(account.key, account.entries);
  return builder.finish();
}

