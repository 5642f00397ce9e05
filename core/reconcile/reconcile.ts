import { ZERO } from '../money/decimal.js';
import { accountKeyString, compareText } from '../ledger/account-key.js';
import type { AccountKey } from '../ledger/types.js';
import { entryItemId, Reconciliation, type DraftItem } from './context.js';
import { blockRemaining } from './ledger-side.js';
import { placeLeftoverLedger, placeLeftoverMoney, settleNettedPayments } from './leftovers.js';
import { matchByReference } from './match-exact.js';
import { matchFuzzy } from './match-fuzzy.js';
import { matchGrouped } from './match-grouped.js';
import { matchReversals } from './match-reversals.js';
import { proposeBalancingEntry } from './proposals.js';
import {
  ITEM_CATEGORIES,
  isDifference,
  type AccountDrift,
  type ItemAccount,
  type ItemCategory,
  type Provider,
  type ReconcileInput,
  type ReconcileItem,
  type ReconcileResult,
} from './types.js';

/**
 * Reconciles Stripe money with the ledger as of `input.asOf` (pure: no clock, no I/O). Stages, each on
 * what the previous left: exact reference → customer + unit + amount in the window → grouped → refunds
 * and disputes → leftovers. Posted adjustments then settle the items they were posted for. Every
 * payment group, refund, dispute and paid credit ends in exactly one item (asserted by the context).
 */
export function reconcile(input: ReconcileInput): ReconcileResult {
  const runId = input.runId ?? 'unsaved';
  const ctx = new Reconciliation(input, input.settings);
  const refs = matchByReference(ctx);
  matchFuzzy(ctx);
  const groupedSearchNodes = matchGrouped(ctx);
  placeLeftoverMoney(ctx);
  matchReversals(ctx, refs);
  placeLeftoverLedger(ctx, refs);
  settleNettedPayments(ctx);
  attachAdjustments(ctx);

  const defaultProvider = ledgerProvider(ctx);
  const items: ReconcileItem[] = ctx.items.map((draft) => finishItem(ctx, draft, runId, defaultProvider));
  items.sort(compareItems);
  const byCategory = Object.fromEntries(ITEM_CATEGORIES.map((category) => [category, 0])) as Record<ItemCategory, number>;
  let settled = 0;
  for (const item of items) {
    byCategory[item.category]++;
    if (item.settled) settled++;
  }
  return {
    runId,
    asOf: input.asOf,
    settings: input.settings,
    items,
    accounts: driftLines(ctx, items),
    stats: {
      payments: ctx.money.groups.reduce((n, group) => n + group.records.length, 0) + ctx.money.reversals.filter((r) => r.record !== null).length,
      credits: ctx.ledger.credits,
      byCategory,
      settled,
      groupedSearchNodes,
    },
  };
}

/**
 * A posted adjustment counts toward the item it was posted for while that item is still a difference.
 * The provider's copy of it is not a second copy: importing it replaces the local entry (core/store/
 * adjustment-copies.ts), and the copy then is the adjustment. Otherwise (the item resolved on its own, or
 * a genuine second copy: another entry carrying the same key, e.g. two provider entries) it is a
 * difference of its own: extra credit is a duplicate_credit, extra removal is missing_in_stripe.
 */
function attachAdjustments(ctx: Reconciliation): void {
  if (ctx.ledger.adjustments.length === 0) return;
  const byId = new Map(ctx.items.map((item) => [item.id, item]));
  const adjustments = [...ctx.ledger.adjustments].sort((a, b) => a.entry.at - b.entry.at || a.entry.ordinal - b.entry.ordinal);
  for (const adjustment of adjustments) {
    const target = byId.get(adjustment.adjustment.itemId);
    if (!adjustment.copy && target !== undefined && isDifference(target.category)) {
      target.adjustmentEntries = [...target.adjustmentEntries, adjustment];
      target.actual = target.actual.plus(adjustment.signedAmount);
      target.dirty = true;
      continue;
    }
    const account = ctx.ledger.accounts[adjustment.account]!;
    const extra = adjustment.signedAmount.gt(0);
    const entry = adjustment.entry;
    ctx.addItem({
      id: entryItemId(adjustment.ref),
      category: extra ? 'duplicate_credit' : 'missing_in_stripe',
      account: account.itemAccount,
      accountIndex: account.index,
      groups: [],
      reversals: [],
      candidates: [],
      extraEntries: [adjustment.ref],
      expected: ZERO,
      actual: adjustment.signedAmount,
      at: entry.at,
      note: adjustment.copy
        ? `a second copy of adjustment ${adjustment.adjustment.idempotencyKey}`
        : `adjustment for ${adjustment.adjustment.itemId} (run ${adjustment.adjustment.runId}), which no longer needs it`,
      rate: account.referenceRate,
      removeFromBlock: entry.kind === 'increment' ? (entry.blockId ?? entry.sourceId) : null,
      restoreToBlock: entry.kind === 'void' ? entry.blockId : null,
      voidReason: null,
    });
  }
}

function ledgerProvider(ctx: Reconciliation): Provider {
  let orb = 0;
  let moesif = 0;
  for (const account of ctx.ledger.accounts) {
    if (account.provider === 'orb') orb++;
    else if (account.provider === 'moesif') moesif++;
  }
  return moesif > orb ? 'moesif' : 'orb';
}

/** Completes a draft into its ReconcileItem: settlement and proposal (a difference's only). */
function finishItem(ctx: Reconciliation, draft: DraftItem, runId: string, defaultProvider: Provider): ReconcileItem {
  if (draft.dirty) ctx.describe(draft);
  if (!isDifference(draft.category)) return draft;
  const difference = draft.difference;
  draft.settled = draft.adjustments.length > 0 && difference.abs().lte(ctx.tolerance);
  if (draft.settled) return draft;
  const account = draft.accountIndex >= 0 ? ctx.ledger.accounts[draft.accountIndex] : undefined;
  draft.proposal = proposeBalancingEntry({
    runId,
    itemId: draft.id,
    category: draft.category,
    account: draft.account,
    provider: account?.provider ?? defaultProvider,
    difference,
    tolerance: ctx.tolerance,
    rate: draft.rate,
    removeFromBlock: draft.removeFromBlock,
    restoreToBlock: draft.restoreToBlock,
    voidReason: draft.voidReason,
    blockRemaining: (blockId) => (account === undefined ? undefined : blockRemaining(account, blockId, ctx.input.asOf)),
    paymentIds: draft.paymentIds,
    note: draft.note,
  });
  return draft;
}

function itemAccountKey(account: ItemAccount): AccountKey {
  return { customerId: account.customerId ?? '', subscriptionId: account.subscriptionId, unit: account.unit };
}

/** Accounts in key order (no customer first), allocation-free: it runs n log n times. */
function compareItemAccounts(a: ItemAccount, b: ItemAccount): number {
  if (a === b) return 0;
  if (a.customerId !== b.customerId) {
    if (a.customerId === null) return -1;
    if (b.customerId === null) return 1;
    return compareText(a.customerId, b.customerId);
  }
  return compareText(a.subscriptionId ?? '', b.subscriptionId ?? '') || compareText(a.unit, b.unit);
}

function compareItems(a: ReconcileItem, b: ReconcileItem): number {
  return compareItemAccounts(a.account, b.account) || a.at - b.at || compareText(a.id, b.id);
}

/** One line per ledger account that existed at asOf, and per account a payment points to; pending left out. */
function driftLines(ctx: Reconciliation, items: readonly ReconcileItem[]): AccountDrift[] {
  // Ledger accounts are one object each (identity); accounts the ledger lacks are keyed by their text.
  const byObject = new Map<ItemAccount, AccountDrift>();
  const byText = new Map<string, AccountDrift>();
  const lineOf = (account: ItemAccount): AccountDrift => {
    let line = byObject.get(account);
    if (line !== undefined) return line;
    const text = (account.customerId === null ? '\u0000' : '') + accountKeyString(itemAccountKey(account));
    line = byText.get(text);
    if (line === undefined) {
      line = { account, expected: ZERO, actual: ZERO, difference: ZERO };
      byText.set(text, line);
    }
    byObject.set(account, line);
    return line;
  };
  for (const account of ctx.ledger.accounts) if (account.existed) lineOf(account.itemAccount);
  // expected summed; actual = expected + Σ differences (most differences are 0: half the additions).
  for (const item of items) {
    if (item.category === 'pending') continue;
    if (item.expected.isZero() && item.actual.isZero()) continue;
    const line = lineOf(item.account);
    if (!item.expected.isZero()) line.expected = line.expected.plus(item.expected);
    if (!item.difference.isZero()) line.difference = line.difference.plus(item.difference);
  }
  const result = [...byText.values()];
  for (const line of result) line.actual = line.expected.plus(line.difference);
  return result.sort((a, b) => compareItemAccounts(a.account, b.account));
}

/** True when the run found something to act on: an unsettled difference, or an account that drifts. */
export function hasDifferences(result: ReconcileResult): boolean {
  if (result.items.some((item) => isDifference(item.category) && !item.settled)) return true;
  return result.accounts.some((line) => line.difference.abs().gt(result.settings.amountTolerance));
}
