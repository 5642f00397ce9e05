import { Decimal, ZERO, toCanonical } from '../money/decimal.js';
import { compareText } from '../ledger/account-key.js';
import { compareCandidates, paymentItemId, type DraftItem, type Reconciliation } from './context.js';
import { inTimeOrder, lowerBound } from './match-fuzzy.js';
import type { ReferenceIndex } from './match-exact.js';
import type { ItemCategory, ItemAccount } from './types.js';
import { ONE } from './ledger-side.js';

/*
 * Stage 4, money taken back. A refund (or a lost dispute) must be matched by a reversal in the ledger: a
 * void or a decrement of that amount. Found, in this order: entries that name the refund or dispute;
 * entries that name the payment, or voids of the block that credited it; then, by customer + unit +
 * amount within the window (matched_fuzzy). Less than the refund → refund_not_reversed /
 * dispute_not_reversed (partial too); more → amount_mismatch. A won dispute whose credit was taken back
 * must have been restored (an entry naming the dispute, an amendment of the voided block, or a credit of
 * that amount afterwards) → else dispute_won_not_restored. Open disputes and pending refunds are pending.
 * A refund of a payment that was never credited is part of that payment's item: what is missing is the
 * payment net of its refunds (nothing at all when it was refunded in full).
 */

const SEPARATOR = '\u001f';
const FUZZY_SCAN_LIMIT = 64;

/** Items that take in their payment's refunds and disputes instead of reporting them on their own. */
function absorbs(item: DraftItem): boolean {
  return item.category === 'missing_in_ledger' || (item.category === 'pending' && item.candidates.length === 0) || (item.category === 'matched' && item.candidates.length === 0);
}

export function matchReversals(ctx: Reconciliation, refs: ReferenceIndex): void {
  if (ctx.money.reversals.length === 0) return;
  const { candidates } = ctx.ledger;
  const isFreeReversal = (c: number) => ctx.candidate(c).role === 'reversal' && ctx.candidate(c).item === -1;
  const voidsByBlock = new Map<string, number[]>();
  const amendmentsByBlock = new Map<string, number[]>();
  for (const candidate of candidates) {
    if (candidate.item !== -1 || candidate.blockId === null) continue;
    const blockKey = candidate.account + SEPARATOR + candidate.blockId;
    if (candidate.role === 'reversal' && candidate.entry.kind === 'void') push(voidsByBlock, blockKey, candidate.index);
    if (candidate.role === 'amendment') push(amendmentsByBlock, blockKey, candidate.index);
  }
  let freeByKey: Map<string, number[]> | null = null;
  const fuzzyIndex = (): Map<string, number[]> => {
    if (freeByKey !== null) return freeByKey;
    freeByKey = new Map();
    for (const candidate of candidates) {
      if (candidate.item !== -1 || candidate.role === 'amendment') continue;
      push(freeByKey, ctx.ledgerCustomerOf(candidate) + SEPARATOR + candidate.role + SEPARATOR + candidate.currencyKey + SEPARATOR + toCanonical(candidate.value), candidate.index);
    }
    for (const [key, list] of freeByKey) freeByKey.set(key, inTimeOrder(ctx, list));
    return freeByKey;
  };
  /** Earliest free candidate of `role` worth `value` for the customer within the window of `at`. */
  const fuzzy = (customer: string | null, role: 'reversal' | 'credit', currency: string, value: Decimal, at: number, notBefore: number): number => {
    if (customer === null) return -1;
    const index = fuzzyIndex();
    for (const key of [currency, '*']) {
      const list = index.get(customer + SEPARATOR + role + SEPARATOR + key + SEPARATOR + toCanonical(value));
      if (list === undefined) continue;
      for (let i = lowerBound(ctx, list, Math.max(at - ctx.windowMs, notBefore)), seen = 0; i < list.length && seen < FUZZY_SCAN_LIMIT; i++, seen++) {
        const candidate = ctx.candidate(list[i]!);
        if (candidate.at > at + ctx.windowMs && role === 'reversal') break;
        if (candidate.item === -1) return candidate.index;
      }
    }
    return -1;
  };

  const order = ctx.money.reversals.map((r) => r.index).sort((a, b) => ctx.reversal(a).at - ctx.reversal(b).at || compareText(ctx.reversal(a).id, ctx.reversal(b).id));
  for (const r of order) {
    const reversal = ctx.reversal(r);
    const ownerIndex = reversal.group >= 0 ? ctx.groupItem[reversal.group]! : -1;
    const owner = ownerIndex >= 0 ? ctx.items[ownerIndex]! : null;
    const direct = (refs.byReversal.get(r) ?? []).filter(isFreeReversal);
    if (owner !== null && absorbs(owner)) {
      ctx.absorb(owner, { reversals: [r], candidates: direct });
      if (reversal.state === 'money' && owner.category === 'missing_in_ledger') owner.expected = owner.expected.minus(ctx.toUnits(reversal.amount, owner.rate));
      owner.actual = owner.actual.minus(ctx.sumAmounts(direct));
      continue;
    }
    const customer = ctx.linkCustomer(reversal.stripeCustomerId);
    let taken = direct;
    let how = `by reference to ${reversal.id}`;
    if (taken.length === 0 && owner !== null) {
      const pool = new Set(refs.reversalsByGroup.get(reversal.group) ?? []);
      for (const c of owner.candidates) {
        const credit = ctx.candidate(c);
        for (const v of voidsByBlock.get(credit.account + SEPARATOR + credit.blockId) ?? []) pool.add(v);
      }
      taken = pick([...pool].filter(isFreeReversal).sort((a, b) => compareCandidates(ctx.candidate(a), ctx.candidate(b))), ctx, reversal.amount, owner.rate);
      how = `by the payment's reference or its credit's block`;
    }
    if (taken.length === 0 && reversal.state !== 'none') {
      const found = fuzzy(customer, 'reversal', reversal.currency, reversal.amount, reversal.at, Number.NEGATIVE_INFINITY);
      if (found !== -1) {
        taken = [found];
        how = `same customer, unit and amount within ${ctx.settings.dateWindowDays} days`;
      }
    }
    const first = taken.length > 0 ? ctx.candidate(taken[0]!) : null;
    const place: { account: ItemAccount; accountIndex: number; rate: Decimal } =
      owner !== null
        ? { account: owner.account, accountIndex: owner.accountIndex, rate: owner.rate }
        : first !== null
          ? { ...ctx.accountOfCandidate(first), rate: first.rate }
          : ctx.accountForMoney(customer, reversal.currency);
    const takenValue = ctx.sumValues(taken);
    const takenAmount = ctx.sumAmounts(taken);
    const refund = reversal.kind === 'refund';
    const item = {
      id: paymentItemId(reversal.id),
      ...place,
      groups: [],
      reversals: [r],
      at: reversal.at,
      removeFromBlock: owner?.removeFromBlock ?? null,
      restoreToBlock: taken.map((c) => ctx.candidate(c)).find((c) => c.entry.kind === 'void')?.blockId ?? null,
      voidReason: refund ? 'refund' : null,
    };
    const expectedBack = ctx.toUnits(reversal.amount, place.rate).neg();
    const what = refund ? 'refund' : 'dispute';

    if (reversal.state === 'pending') {
      ctx.addItem({ ...item, category: 'pending', candidates: taken, expected: expectedBack, actual: takenAmount.neg(), note: `${what} ${reversal.record?.status ?? 'pending'}: outcome not known yet` });
      continue;
    }
    if (reversal.state === 'none') {
      const category: ItemCategory = taken.length === 0 ? 'matched' : 'amount_mismatch';
      const note = taken.length === 0 ? `${what} moved no money (${reversal.record?.status}) and nothing was taken back` : `${what} moved no money (${reversal.record?.status}) but the ledger took credit back`;
      ctx.addItem({ ...item, category, candidates: taken, expected: ZERO, actual: takenAmount.neg(), note });
      continue;
    }
    if (reversal.state === 'won') {
      if (taken.length === 0) {
        ctx.addItem({ ...item, category: 'matched', candidates: [], expected: ZERO, actual: ZERO, note: 'dispute won; the ledger took nothing back' });
        continue;
      }
      const restored = new Set((refs.byReversal.get(r) ?? []).filter((c) => ctx.candidate(c).item === -1 && ctx.candidate(c).role !== 'reversal'));
      for (const c of taken) {
        const voided = ctx.candidate(c);
        for (const a of amendmentsByBlock.get(voided.account + SEPARATOR + voided.blockId) ?? []) if (ctx.candidate(a).item === -1) restored.add(a);
      }
      if (restored.size === 0) {
        const found = fuzzy(customer, 'credit', reversal.currency, takenValue, first!.at, first!.at);
        if (found !== -1) restored.add(found);
      }
      const restoredAmount = ctx.sumAmounts([...restored]);
      const actual = restoredAmount.minus(takenAmount);
      const category: ItemCategory = ctx.moneyClose(actual, ZERO, ONE) ? 'matched' : actual.lt(0) ? 'dispute_won_not_restored' : 'amount_mismatch';
      const note = restored.size === 0 ? 'dispute won, but the credit taken back was not restored' : 'dispute won; credit taken back and restored';
      ctx.addItem({ ...item, category, candidates: [...taken, ...restored], expected: ZERO, actual, note });
      continue;
    }
    const category: ItemCategory = ctx.moneyClose(takenValue, reversal.amount, place.rate)
      ? how.startsWith('same') ? 'matched_fuzzy' : 'matched'
      : takenValue.lt(reversal.amount)
        ? refund ? 'refund_not_reversed' : 'dispute_not_reversed'
        : 'amount_mismatch';
    const note = taken.length === 0 ? `${what} of ${toCanonical(reversal.amount)} ${reversal.currency}: no void or decrement takes it back` : `${what}: ${how}`;
    ctx.addItem({ ...item, category, candidates: taken, expected: expectedBack, actual: takenAmount.neg(), note });
  }
}


/** The first reversal equal to the amount; else, in time order, as many as fit in it (a partial reversal). */
function pick(pool: number[], ctx: Reconciliation, amount: Decimal, rate: Decimal): number[] {
  const equal = pool.find((c) => ctx.moneyClose(ctx.candidate(c).value, amount, rate));
  if (equal !== undefined) return [equal];
  const taken: number[] = [];
  let total = ZERO;
  for (const c of pool) {
    const next = total.plus(ctx.candidate(c).value);
    if (next.gt(amount) && !ctx.moneyClose(next, amount, rate)) continue;
    taken.push(c);
    total = next;
  }
  return taken;
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
