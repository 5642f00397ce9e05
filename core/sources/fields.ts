import { amountLimitProblem, Decimal, isDecimalLiteral, jsonExponentLiteralToPlain, toCanonical } from '../money/decimal.js';
import { normalizeUnit } from '../money/units.js';
import type { EntryStatus } from '../ledger/types.js';
import type { Instant } from '../time/instant.js';
import { parseInstantFast } from './instant-fast.js';
import { isLosslessNumber } from './lossless-json.js';
import type { RecordScope } from './problems.js';

/**
 * Hand-written field readers for the import hot path (no zod, no per-field allocation for good values).
 * Each reader reports a problem naming the field and returns null when the value is missing or bad;
 * absent and JSON null mean the same: unset.
 */

export type JsonRecord = Record<string, unknown>;

const DECIMAL_EXPECTED = 'expected a decimal number like "12.50" (no exponent, no thousands separator)';
const MISSING = 'required field is missing';

/** How a found value is quoted in messages: strings in quotes, numbers by their literal text. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (isLosslessNumber(value)) return value.value;
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}

export function isRecord(value: unknown): value is JsonRecord {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Readers take the record, the key to read and whether it is required; `label` names the field in
 * problems when it differs from the key (nested fields: "customer.id").
 */
export function readString(scope: RecordScope, record: JsonRecord, key: string, required: boolean, label = key): string | null {
  const value = record[key];
  const field = label;
  if (typeof value === 'string') {
    if (value.length > 0) return value;
    // An empty optional string is unset, so JSON "" and an empty CSV cell read the same.
    if (required) scope.fail(field, 'must not be empty');
    return null;
  }
  if (value === undefined || value === null) {
    if (required) scope.fail(field, MISSING);
    return null;
  }
  scope.fail(field, `expected a string, found ${describeValue(value)}`);
  return null;
}

export function readInstant(scope: RecordScope, record: JsonRecord, key: string, required: boolean, label = key): Instant | null {
  const value = record[key];
  const field = label;
  if (value === undefined || value === null) {
    if (required) scope.fail(field, MISSING);
    return null;
  }
  if (typeof value !== 'string') {
    scope.fail(field, `expected an ISO 8601 instant like "2025-01-10T00:00:00Z", found ${describeValue(value)}`);
    return null;
  }
  try {
    return parseInstantFast(value);
  } catch (error) {
    scope.fail(field, error instanceof Error ? error.message : String(error));
    return null;
  }
}

/** The last good unit text and its normalised form: a file states one or two units on every record. */
let lastUnitText = '';
let lastUnit = '';

/** A unit name: `currency` where present, else the fallback, normalised ("usd" → "USD"). */
export function readUnit(scope: RecordScope, record: JsonRecord, field: string, fallback: string): string {
  const value = readString(scope, record, field, false);
  if (value === null) return fallback;
  if (value === lastUnitText) return lastUnit; // only good units are kept there ("" never reaches it)
  const unit = normalizeUnit(value);
  if (unit.length === 0) {
    scope.fail(field, `expected a currency code or unit name, found ${describeValue(value)}`);
    return unit;
  }
  lastUnitText = value;
  lastUnit = unit;
  return unit;
}

/** An integer field (ledger_sequence_number, priority): a JSON number with no fraction. */
export function readInteger(scope: RecordScope, record: JsonRecord, field: string, required: boolean): number | null {
  const value = record[field];
  if (value === undefined || value === null) {
    if (required) scope.fail(field, MISSING);
    return null;
  }
  // "3.0" reads as 3 on both paths (JSON.parse cannot tell them apart, so the lossless path must not either).
  const number = typeof value === 'number' ? value : isLosslessNumber(value) && /^-?\d+(\.0*)?$/.test(value.value) ? Number(value.value) : NaN;
  if (!Number.isSafeInteger(number)) {
    scope.fail(field, `expected an integer, found ${describeValue(value)}`);
    return null;
  }
  return number;
}

export function readObject(scope: RecordScope, record: JsonRecord, key: string, required: boolean, label = key): JsonRecord | null {
  const value = record[key];
  const field = label;
  if (value === undefined || value === null) {
    if (required) scope.fail(field, MISSING);
    return null;
  }
  if (!isRecord(value)) {
    scope.fail(field, `expected an object, found ${describeValue(value)}`);
    return null;
  }
  return value;
}

/** Reads one of `allowed` (a string); `map` turns it into the canonical value. */
export function readEnum<T>(
  scope: RecordScope,
  record: JsonRecord,
  field: string,
  map: Readonly<Record<string, T>>,
  required: boolean,
): T | null {
  const value = record[field];
  if (value === undefined || value === null) {
    if (required) scope.fail(field, MISSING);
    return null;
  }
  if (typeof value === 'string' && Object.prototype.hasOwnProperty.call(map, value)) return map[value] as T;
  scope.fail(field, `expected one of ${Object.keys(map).map((k) => JSON.stringify(k)).join(', ')}, found ${describeValue(value)}`);
  return null;
}

export const POSTED_OR_PENDING: Readonly<Record<string, EntryStatus>> = { posted: 'posted', pending: 'pending' };

/** A decimal magnitude with its canonical text, shared between records that state the same amount. */
export interface CanonicalDecimal {
  readonly value: Decimal;
  /** toCanonical(value). */
  readonly canonical: string;
  readonly zero: boolean;
}

/** Bound on the per-file amount cache; amounts repeat (usage prices, credit packs), ids do not. */
const AMOUNT_CACHE_LIMIT = 16_384;
/** Slots of the cache of JSON-number amounts (a power of two). */
const NUMBER_SLOTS = 8_192;

/**
 * Reads decimal fields: JSON numbers (exact, see lossless-json.ts), lossless literals and decimal
 * strings, all strict (no exponent, no grouping). Returns the magnitude; `sign` holds the sign of the
 * last value read (−1, 0, 1). Magnitudes are cached per file: Decimal values are immutable, and building
 * and printing them is most of the cost of an amount.
 */
export class DecimalReader {
  /** Sign of the last value read: −1, 0 or 1. */
  sign = 0;
  private readonly cache = new Map<string, CanonicalDecimal>();
  /** Fast-path JSON numbers by value: no string to build and hash for a repeated amount. */
  private readonly numberSlots = new Array<{ number: number; decimal: CanonicalDecimal } | undefined>(NUMBER_SLOTS).fill(undefined);

  read(scope: RecordScope, record: JsonRecord, key: string, required: boolean, label = key): CanonicalDecimal | null {
    return this.readValue(scope, label, record[key], required);
  }

  /**
   * The signed canonical text of a decimal field ("-12.5"), for values of which only the text is kept
   * (an Orb export's stated balances). A fast-path JSON number prints it itself: String(n) has the
   * literal's value (lossless-json.ts) and, from 1e-6 up to 1e21, is plain with no trailing zero, as
   * canonical text is. So no Decimal is built, and running balances, which rarely repeat, do not churn
   * the amount cache (building and printing them was a third of parsing an Orb export). `sign` is set.
   */
  readSignedCanonical(scope: RecordScope, record: JsonRecord, key: string, required: boolean, label = key): string | null {
    const value = record[key];
    if (typeof value === 'number') {
      const magnitude = value < 0 ? -value : value;
      if (magnitude === 0) {
        this.sign = 0;
        return '0';
      }
      if (magnitude >= 1e-6 && magnitude < 1e21) {
        this.sign = value < 0 ? -1 : 1;
        return String(value);
      }
    }
    const read = this.readValue(scope, label, value, required);
    return read === null ? null : this.signedCanonical(read);
  }

  /** The signed canonical text of the last value read ("-12.5"), given its magnitude. */
  signedCanonical(magnitude: CanonicalDecimal): string {
    return this.sign < 0 ? `-${magnitude.canonical}` : magnitude.canonical;
  }

  readValue(scope: RecordScope, field: string, value: unknown, required: boolean): CanonicalDecimal | null {
    let text: string;
    if (typeof value === 'number') {
      // Only fast-path numbers reach here: exact, finite, no exponent in the literal (lossless-json.ts).
      if (!Number.isFinite(value)) {
        scope.fail(field, `${DECIMAL_EXPECTED}, found ${String(value)}`);
        return null;
      }
      this.sign = value < 0 ? -1 : value > 0 ? 1 : 0;
      const magnitude = value < 0 ? -value : value;
      // Direct-mapped by the value in thousandths: one array read for a repeated amount.
      const slot = ((magnitude * 1000) | 0) & (NUMBER_SLOTS - 1);
      const cached = this.numberSlots[slot];
      if (cached !== undefined && cached.number === magnitude) return cached.decimal;
      // String() of a tiny value is "1e-7"; decimal.js reads that exactly, and canonical prints it plainly.
      const decimal = this.magnitude(String(magnitude));
      this.numberSlots[slot] = { number: magnitude, decimal };
      return decimal;
    }
    if (typeof value === 'string') {
      if (!isDecimalLiteral(value)) {
        scope.fail(field, `${DECIMAL_EXPECTED}, found ${describeValue(value)}`);
        return null;
      }
      text = value;
    } else if (isLosslessNumber(value)) {
      text = value.value;
      if (!isDecimalLiteral(text)) {
        // A JSON number with an exponent ("-1e-05", as Orb writes tiny amounts) is valid JSON: read it exactly.
        const plain = jsonExponentLiteralToPlain(text);
        if (plain === null) {
          scope.fail(field, `${DECIMAL_EXPECTED}, found ${text}`);
          return null;
        }
        text = plain;
      }
    } else if (value === undefined || value === null) {
      if (required) scope.fail(field, MISSING);
      return null;
    } else {
      scope.fail(field, `${DECIMAL_EXPECTED}, found ${describeValue(value)}`);
      return null;
    }
    const beyond = amountLimitProblem(text);
    if (beyond !== null) {
      scope.fail(field, beyond);
      return null;
    }
    const first = text.charCodeAt(0);
    const negative = first === 45; /* - */
    const result = this.magnitude(negative || first === 43 /* + */ ? text.slice(1) : text);
    this.sign = result.zero ? 0 : negative ? -1 : 1;
    return result;
  }

  private magnitude(text: string): CanonicalDecimal {
    let cached = this.cache.get(text);
    if (cached === undefined) {
      const value = new Decimal(text);
      cached = { value, canonical: toCanonical(value), zero: value.isZero() };
      if (this.cache.size >= AMOUNT_CACHE_LIMIT) this.cache.clear();
      this.cache.set(text, cached);
    }
    return cached;
  }
}
