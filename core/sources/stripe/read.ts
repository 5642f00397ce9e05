import { amountLimitProblem, type Decimal } from '../../money/decimal.js';
import { stripeMinorToMajor } from '../../money/stripe-minor-units.js';
import { isIsoCurrency } from '../../money/units.js';
import { fromUnixSeconds, type Instant } from '../../time/instant.js';
import { describeValue, isRecord, readString, type JsonRecord } from '../fields.js';
import { isLosslessNumber } from '../lossless-json.js';
import type { RecordScope } from '../problems.js';

/*
 * Field readers for Stripe's API objects (JSON from the SDK, from list pages in files, or JSON Lines).
 * Stripe sends amounts as integers in the currency's minor unit, times as Unix seconds, currencies in
 * lower case, and links either as an id or, when expanded, as the object itself.
 */

const MISSING = 'required field is missing';

/** The literal text of an integer JSON value (number or lossless number), or null when it is not one. */
function integerText(value: unknown): string | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : null;
  if (isLosslessNumber(value)) return /^-?\d+$/.test(value.value) ? value.value : null;
  return null;
}

/** A Unix-seconds field (created, effective_at...) as an Instant. */
export function readUnixSeconds(scope: RecordScope, record: JsonRecord, key: string, required: boolean, label = key): Instant | null {
  const value = record[key];
  if (value === undefined || value === null) {
    if (required) scope.fail(label, MISSING);
    return null;
  }
  const text = integerText(value);
  const seconds = text === null ? NaN : Number(text);
  if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds > 253_402_300_799) {
    scope.fail(label, `expected Unix seconds (an integer like 1736467200), found ${describeValue(value)}`);
    return null;
  }
  return fromUnixSeconds(seconds);
}

/** A three-letter ISO 4217 code, as Stripe writes it ("usd"); returned upper case. */
export function readCurrency(scope: RecordScope, record: JsonRecord, key: string, required: boolean, label = key): string | null {
  const value = readString(scope, record, key, required, label);
  if (value === null) return null;
  if (!/^[A-Za-z]{3}$/.test(value) || !isIsoCurrency(value)) {
    scope.fail(label, `expected an ISO 4217 currency code like "usd", found ${describeValue(value)}`);
    return null;
  }
  return value.toUpperCase();
}

/**
 * An integer amount in Stripe's minor unit of `currency` (stripe-minor-units.ts, not ISO's), as major
 * units (1050 usd → 10.5, 10000 isk → 100). `signed`: a
 * negative amount is allowed (customer balance transactions); otherwise it must not be negative.
 */
export function readMinorAmount(
  scope: RecordScope,
  record: JsonRecord,
  key: string,
  currency: string | null,
  required: boolean,
  options: { signed?: boolean; label?: string } = {},
): Decimal | null {
  const label = options.label ?? key;
  const value = record[key];
  if (value === undefined || value === null) {
    if (required) scope.fail(label, MISSING);
    return null;
  }
  const text = integerText(value);
  if (text === null) {
    scope.fail(label, `expected an integer amount in the currency's minor unit (like 1050 for 10.50), found ${describeValue(value)}`);
    return null;
  }
  const beyond = amountLimitProblem(text);
  if (beyond !== null) {
    scope.fail(label, beyond);
    return null;
  }
  if (!options.signed && text.startsWith('-')) {
    scope.fail(label, `must not be negative, found ${text}`);
    return null;
  }
  if (currency === null) return null; // the currency's own problem is reported already
  return stripeMinorToMajor(text, currency);
}

/** An id field that may be expanded into its object ({id, ...}). */
export function readIdOrObject(scope: RecordScope, record: JsonRecord, key: string, required: boolean, label = key): string | null {
  const value = record[key];
  if (isRecord(value)) return readString(scope, value, 'id', required, `${label}.id`);
  return readString(scope, record, key, required, label);
}

/** Stripe metadata: string values. Numbers in hand-made files keep their literal text. */
export function readMetadata(scope: RecordScope, record: JsonRecord, key = 'metadata'): Record<string, string> {
  const value = record[key];
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    scope.fail(key, `expected an object of strings, found ${describeValue(value)}`);
    return {};
  }
  const metadata: Record<string, string> = {};
  for (const [name, item] of Object.entries(value)) {
    if (typeof item === 'string') metadata[name] = item;
    else if (typeof item === 'number' || typeof item === 'boolean') metadata[name] = String(item);
    else if (isLosslessNumber(item)) metadata[name] = item.value;
    else if (item !== null) scope.fail(`${key}.${name}`, `expected a string, found ${describeValue(item)}`);
  }
  return metadata;
}
