import { Decimal, ZERO } from '../money/decimal.js';
import { compareText } from '../ledger/account-key.js';
import { compareCandidates, paymentItemId, type Reconciliation } from './context.js';
import { freeCreditLists, lowerBound } from './match-fuzzy.js';

/*
 * Stage 3, grouped: one payment credited in several parts, or several payments credited as one. Only
 * what stages 1 and 2 left is considered, within the date window and for the same customer and unit.
 * The subset search is bounded three ways (a bound on every loop): the NEAREST candidates in time, the
 * PARTS a group may have, and NODES visited per search and per run. Past the run's budget, grouping
 * stops and what is left is reported as missing (deterministically: budgets count nodes, not time).
 */

const NEAREST = 12;
const PARTS = 4;
const NODES_PER_SEARCH = 4_000;
const NODES_PER_RUN = 2_000_000;
const SEPARATOR = '\u001f';

export function matchGrouped(ctx: Reconciliation): number {
  const search = new SubsetSearch(ctx);
  const order = ctx.groupsInTime;

  // One payment → several credits.
  const lists = freeCreditLists(ctx);
  for (const g of order) {
    const group = ctx.group(g);
    if (group.status !== 'succeeded' || ctx.groupItem[g] !== -1) continue;
    const customer = ctx.linkCustomer(group.stripeCustomerId);
    if (customer === null) continue;
    const pool: number[] = [];
    for (const key of [group.currency, '*']) {
      const list = lists.get(customer + SEPARATOR + key);
      if (list === undefined) continue;
      for (let i = lowerBound(ctx, list, group.at - ctx.windowMs); i < list.length; i++) {
        const credit = ctx.candidate(list[i]!);
        if (credit.at > group.at + ctx.windowMs) break;
        if (credit.item === -1) pool.push(credit.index);
      }
    }
    const nearest = nearestInTime(pool, group.at, (c) => ctx.candidate(c).at);
    const parts = search.find(nearest, (c) => ctx.candidate(c).value, group.amount, ctx.candidate(nearest[0] ?? 0)?.rate);
    if (parts === null) continue;
    const credits = parts.sort((a, b) => compareCandidates(ctx.candidate(a), ctx.candidate(b)));
    const first = ctx.candidate(credits[0]!);
    ctx.addItem({
      id: paymentItemId(group.rep.sourceId),
      category: credits.some((c) => ctx.candidate(c).pending) ? 'pending' : 'matched_grouped',
      ...ctx.accountOfCandidate(first),
      groups: [g],
      reversals: [],
      candidates: credits,
      expected: ctx.toUnits(group.amount, first.rate),
      actual: ctx.sumAmounts(credits),
      at: group.at,
      note: `one payment credited in ${credits.length} parts within ${ctx.settings.dateWindowDays} days`,
      rate: first.rate,
      removeFromBlock: first.blockId,
      restoreToBlock: null,
      voidReason: null,
    });
  }

  // Several payments → one credit.
  const byCustomer = new Map<string, number[]>();
  for (const g of order) {
    const group = ctx.group(g);
    if (group.status !== 'succeeded' || ctx.groupItem[g] !== -1) continue;
    const customer = ctx.linkCustomer(group.stripeCustomerId);
    if (customer === null) continue;
    const list = byCustomer.get(customer);
    if (list === undefined) byCustomer.set(customer, [g]);
    else list.push(g);
  }
  for (const credit of byCustomer.size === 0 ? [] : ctx.ledger.candidates) {
    if (credit.role !== 'credit' || credit.item !== -1) continue;
    const list = byCustomer.get(ctx.ledgerCustomerOf(credit));
    if (list === undefined) continue;
    const pool: number[] = [];
    let low = 0;
    let high = list.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (ctx.group(list[mid]!).at < credit.at - ctx.windowMs) low = mid + 1;
      else high = mid;
    }
    for (let i = low; i < list.length; i++) {
      const group = ctx.group(list[i]!);
      if (group.at > credit.at + ctx.windowMs) break;
      if (ctx.groupItem[group.index] === -1 && (credit.currencyKey === '*' || credit.currencyKey === group.currency)) pool.push(group.index);
    }
    let nearest = nearestInTime(pool, credit.at, (g) => ctx.group(g).at);
    // A custom unit may be bought in any currency, but one sum is in one currency: the nearest payment's.
    const currency = nearest.length > 0 ? ctx.group(nearest[0]!).currency : '';
    nearest = nearest.filter((g) => ctx.group(g).currency === currency);
    const parts = search.find(nearest, (g) => ctx.group(g).amount, credit.value, credit.rate);
    if (parts === null) continue;
    const groups = parts.sort((a, b) => ctx.group(a).at - ctx.group(b).at || compareText(ctx.group(a).rep.sourceId, ctx.group(b).rep.sourceId));
    let money = ZERO;
    for (const g of groups) money = money.plus(ctx.group(g).amount);
    ctx.addItem({
      id: paymentItemId(ctx.group(groups[0]!).rep.sourceId),
      category: credit.pending ? 'pending' : 'matched_grouped',
      ...ctx.accountOfCandidate(credit),
      groups,
      reversals: [],
      candidates: [credit.index],
      expected: ctx.toUnits(money, credit.rate),
      actual: credit.amount,
      at: ctx.group(groups[0]!).at,
      note: `${groups.length} payments credited as one within ${ctx.settings.dateWindowDays} days`,
      rate: credit.rate,
      removeFromBlock: credit.blockId,
      restoreToBlock: null,
      voidReason: null,
    });
  }
  return search.nodesVisited;
}

/** Up to NEAREST of `pool`, closest in time first (ties: the earlier, then the smaller index). */
function nearestInTime(pool: number[], at: number, timeOf: (i: number) => number): number[] {
  if (pool.length <= NEAREST) return pool;
  return [...pool]
    .sort((a, b) => Math.abs(timeOf(a) - at) - Math.abs(timeOf(b) - at) || timeOf(a) - timeOf(b) || a - b)
    .slice(0, NEAREST);
}

class SubsetSearch {
  nodesVisited = 0;
  constructor(private readonly ctx: Reconciliation) {}

  /** A subset of 2..PARTS of `pool` whose values sum to `target` (within tolerance), or null. */
  find(pool: readonly number[], valueOf: (i: number) => Decimal, target: Decimal, rate: Decimal | undefined): number[] | null {
    if (pool.length < 2 || this.nodesVisited >= NODES_PER_RUN) return null;
    const items = pool.map((i) => ({ i, value: valueOf(i) })).sort((a, b) => b.value.comparedTo(a.value) || a.i - b.i);
    const chosen: number[] = [];
    const close = (sum: Decimal) => this.ctx.moneyClose(sum, target, rate ?? new Decimal(1));
    const slack = this.ctx.tolerance.times(rate ?? 1);
    let budget = Math.min(NODES_PER_SEARCH, NODES_PER_RUN - this.nodesVisited);
    const visit = (start: number, sum: Decimal): boolean => {
      for (let k = start; k < items.length; k++) {
        if (budget-- <= 0) return false;
        this.nodesVisited++;
        const value = items[k]!.value;
        const next = sum.plus(value);
        if (next.gt(target.plus(slack))) continue;
        // Sorted by value, largest first: if even PARTS copies of this one cannot reach the target, no later one can.
        if (sum.plus(value.times(PARTS - chosen.length)).lt(target.minus(slack))) return false;
        chosen.push(items[k]!.i);
        if (chosen.length >= 2 && close(next)) return true;
        if (chosen.length < PARTS && visit(k + 1, next)) return true;
        chosen.pop();
      }
      return false;
    };
    return visit(0, ZERO) ? [...chosen] : null;
  }
}
