import { Decimal, ZERO } from '../money/decimal.js';
import { compareText } from '../ledger/account-key.js';
import type { PaymentKind, PaymentRecord } from '../payments/types.js';
import type { Instant } from '../time/instant.js';

/*
 * Stripe money as reconciliation sees it. One payment is often several Stripe objects (a checkout
 * session, its payment intent, the intent's charge, the invoice it paid): they are grouped by their
 * links into one money-in group, so the money is counted once and any of their ids is a reference.
 * Refunds and disputes take money back from a group.
 */

/** What Stripe says happened to the money. `none`: no money moved and none is expected to. */
export type MoneyStatus = 'succeeded' | 'pending' | 'failed' | 'none';

/** Which object of a group carries its amount and status: the intent, else the invoice, the session, the charge. */
const PRECEDENCE: Record<PaymentKind, number> = {
  payment_intent: 0,
  invoice: 1,
  checkout_session: 2,
  charge: 3,
  customer_balance_transaction: 4,
  refund: 9,
  dispute: 9,
};

const SUCCEEDED = new Set(['succeeded', 'paid', 'complete']);
const PENDING = new Set(['processing', 'requires_capture', 'requires_action', 'requires_confirmation', 'pending', 'open', 'unpaid', 'draft']);
const FAILED = new Set(['failed', 'canceled', 'requires_payment_method', 'expired', 'void', 'uncollectible']);
/** Customer balance transaction types that put money on the customer's balance (the rest move it around). */
const BALANCE_CREDIT_TYPES = new Set(['adjustment', 'credit_note', 'initial', 'migration']);

/** Stripe's status word → what happened to the money. An unknown word is pending: shown, never drift. */
export function moneyStatus(record: PaymentRecord): MoneyStatus {
  const status = record.status.trim().toLowerCase();
  if (record.kind === 'customer_balance_transaction') return BALANCE_CREDIT_TYPES.has(status) ? 'succeeded' : 'none';
  if (record.kind === 'checkout_session' && status === 'no_payment_required') return 'none';
  if (SUCCEEDED.has(status)) return 'succeeded';
  if (FAILED.has(status)) return 'failed';
  if (PENDING.has(status)) return 'pending';
  return 'pending';
}

export interface MoneyGroup {
  index: number;
  /** The representative (amount, status, time) first, then the linked objects. */
  records: PaymentRecord[];
  rep: PaymentRecord;
  stripeCustomerId: string | null;
  currency: string;
  amount: Decimal;
  at: Instant;
  status: MoneyStatus;
  /** The largest amount_refunded any member states (dashboard CSVs carry refunds only this way). */
  amountRefunded: Decimal;
}

/** A refund or a dispute: `money` takes money back, `won` gave it back to the merchant, `none` moved nothing. */
export type ReversalState = 'money' | 'pending' | 'won' | 'none';

export interface MoneyReversal {
  index: number;
  kind: 'refund' | 'dispute';
  /** Stripe id; a refund known only from amount_refunded is "<payment id>#amount_refunded". */
  id: string;
  /** The record, or null for a refund known only from amount_refunded. */
  record: PaymentRecord | null;
  /** Index of the money group it takes back from, or -1 when that payment is not in the data. */
  group: number;
  stripeCustomerId: string | null;
  currency: string;
  amount: Decimal;
  at: Instant;
  state: ReversalState;
}

function reversalState(record: PaymentRecord): ReversalState {
  const status = record.status.trim().toLowerCase();
  if (record.kind === 'refund') {
    if (status === 'succeeded') return 'money';
    if (status === 'failed' || status === 'canceled') return 'none';
    return 'pending';
  }
  if (status === 'lost') return 'money';
  if (status === 'won' || status === 'warning_closed') return 'won';
  // A disputed charge that was refunded: the refund record carries the money.
  if (status === 'charge_refunded') return 'none';
  // needs_response, under_review, warning_*: the outcome is not known yet.
  return 'pending';
}

export interface StripeMoney {
  groups: MoneyGroup[];
  reversals: MoneyReversal[];
  /** Every Stripe id (members of groups, refunds, disputes) → what it names. */
  byId: Map<string, { group: number } | { reversal: number }>;
  /** Records left out: after asOf, or a second record with an id already seen. */
  skipped: number;
}

class UnionFind {
  private readonly parent: Int32Array;
  constructor(size: number) {
    this.parent = new Int32Array(size);
    for (let i = 0; i < size; i++) this.parent[i] = i;
  }
  find(i: number): number {
    let root = i;
    while (this.parent[root] !== root) root = this.parent[root]!;
    while (this.parent[i] !== root) {
      const next = this.parent[i]!;
      this.parent[i] = root;
      i = next;
    }
    return root;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

function compareMembers(a: PaymentRecord, b: PaymentRecord): number {
  return PRECEDENCE[a.kind] - PRECEDENCE[b.kind] || a.at - b.at || compareText(a.sourceId, b.sourceId);
}

function links(record: PaymentRecord): (string | null)[] {
  return [record.paymentIntentId, record.chargeId, record.invoiceId, record.checkoutSessionId];
}

/** Groups Stripe records at or before `asOf` into money-in groups and reversals (deterministic for any input order). */
export function collectStripeMoney(payments: readonly PaymentRecord[], asOf: Instant): StripeMoney {
  const seen = new Set<string>();
  const moneyIn: PaymentRecord[] = [];
  const back: PaymentRecord[] = [];
  let skipped = 0;
  for (const record of payments) {
    if (record.at > asOf || seen.has(record.sourceId)) {
      skipped++;
      continue;
    }
    seen.add(record.sourceId);
    (record.kind === 'refund' || record.kind === 'dispute' ? back : moneyIn).push(record);
  }
  moneyIn.sort((a, b) => a.at - b.at || compareText(a.sourceId, b.sourceId));
  const position = new Map<string, number>();
  moneyIn.forEach((record, i) => position.set(record.sourceId, i));
  const sets = new UnionFind(moneyIn.length);
  moneyIn.forEach((record, i) => {
    for (const link of links(record)) {
      const other = link === null ? undefined : position.get(link);
      if (other !== undefined) sets.union(i, other);
    }
  });
  const members = new Map<number, PaymentRecord[]>();
  moneyIn.forEach((record, i) => {
    const root = sets.find(i);
    const list = members.get(root);
    if (list === undefined) members.set(root, [record]);
    else list.push(record);
  });

  const groups: MoneyGroup[] = [];
  const byId: StripeMoney['byId'] = new Map();
  for (const list of members.values()) {
    list.sort(compareMembers);
    const rep = list[0]!;
    let amountRefunded = ZERO;
    for (const record of list) if (record.amountRefunded !== null && record.amountRefunded.gt(amountRefunded)) amountRefunded = record.amountRefunded;
    const group: MoneyGroup = {
      index: groups.length,
      records: list,
      rep,
      stripeCustomerId: list.find((record) => record.customerId !== null)?.customerId ?? null,
      currency: rep.currency,
      amount: rep.amount,
      at: rep.at,
      status: moneyStatus(rep),
      amountRefunded,
    };
    groups.push(group);
    for (const record of list) byId.set(record.sourceId, { group: group.index });
  }

  back.sort((a, b) => a.at - b.at || compareText(a.sourceId, b.sourceId));
  const reversals: MoneyReversal[] = [];
  const refundedByGroup = new Map<number, Decimal>();
  for (const record of back) {
    const group = groupOf(record, byId);
    const reversal: MoneyReversal = {
      index: reversals.length,
      kind: record.kind === 'refund' ? 'refund' : 'dispute',
      id: record.sourceId,
      record,
      group,
      stripeCustomerId: record.customerId ?? (group >= 0 ? groups[group]!.stripeCustomerId : null),
      currency: record.currency,
      amount: record.amount,
      at: record.at,
      state: reversalState(record),
    };
    reversals.push(reversal);
    byId.set(record.sourceId, { reversal: reversal.index });
    if (reversal.kind === 'refund' && reversal.state === 'money' && group >= 0) {
      refundedByGroup.set(group, (refundedByGroup.get(group) ?? ZERO).plus(reversal.amount));
    }
  }
  // A payment that states more refunded than its refund records show (a dashboard CSV has no refund
  // objects): the rest is a refund of its own, dated with the payment (its real date is not known).
  for (const group of groups) {
    if (group.status !== 'succeeded') continue;
    const missing = group.amountRefunded.minus(refundedByGroup.get(group.index) ?? ZERO);
    if (!missing.gt(0)) continue;
    const id = `${group.rep.sourceId}#amount_refunded`;
    reversals.push({
      index: reversals.length,
      kind: 'refund',
      id,
      record: null,
      group: group.index,
      stripeCustomerId: group.stripeCustomerId,
      currency: group.currency,
      amount: missing,
      at: group.at,
      state: 'money',
    });
    byId.set(id, { reversal: reversals.length - 1 });
  }
  return { groups, reversals, byId, skipped };
}

function groupOf(record: PaymentRecord, byId: StripeMoney['byId']): number {
  for (const link of links(record)) {
    if (link === null) continue;
    const target = byId.get(link);
    if (target !== undefined && 'group' in target) return target.group;
  }
  return -1;
}
