import { Decimal as DecimalJs } from 'decimal.js';

/**
 * The one Decimal type core uses for amounts. A private clone so no other module's
 * Decimal.set() can change our precision; 60 significant digits is far beyond any
 * ledger amount, and additions of amounts with fewer digits are therefore exact.
 */
export const Decimal = DecimalJs.clone({
  precision: 60,
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
