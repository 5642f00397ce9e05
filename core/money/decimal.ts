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
