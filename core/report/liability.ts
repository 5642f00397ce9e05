import { ZERO, type Decimal } from '../money/decimal.js';
import { replayAccount } from '../ledger/replay.js';
import type { AccountKey, AccountState, BlockState, Effect, LedgerEntry, ReplayedEntry } from '../ledger/types.js';
import type { Instant } from '../time/instant.js';

/*
 * Credit liability report: the roll-forward of prepaid credit over a period [from, to), per account and per
 * unit, in credits and valued at cost basis. Decisions (also in README's reference section):
 * - Period boundaries: "the balance at t" here is the balance just before instant t, so the opening balance
 *   is the closing balance of the previous period and an entry at exactly `from` is a movement of this
 *   period. Computed by replaying to `from − 1 ms` and `to − 1 ms` (instants are whole milliseconds).
 * - Posted only (L4): pending entries are not yet liability; they are listed on an informational
 *   `pending_not_included` line outside the roll-forward.
 * - Lines are signed: opening + Σ movements = closing, exactly, in credits and in value.
 * - purchased: increments with cost basis > 0; promotional: cost basis 0; purchased_cost_unknown: cost basis
 *   absent (a Moesif positive adjustment, an Orb increment without per_unit_cost_basis), valued at 0.
 * - Value = Σ credits × the cost basis of the block they sit in (absent = 0). Usage not covered by any block
 *   (deficit, L2) is consumed at value 0 (`uncovered_credits`); when a block later repays that deficit its
 *   value leaves on the `deficit_repaid` line (0 credits: the balance does not change).
 * - adjusted: amendments, expiration changes at net 0 (they move credit between blocks of one cost), and
 *   decrements that correct rather than use credit (a Moesif "adjustment", such as the reversal of a
 *   credit, and balancing adjustments posted here): usage is revenue, a correction is not.
 * - scheduled (L3): credit purchased but not yet usable (a block before its effective_at) is not in the
 *   balance's credits or value; it sits in the balance point's `scheduled`. Its purchase is on its
 *   purchase line as usual, and the `scheduled` line moves it out of the balance until it activates:
 *   opening.scheduled − closing.scheduled, in credits and value, so opening + movements = closing stays exact.
 */

export const MOVEMENT_LINES = [
  'purchased',
  'purchased_cost_unknown',
  'promotional',
  'consumed',
  'deficit_repaid',
  'expired',
  'voided',
  'refunded',
  'adjusted',
  'scheduled',
] as const;
export type MovementLine = (typeof MOVEMENT_LINES)[number];

export interface ReportPeriod {
  /** Inclusive start. */
  from: Instant;
  /** Exclusive end. */
  to: Instant;
  /**
   * A decrement that corrects rather than uses credit (a Moesif "adjustment", a balancing adjustment
   * posted here): it goes to `adjusted`, not `consumed`, which the journal would book as revenue.
   * Default: the balancing adjustments posted here (source "ledgerscope").
   */
  isCorrection?: ((entry: LedgerEntry) => boolean) | undefined;
}

/** A balancing adjustment posted from Ledgerscope corrects by definition; the provider's copy is told by its source type. */
export function postedHere(entry: LedgerEntry): boolean {
  return entry.source === 'ledgerscope';
}

export interface LiabilityOptions extends ReportPeriod {
  /** Only accounts of this unit (already normalised); absent: every unit, totals per unit. */
  unit?: string | undefined;
}

export interface BalancePoint {
  /** Posted usable balance: Σ remaining of posted, effective blocks − deficit (L3: scheduled credit excluded). */
  credits: Decimal;
  /** Σ remaining × cost basis of posted, effective blocks; the deficit is valued at 0. */
  value: Decimal;
  deficit: Decimal;
  /** L3: credit purchased but not yet usable: Σ remaining of posted blocks not yet effective. */
  scheduled: Decimal;
  /** Σ remaining × cost basis of those blocks. */
  scheduledValue: Decimal;
}

export interface LineTotal {
  credits: Decimal;
  value: Decimal;
  /** Source ids of the entries behind the line, in replay order, each once. */
  entryIds: string[];
}

export interface AccountRollForward {
  key: AccountKey;
  opening: BalancePoint;
  lines: Record<MovementLine, LineTotal>;
  /** The part of `consumed.credits` (a magnitude) no block covered: it became deficit. */
  uncoveredConsumed: Decimal;
  /** Informational, outside the roll-forward: signed sum of pending entries in the period. */
  pending: LineTotal;
  closing: BalancePoint;
}

/** Per-unit totals: the same lines summed over accounts, with entry counts instead of ids. */
export interface UnitTotal {
  unit: string;
  accounts: number;
  opening: BalancePoint;
  lines: Record<MovementLine, { credits: Decimal; value: Decimal; entryCount: number }>;
  uncoveredConsumed: Decimal;
  pending: { credits: Decimal; value: Decimal; entryCount: number };
  closing: BalancePoint;
}

export interface LiabilityReport {
  from: Instant;
  to: Instant;
  unit: string | null;
  /** Sorted by customer, subscription, unit. */
  accounts: AccountRollForward[];
  /** One per unit, sorted by unit: units are never added together. */
  totals: UnitTotal[];
}

/** The report does not tie out: a programmer error in the classification, never bad input. */
export class TieOutError extends Error {
  constructor(key: AccountKey | string, detail: string) {
    const where = typeof key === 'string' ? `unit ${key}` : `customer ${key.customerId} (${key.subscriptionId ?? 'no subscription'}, ${key.unit})`;
    super(`liability report does not tie out for ${where}: ${detail}`);
    this.name = 'TieOutError';
  }
}

function emptyLine(): LineTotal {
  return { credits: ZERO, value: ZERO, entryIds: [] };
}

function emptyLines(): Record<MovementLine, LineTotal> {
  const lines = {} as Record<MovementLine, LineTotal>;
  for (const name of MOVEMENT_LINES) lines[name] = emptyLine();
  return lines;
}

function costOf(block: BlockState | undefined): Decimal {
  return block?.costBasis ?? ZERO;
}

function balancePoint(state: AccountState): BalancePoint {
  let value = ZERO;
  let scheduledValue = ZERO;
  for (const block of state.blocks) {
    if (block.pending || block.costBasis === null || block.remaining.isZero()) continue;
    if (block.activated) value = value.plus(block.remaining.times(block.costBasis));
    else scheduledValue = scheduledValue.plus(block.remaining.times(block.costBasis));
  }
  return { credits: state.current, value, deficit: state.deficit, scheduled: state.scheduled, scheduledValue };
}

/** L3: the credit (and value) that is scheduled at opening but not at closing joins the balance; the reverse leaves it. */
function addScheduledLine(line: LineTotal, atOpening: AccountState, atClosing: AccountState, opening: BalancePoint, closing: BalancePoint): void {
  line.credits = opening.scheduled.minus(closing.scheduled);
  line.value = opening.scheduledValue.minus(closing.scheduledValue);
  const ids = new Set<string>();
  for (const state of [atOpening, atClosing]) {
    for (const block of state.blocks) if (!block.pending && !block.activated && !block.remaining.isZero()) ids.add(block.createdBy);
  }
  line.entryIds.push(...ids);
}

/** The line a posted entry's effects go to; repayments go to `deficit_repaid` whatever the entry. */
function lineOfEntry(entry: LedgerEntry, isCorrection: (entry: LedgerEntry) => boolean): MovementLine {
  switch (entry.kind) {
    case 'increment':
      if (entry.costBasis === null) return 'purchased_cost_unknown';
      return entry.costBasis.isZero() ? 'promotional' : 'purchased';
    case 'decrement':
      return isCorrection(entry) ? 'adjusted' : 'consumed';
    case 'void':
      return entry.voidReason === 'refund' ? 'refunded' : 'voided';
    case 'expiry':
      return 'expired';
    case 'amendment':
    case 'expiration_change':
      return 'adjusted';
  }
}

/**
 * Credits an effect adds to the posted balance (signed) and the value it adds. Effects on a pending
 * block change only the pending balance, so they count 0 here.
 */
function effectDelta(effect: Effect, block: BlockState | undefined): { credits: Decimal; value: Decimal } {
  if (effect.type === 'deficit') return { credits: effect.amount.negated(), value: ZERO };
  if (effect.type === 'pending' || block === undefined || block.pending) return { credits: ZERO, value: ZERO };
  const value = effect.amount.times(costOf(block));
  switch (effect.type) {
    case 'credit':
    case 'move_in':
    case 'amend':
      return { credits: effect.amount, value };
    case 'consume':
    case 'void':
    case 'expire':
    case 'move_out':
      return { credits: effect.amount.negated(), value: value.negated() };
    case 'repay':
      // Block → deficit: the balance is unchanged, the block's value leaves.
      return { credits: ZERO, value: value.negated() };
  }
}

function addId(line: LineTotal, id: string): void {
  if (line.entryIds[line.entryIds.length - 1] !== id) line.entryIds.push(id);
}

/** Signed amount of a pending entry (L4): what it adds to the pending balance. */
function pendingDelta(replayed: ReplayedEntry): Decimal {
  const kind = replayed.entry.kind;
  if (kind === 'expiration_change') return ZERO;
  return kind === 'increment' || kind === 'amendment' ? replayed.appliedAmount : replayed.appliedAmount.negated();
}

/**
 * One account's roll-forward over [from, to), or null when the account holds nothing and nothing
 * happened in the period. Throws LedgerRuleError (from replay) for entries that break a rule, and
 * TieOutError if the lines do not add up (a bug).
 */
export function accountRollForward(key: AccountKey, entries: readonly LedgerEntry[], period: ReportPeriod): AccountRollForward | null {
  if (!(period.from < period.to)) throw new RangeError('the period must have from < to');
  const atOpening = replayAccount(key, entries, { asOf: period.from - 1 });
  const atClosing = replayAccount(key, entries, { asOf: period.to - 1 });
  const blocks = new Map<string, BlockState>();
  for (const block of atClosing.blocks) blocks.set(block.id, block);

  const lines = emptyLines();
  const pending = emptyLine();
  let uncoveredConsumed = ZERO;
  /** Per block: consumed + repaid by effects in the period, to find repayments made at activation. */
  const drawnByEffects = new Map<string, Decimal>();
  let inPeriod = 0;

  for (const replayed of atClosing.entries) {
    const entry = replayed.entry;
    if (entry.at < period.from) continue;
    inPeriod++;
    if (entry.status === 'pending') {
      pending.credits = pending.credits.plus(pendingDelta(replayed));
      addId(pending, entry.sourceId);
      continue;
    }
    const lineName = lineOfEntry(entry, period.isCorrection ?? postedHere);
    const line = lines[lineName];
    addId(line, entry.sourceId);
    let entryCredits = ZERO;
    for (const effect of replayed.effects) {
      const block = effect.blockId === null ? undefined : blocks.get(effect.blockId);
      const delta = effectDelta(effect, block);
      entryCredits = entryCredits.plus(delta.credits);
      if (effect.type === 'consume' || effect.type === 'repay') {
        const id = effect.blockId as string;
        drawnByEffects.set(id, (drawnByEffects.get(id) ?? ZERO).plus(effect.amount));
      }
      if (effect.type === 'repay') {
        const repaid = lines.deficit_repaid;
        repaid.value = repaid.value.plus(delta.value);
        addId(repaid, entry.sourceId);
        continue;
      }
      if (effect.type === 'deficit' && lineName === 'consumed') uncoveredConsumed = uncoveredConsumed.plus(effect.amount);
      line.credits = line.credits.plus(delta.credits);
      line.value = line.value.plus(delta.value);
    }
    const balanceMoved = replayed.endingBalance.minus(replayed.startingBalance);
    if (!entryCredits.eq(balanceMoved)) {
      throw new TieOutError(key, `entry ${entry.sourceId} effects add ${entryCredits.toFixed()} but its balance moved ${balanceMoved.toFixed()}`);
    }
  }

  addActivationRepayments(lines.deficit_repaid, atOpening, atClosing, drawnByEffects);

  const opening = balancePoint(atOpening);
  const closing = balancePoint(atClosing);
  addScheduledLine(lines.scheduled, atOpening, atClosing, opening, closing);
  const rollForward: AccountRollForward = { key, opening, lines, uncoveredConsumed, pending, closing };
  assertTiesOut(key, rollForward);
  if (inPeriod === 0 && opening.credits.isZero() && closing.credits.isZero() && opening.value.isZero() && closing.value.isZero() && opening.scheduled.isZero() && closing.scheduled.isZero()) return null;
  return rollForward;
}

/**
 * A block that becomes active later than it was created repays the deficit at activation, and the
 * engine records no entry for that (the balance does not change). Its value still leaves the block:
 * found as consumed(to) − consumed(from) − what the period's effects consumed or repaid, and traced to
 * the entry that created the block.
 */
function addActivationRepayments(
  line: LineTotal,
  atOpening: AccountState,
  atClosing: AccountState,
  drawnByEffects: ReadonlyMap<string, Decimal>,
): void {
  const consumedAtOpening = new Map<string, Decimal>();
  for (const block of atOpening.blocks) consumedAtOpening.set(block.id, block.consumed);
  for (const block of atClosing.blocks) {
    if (block.pending) continue;
    const repaid = block.consumed.minus(consumedAtOpening.get(block.id) ?? ZERO).minus(drawnByEffects.get(block.id) ?? ZERO);
    if (repaid.isZero()) continue;
    if (repaid.isNegative()) throw new TieOutError(atClosing.key, `block ${block.id} consumed less than its effects say`);
    line.value = line.value.minus(repaid.times(costOf(block)));
    addId(line, block.createdBy);
  }
}

function assertTiesOut(key: AccountKey, account: AccountRollForward): void {
  let credits = account.opening.credits;
  let value = account.opening.value;
  for (const name of MOVEMENT_LINES) {
    credits = credits.plus(account.lines[name].credits);
    value = value.plus(account.lines[name].value);
  }
  if (!credits.eq(account.closing.credits)) {
    throw new TieOutError(key, `opening ${account.opening.credits.toFixed()} + movements = ${credits.toFixed()} credits, closing is ${account.closing.credits.toFixed()}`);
  }
  if (!value.eq(account.closing.value)) {
    throw new TieOutError(key, `opening value ${account.opening.value.toFixed()} + movements = ${value.toFixed()}, closing value is ${account.closing.value.toFixed()}`);
  }
  if (!account.lines.deficit_repaid.credits.isZero()) throw new TieOutError(key, 'deficit repayment moved credits');
}
