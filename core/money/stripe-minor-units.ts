import { Decimal, toCanonical } from './decimal.js';
import { isIsoCurrency, normalizeUnit } from './units.js';

/*
 * Stripe's minor-unit exponents: how many decimals an integer `amount` of Stripe's API stands for. They
 * differ from ISO 4217's (units.ts) for some currencies, so every Stripe object, dashboard CSV and sync
 * converts through this table and nothing else does. Source: Stripe's "Supported currencies" page
 * (docs.stripe.com/currencies), sections "Zero-decimal currencies", "Three-decimal currencies" and
 * "Special cases":
 * - zero-decimal: BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF VND VUV XAF XOF XPF (MGA is 2 in ISO);
 * - ISK and UGX: zero-decimal in ISO, but Stripe's API keeps them two-decimal for backwards
 *   compatibility (amount 500 is 5 ISK, the decimals always 00);
 * - three-decimal: BHD JOD KWD OMR TND, the last digit 0 (Stripe rounds to the nearest ten);
 * - HUF and TWD: two-decimal in the API (their payouts must be whole units, which does not change how an
 *   amount reads);
 * - every other currency: two-decimal (IQD and LYD, three in ISO, are not Stripe currencies).
 */
const STRIPE_EXPONENT_EXCEPTIONS: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, JPY: 0, KMF: 0, KRW: 0, MGA: 0, PYG: 0, RWF: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, JOD: 3, KWD: 3, OMR: 3, TND: 3,
};

/** Stripe's minor-unit exponent of an ISO currency ("usd" or "USD"): USD 2, JPY 0, ISK 2, MGA 0, KWD 3. */
export function stripeCurrencyExponent(code: string): number {
  if (!isIsoCurrency(code)) throw new Error(`"${code}" is not an ISO 4217 currency, so Stripe has no minor unit for it`);
  return STRIPE_EXPONENT_EXCEPTIONS[normalizeUnit(code)] ?? 2;
}

/** A Stripe API amount (integer, minor units) → major units: ISK 10000 → 100; MGA 5000 → 5000; KWD 1230 → 1.23. */
export function stripeMinorToMajor(minor: Decimal | string | bigint, currency: string): Decimal {
  const value = new Decimal(typeof minor === 'bigint' ? minor.toString() : minor);
  if (!value.isInteger()) throw new Error(`a Stripe minor-unit amount must be an integer, found ${toCanonical(value)}`);
  return value.div(new Decimal(10).pow(stripeCurrencyExponent(currency)));
}

/** Major units → Stripe's integer minor units; throws when the amount has more decimals than Stripe's unit. */
export function stripeMajorToMinor(major: Decimal, currency: string): Decimal {
  const exponent = stripeCurrencyExponent(currency);
  const minor = major.times(new Decimal(10).pow(exponent));
  if (!minor.isInteger()) {
    throw new Error(`${toCanonical(major)} ${normalizeUnit(currency)} has more decimals than Stripe's ${exponent}-digit minor unit`);
  }
  return minor;
}
