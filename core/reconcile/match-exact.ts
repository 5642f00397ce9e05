import { ZERO, type Decimal } from '../money/decimal.js';
import { compareText } from '../ledger/account-key.js';
import { compareCandidates, entryItemId, paymentItemId, type Reconciliation } from './context.js';
import { reversalOfRef } from './payments.js';
import { forEachReferenceToken } from './references.js';
import type { ItemCategory } from './types.js';
import { UnionFind } from './union-find.js';

/*
 * Stage 1, exact reference. Credits that name a payment (any id of its group) are joined with it; a
 * credit naming two payments joins them, so one item may hold several payments and several credits
 * (connected components). Each component is then judged as a whole:
 *   failed payment → credited_but_payment_failed; anything pending → pending;
 *   a credit in another ISO currency → currency_mismatch;
 *   one credit: equal → matched, scaled by 10^exponent → unit_error, else amount_mismatch;
 *   several credits: their sum equal → matched_grouped; else the first credit equal to the payment is
 *   its match and every other credit is a duplicate_credit; else unit_error or amount_mismatch.
 * Reversals (voids, decrements) and amendments that name a refund, a dispute or a payment are indexed
 * here for the refund and dispute stage.
 */

export interface ReferenceIndex {
  /** Refund/dispute index → candidates that name it. */
  byReversal: Map<number, number[]>;
  /** Money group → reversal candidates that name the payment (not a refund of it). */
  reversalsByGroup: Map<number, number[]>;
  /** Candidates that named any Stripe object. */
  referencing: Uint8Array;
}

function push(map: Map<number, number[]>, key: number, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else if (list[list.length - 1] !== value) list.push(value);
}

export function matchByReference(ctx: Reconciliation): ReferenceIndex {
  const { candidates } = ctx.ledger;
  const groupCount = ctx.money.groups.length;
  const index: ReferenceIndex = { byReversal: new Map(), reversalsByGroup: new Map(), referencing: new Uint8Array(candidates.length) };
  /** Per linked credit: the one group it names, or -1 when it names several (then in `several`). */
  const linked: number[] = [];
  const linkedGroup: number[] = [];
  const several = new Map<number, number[]>();
  const namedBy = new Int32Array(groupCount);
  const groups: number[] = [];
  const reversals: number[] = [];
  const byId = ctx.money.byId;
  const collect = (token: string): boolean => {
    const target = byId.get(token);
    if (target === undefined) return false;
    if (target >= 0) {
      if (!groups.includes(target)) groups.push(target);
    } else if (!reversals.includes(reversalOfRef(target))) reversals.push(reversalOfRef(target));
    return true;
  };
  for (let i = 0; i < candidates.length; i++) {
    const candidate = candidates[i]!;
    if (groups.length > 0) groups.length = 0;
    if (reversals.length > 0) reversals.length = 0;
    if (candidate.metadata === null && candidate.entry.description === null) {
      // Most entries: only the source id can name Stripe money (the same tokens, without the visitor).
      if (!collect(candidate.entry.sourceId)) forEachReferenceToken(candidate.entry, null, collect);
    } else forEachReferenceToken(candidate.entry, candidate.metadata, collect);
    if (groups.length === 0 && reversals.length === 0) continue;
    index.referencing[candidate.index] = 1;
    if (candidate.role === 'credit') {
      const disputes = reversals.filter((r) => ctx.reversal(r).kind === 'dispute');
      // A credit that names a dispute gives back what the dispute took: a restoration, not a sale.
      if (disputes.length > 0) for (const r of disputes) push(index.byReversal, r, candidate.index);
      else if (groups.length > 0) {
        linked.push(candidate.index);
        linkedGroup.push(groups.length === 1 ? groups[0]! : -1);
        if (groups.length > 1) several.set(candidate.index, [...groups]);
        for (const group of groups) namedBy[group]!++;
      }
    } else {
      for (const r of reversals) push(index.byReversal, r, candidate.index);
      if (candidate.role === 'reversal' && reversals.length === 0) for (const group of groups) push(index.reversalsByGroup, group, candidate.index);
    }
  }

  // One credit naming one payment that no other credit names: the common case, judged as a pair.
  // Everything else is joined into connected components first.
  const sets = new UnionFind(groupCount + candidates.length);
  const components = new Map<number, { groups: number[]; credits: number[] }>();
  const joined: number[] = [];
  for (let i = 0; i < linked.length; i++) {
    const credit = linked[i]!;
    const group = linkedGroup[i]!;
    if (group >= 0 && namedBy[group] === 1) {
      judgePair(ctx, group, credit);
      continue;
    }
    joined.push(credit);
    for (const g of group >= 0 ? [group] : several.get(credit)!) sets.union(groupCount + credit, g);
  }
  for (const credit of joined) {
    const root = sets.find(groupCount + credit);
    let component = components.get(root);
    if (component === undefined) {
      component = { groups: [], credits: [] };
      components.set(root, component);
    }
    component.credits.push(credit);
  }
  if (components.size > 0) {
    for (let group = 0; group < groupCount; group++) {
      if (namedBy[group] === 0) continue;
      const component = components.get(sets.find(group));
      if (component !== undefined) component.groups.push(group);
    }
  }
  for (const component of components.values()) judgeComponent(ctx, component.groups, component.credits);
  return index;
}

const NO_REVERSALS: number[] = [];

/** The common case, without the general judge's lists and closures: one paid payment, one equal credit. */
function judgePair(ctx: Reconciliation, g: number, c: number): void {
  const group = ctx.group(g);
  const credit = ctx.candidate(c);
  const agrees =
    group.status === 'succeeded' &&
    !credit.pending &&
    (credit.currencyKey === '*' || credit.currencyKey === group.currency) &&
    ctx.moneyClose(credit.value, group.amount, credit.rate);
  if (!agrees) {
    judgeComponent(ctx, [g], [c]);
    return;
  }
  ctx.addItem({
    id: paymentItemId(group.rep.sourceId),
    category: 'matched',
    account: ctx.ledger.accounts[credit.account]!.itemAccount,
    accountIndex: credit.account,
    groups: [g],
    reversals: NO_REVERSALS,
    candidates: [c],
    expected: ctx.toUnits(group.amount, credit.rate),
    actual: credit.amount,
    at: group.at,
    note: 'by reference',
    rate: credit.rate,
    removeFromBlock: credit.blockId,
    restoreToBlock: null,
    voidReason: null,
  });
}

function judgeComponent(ctx: Reconciliation, groupList: number[], creditList: number[]): void {
  const groups = groupList.length === 1 ? groupList : groupList.sort((a, b) => ctx.group(a).at - ctx.group(b).at || compareText(ctx.group(a).rep.sourceId, ctx.group(b).rep.sourceId));
  const credits = creditList.length === 1 ? creditList : creditList.sort((a, b) => compareCandidates(ctx.candidate(a), ctx.candidate(b)));
  const first = ctx.candidate(credits[0]!);
  const lead = ctx.group(groups[0]!);
  const paid = groups.length === 1 && lead.status === 'succeeded' ? groups : groups.filter((g) => ctx.group(g).status === 'succeeded');
  let money = paid.length === 1 ? ctx.group(paid[0]!).amount : ZERO;
  if (paid.length > 1) for (const g of paid) money = money.plus(ctx.group(g).amount);
  const value = ctx.sumValues(credits);
  const actual = ctx.sumAmounts(credits);
  const ids = groups.length === 1 ? lead.rep.sourceId : groups.map((g) => ctx.group(g).rep.sourceId).join(', ');
  const add = (category: ItemCategory, note: string, expected: Decimal) =>
    ctx.addItem({
      id: paymentItemId(lead.rep.sourceId),
      category,
      account: ctx.ledger.accounts[first.account]!.itemAccount,
      accountIndex: first.account,
      groups,
      reversals: NO_REVERSALS,
      candidates: credits,
      expected,
      actual,
      at: lead.at,
      note,
      rate: first.rate,
      removeFromBlock: first.blockId,
      restoreToBlock: null,
      voidReason: null,
    });

  if (groups.some((g) => ctx.group(g).status === 'pending') || credits.some((c) => ctx.candidate(c).pending)) {
    add('pending', `credit names ${ids}; payment or credit still pending`, ctx.toUnits(money, first.rate));
    return;
  }
  if (paid.length === 0) {
    add('credited_but_payment_failed', `credit names ${ids}, which did not succeed (${lead.rep.status})`, ZERO);
    return;
  }
  const wrongCurrency = credits.find((c) => ctx.candidate(c).currencyKey !== '*' && ctx.candidate(c).currencyKey !== lead.currency);
  if (wrongCurrency !== undefined) {
    add('currency_mismatch', `${ids} was paid in ${lead.currency}, credited in ${ctx.candidate(wrongCurrency).currencyKey}`, ZERO);
    return;
  }
  if (ctx.moneyClose(value, money, first.rate)) {
    add(credits.length === 1 && groups.length === 1 ? 'matched' : 'matched_grouped', 'by reference', ctx.toUnits(money, first.rate));
    return;
  }
  if (groups.length === 1 && credits.length > 1) {
    const equal = credits.find((c) => ctx.moneyClose(ctx.candidate(c).value, money, ctx.candidate(c).rate));
    if (equal !== undefined) {
      const match = ctx.candidate(equal);
      ctx.addItem({
        id: paymentItemId(lead.rep.sourceId),
        category: 'matched',
        account: ctx.ledger.accounts[match.account]!.itemAccount,
        accountIndex: match.account,
        groups,
        reversals: [],
        candidates: [equal],
        expected: ctx.toUnits(money, match.rate),
        actual: match.amount,
        at: lead.at,
        note: 'by reference',
        rate: match.rate,
        removeFromBlock: match.blockId,
        restoreToBlock: null,
        voidReason: null,
      });
      for (const c of credits) {
        if (c === equal) continue;
        const duplicate = ctx.candidate(c);
        ctx.addItem({
          id: entryItemId(duplicate.ref),
          category: 'duplicate_credit',
          account: ctx.ledger.accounts[duplicate.account]!.itemAccount,
          accountIndex: duplicate.account,
          groups: [],
          reversals: [],
          candidates: [c],
          evidenceIds: ctx.groupIds(groups[0]!),
          expected: ZERO,
          actual: duplicate.amount,
          at: duplicate.at,
          note: `${ids} is already credited by ${match.ref.sourceId}`,
          rate: duplicate.rate,
          removeFromBlock: duplicate.blockId,
          restoreToBlock: null,
          voidReason: null,
        });
      }
      return;
    }
  }
  const expected = ctx.toUnits(money, first.rate);
  const factor = groups.length === 1 ? ctx.unitErrorFactor(value, money, lead.currency, first.rate) : null;
  if (factor !== null) {
    add('unit_error', `by reference: credited ${factor} the amount paid (minor vs major units)`, expected);
    return;
  }
  add('amount_mismatch', 'by reference: the amounts differ', expected);
}
