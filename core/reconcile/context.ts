import { Decimal, ZERO } from '../money/decimal.js';
import { stripeCurrencyExponent } from '../money/stripe-minor-units.js';
import { isIsoCurrency } from '../money/units.js';
import { compareAccountKeys, compareText } from '../ledger/account-key.js';
import type { Instant } from '../time/instant.js';
import { linkCustomers, type CustomerLinker } from './customers.js';
import { collectLedgerSide, ONE, type LedgerAccountInfo, type LedgerCandidate, type LedgerSide } from './ledger-side.js';
import { collectStripeMoney, type MoneyGroup, type MoneyReversal, type StripeMoney } from './payments.js';
import { DAY_MS } from './settings.js';
import type { AdjustmentEntry } from './ledger-side.js';
import type { EntryRef, ItemAccount, ItemCategory, Proposal, ReconcileInput, ReconcileItem, ReconcileSettings } from './types.js';

/** Derived credit amounts (money ÷ a cost basis that does not divide it) keep this many decimals. */
export const DERIVED_DECIMALS = 12;


/** Shared by items that have none (most): never written to. */
const NONE: readonly never[] = Object.freeze([]);

/** What a stage says about a new item. */
export interface NewItem {
  id: string;
  category: ItemCategory;
  account: ItemAccount;
  /** Ledger account index, or -1 for an account the ledger does not have. */
  accountIndex: number;
  groups: number[];
  reversals: number[];
  candidates: number[];
  /** Extra Stripe ids shown as evidence (a duplicate credit names the payment it repeats). */
  evidenceIds?: string[];
  /** Entries that are the item's subject without being candidates (an adjustment that settles nothing). */
  extraEntries?: EntryRef[];
  expected: Decimal;
  actual: Decimal;
  at: Instant;
  note: string;
  /** Money per unit of credit for this item (converts Stripe amounts into the account's unit). */
  rate: Decimal;
  /** A block a balancing removal should void from (the credit's own block). */
  removeFromBlock: string | null;
  /** A block a balancing addition should amend (a block that a reversal took credit from). */
  restoreToBlock: string | null;
  voidReason: string | null;
}

/**
 * An item: built by the stages, completed by `finish` into the ReconcileItem it also is (one class, so
 * every item has the same shape and none is copied). The fields after `voidReason` are for the stages only.
 */
export class DraftItem implements ReconcileItem {
  readonly id: string;
  category: ItemCategory;
  readonly account: ItemAccount;
  readonly accountIndex: number;
  readonly groups: number[];
  readonly reversals: number[];
  readonly candidates: number[];
  readonly evidenceIds: readonly string[];
  readonly extraEntries: readonly EntryRef[];
  expected: Decimal;
  actual: Decimal;
  readonly at: Instant;
  note: string;
  readonly rate: Decimal;
  readonly removeFromBlock: string | null;
  readonly restoreToBlock: string | null;
  readonly voidReason: string | null;
  /** Posted adjustments that settle this item: counted in `actual`. */
  adjustmentEntries: readonly AdjustmentEntry[] = NONE;
  // Completed by finish():
  paymentIds: string[] = NONE as never[];
  entries: EntryRef[] = NONE as never[];
  difference: Decimal = ZERO;
  adjustments: EntryRef[] = NONE as never[];
  settled = false;
  proposal: Proposal | null = null;
  /** A stage changed it after it was added: finish() describes it again. */
  dirty = false;

  constructor(
    readonly index: number,
    fields: NewItem,
  ) {
    this.id = fields.id;
    this.category = fields.category;
    this.account = fields.account;
    this.accountIndex = fields.accountIndex;
    this.groups = fields.groups;
    this.reversals = fields.reversals;
    this.candidates = fields.candidates;
    this.evidenceIds = fields.evidenceIds ?? NONE;
    this.extraEntries = fields.extraEntries ?? NONE;
    this.expected = fields.expected;
    this.actual = fields.actual;
    this.at = fields.at;
    this.note = fields.note;
    this.rate = fields.rate;
    this.removeFromBlock = fields.removeFromBlock;
    this.restoreToBlock = fields.restoreToBlock;
    this.voidReason = fields.voidReason;
  }
}

/** Everything the stages share: inputs indexed, and the items built so far. */
export class Reconciliation {
  readonly money: StripeMoney;
  readonly ledger: LedgerSide;
  readonly windowMs: number;
  readonly tolerance: Decimal;
  readonly linkCustomer: CustomerLinker;
  readonly items: DraftItem[] = [];
  /** Money group indices by time, then representative id (the order every stage takes them in). */
  readonly groupsInTime: number[];

  /** Item index of each money group and each reversal (-1: not placed yet). */
  readonly groupItem: Int32Array;
  readonly reversalItem: Int32Array;
  /** Ledger accounts by ledger customer id, in account-key order. */
  private readonly accountsByCustomer = new Map<string, LedgerAccountInfo[]>();

  constructor(
    readonly input: ReconcileInput,
    readonly settings: ReconcileSettings,
  ) {
    this.money = collectStripeMoney(input.payments, input.asOf);
    // Usage decrements only matter when Stripe took money back (they may be its reversal).
    this.ledger = collectLedgerSide(input.ledger, input.asOf, input.adjustments ?? [], this.money.reversals.length > 0);
    this.groupsInTime = this.money.groups
      .map((group) => group.index)
      .sort((a, b) => this.group(a).at - this.group(b).at || compareText(this.group(a).rep.sourceId, this.group(b).rep.sourceId));
    this.windowMs = settings.dateWindowDays * DAY_MS;
    this.tolerance = settings.amountTolerance;
    this.groupItem = new Int32Array(this.money.groups.length).fill(-1);
    this.reversalItem = new Int32Array(this.money.reversals.length).fill(-1);
    for (const account of this.ledger.accounts) {
      const list = this.accountsByCustomer.get(account.key.customerId);
      if (list === undefined) this.accountsByCustomer.set(account.key.customerId, [account]);
      else list.push(account);
    }
    for (const list of this.accountsByCustomer.values()) list.sort((a, b) => compareAccountKeys(a.key, b.key));
    this.linkCustomer = linkCustomers(
      input.customerLinks,
      [...this.accountsByCustomer].map(([customerId, accounts]) => ({
        customerId,
        externalIds: accounts.flatMap((account) => [...account.externalIds]),
      })),
    );
  }

  group(index: number): MoneyGroup {
    return this.money.groups[index]!;
  }

  reversal(index: number): MoneyReversal {
    return this.money.reversals[index]!;
  }

  candidate(index: number): LedgerCandidate {
    return this.ledger.candidates[index]!;
  }

  ledgerCustomerOf(candidate: LedgerCandidate): string {
    return this.ledger.accounts[candidate.account]!.key.customerId;
  }

  /** |a − b| ≤ tolerance, the tolerance (in credits) turned into money at `rate`. */
  moneyClose(a: Decimal, b: Decimal, rate: Decimal): boolean {
    if (this.tolerance.isZero()) return sameDecimal(a, b);
    return a.minus(b).abs().lte(this.tolerance.times(rate));
  }

  /** Within the date window of `at`. */
  inWindow(at: Instant, other: Instant): boolean {
    return Math.abs(at - other) <= this.windowMs;
  }

  /**
   * "×10^e" or "÷10^e" when `credited` is `paid` scaled by Stripe's minor-unit exponent for the currency (cents
   * credited as dollars, or the other way round); null otherwise.
   */
  unitErrorFactor(credited: Decimal, paid: Decimal, currency: string, rate: Decimal): string | null {
    if (!isIsoCurrency(currency)) return null;
    const exponent = stripeCurrencyExponent(currency);
    if (exponent === 0) return null;
    const scale = new Decimal(10).pow(exponent);
    if (this.moneyClose(credited, paid.times(scale), rate)) return `×${scale.toFixed()}`;
    if (this.moneyClose(credited, paid.div(scale), rate)) return `÷${scale.toFixed()}`;
    return null;
  }

  /**
   * The account a payment with no credit belongs to: the customer's account in the payment's currency
   * (no subscription first), else the customer's first custom-unit account, else an account the ledger
   * does not have yet: (customer, no subscription, currency).
   */
  accountForMoney(ledgerCustomerId: string | null, currency: string): { account: ItemAccount; accountIndex: number; rate: Decimal } {
    const accounts = ledgerCustomerId === null ? undefined : this.accountsByCustomer.get(ledgerCustomerId);
    const chosen =
      accounts?.find((account) => account.key.unit === currency) ??
      accounts?.find((account) => !isIsoCurrency(account.key.unit));
    if (chosen !== undefined) return { account: chosen.itemAccount, accountIndex: chosen.index, rate: chosen.referenceRate };
    return { account: { customerId: ledgerCustomerId, subscriptionId: null, unit: currency }, accountIndex: -1, rate: ONE };
  }

  accountOfCandidate(candidate: LedgerCandidate): { account: ItemAccount; accountIndex: number } {
    const info = this.ledger.accounts[candidate.account]!;
    return { account: info.itemAccount, accountIndex: info.index };
  }

  /** Money → the account's unit at `rate`: exact when the rate divides it, else DERIVED_DECIMALS places. */
  toUnits(money: Decimal, rate: Decimal): Decimal {
    if (rate === ONE || rate.eq(ONE)) return money;
    const units = money.div(rate);
    return units.decimalPlaces() > DERIVED_DECIMALS ? units.toDecimalPlaces(DERIVED_DECIMALS, Decimal.ROUND_HALF_EVEN) : units;
  }

  /** Adds an item; claims its groups, reversals and candidates (each may end in one item only). */
  addItem(fields: NewItem): DraftItem {
    const index = this.items.length;
    // Ids are unique by construction: an item is named after a payment group, refund, dispute or entry
    // that it claims below, and each can be claimed once (the claims assert it).
    const item = new DraftItem(index, fields);
    for (const group of item.groups) this.claim(this.groupItem, group, index, 'payment group');
    for (const reversal of item.reversals) this.claim(this.reversalItem, reversal, index, 'refund or dispute');
    for (const candidate of item.candidates) {
      const entry = this.candidate(candidate);
      if (entry.item !== -1) throw new Error(`reconcile: entry ${entry.ref.sourceId} placed in two items`);
      entry.item = index;
    }
    this.describe(item);
    this.items.push(item);
    return item;
  }

  /**
   * Fills the item's payment ids, entries and difference from what it holds. Done when it is added,
   * while it is a young object (writing new arrays into old objects costs the GC), and again at the
   * end for the few items a later stage changed (`dirty`).
   */
  describe(item: DraftItem): void {
    // Indexed loops: this runs once per item, and most of these lists are empty.
    const paymentIds: string[] = item.groups.length === 1 ? this.groupIds(item.groups[0]!) : [];
    if (item.groups.length > 1) for (let i = 0; i < item.groups.length; i++) paymentIds.push(...this.groupIds(item.groups[i]!));
    for (let i = 0; i < item.reversals.length; i++) paymentIds.push(this.reversal(item.reversals[i]!).id);
    for (let i = 0; i < item.evidenceIds.length; i++) paymentIds.push(item.evidenceIds[i]!);
    const adjustments = item.adjustmentEntries.length === 0 ? (NONE as never[]) : item.adjustmentEntries.map((adjustment) => adjustment.ref);
    const entries = this.entryRefs(item.candidates);
    for (let i = 0; i < item.extraEntries.length; i++) entries.push(item.extraEntries[i]!);
    for (let i = 0; i < adjustments.length; i++) entries.push(adjustments[i]!);
    item.paymentIds = paymentIds;
    item.entries = entries;
    item.adjustments = adjustments;
    item.difference = sameDecimal(item.actual, item.expected) ? ZERO : item.actual.minus(item.expected);
    item.dirty = false;
  }

  /** Adds a reversal or candidate to an existing item (a refund absorbed by its unpaid payment's item). */
  absorb(item: DraftItem, parts: { reversals?: number[]; candidates?: number[] }): void {
    item.dirty = true;
    for (const reversal of parts.reversals ?? []) {
      this.claim(this.reversalItem, reversal, item.index, 'refund or dispute');
      item.reversals.push(reversal);
    }
    for (const candidate of parts.candidates ?? []) {
      const entry = this.candidate(candidate);
      if (entry.item !== -1) throw new Error(`reconcile: entry ${entry.ref.sourceId} placed in two items`);
      entry.item = item.index;
      item.candidates.push(candidate);
    }
  }

  private claim(owners: Int32Array, index: number, item: number, what: string): void {
    if (owners[index] !== -1) throw new Error(`reconcile: ${what} ${index} placed in two items`);
    owners[index] = item;
  }

  groupIds(group: number): string[] {
    const records = this.group(group).records;
    return records.length === 1 ? [records[0]!.sourceId] : records.map((record) => record.sourceId);
  }

  entryRefs(candidates: readonly number[]): EntryRef[] {
    const refs = new Array<EntryRef>(candidates.length);
    for (let i = 0; i < candidates.length; i++) refs[i] = this.candidate(candidates[i]!).ref;
    return refs;
  }

  sumAmounts(candidates: readonly number[]): Decimal {
    if (candidates.length === 1) return this.candidate(candidates[0]!).amount;
    let total = ZERO;
    for (const index of candidates) total = total.plus(this.candidate(index).amount);
    return total;
  }

  sumValues(candidates: readonly number[]): Decimal {
    if (candidates.length === 1) return this.candidate(candidates[0]!).value;
    let total = ZERO;
    for (const index of candidates) total = total.plus(this.candidate(index).value);
    return total;
  }
}

export function paymentItemId(stripeId: string): string {
  return `payment:${stripeId}`;
}

export function entryItemId(ref: EntryRef): string {
  return `entry:${ref.source}:${ref.sourceId}`;
}

/** Entries in replay order: by time, then ingestion order. */
export function compareCandidates(a: LedgerCandidate, b: LedgerCandidate): number {
  return a.at - b.at || a.entry.ordinal - b.entry.ordinal || a.index - b.index;
}

/**
 * a = b without allocating (decimal.js's eq copies its argument): compares the sign, exponent and
 * digit words decimal.js declares (d, e, s). Both are normalised by decimal.js, so equal values have
 * equal representations.
 */
export function sameDecimal(a: Decimal, b: Decimal): boolean {
  if (a === b) return true;
  if (a.s !== b.s || a.e !== b.e) return false;
  const x = a.d;
  const y = b.d;
  if (x === null || y === null || x === undefined || y === undefined) return a.eq(b);
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
