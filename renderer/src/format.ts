/*
 * The one place the renderer formats money and time (STYLE habit 7). Amounts arrive as canonical decimal
 * strings and are formatted as strings: never parsed into a JS number, so nothing is rounded; every digit
 * the ledger holds is shown. Instants arrive as ISO UTC and are shown in UTC, as the ledger keeps them.
 */

/**
 * Digits after the point a currency is written with. Custom units (Orb credits) have none of their own: they
 * are padded to the account's scale (the most digits among its stated amounts, core/store/account-scale.ts)
 * where a screen knows it, so all of an account's amounts show the same number of decimals.
 */
const CURRENCY_EXPONENT: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
};

/** True for an ISO 4217-looking code (three capitals); anything else is a custom pricing unit. */
export function isCurrencyCode(unit: string): boolean {
  return /^[A-Z]{3}$/.test(unit);
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d*))?$/;

export interface AmountParts {
  negative: boolean;
  /** Magnitude with thousands separators and at least the currency's digits ("1,234.50"). */
  magnitude: string;
  unit: string;
}

/**
 * Splits a decimal string into sign and grouped magnitude, padded to max(the currency's digits, `scale`):
 * `scale` is the account's scale where known. Throws on anything but a decimal string.
 */
export function amountParts(amount: string, unit: string, scale = 0): AmountParts {
  const match = DECIMAL.exec(amount);
  if (match === null) throw new Error(`not a decimal amount: ${JSON.stringify(amount)}`);
  const [, sign, integer = '0', fractionRaw = ''] = match;
  const isZero = /^0*$/.test(integer) && /^0*$/.test(fractionRaw);
  // A scale from a reply is a small count (core/api/schemas.ts amountScale); anything else pads nothing.
  const accountDigits = Number.isInteger(scale) && scale > 0 && scale <= 64 ? scale : 0;
  const minDigits = Math.max(isCurrencyCode(unit) ? (CURRENCY_EXPONENT[unit] ?? 2) : 0, accountDigits);
  // Pad to the currency's (or account's) digits, never cut: "12.5" USD → "12.50", "0.0001" USD → "0.0001".
  const fraction = fractionRaw.length >= minDigits ? fractionRaw : fractionRaw.padEnd(minDigits, '0');
  const trimmedInteger = integer.replace(/^0+(?=\d)/, '');
  const grouped = trimmedInteger.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return { negative: sign === '-' && !isZero, magnitude: fraction === '' ? grouped : `${grouped}.${fraction}`, unit };
}

/** Beyond this many integer digits an amount is shown shortened; its title holds every digit (issue 14). */
export const SHORTEN_AFTER_DIGITS = 15;

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';

/** "1.234×10²⁹" from a digit string: four significant digits, cut (never rounded up), so it is never more than the amount. */
function scientific(integerDigits: string): string {
  const exponent = [...String(integerDigits.length - 1)].map((digit) => SUPERSCRIPT[Number(digit)]).join('');
  return `${integerDigits[0]}.${integerDigits.slice(1, 4)}×10${exponent}`;
}

/**
 * The magnitude to display where space is short: as amountParts gives it, or, past
 * SHORTEN_AFTER_DIGITS integer digits, "≈1.234×10²⁹". null when it needs no shortening.
 */
export function shortMagnitude(amount: string): string | null {
  const match = DECIMAL.exec(amount);
  if (match === null) return null;
  const integer = (match[2] ?? '0').replace(/^0+(?=\d)/, '');
  return integer.length > SHORTEN_AFTER_DIGITS ? `≈${scientific(integer)}` : null;
}

/** "−1,234.50 USD": a true minus sign, the unit always written. */
export function formatAmount(amount: string, unit: string, scale = 0): string {
  const parts = amountParts(amount, unit, scale);
  return `${parts.negative ? '−' : ''}${parts.magnitude} ${unit}`;
}

/** An amount without its unit (tables whose header names the unit). */
export function formatAmountBare(amount: string, unit: string, scale = 0): string {
  const parts = amountParts(amount, unit, scale);
  return `${parts.negative ? '−' : ''}${parts.magnitude}`;
}

/** The same amount with the opposite sign, as text ("12.5" → "-12.5"): how an entry moves the balance. */
export function negateAmount(amount: string): string {
  if (/^[+-]?0*(\.0*)?$/.test(amount)) return '0';
  return amount.startsWith('-') ? amount.slice(1) : `-${amount.replace(/^\+/, '')}`;
}

export function isNegative(amount: string): boolean {
  return amountParts(amount, '').negative;
}

export function isZeroAmount(amount: string): boolean {
  return /^[+-]?0*(\.0*)?$/.test(amount);
}

/** "2025-01-10 14:03:07 UTC"; milliseconds only when there are some. */
export function formatInstant(iso: string | null): string {
  if (iso === null) return '—';
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{3}))?Z$/.exec(iso);
  if (match === null) return iso;
  const ms = match[3] !== undefined && match[3] !== '000' ? `.${match[3]}` : '';
  return `${match[1]} ${match[2]}${ms} UTC`;
}

/** "2025-01-10" (UTC day). */
export function formatDate(iso: string | null): string {
  if (iso === null) return '—';
  return iso.slice(0, 10);
}

/** A chart's time axis label from its coordinate (milliseconds). */
export function formatChartDate(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 2 });

/** A chart's value axis label: a scale mark, not an amount (amounts show exactly in the tooltip). */
export function formatAxisTick(y: number): string {
  // Past trillions, "compact" writes every digit before its T: a short scientific mark instead.
  if (Math.abs(y) >= 1e15) {
    const [mantissa, exponent] = Math.abs(y).toExponential(1).split('e+');
    const power = [...(exponent ?? '0')].map((digit) => SUPERSCRIPT[Number(digit)]).join('');
    return `${y < 0 ? '−' : ''}${mantissa}×10${power}`;
  }
  return compact.format(y).replace('-', '−');
}

/** The axis mark's full value, for its tooltip. */
export function formatAxisTickFull(y: number): string {
  return y.toLocaleString('en', { maximumFractionDigits: 4 }).replace('-', '−');
}

export function formatCount(count: number): string {
  return count.toLocaleString('en');
}

/** "1 record", "2,000 records": a count with its noun in the right number. */
export function formatCountOf(count: number, singular: string, plural = `${singular}s`): string {
  return `${formatCount(count)} ${count === 1 ? singular : plural}`;
}

/** The as-of field's text for an instant: "2025-01-10" at midnight, else "2025-01-10 14:03:07". */
export function toAsOfInput(iso: string): string {
  const text = iso.replace('T', ' ').replace(/(\.000)?Z$/, '');
  return text.endsWith(' 00:00:00') ? text.slice(0, 10) : text;
}

/**
 * What the as-of field sends: a date ("2025-01-10", 00:00 UTC), a date and time read as UTC
 * ("2025-01-10 14:00"), or any ISO 8601 instant with its zone. null when it is none of these.
 */
export function fromAsOfInput(value: string): string | null {
  const text = value.trim().replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return text;
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (match === null) return null;
  const time = match[1]!.length === 16 ? `${match[1]}:00` : match[1]!;
  return `${time}${match[2] ?? 'Z'}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** "increment" → "Increment", "expiration_change" → "Expiration change". */
export function formatKind(kind: string): string {
  const text = kind.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** How much of a block is left, in whole percent, from decimal strings (for the bar's width only). */
export function remainingPercent(remaining: string, initial: string): number {
  // Compare as scaled integers of the strings' digits: no float ever holds either amount.
  const scale = (text: string, digits: number): bigint => {
    const match = DECIMAL.exec(text);
    if (match === null) return 0n;
    const fraction = (match[3] ?? '').padEnd(digits, '0').slice(0, digits);
    const value = BigInt((match[2] ?? '0') + fraction);
    return match[1] === '-' ? -value : value;
  };
  const digits = Math.max((remaining.split('.')[1] ?? '').length, (initial.split('.')[1] ?? '').length);
  const total = scale(initial, digits);
  if (total <= 0n) return 0;
  const left = scale(remaining, digits);
  const percent = (left * 100n) / total;
  return Number(percent < 0n ? 0n : percent > 100n ? 100n : percent);
}

/** Reconciliation categories (DESIGN §6) in words a finance user reads. */
const CATEGORY_LABEL: Record<string, string> = {
  matched: 'Matched',
  matched_fuzzy: 'Matched by amount and date (review)',
  matched_grouped: 'Matched as a group',
  missing_in_ledger: 'Paid but not credited',
  missing_in_stripe: 'Credited but no payment',
  amount_mismatch: 'Amount differs',
  currency_mismatch: 'Currency differs',
  unit_error: 'Cents vs. units error',
  duplicate_credit: 'Credited twice',
  credited_but_payment_failed: 'Credited but payment failed',
  refund_not_reversed: 'Refund not reversed',
  dispute_not_reversed: 'Lost dispute not reversed',
  dispute_won_not_restored: 'Won dispute not restored',
  pending: 'Pending (not a difference yet)',
};

export function formatCategory(category: string): string {
  return CATEGORY_LABEL[category] ?? formatKind(category);
}

/** A decimal amount the user typed: digits and an optional fraction, nothing else (no exponent, no grouping). */
export function isDecimalInput(text: string): boolean {
  return /^\d+(\.\d+)?$/.test(text.trim());
}
