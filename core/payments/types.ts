import type { Decimal } from '../money/decimal.js';
import type { Instant } from '../time/instant.js';

/*
 * Canonical Stripe money records: what customers paid (and got back), for reconciliation against
 * ledger credits (DESIGN §6). Produced by core/sources/stripe (API sync and export files), stored by
 * core/store, consumed by core/reconcile. Credit grants are NOT payments: they become ledger entries.
 */

export const PAYMENT_KINDS = [
  'payment_intent',
  'charge',
  'checkout_session',
  'invoice',
  'refund',
  'dispute',
  'customer_balance_transaction',
] as const;
export type PaymentKind = (typeof PAYMENT_KINDS)[number];

export interface PaymentRecord {
  source: 'stripe';
  /** Stripe object id: pi_…, ch_…, cs_…, in_…, re_…, dp_…, cbtxn_… (L5 identity with source). */
  sourceId: string;
  kind: PaymentKind;
  /** Stripe customer id (cus_…), when the object names one. */
  customerId: string | null;
  /** Major units, as a magnitude; the kind gives the direction (refunds and disputes take money back). */
  amount: Decimal;
  /** ISO 4217, upper case. */
  currency: string;
  /**
   * Stripe's own status word, kept verbatim: payment_intent succeeded|processing|requires_*|canceled;
   * charge succeeded|pending|failed; checkout_session complete|open|expired (+ payment_status paid|unpaid);
   * invoice paid|open|void|uncollectible|draft; refund succeeded|pending|failed|canceled|requires_action;
   * dispute won|lost|needs_response|under_review|warning_*; customer_balance_transaction: its `type`.
   */
  status: string;
  /** When Stripe created the object. */
  at: Instant;
  /** Links between objects, used for exact-reference matching. */
  paymentIntentId: string | null;
  chargeId: string | null;
  invoiceId: string | null;
  checkoutSessionId: string | null;
  /** charge/payment_intent: how much of it was refunded already (major units), else null. */
  amountRefunded: Decimal | null;
  description: string | null;
  metadata: Record<string, string>;
  /**
   * customer_balance_transaction only: Stripe's amount is signed; "credit" when it was negative (it
   * credits the customer's balance: money the customer can spend), "debit" when positive. Absent or
   * null for other kinds.
   */
  balanceEffect?: 'credit' | 'debit' | null;
  /**
   * Dashboard CSV rows only (unified payments export): "Disputed Amount" (major units) and "Dispute
   * Status" of the charge, which the export states without the dispute's own id. Absent or null when
   * the row states none (API objects carry disputes as their own `dispute` records).
   */
  disputedAmount?: Decimal | null;
  disputeStatus?: string | null;
}
