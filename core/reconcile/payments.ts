import { Decimal, ZERO } from '../money/decimal.js';
import { compareText } from '../ledger/account-key.js';
import type { PaymentKind, PaymentRecord } from '../payments/types.js';
import type { Instant } from '../time/instant.js';
import { UnionFind } from './union-find.js';

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

/** Status words repeat: trimmed and lower-cased once each (bounded: Stripe has a few dozen). */
const NORMALIZED = new Map<string, string>();
function normalized(status: string): string {
  let text = NORMALIZED.get(status);
  if (text === undefined) {
    text = status.trim().toLowerCase();
    if (NORMALIZED.size < 1024) NORMALIZED.set(status, text);
  }
  return text;
}

/** Stripe's status word → what happened to the money. An unknown word is pending: shown, never drift. */
export function moneyStatus(record: PaymentRecord): MoneyStatus {
  const status = normalized(record.status);
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
  const status = normalized(record.status);
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
  /** Every Stripe id → its money group (≥ 0), or its refund or dispute (reversalRef: < 0). */
  byId: Map<string, number>;
  /** Records left out: after asOf, or a second record with an id already seen. */
  skipped: number;
}

function compareMembers(a: PaymentRecord, b: PaymentRecord): number {
  return PRECEDENCE[a.kind] - PRECEDENCE[b.kind] || a.at - b.at || compareText(a.sourceId, b.sourceId);
}

function compareByTime(a: PaymentRecord, b: PaymentRecord): number {
  return a.at - b.at || compareText(a.sourceId, b.sourceId);
}

/** By time, then id; most exports are in time order already (one pass to see it). */
function sortByTime(records: PaymentRecord[]): void {
  for (let i = 1; i < records.length; i++) {
    if (compareByTime(records[i - 1]!, records[i]!) > 0) {
      records.sort(compareByTime);
      return;
    }
  }
}

/** Calls `visit` with each id the record links to (intent, charge, invoice, session). */
function forEachLink(record: PaymentRecord, visit: (id: string) => void): void {
  if (record.paymentIntentId !== null) visit(record.paymentIntentId);
  if (record.chargeId !== null) visit(record.chargeId);
  if (record.invoiceId !== null) visit(record.invoiceId);
  if (record.checkoutSessionId !== null) visit(record.checkoutSessionId);
}

/** byId value of a money group (≥ 0) or of a refund or dispute (< 0). */
export function reversalRef(index: number): number {
  return -index - 1;
}

export function reversalOfRef(ref: number): number {
  return -ref - 1;
}

/** Groups Stripe records at or before `asOf` into money-in groups and reversals (deterministic for any input order). */
export function collectStripeMoney(payments: readonly PaymentRecord[], asOf: Instant): StripeMoney {
  const moneyIn: PaymentRecord[] = [];
  const back: PaymentRecord[] = [];
  // Refunds after asOf: a payment's amount_refunded is its state when read, so they are in it already.
  const laterRefunds: PaymentRecord[] = [];
  let skipped = 0;
  for (let i = 0; i < payments.length; i++) {
    const record = payments[i]!;
    if (record.at > asOf) {
      skipped++;
      if (record.kind === 'refund') laterRefunds.push(record);
    } else (record.kind === 'refund' || record.kind === 'dispute' ? back : moneyIn).push(record);
  }
  // Stripe ids are unique (L5): a second record with a seen id is left out, whichever it was.
  sortByTime(moneyIn);
  const position = new Map<string, number>();
  let kept = 0;
  for (let i = 0; i < moneyIn.length; i++) {
    const record = moneyIn[i]!;
    if (position.has(record.sourceId)) {
      skipped++;
      continue;
    }
    position.set(record.sourceId, kept);
    moneyIn[kept++] = record;
  }
  moneyIn.length = kept;
  const sets = new UnionFind(moneyIn.length);
  let linked = false;
  let current = 0;
  const unite = (link: string) => {
    const other = position.get(link);
    if (other !== undefined && other !== current) {
      sets.union(current, other);
      linked = true;
    }
  };
  for (current = 0; current < moneyIn.length; current++) forEachLink(moneyIn[current]!, unite);
  // Members of each group, in first-member (time) order; most payments are one object alone.
  const groupOfRoot = new Int32Array(moneyIn.length).fill(-1);
  const memberLists: PaymentRecord[][] = [];
  for (let i = 0; i < moneyIn.length; i++) {
    const root = linked ? sets.find(i) : i;
    const g = groupOfRoot[root]!;
    if (g === -1) {
      groupOfRoot[root] = memberLists.length;
      memberLists.push([moneyIn[i]!]); // a literal: sized 1, not an empty array grown to 17 slots
    } else memberLists[g]!.push(moneyIn[i]!);
  }

  const groups: MoneyGroup[] = [];
  // Without links, group i is record i: the position map already maps every id to its group.
  const byId: StripeMoney['byId'] = linked ? new Map() : position;
  for (let g = 0; g < memberLists.length; g++) {
    const list = memberLists[g]!;
    if (list.length > 1) list.sort(compareMembers);
    const rep = list[0]!;
    let amountRefunded = ZERO;
    let stripeCustomerId: string | null = null;
    for (let k = 0; k < list.length; k++) {
      const record = list[k]!;
      if (record.amountRefunded !== null && !record.amountRefunded.isZero() && record.amountRefunded.gt(amountRefunded)) amountRefunded = record.amountRefunded;
      stripeCustomerId ??= record.customerId;
    }
    const group: MoneyGroup = {
      index: groups.length,
      records: list,
      rep,
      stripeCustomerId,
      currency: rep.currency,
      amount: rep.amount,
      at: rep.at,
      status: moneyStatus(rep),
      amountRefunded,
    };
    groups.push(group);
    if (linked) for (let k = 0; k < list.length; k++) byId.set(list[k]!.sourceId, group.index);
  }

  // A linked object that is not in the data still names its group: a dashboard CSV has charges with
  // their PaymentIntent ID but no intent object, and the ledger may name the intent.
  let owner = 0;
  const name = (link: string) => {
    if (!byId.has(link)) byId.set(link, owner);
  };
  for (owner = 0; owner < groups.length; owner++) {
    const records = groups[owner]!.records;
    for (let k = 0; k < records.length; k++) forEachLink(records[k]!, name);
  }

  sortByTime(back);
  const reversals: MoneyReversal[] = [];
  const refundedByGroup = new Map<number, Decimal>();
  for (const record of back) {
    if (byId.has(record.sourceId)) {
      skipped++;
      continue;
    }
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
    byId.set(record.sourceId, reversalRef(reversal.index));
    if (reversal.kind === 'refund' && reversal.state === 'money' && group >= 0) {
      refundedByGroup.set(group, (refundedByGroup.get(group) ?? ZERO).plus(reversal.amount));
    }
  }
  // What refunds after asOf took back: not refunded yet at asOf, though the payment states it now.
  for (const record of laterRefunds) {
    const group = groupOf(record, byId);
    if (group >= 0 && reversalState(record) === 'money') refundedByGroup.set(group, (refundedByGroup.get(group) ?? ZERO).plus(record.amount));
  }
  // A payment that states more refunded than its refund records show (a dashboard CSV has no refund
  // objects): the rest is a refund of its own, dated with the payment (its real date is not known).
  for (const group of groups) {
    if (group.status !== 'succeeded' || group.amountRefunded.isZero()) continue;
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
    byId.set(id, reversalRef(reversals.length - 1));
  }
  return { groups, reversals, byId, skipped };
}

function groupOf(record: PaymentRecord, byId: StripeMoney['byId']): number {
  let found = -1;
  forEachLink(record, (link) => {
    const target = byId.get(link);
    if (found === -1 && target !== undefined && target >= 0) found = target;
  });
  return found;
}
