import { Decimal, toCanonical } from './decimal.js';

/**
 * ISO 4217 minor-unit exponents for the currencies whose exponent is not 2.
 * Every other 3-letter alphabetic code is taken to have exponent 2 (the ISO default).
 * Stripe's API amounts do not follow this table (ISK, UGX, MGA differ): see stripe-minor-units.ts.
 */
const EXPONENT_EXCEPTIONS: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0,
  UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

/** The ISO 4217 codes in active use (current list, funds codes included). */
const ISO_4217 = new Set(
  (
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD ' +
    'CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL ' +
    'GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD ' +
    'KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO ' +
    'NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS ' +
    'SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND ' +
    'VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL'
  ).split(' '),
);

export interface Unit {
  /** "USD", "JPY", or a custom pricing unit as the source names it ("credits"). */
  code: string;
  /** Minor-unit exponent for ISO currencies; null for custom units (no minor unit). */
  exponent: number | null;
}

/** True for a code in the ISO 4217 list, in any letter case ("usd" as Stripe sends it). */
export function isIsoCurrency(code: string): boolean {
  return ISO_4217.has(code.toUpperCase());
}

/**
 * Normalises a unit name from a source: ISO currencies become upper case ("usd" → "USD");
 * anything else is a custom unit kept exactly as named ("credits", "API Calls").
 */
export function normalizeUnit(code: string): string {
  const trimmed = code.trim();
  return isIsoCurrency(trimmed) ? trimmed.toUpperCase() : trimmed;
}

export function unitOf(code: string): Unit {
  const normalized = normalizeUnit(code);
  if (!isIsoCurrency(normalized)) return { code: normalized, exponent: null };
  return { code: normalized, exponent: EXPONENT_EXCEPTIONS[normalized] ?? 2 };
}

export function currencyExponent(code: string): number {
  const unit = unitOf(code);
  if (unit.exponent === null) throw new Error(`"${code}" is not an ISO 4217 currency, so it has no minor unit`);
  return unit.exponent;
}

/** ISO integer minor units → major units: 1050 USD → 10.5; 500 JPY → 500; 1234 KWD → 1.234 (Stripe's: stripe-minor-units.ts). */
export function minorToMajor(minor: Decimal | string | bigint, currency: string): Decimal {
  const value = new Decimal(typeof minor === 'bigint' ? minor.toString() : minor);
  if (!value.isInteger()) throw new Error(`minor-unit amount must be an integer, found ${toCanonical(value)}`);
  return value.div(new Decimal(10).pow(currencyExponent(currency)));
}

/** Major units → integer minor units; throws when the amount has more decimals than the currency allows. */
export function majorToMinor(major: Decimal, currency: string): Decimal {
  const minor = major.times(new Decimal(10).pow(currencyExponent(currency)));
  if (!minor.isInteger()) {
    throw new Error(`${toCanonical(major)} ${normalizeUnit(currency)} has more decimals than its ${currencyExponent(currency)}-digit minor unit`);
  }
  return minor;
}
