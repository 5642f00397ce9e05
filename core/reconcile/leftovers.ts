import { toCanonical, ZERO } from '../money/decimal.js';
import { entryItemId, paymentItemId, type Reconciliation } from './context.js';
import type { LedgerCandidate } from './ledger-side.js';
import type { ReferenceIndex } from './match-exact.js';

/*
 * What no stage matched. Payments: succeeded → missing_in_ledger, pending → pending, failed or moving no
 * money → matched (Stripe and the ledger agree that nothing was bought). Ledger: a paid credit →
 * missing_in_stripe (pending → pending); a void that says it is a refund, or names Stripe money, with no
 * refund or dispute to go with it → missing_in_stripe. Plain decrements are usage: never items.
 */

export function placeLeftoverMoney(ctx: Reconciliation): void {
  const order = ctx.groupsInTime;
  for (const g of order) {
    if (ctx.groupItem[g] !== -1) continue;
    const group = ctx.group(g);
    const customer = ctx.linkCustomer(group.stripeCustomerId);
    const place = ctx.accountForMoney(customer, group.currency);
    const base = { id: paymentItemId(group.rep.sourceId), ...place, groups: [g], reversals: [], candidates: [], actual: ZERO, at: group.at, removeFromBlock: null, restoreToBlock: null, voidReason: null };
    switch (group.status) {
      case 'succeeded':
        ctx.addItem({
          ...base,
          category: 'missing_in_ledger',
          expected: ctx.toUnits(group.amount, place.rate),
          note: customer === null ? 'the payment names no customer and no credit names it' : `no credit names it or matches it within ${ctx.settings.dateWindowDays} days`,
        });
        break;
      case 'pending':
        ctx.addItem({ ...base, category: 'pending', expected: ctx.toUnits(group.amount, place.rate), note: `payment ${group.rep.status}: not paid yet` });
        break;
      default:
        ctx.addItem({ ...base, category: 'matched', expected: ZERO, note: `payment ${group.rep.status}: no money and no credit` });
    }
  }
}

/** A webhook retry lands within this long of the first credit (providers retry for minutes, not days). */
export const RETRY_WINDOW_MS = 60 * 60 * 1000;

/**
 * The credit a leftover paid credit repeats: a credit of the same account and amount, matched to a
 * payment, at most RETRY_WINDOW_MS before it (a webhook delivered twice, the retry under another
 * transaction id). Index built once per run: account + amount → matched credits in time order.
 */
function retryIndex(ctx: Reconciliation): (candidate: LedgerCandidate) => { first: LedgerCandidate; paymentIds: string[] } | null {
  let index: Map<string, LedgerCandidate[]> | null = null;
  const keyOf = (c: LedgerCandidate): string => `${c.account}\u001f${toCanonical(c.amount)}`;
  return (candidate) => {
    if (index === null) {
      index = new Map();
      for (const c of ctx.ledger.candidates) {
        if (c.role !== 'credit' || c.item === -1 || c.pending) continue;
        const item = ctx.items[c.item]!;
        if (item.groups.length === 0 || (item.category !== 'matched' && item.category !== 'matched_fuzzy')) continue;
        const list = index.get(keyOf(c));
        if (list === undefined) index.set(keyOf(c), [c]);
        else list.push(c);
      }
    }
    for (const first of index.get(keyOf(candidate)) ?? []) {
      const gap = candidate.at - first.at;
      if (gap >= 0 && gap <= RETRY_WINDOW_MS && first.index !== candidate.index) {
        return { first, paymentIds: ctx.groupIds(ctx.items[first.item]!.groups[0]!) };
      }
    }
    return null;
  };
}

function minutesText(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes === 0 ? 'less than a minute' : `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
}

export function placeLeftoverLedger(ctx: Reconciliation, refs: ReferenceIndex): void {
  const retryOf = retryIndex(ctx);
  for (const candidate of ctx.ledger.candidates) {
    if (candidate.item !== -1) continue;
    const claimsMoney =
      candidate.role === 'credit' ||
      (candidate.role === 'reversal' && candidate.entry.kind === 'void' && (candidate.entry.voidReason === 'refund' || refs.referencing[candidate.index] === 1));
    if (!claimsMoney) continue;
    const credit = candidate.role === 'credit';
    const retry = credit && !candidate.pending ? retryOf(candidate) : null;
    if (retry !== null) {
      ctx.addItem({
        id: entryItemId(candidate.ref),
        category: 'duplicate_credit',
        ...ctx.accountOfCandidate(candidate),
        groups: [],
        reversals: [],
        candidates: [candidate.index],
        evidenceIds: retry.paymentIds,
        expected: ZERO,
        actual: candidate.amount,
        at: candidate.at,
        note:
          `a second credit for payment ${retry.paymentIds.join(', ')}, ${minutesText(candidate.at - retry.first.at)} after ${retry.first.ref.sourceId} ` +
          'under another transaction id (a webhook delivered twice)',
        rate: candidate.rate,
        removeFromBlock: candidate.blockId,
        restoreToBlock: null,
        voidReason: null,
      });
      continue;
    }
    ctx.addItem({
      id: entryItemId(candidate.ref),
      category: candidate.pending ? 'pending' : 'missing_in_stripe',
      ...ctx.accountOfCandidate(candidate),
      groups: [],
      reversals: [],
      candidates: [candidate.index],
      expected: ZERO,
      actual: credit ? candidate.amount : candidate.amount.neg(),
      at: candidate.at,
      note: credit
        ? candidate.pending
          ? 'credit pending; no payment found yet'
          : `paid credit with no payment that names it or matches it within ${ctx.settings.dateWindowDays} days`
        : 'a refund void with no Stripe refund or dispute',
      rate: candidate.rate,
      removeFromBlock: credit ? candidate.blockId : null,
      restoreToBlock: credit ? null : candidate.blockId,
      voidReason: null,
    });
  }
}

/** A payment refunded in full and never credited owes nothing: the ledger and Stripe agree. */
export function settleNettedPayments(ctx: Reconciliation): void {
  for (const item of ctx.items) {
    if (item.category !== 'missing_in_ledger' || item.reversals.length === 0) continue;
    if (item.dirty) ctx.describe(item);
    if (item.difference.abs().lte(ctx.tolerance)) {
      item.category = 'matched';
      item.note = 'paid and refunded in full; nothing was credited and nothing is owed';
    } else {
      item.note = `${item.note}; net of refunds and disputes`;
    }
  }
}
