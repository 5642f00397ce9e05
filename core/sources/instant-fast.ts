import { parseInstant, type Instant } from '../time/instant.js';

/**
 * parseInstant with a fast path for the shapes exports and scripts write on every record: "2025-01-10T10:00:00Z",
 * with a fraction of 1 to 9 digits (".123", Python's ".123456"), and with a "+00:00" style offset instead of
 * "Z" (Python's isoformat): read by character codes instead of a regex (the import hot path parses one to
 * three instants per record). Anything else, valid or not, goes to parseInstant, so results and errors are
 * parseInstant's (a property test checks that they agree).
 */
export function parseInstantFast(text: unknown): Instant {
  if (typeof text !== 'string') return parseInstant(text);
  const fast = parseInstantSpan(text, 0, text.length);
  return Number.isNaN(fast) ? parseInstant(text) : fast;
}

/**
 * parseInstantFast's fast path on text[start, end), in place (no string is cut out): the instant when
 * the span has one of the fast shapes and is a valid date and time, NaN otherwise (the caller then cuts
 * the span out and calls parseInstantFast, which reads or words it as parseInstant does).
 */
export function parseInstantSpan(text: string, start: number, end: number): number {
  const length = end - start;
  if (
    length < 20 ||
    text.charCodeAt(start + 4) !== 45 /* - */ ||
    text.charCodeAt(start + 7) !== 45 ||
    text.charCodeAt(start + 10) !== 84 /* T */ ||
    text.charCodeAt(start + 13) !== 58 /* : */ ||
    text.charCodeAt(start + 16) !== 58
  ) {
    return NaN;
  }
  // The zone: "Z", or "+hh:mm" / "-hh:mm" at the very end.
  let zoneAt = end - 1;
  let offsetMinutes = 0;
  if (text.charCodeAt(zoneAt) !== 90 /* Z */) {
    zoneAt = end - 6;
    const sign = text.charCodeAt(zoneAt);
    if ((sign !== 43 /* + */ && sign !== 45) /* - */ || text.charCodeAt(end - 3) !== 58) return NaN;
    const offsetHours = digits(text, zoneAt + 1, 2);
    const offsetMinutesPart = digits(text, end - 2, 2);
    if (offsetHours < 0 || offsetHours > 23 || offsetMinutesPart < 0 || offsetMinutesPart > 59) return NaN;
    offsetMinutes = (sign === 45 ? -1 : 1) * (offsetHours * 60 + offsetMinutesPart);
  }
  // Between the seconds and the zone: nothing, or "." and 1 to 9 digits (kept to the millisecond, truncated).
  let ms = 0;
  if (zoneAt !== start + 19) {
    const fractionDigits = zoneAt - start - 20;
    if (text.charCodeAt(start + 19) !== 46 /* . */ || fractionDigits < 1 || fractionDigits > 9) return NaN;
    if (digits(text, start + 20, fractionDigits) < 0) return NaN;
    const kept = Math.min(3, fractionDigits);
    ms = digits(text, start + 20, kept) * (kept === 1 ? 100 : kept === 2 ? 10 : 1);
  }
  // NaN when invalid: parseInstant words the error.
  return utcOfFields(text, start, ms) - offsetMinutes * 60_000;
}

/**
 * The instant written at text[start, end) when it has the fast shape ("2025-01-10T10:00:00Z" or with
 * ".123" milliseconds) and is a valid date and time; NaN otherwise (the caller then cuts the string out
 * and uses parseInstantFast, which words any error). No string is made: for scanners of whole files.
 */
export function parseInstantAt(text: string, start: number, end: number): number {
  const length = end - start;
  if ((length !== 20 && length !== 24) || text.charCodeAt(end - 1) !== 90 /* Z */) return NaN;
  if (
    text.charCodeAt(start + 4) !== 45 /* - */ ||
    text.charCodeAt(start + 7) !== 45 ||
    text.charCodeAt(start + 10) !== 84 /* T */ ||
    text.charCodeAt(start + 13) !== 58 /* : */ ||
    text.charCodeAt(start + 16) !== 58 ||
    (length === 24 && text.charCodeAt(start + 19) !== 46) /* . */
  ) {
    return NaN;
  }
  const ms = length === 24 ? digits(text, start + 20, 3) : 0;
  return ms < 0 ? NaN : utcOfFields(text, start, ms);
}

/**
 * The UTC instant of the date and time fields at text[start, start + 19) ("yyyy-mm-ddThh:mm:ss", separators
 * already checked) plus `ms`, or NaN when a field is not digits or out of range.
 */
function utcOfFields(text: string, start: number, ms: number): number {
  const year = digits(text, start, 4);
  const month = digits(text, start + 5, 2);
  const day = digits(text, start + 8, 2);
  const hour = digits(text, start + 11, 2);
  const minute = digits(text, start + 14, 2);
  const second = digits(text, start + 17, 2);
  if (
    year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) ||
    hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59
  ) {
    return NaN;
  }
  // Date.UTC's value, by day arithmetic (years 0–99 Date.UTC reads as 1900–1999: left to it).
  if (year < 100) return Date.UTC(year, month - 1, day, hour, minute, second, ms);
  return daysFromCivil(year, month, day) * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The decimal value of `count` ASCII digits at `start`, or -1 if any is not a digit. */
function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return DAYS_IN_MONTH[month - 1] ?? 0;
  // Same calendar as parseInstant's Date.UTC(year, month, 0), including its 0–99 → 1900–1999 mapping.
  const y = year < 100 ? 1900 + year : year;
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
}
