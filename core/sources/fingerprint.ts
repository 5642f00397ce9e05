import { toCanonical } from '../money/decimal.js';
import type { LedgerEntry } from '../ledger/types.js';

/**
 * L5 fingerprint: the entry's canonical content as one string, fields joined by U+001F. It leaves out
 * what is not content (source id, ordinal, origin, raw formatting, metadata), so the same record read
 * from a JSON array, JSON Lines or CSV gives the same string. Null is the empty field; parsers turn
 * empty optional strings into null, so "" never stands for a value. A text that could be mistaken for
 * the layout (it holds U+001F or starts with a quote) is written JSON-quoted, keeping the map one-to-one.
 *
 * Fields: kind, status, customer, subscription, unit, amount, at, blockId, effectiveAt, expiresAt,
 * costBasis, priority, targetExpiresAt, sourceExpiresAt, voidReason, description.
 */
const SEPARATOR = '\u001f';

function text(value: string | null): string | null {
  if (value === null) return null;
  return value.charCodeAt(0) === 34 /* " */ || value.includes(SEPARATOR) ? JSON.stringify(value) : value;
}

/**
 * The fingerprint of an entry. Parsers pass the canonical amount and cost basis they already hold
 * (cheaper than printing the Decimals again); the result is the same as without them.
 */
export function entryFingerprint(entry: LedgerEntry, amountCanonical?: string, costBasisCanonical?: string | null): string {
  const amount = amountCanonical ?? toCanonical(entry.amount);
  const costBasis = costBasisCanonical !== undefined ? costBasisCanonical : entry.costBasis === null ? null : toCanonical(entry.costBasis);
  // One join builds one flat string; `+` chains would keep a tree of ~30 cons strings per entry alive.
  // join() writes null as "" and numbers (instants in ms, priority) in their shortest exact form.
  return [
    entry.kind,
    entry.status,
    text(entry.customerId),
    text(entry.subscriptionId),
    text(entry.unit),
    amount,
    entry.at,
    text(entry.blockId),
    entry.effectiveAt,
    entry.expiresAt,
    costBasis,
    entry.priority,
    entry.targetExpiresAt,
    entry.sourceExpiresAt,
    text(entry.voidReason),
    text(entry.description),
  ].join(SEPARATOR);
}
