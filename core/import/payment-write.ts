import { toCanonical } from '../money/decimal.js';
import type { PaymentKind, PaymentRecord } from '../payments/types.js';
import type { ImportProblem } from '../sources/index.js';
import { paymentFingerprint, type ParsedPayment, type ParsedSourceObject } from '../sources/stripe/index.js';
import {
  insertPaymentIfNew,
  loadPayment,
  paymentHadFingerprint,
  paymentState,
  supersedePayment,
  upsertSourceObject,
  type LedgerDb,
} from '../store/index.js';
import { formatInstant, type Instant } from '../time/instant.js';

/*
 * Payment records and evidence objects into the store (inside the caller's transaction).
 *
 * Stripe objects change after they are created: a refund goes pending → succeeded, a dispute
 * needs_response → won, an intent processing → succeeded. So a payment is identified by (source, id)
 * (L5) and versioned: different content is a new version, the old one kept with its raw evidence.
 * - From the API every change is a new version (Stripe is the authority on its own objects), unless the
 *   state is older than the stored one (an event from before the list page that stored it).
 * - From a file (decided): an export is a later look at the same objects, so a changed status, refund
 *   amount, link or metadata is a new version too; a file that states an earlier version again changes
 *   nothing. But a change of what the object IS (its kind, currency, created time, or the amount of a
 *   charge, refund, dispute or balance transaction, which Stripe never changes) is an L5 conflict: the
 *   import is rejected and nothing is written. A CSV row leaves fields it does not carry as stored.
 */

export interface PaymentWriteCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  /** API: states older than the stored version, not applied. */
  stale: number;
}

export function emptyPaymentCounts(): PaymentWriteCounts {
  return { inserted: 0, updated: 0, unchanged: 0, stale: 0 };
}

/** Kinds whose amount Stripe never changes once created. */
const FIXED_AMOUNT: ReadonlySet<PaymentKind> = new Set(['charge', 'refund', 'dispute', 'customer_balance_transaction']);

function identityDifference(stored: PaymentRecord, incoming: PaymentRecord): string | null {
  if (stored.kind !== incoming.kind) return `kind was "${stored.kind}", found "${incoming.kind}"`;
  if (stored.currency !== incoming.currency) return `currency was "${stored.currency}", found "${incoming.currency}"`;
  if (stored.at !== incoming.at) return `created was ${formatInstant(stored.at)}, found ${formatInstant(incoming.at)}`;
  if (FIXED_AMOUNT.has(stored.kind) && !stored.amount.eq(incoming.amount)) {
    return `amount was ${toCanonical(stored.amount)}, found ${toCanonical(incoming.amount)}`;
  }
  return null;
}

/** A partial record (CSV row) keeps the stored value of every field it leaves empty. */
function mergePartial(stored: PaymentRecord, incoming: PaymentRecord): PaymentRecord {
  const merged: PaymentRecord = {
    ...incoming,
    customerId: incoming.customerId ?? stored.customerId,
    paymentIntentId: incoming.paymentIntentId ?? stored.paymentIntentId,
    chargeId: incoming.chargeId ?? stored.chargeId,
    invoiceId: incoming.invoiceId ?? stored.invoiceId,
    checkoutSessionId: incoming.checkoutSessionId ?? stored.checkoutSessionId,
    amountRefunded: incoming.amountRefunded ?? stored.amountRefunded,
    description: incoming.description ?? stored.description,
    metadata: { ...stored.metadata, ...incoming.metadata },
  };
  if (incoming.disputedAmount === undefined && stored.disputedAmount !== undefined) merged.disputedAmount = stored.disputedAmount;
  if (incoming.disputeStatus === undefined && stored.disputeStatus !== undefined) merged.disputeStatus = stored.disputeStatus;
  if (incoming.balanceEffect === undefined && stored.balanceEffect !== undefined) merged.balanceEffect = stored.balanceEffect;
  return merged;
}

/** API data: insert, or a new version when the content changed and the state is not older. */
export function writeApiPayments(db: LedgerDb, payments: readonly ParsedPayment[], recordedAt: Instant, counts: PaymentWriteCounts): void {
  for (const payment of payments) {
    const write = { record: payment.record, raw: payment.raw, origin: payment.origin, observedAt: payment.observedAt };
    const fingerprint = paymentFingerprint(payment.record);
    if (insertPaymentIfNew(db, write, recordedAt, fingerprint)) {
      counts.inserted++;
      continue;
    }
    const stored = paymentState(db, payment.record.sourceId)!;
    if (stored.fingerprint === fingerprint) counts.unchanged++;
    else if (stored.observedAt !== null && payment.observedAt !== null && payment.observedAt < stored.observedAt) counts.stale++;
    else {
      supersedePayment(db, write, recordedAt, fingerprint);
      counts.updated++;
    }
  }
}

/** File data: see the decision above; identity changes are problems (the caller then rolls back). */
export function writeFilePayments(
  db: LedgerDb,
  payments: readonly ParsedPayment[],
  recordedAt: Instant,
  counts: PaymentWriteCounts,
  problems: ImportProblem[],
): void {
  for (const payment of payments) {
    const origin = payment.origin;
    const write = { record: payment.record, raw: payment.raw, origin, observedAt: null };
    if (insertPaymentIfNew(db, write, recordedAt)) {
      counts.inserted++;
      continue;
    }
    const stored = loadPayment(db, payment.record.sourceId)!;
    const difference = identityDifference(stored.record, payment.record);
    if (difference !== null) {
      problems.push({
        file: origin.file,
        line: origin.line,
        pointer: origin.pointer,
        field: '-',
        message:
          `stripe id "${payment.record.sourceId}" conflicts with the payment stored from ${stored.origin.file}` +
          `${stored.origin.line === null ? '' : `:${stored.origin.line}`} (version ${stored.version}): ${difference}`,
      });
      continue;
    }
    const record = payment.partial === true ? mergePartial(stored.record, payment.record) : payment.record;
    const fingerprint = paymentFingerprint(record);
    if (fingerprint === stored.fingerprint || paymentHadFingerprint(db, record.sourceId, fingerprint)) {
      counts.unchanged++;
      continue;
    }
    supersedePayment(db, { ...write, record }, recordedAt, fingerprint);
    counts.updated++;
  }
}

export interface ObjectWriteCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

export function emptyObjectCounts(): ObjectWriteCounts {
  return { inserted: 0, updated: 0, unchanged: 0 };
}

export function writeObjects(db: LedgerDb, objects: readonly ParsedSourceObject[], recordedAt: Instant, counts: ObjectWriteCounts): void {
  for (const object of objects) {
    const result = upsertSourceObject(db, { ...object, origin: object.origin }, recordedAt);
    if (result === 'inserted') counts.inserted++;
    else if (result === 'updated') counts.updated++;
    else counts.unchanged++;
  }
}
