import { Decimal as DecimalJs } from 'decimal.js';

/**
 * The amount limit (issue 10 item 3): every amount read from a file, an API or a user has at most
 * MAX_INTEGER_DIGITS digits before the decimal point and MAX_FRACTION_DIGITS after it (the integer
 * part's leading zeros and the fraction's trailing zeros not counted); anything longer is refused with
 * the limit named, never rounded.
 * Within it an amount has at most 100 significant digits, a sum of up to 10^12 of them at most 112, a
 * product of two (amount × cost basis, the liability report) at most 200 and a sum of 10^12 products at
 * most 212: all below PRECISION, so every balance, sum and value the engine computes is exact. (Precision
 * costs nothing in additions and comparisons; only divisions, which round on purpose, compute that far.)
 */
export const MAX_INTEGER_DIGITS = 50;
export const MAX_FRACTION_DIGITS = 50;
/** Significant digits decimal.js keeps; see the limit above for why nothing in range is ever rounded. */
export const PRECISION = 250;

/**
 * The one Decimal type core uses for amounts. A private clone so no other module's
 * Decimal.set() can change our precision.
 */
export const Decimal = DecimalJs.clone({
  precision: PRECISION,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -1e9,
  toExpPos: 1e9,
});
export type Decimal = InstanceType<typeof Decimal>;

export const ZERO: Decimal = new Decimal(0);

/** Strict decimal literal: optional sign, digits, optional fraction. No exponent, no grouping. */
const DECIMAL_LITERAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

export class AmountParseError extends Error {
  constructor(
    readonly found: string,
    readonly expected: string,
  ) {
    super(`expected ${expected}, found ${JSON.stringify(found)}`);
    this.name = 'AmountParseError';
  }
}

/**
 * Parses a decimal string strictly: "12.5", "-0.0001", "100". Rejects "", "1e3", "12,50",
 * "NaN", "Infinity", whitespace. Throws AmountParseError naming what it found.
 */
export function parseDecimal(text: string): Decimal {
  if (typeof text !== 'string' || !DECIMAL_LITERAL.test(text)) {
    throw new AmountParseError(String(text), 'a decimal number like "12.50" (no exponent, no thousands separator)');
  }
  return new Decimal(text);
}

/** A JSON number token with an exponent ("-1e-05", "2.5E+3"); the exponent at most three digits. */
const JSON_EXPONENT_LITERAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?[eE][+-]?\d{1,3}$/;

/**
 * The plain decimal text of a JSON number literal with an exponent, exactly ("-1e-05" → "-0.00001"), or
 * null when `text` is not one. For provider JSON, where such a literal is valid JSON (DESIGN §3: a JSON
 * number is taken from its literal text); amount strings and CSV cells stay strict (parseDecimal).
 */
export function jsonExponentLiteralToPlain(text: string): string | null {
  if (!JSON_EXPONENT_LITERAL.test(text)) return null;
  // decimal.js reads the literal exactly (precision applies to arithmetic, not to parsing).
  return new Decimal(text).toFixed();
}

/**
 * Null when a strict decimal literal is within the amount limit, else the problem, in words a user can
 * act on (the value itself is not repeated: it may be megabytes long).
 */
export function amountLimitProblem(text: string): string | null {
  let start = text.charCodeAt(0) === 45 /* - */ || text.charCodeAt(0) === 43 /* + */ ? 1 : 0;
  const point = text.indexOf('.');
  const integerEnd = point === -1 ? text.length : point;
  while (start < integerEnd && text.charCodeAt(start) === 48 /* 0 */) start++;
  let fractionEnd = text.length;
  if (point !== -1) while (fractionEnd > point + 1 && text.charCodeAt(fractionEnd - 1) === 48) fractionEnd--;
  const integerDigits = integerEnd - start;
  const fractionDigits = point === -1 ? 0 : fractionEnd - point - 1;
  if (integerDigits <= MAX_INTEGER_DIGITS && fractionDigits <= MAX_FRACTION_DIGITS) return null;
  const found = integerDigits > MAX_INTEGER_DIGITS ? `${integerDigits} digits before the decimal point` : `${fractionDigits} digits after the decimal point`;
  return `beyond the amount limit of ${MAX_INTEGER_DIGITS} digits before the decimal point and ${MAX_FRACTION_DIGITS} after it (kept so that every sum stays exact): found ${found}`;
}

/** True when text is a strict decimal literal (see parseDecimal). */
export function isDecimalLiteral(text: string): boolean {
  return DECIMAL_LITERAL.test(text);
}

/**
 * Canonical decimal string: no exponent, no trailing zeros, no "+", "-0" is "0".
 * "12.50" → "12.5", "-0.000" → "0", "1e3" (as a Decimal) → "1000".
 */
export function toCanonical(value: Decimal): string {
  if (value.isZero()) return '0';
  return value.toFixed();
}

export function sum(values: Iterable<Decimal>): Decimal {
  let total = ZERO;
  for (const value of values) total = total.plus(value);
  return total;
}

export function minDecimal(a: Decimal, b: Decimal): Decimal {
  return a.lte(b) ? a : b;
}
