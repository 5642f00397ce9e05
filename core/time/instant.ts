/**
 * Instants are carried in core as integer milliseconds since the Unix epoch (UTC).
 * Input: any ISO 8601 instant with "Z" or an offset; a date-only value means 00:00 UTC of that day.
 * A date-time without a zone is an error unless the caller documents the zone (see parseInstant's option).
 * Output: always UTC with milliseconds, "2025-01-10T00:00:00.000Z".
 */
export type Instant = number;

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

export class InstantParseError extends Error {
  constructor(readonly found: string, detail: string) {
    super(`${detail}, found ${JSON.stringify(found)}`);
    this.name = 'InstantParseError';
  }
}

export interface ParseInstantOptions {
  /** Zone to assume when the text has none (Stripe's "(UTC)" CSV columns). Default: a zoneless time is an error. */
  assumeUtc?: boolean;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function parseInstant(text: unknown, options: ParseInstantOptions = {}): Instant {
  if (typeof text !== 'string') {
    throw new InstantParseError(String(text), 'expected an ISO 8601 instant like "2025-01-10T00:00:00Z"');
  }
  const dateOnly = DATE_ONLY.exec(text);
  if (dateOnly) {
    const [y, m, d] = [Number(dateOnly[1]), Number(dateOnly[2]), Number(dateOnly[3])];
    if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) throw new InstantParseError(text, 'not a calendar date');
    return Date.UTC(y, m - 1, d);
  }
  const match = DATE_TIME.exec(text);
  if (!match) throw new InstantParseError(text, 'expected an ISO 8601 instant like "2025-01-10T00:00:00Z"');
  const [, ys, mos, ds, hs, mis, ss, frac, zone] = match;
  const [y, mo, d, h, mi, s] = [ys, mos, ds, hs, mis, ss ?? '0'].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) {
    throw new InstantParseError(text, 'not a valid date and time');
  }
  if (zone === undefined && !options.assumeUtc) {
    throw new InstantParseError(text, 'a date-time needs a zone ("Z" or an offset like "+02:00")');
  }
  // Sub-millisecond digits are truncated: instants are kept to the millisecond.
  const ms = frac ? Number(frac.padEnd(3, '0').slice(0, 3)) : 0;
  let offsetMinutes = 0;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) throw new InstantParseError(text, 'not a valid UTC offset');
    offsetMinutes = sign * (oh * 60 + om);
  }
  return Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMinutes * 60_000;
}

/** Unix seconds (Stripe's `created`) → Instant. */
export function fromUnixSeconds(seconds: number): Instant {
  if (!Number.isSafeInteger(seconds)) throw new InstantParseError(String(seconds), 'expected integer Unix seconds');
  return seconds * 1000;
}

export function formatInstant(instant: Instant): string {
  return new Date(instant).toISOString();
}

export function formatOptionalInstant(instant: Instant | null | undefined): string | null {
  return instant === null || instant === undefined ? null : formatInstant(instant);
}
