import { Decimal, toCanonical } from '../money/decimal.js';
import { stripeCurrencyExponent } from '../money/stripe-minor-units.js';
import { isIsoCurrency } from '../money/units.js';
import { compareCandidates, paymentItemId, type Reconciliation } from './context.js';
import type { MoneyStatus } from './payments.js';
import type { ItemCategory } from './types.js';

/*
 * Stage 2, customer + unit + amount within the date window. Free credits go into buckets keyed by
 * (ledger customer, currency or "*" for a custom unit, canonical money value), each sorted by time.
 * Payments are taken in time order and each takes the earliest free credit of its bucket inside its
 * window: with windows of equal width that greedy choice pairs as many as any choice could, and a
 * bucket's cursor only moves forward, so the stage is O(n log n) overall.
 * Succeeded payments go first (they deserve the credit), then pending, then failed ones (a failed
 * payment that finds a credit is credited_but_payment_failed). Then, for what is left: a tolerance pass
 * (only when a tolerance is set) and a unit-error pass (credit = payment × or ÷ 10^exponent).
 */

interface Bucket {
  list: number[];
  cursor: number;
  pass: number;
}

const SEPARATOR = '\u001f';
/** Tolerance pass: candidates looked at per payment (a bound on the loop). */
const TOLERANCE_SCAN_LIMIT = 64;

export function matchFuzzy(ctx: Reconciliation): void {
  const lists = new Map<string, number[]>();
  for (const credit of ctx.ledger.candidates) {
    if (credit.role !== 'credit' || credit.item !== -1) continue;
    const key = ctx.ledgerCustomerOf(credit) + SEPARATOR + credit.currencyKey + SEPARATOR + toCanonical(credit.value);
    const list = lists.get(key);
    if (list === undefined) lists.set(key, [credit.index]);
    else list.push(credit.index);
  }
  const buckets = new Map<string, Bucket>();
  for (const [key, list] of lists) buckets.set(key, { list: inTimeOrder(ctx, list), cursor: 0, pass: 0 });
  const order = ctx.groupsInTime;

  let pass = 0;
  const take = (key: string, at: number): number => {
    const bucket = buckets.get(key);
    if (bucket === undefined) return -1;
    if (bucket.pass !== pass) {
      bucket.pass = pass;
      bucket.cursor = 0;
    }
    const low = at - ctx.windowMs;
    while (bucket.cursor < bucket.list.length) {
      const candidate = ctx.candidate(bucket.list[bucket.cursor]!);
      if (candidate.item === -1 && candidate.at >= low) break;
      bucket.cursor++;
    }
    if (bucket.cursor >= bucket.list.length) return -1;
    const found = bucket.list[bucket.cursor]!;
    return ctx.candidate(found).at <= at + ctx.windowMs ? found : -1;
  };

  const statuses: MoneyStatus[] = ['succeeded', 'pending', 'failed'];
  for (const status of statuses) {
    pass++;
    for (const g of order) {
      const group = ctx.group(g);
      if (group.status !== status || ctx.groupItem[g] !== -1) continue;
      const customer = ctx.linkCustomer(group.stripeCustomerId);
      if (customer === null) continue;
      const amount = toCanonical(group.amount);
      let found = take(customer + SEPARATOR + group.currency + SEPARATOR + amount, group.at);
      if (found === -1) found = take(customer + SEPARATOR + '*' + SEPARATOR + amount, group.at);
      if (found === -1) continue;
      const credit = ctx.candidate(found);
      const category: ItemCategory =
        status === 'failed' ? 'credited_but_payment_failed' : status === 'pending' || credit.pending ? 'pending' : 'matched_fuzzy';
      addPair(ctx, g, found, category, `same customer, unit and amount within ${ctx.settings.dateWindowDays} days`);
    }
  }

  if (!ctx.tolerance.isZero()) matchWithinTolerance(ctx, order);

  pass++;
  for (const g of order) {
    const group = ctx.group(g);
    if (group.status !== 'succeeded' || ctx.groupItem[g] !== -1 || !isIsoCurrency(group.currency)) continue;
    const exponent = stripeCurrencyExponent(group.currency);
    const customer = ctx.linkCustomer(group.stripeCustomerId);
    if (exponent === 0 || customer === null) continue;
    const scale = new Decimal(10).pow(exponent);
    const prefix = customer + SEPARATOR + group.currency + SEPARATOR;
    for (const [scaled, factor] of [[group.amount.times(scale), `×${scale.toFixed()}`], [group.amount.div(scale), `÷${scale.toFixed()}`]] as const) {
      const found = take(prefix + toCanonical(scaled), group.at);
      if (found === -1) continue;
      addPair(ctx, g, found, 'unit_error', `same customer within ${ctx.settings.dateWindowDays} days, credited ${factor} the amount paid (minor vs major units)`);
      break;
    }
  }
}

function addPair(ctx: Reconciliation, g: number, c: number, category: ItemCategory, note: string): void {
  const group = ctx.group(g);
  const credit = ctx.candidate(c);
  const { account, accountIndex } = ctx.accountOfCandidate(credit);
  ctx.addItem({
    id: paymentItemId(group.rep.sourceId),
    category,
    account,
    accountIndex,
    groups: [g],
    reversals: [],
    candidates: [c],
    expected: category === 'credited_but_payment_failed' ? new Decimal(0) : ctx.toUnits(group.amount, credit.rate),
    actual: credit.amount,
    at: group.at,
    note,
    rate: credit.rate,
    removeFromBlock: credit.blockId,
    restoreToBlock: null,
    voidReason: null,
  });
}

/** Free credits per (customer, currency key), sorted by time. */
export function freeCreditLists(ctx: Reconciliation): Map<string, number[]> {
  const lists = new Map<string, number[]>();
  for (const credit of ctx.ledger.candidates) {
    if (credit.role !== 'credit' || credit.item !== -1) continue;
    const key = ctx.ledgerCustomerOf(credit) + SEPARATOR + credit.currencyKey;
    const list = lists.get(key);
    if (list === undefined) lists.set(key, [credit.index]);
    else list.push(credit.index);
  }
  for (const [key, list] of lists) lists.set(key, inTimeOrder(ctx, list));
  return lists;
}

/** Candidate indices in replay order; already so unless one customer's accounts interleave in time. */
export function inTimeOrder(ctx: Reconciliation, list: number[]): number[] {
  for (let i = 1; i < list.length; i++) {
    if (compareCandidates(ctx.candidate(list[i - 1]!), ctx.candidate(list[i]!)) > 0) {
      return list.sort((a, b) => compareCandidates(ctx.candidate(a), ctx.candidate(b)));
    }
  }
  return list;
}

/** First position in a time-sorted candidate list with at ≥ `at`. */
export function lowerBound(ctx: Reconciliation, list: readonly number[], at: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (ctx.candidate(list[mid]!).at < at) low = mid + 1;
    else high = mid;
  }
  return low;
}

function matchWithinTolerance(ctx: Reconciliation, order: readonly number[]): void {
  const lists = freeCreditLists(ctx);
  for (const g of order) {
    const group = ctx.group(g);
    if (group.status !== 'succeeded' || ctx.groupItem[g] !== -1) continue;
    const customer = ctx.linkCustomer(group.stripeCustomerId);
    if (customer === null) continue;
    for (const currencyKey of [group.currency, '*']) {
      const list = lists.get(customer + SEPARATOR + currencyKey);
      if (list === undefined) continue;
      let found = -1;
      const end = group.at + ctx.windowMs;
      for (let i = lowerBound(ctx, list, group.at - ctx.windowMs), seen = 0; i < list.length && seen < TOLERANCE_SCAN_LIMIT; i++, seen++) {
        const credit = ctx.candidate(list[i]!);
        if (credit.at > end) break;
        if (credit.item === -1 && ctx.moneyClose(credit.value, group.amount, credit.rate)) {
          found = credit.index;
          break;
        }
      }
      if (found === -1) continue;
      addPair(ctx, g, found, ctx.candidate(found).pending ? 'pending' : 'matched_fuzzy', `same customer and unit within ${ctx.settings.dateWindowDays} days, amounts within the tolerance`);
      break;
    }
  }
}
