import type { AccountRef, CustomerMoneyItem, MoneyReconciliation, MoneyStatusName, ReconcileCategory } from '../api/types.js';
import { compareText } from '../ledger/account-key.js';
import type { AccountKey, AccountState } from '../ledger/types.js';
import { toCanonical, ZERO, type Decimal } from '../money/decimal.js';
import { collectStripeMoney, type MoneyGroup, type MoneyReversal, type StripeMoney } from '../reconcile/payments.js';
import { latestCompleteRunId, listPayments, runItemsNamingPayments, type LedgerDb, type PaymentItemRef } from '../store/index.js';
import { formatInstant, type Instant } from '../time/instant.js';
import { accountRefOf } from './account-queries.js';
import type { CustomerLinker } from '../reconcile/customers.js';

/*
 * The Stripe money of one customer as support reads it: each payment once (a checkout session, its
 * intent, charge and invoice are one payment, as reconciliation groups them), each refund and dispute,
 * with what the money did in words (failed and processing payments are not money received), a signed
 * amount (refunds and disputes take money back), the money received so far, and what the latest
 * reconciliation run says about it.
 */

const CANCELED_WORDS = new Set(['canceled', 'expired', 'void', 'uncollectible']);

function word(status: string): string {
  return status.trim().toLowerCase();
}

/** A payment's status in words: what Stripe says, then what its refunds and disputes did to it. */
export function paymentMoneyStatus(group: MoneyGroup, reversals: readonly MoneyReversal[]): MoneyStatusName {
  if (group.status === 'pending') return 'processing';
  if (group.status === 'failed') return CANCELED_WORDS.has(word(group.rep.status)) ? 'canceled' : 'failed';
  if (group.status === 'none') return 'no_payment';
  let dispute: MoneyReversal | null = null;
  let refunded = ZERO;
  for (const reversal of reversals) {
    if (reversal.group !== group.index) continue;
    if (reversal.kind === 'dispute' && reversal.state !== 'none') dispute = reversal;
    if (reversal.kind === 'refund' && reversal.state === 'money') refunded = refunded.plus(reversal.amount);
  }
  if (dispute !== null) return dispute.state === 'money' ? 'disputed_lost' : dispute.state === 'won' ? 'disputed_won' : 'disputed_open';
  if (refunded.gte(group.amount) && refunded.gt(0)) return 'refunded';
  return refunded.gt(0) ? 'partially_refunded' : 'succeeded';
}

/** A refund's or a dispute's status in words. */
export function reversalMoneyStatus(reversal: MoneyReversal): MoneyStatusName {
  if (reversal.kind === 'dispute') {
    if (reversal.state === 'money') return 'disputed_lost';
    if (reversal.state === 'won') return 'disputed_won';
    // A dispute closed because the charge was refunded: the refund carries the money.
    return reversal.state === 'none' ? 'refunded' : 'disputed_open';
  }
  if (reversal.state === 'money') return 'refunded';
  if (reversal.state === 'pending') return 'processing';
  return CANCELED_WORDS.has(word(reversal.record?.status ?? '')) ? 'canceled' : 'failed';
}

/** Money that actually moved: a succeeded payment in, a succeeded refund or lost dispute out; the rest nothing. */
function receivedOf(kind: 'payment' | 'refund' | 'dispute', status: MoneyStatusName, amount: Decimal, state: MoneyReversal['state'] | null): Decimal {
  if (kind === 'payment') return ['processing', 'failed', 'canceled', 'no_payment'].includes(status) ? ZERO : amount;
  return state === 'money' ? amount.negated() : ZERO;
}

const SUMMARY: Record<ReconcileCategory, (entries: string) => string> = {
  matched: (entries) => `matched to ${entries}`,
  matched_fuzzy: (entries) => `matched to ${entries} by amount and date (needs review)`,
  matched_grouped: (entries) => `matched as a group to ${entries}`,
  missing_in_ledger: () => 'not credited in the ledger',
  missing_in_stripe: (entries) => `${entries} credited without a Stripe payment`,
  amount_mismatch: (entries) => `credited a different amount (${entries})`,
  currency_mismatch: (entries) => `credited in another currency or unit (${entries})`,
  unit_error: (entries) => `credited with a unit error (${entries})`,
  duplicate_credit: (entries) => `credited more than once (${entries})`,
  credited_but_payment_failed: (entries) => `credited although the payment did not succeed (${entries})`,
  refund_not_reversed: () => 'refund not reversed in the ledger',
  dispute_not_reversed: () => 'lost dispute not reversed in the ledger',
  dispute_won_not_restored: () => 'won dispute not restored in the ledger',
  pending: () => 'pending at Stripe: not expected in the ledger yet',
};

function entriesText(ids: readonly string[]): string {
  if (ids.length === 0) return 'no entry';
  const shown = ids.slice(0, 3).join(', ');
  const rest = ids.length > 3 ? ` and ${ids.length - 3} more` : '';
  return `${ids.length === 1 ? 'entry' : 'entries'} ${shown}${rest}`;
}

export function reconciliationView(ref: PaymentItemRef): MoneyReconciliation {
  const summary = SUMMARY[ref.category as ReconcileCategory](entriesText(ref.entryIds));
  return {
    run_id: ref.runId,
    item_id: ref.itemId,
    category: ref.category as ReconcileCategory,
    settled: ref.settled,
    entry_ids: ref.entryIds,
    summary: ref.settled ? `${summary} (settled)` : summary,
  };
}

const REVERSAL_CATEGORIES = new Set<string>(['refund_not_reversed', 'dispute_not_reversed', 'dispute_won_not_restored']);

/**
 * The item that speaks about one row: for a refund or dispute, an item naming it (a reversal category
 * first); for a payment, its own item ("payment:<id>") first, then any other item that is not about a
 * reversal, then any.
 */
export function itemForRow(kind: 'payment' | 'refund' | 'dispute', ownId: string, objectIds: readonly string[], items: readonly PaymentItemRef[]): PaymentItemRef | null {
  if (kind !== 'payment') {
    const naming = items.filter((item) => item.paymentIds.includes(ownId));
    return naming.find((item) => REVERSAL_CATEGORIES.has(item.category)) ?? naming[0] ?? null;
  }
  const naming = items.filter((item) => objectIds.some((id) => item.paymentIds.includes(id)));
  return (
    naming.find((item) => objectIds.some((id) => item.itemId === `payment:${id}`)) ??
    naming.find((item) => !REVERSAL_CATEGORIES.has(item.category)) ??
    naming[0] ??
    null
  );
}

/** The Stripe money up to asOf, grouped as reconciliation groups it (it reads every record: refunds after asOf are in a payment's stated amount_refunded). */
export function stripeMoneyAt(db: LedgerDb, asOf: Instant): StripeMoney {
  return collectStripeMoney(listPayments(db), asOf);
}

/** The account's posted balance right after its last entry at or before `at` (0 before its first). */
export function balanceAt(state: AccountState, at: Instant): Decimal {
  const entries = state.entries;
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (entries[mid]!.entry.at <= at) low = mid + 1;
    else high = mid;
  }
  return low === 0 ? ZERO : entries[low - 1]!.endingBalance;
}

export interface CustomerMoney {
  items: CustomerMoneyItem[];
  /** Net money received per currency, by currency. */
  received: { currency: string; amount: string }[];
}

/**
 * The money of the Stripe customers that link to `customerId` (DESIGN §6), oldest first, each beside the
 * customer's account in its currency (when exactly one) with that account's balance then.
 */
export function customerMoney(
  db: LedgerDb,
  linker: CustomerLinker,
  customerId: string,
  keys: readonly AccountKey[],
  states: readonly AccountState[],
  asOf: Instant,
): CustomerMoney {
  const stripe = stripeMoneyAt(db, asOf);
  if (stripe.groups.length === 0 && stripe.reversals.length === 0) return { items: [], received: [] };
  const ours = (stripeCustomerId: string | null): boolean => stripeCustomerId !== null && linker(stripeCustomerId) === customerId;

  interface Row {
    type: CustomerMoneyItem['type'];
    id: string;
    at: Instant;
    amount: Decimal;
    currency: string;
    status: string;
    description: string | null;
    moneyStatus: MoneyStatusName;
    received: Decimal;
    objectIds: string[];
  }
  const rows: Row[] = [];
  for (const group of stripe.groups) {
    if (!ours(group.stripeCustomerId)) continue;
    const moneyStatus = paymentMoneyStatus(group, stripe.reversals);
    rows.push({
      type: 'payment', id: group.rep.sourceId, at: group.at, amount: group.amount, currency: group.currency, status: group.rep.status,
      description: group.rep.description, moneyStatus, received: receivedOf('payment', moneyStatus, group.amount, null),
      objectIds: group.records.map((record) => record.sourceId),
    });
  }
  for (const reversal of stripe.reversals) {
    const owner = reversal.group >= 0 ? stripe.groups[reversal.group]!.stripeCustomerId : reversal.stripeCustomerId;
    if (!ours(owner)) continue;
    const moneyStatus = reversalMoneyStatus(reversal);
    rows.push({
      // A refund known only from the payment's amount_refunded (a dashboard CSV) has no record of its own.
      type: reversal.kind, id: reversal.id, at: reversal.at, amount: reversal.amount, currency: reversal.currency,
      status: reversal.record?.status ?? 'refunded', description: reversal.record?.description ?? null, moneyStatus,
      received: receivedOf(reversal.kind, moneyStatus, reversal.amount, reversal.state), objectIds: [reversal.id],
    });
  }
  rows.sort((a, b) => a.at - b.at || compareText(a.id, b.id));

  const runId = latestCompleteRunId(db);
  const items = runId === null ? [] : runItemsNamingPayments(db, runId, rows.flatMap((row) => row.objectIds));
  const receivedByCurrency = new Map<string, Decimal>();
  const money = rows.map((row): CustomerMoneyItem => {
    const matching = keys.flatMap((key, index) => (key.unit === row.currency ? [index] : []));
    const account = matching.length === 1 ? matching[0]! : null;
    const received = (receivedByCurrency.get(row.currency) ?? ZERO).plus(row.received);
    receivedByCurrency.set(row.currency, received);
    const item = itemForRow(row.type, row.id, row.objectIds, items);
    const ref: AccountRef | null = account === null ? null : accountRefOf(keys[account]!);
    return {
      type: row.type,
      at: formatInstant(row.at),
      account: ref,
      id: row.id,
      amount: toCanonical(row.amount),
      currency: row.currency,
      status: row.status,
      description: row.description,
      balance_after: account === null ? null : toCanonical(balanceAt(states[account]!, row.at)),
      money_status: row.moneyStatus,
      signed_amount: toCanonical(row.type === 'payment' ? row.amount : row.amount.negated()),
      received: toCanonical(row.received),
      received_after: toCanonical(received),
      object_ids: row.objectIds,
      reconciliation: item === null ? null : reconciliationView(item),
    };
  });
  const received = [...receivedByCurrency].sort((a, b) => compareText(a[0], b[0])).map(([currency, amount]) => ({ currency, amount: toCanonical(amount) }));
  return { items: money, received };
}
