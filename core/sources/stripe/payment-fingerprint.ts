import { toCanonical } from '../../money/decimal.js';
import type { PaymentRecord } from '../../payments/types.js';

/**
 * A payment's canonical content as one string (fields joined by U+001F; metadata as JSON with sorted
 * keys), leaving out what is not content: origin, raw formatting, when it was observed. Two reads of the
 * same state of a Stripe object give the same string; any change Stripe makes to a field we keep gives
 * a different one, which is what makes a new version (core/store/payments.ts).
 */
const SEPARATOR = '\u001f';

function text(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return value.charCodeAt(0) === 34 /* " */ || value.includes(SEPARATOR) ? JSON.stringify(value) : value;
}

export function sortedMetadataJson(metadata: Record<string, string>): string {
  const keys = Object.keys(metadata);
  if (keys.length === 0) return '{}';
  keys.sort();
  const sorted: Record<string, string> = {};
  for (const key of keys) sorted[key] = metadata[key]!;
  return JSON.stringify(sorted);
}

export function paymentFingerprint(record: PaymentRecord): string {
  return [
    record.kind,
    text(record.customerId),
    toCanonical(record.amount),
    record.currency,
    text(record.status),
    record.at,
    text(record.paymentIntentId),
    text(record.chargeId),
    text(record.invoiceId),
    text(record.checkoutSessionId),
    record.amountRefunded === null ? '' : toCanonical(record.amountRefunded),
    text(record.description),
    sortedMetadataJson(record.metadata),
    record.balanceEffect ?? '',
    record.disputedAmount === null || record.disputedAmount === undefined ? '' : toCanonical(record.disputedAmount),
    text(record.disputeStatus),
  ].join(SEPARATOR);
}
