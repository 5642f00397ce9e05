import { parseInstantFast, parseInstantSpan } from './instant-fast.js';

/**
 * The common Moesif JSON Lines record read straight from the file's text: no JSON.parse, no object per
 * record, no string for a key, a timestamp or an amount (issue 12: JSON.parse, building the record object
 * and reading it back cost more than the rest of parsing together).
 *
 * Taken here: one flat JSON object on the line (JSON whitespace around tokens, either spacing style),
 * with company_id, transaction_id, type (credit, promotion, adjustment or debit), a numeric amount and
 * created_at, and optionally subscription_id, description, status (posted or pending), currency,
 * active_at, expire_at and metadata: null, each key at most once; other keys with a string, number,
 * true, false or null value; strings without escapes or control characters; numbers as JSON writes them
 * with at most 15 characters from [0-9.] and no exponent (so JSON.parse needs no lossless pass, see
 * lossless-json.ts). Anything else (a nested value, an escape, "1e-7", a missing or ill-typed field, an
 * instant parseInstantFast refuses, invalid JSON...) answers false, and the caller reads the line as
 * before (readJsonLine): the same entry, or the same problems. A property test holds the two to each other.
 */

export type ScannedMoesifType = 'credit' | 'promotion' | 'adjustment' | 'debit';

/** The fields of one scanned line; one instance per file, overwritten line by line. */
export class MoesifLineFields {
  companyId = '';
  transactionId = '';
  type: ScannedMoesifType = 'credit';
  amount = 0;
  createdAt = 0;
  /** Optional fields: null when absent, JSON null or (strings) empty, as fields.ts reads them. */
  subscriptionId: string | null = null;
  description: string | null = null;
  status: 'posted' | 'pending' | null = null;
  currency: string | null = null;
  activeAt: number | null = null;
  expireAt: number | null = null;
}

// One bit per known key: a key seen twice sends the line to JSON.parse (the last one would win there).
const COMPANY_ID = 1;
const SUBSCRIPTION_ID = 2;
const TRANSACTION_ID = 4;
const TYPE = 8;
const AMOUNT = 16;
const CREATED_AT = 32;
const ACTIVE_AT = 64;
const EXPIRE_AT = 128;
const DESCRIPTION = 256;
const STATUS = 512;
const CURRENCY = 1024;
const METADATA = 2048;
const UNKNOWN = 0;
const REQUIRED = COMPANY_ID | TRANSACTION_ID | TYPE | AMOUNT | CREATED_AT;
/** Each key's name by its bit position + 1 (index 0: none). */
const KEY_WORDS = ['', 'company_id', 'subscription_id', 'transaction_id', 'type', 'amount', 'created_at', 'active_at', 'expire_at', 'description', 'status', 'currency', 'metadata'];

/** Longest number token (characters from [0-9.]) JSON.parse reads exactly (lossless-json.ts). */
const FAST_NUMBER_CHARS = 15;
const POWERS_OF_TEN = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** True when text[at, at + word.length) is `word`. */
function sameAt(text: string, at: number, word: string): boolean {
  return text.startsWith(word, at);
}

/** The known key at text[start, end), or UNKNOWN. */
function keyAt(text: string, start: number, end: number): number {
  switch (end - start) {
    case 4:
      return sameAt(text, start, 'type') ? TYPE : UNKNOWN;
    case 6:
      return sameAt(text, start, 'amount') ? AMOUNT : sameAt(text, start, 'status') ? STATUS : UNKNOWN;
    case 8:
      return sameAt(text, start, 'currency') ? CURRENCY : sameAt(text, start, 'metadata') ? METADATA : UNKNOWN;
    case 9:
      return sameAt(text, start, 'expire_at') ? EXPIRE_AT : sameAt(text, start, 'active_at') ? ACTIVE_AT : UNKNOWN;
    case 10:
      return sameAt(text, start, 'company_id') ? COMPANY_ID : sameAt(text, start, 'created_at') ? CREATED_AT : UNKNOWN;
    case 11:
      return sameAt(text, start, 'description') ? DESCRIPTION : UNKNOWN;
    case 14:
      return sameAt(text, start, 'transaction_id') ? TRANSACTION_ID : UNKNOWN;
    case 15:
      return sameAt(text, start, 'subscription_id') ? SUBSCRIPTION_ID : UNKNOWN;
    default:
      return UNKNOWN;
  }
}

/** The Moesif type at text[start, end), or null. */
function typeAt(text: string, start: number, end: number): ScannedMoesifType | null {
  switch (end - start) {
    case 5:
      return sameAt(text, start, 'debit') ? 'debit' : null;
    case 6:
      return sameAt(text, start, 'credit') ? 'credit' : null;
    case 9:
      return sameAt(text, start, 'promotion') ? 'promotion' : null;
    case 10:
      return sameAt(text, start, 'adjustment') ? 'adjustment' : null;
    default:
      return null;
  }
}

function skipWhitespace(text: string, at: number, stop: number): number {
  while (at < stop) {
    const code = text.charCodeAt(at);
    if (code !== 32 && code !== 9 && code !== 13 && code !== 10) break;
    at++;
  }
  return at;
}

/**
 * Index of the quote closing a string whose body starts at `at`, or −1 past the line's end. The line
 * has no backslash and no control character (MoesifLineScanner checks), so the next quote closes it.
 */
function stringEnd(text: string, at: number, stop: number): number {
  const quote = text.indexOf('"', at);
  return quote !== -1 && quote < stop ? quote : -1;
}

/**
 * A backslash (an escape) or a control character other than LF (invalid in a JSON string; a tab or CR
 * between tokens is valid JSON but rare): a line holding one goes to the general reader. Searched once
 * ahead through the file, not character by character in JavaScript (about three times slower here).
 */
const SPECIAL = /[\u0000-\u0009\u000b-\u001f\\]/g;

/** An instant in place, else as parseInstantFast reads the cut string; NaN where that throws (the slow path words it). */
function instantAt(text: string, start: number, end: number): number {
  const fast = parseInstantSpan(text, start, end);
  if (!Number.isNaN(fast)) return fast;
  try {
    return parseInstantFast(text.slice(start, end));
  } catch {
    return NaN;
  }
}

/** Scanner state: where the last number ended, and its value. */
let numberEnd = 0;

/**
 * A JSON number at `at` in JSON's grammar with at most 15 characters from [0-9.] and no exponent: its
 * value, exactly JSON.parse's (a mantissa below 10^15 and a power of ten up to 10^14 are exact doubles,
 * and one IEEE division rounds their quotient correctly), with numberEnd set. NaN for anything else.
 */
function numberAt(text: string, at: number, stop: number): number {
  const negative = text.charCodeAt(at) === 45;
  let k = negative ? at + 1 : at;
  const first = k;
  let mantissa = 0;
  let code = text.charCodeAt(k);
  if (code === 48 /* 0 */) {
    k++;
  } else if (code >= 49 && code <= 57) {
    while (k < stop && (code = text.charCodeAt(k)) >= 48 && code <= 57) {
      mantissa = mantissa * 10 + (code - 48);
      k++;
    }
  } else {
    return NaN;
  }
  let scale = 0;
  if (k < stop && text.charCodeAt(k) === 46 /* . */) {
    const fractionStart = ++k;
    while (k < stop && (code = text.charCodeAt(k)) >= 48 && code <= 57) {
      mantissa = mantissa * 10 + (code - 48);
      k++;
    }
    scale = k - fractionStart;
    if (scale === 0) return NaN;
  }
  if (k - first > FAST_NUMBER_CHARS) return NaN;
  code = text.charCodeAt(k);
  // An exponent needs the lossless pass; a digit or "." here is not JSON ("01", "1.2.3").
  if (code === 101 || code === 69 || code === 46 || (code >= 48 && code <= 57)) return NaN;
  numberEnd = k;
  const magnitude = scale === 0 ? mantissa : mantissa / (POWERS_OF_TEN[scale] as number);
  return negative ? -magnitude : magnitude;
}

/** Slots of an InternTable (a power of two): eight per distinct customer of the 2,000-customer peer file. */
const INTERN_SLOTS = 16384;

/**
 * Repeated string values (customer and subscription ids, descriptions) shared instead of cut out again
 * for every line: found in place by a hash of their length and last characters, in one of two slots,
 * confirmed by startsWith. JSON.parse shares short strings the same way; without this a 200,000-line
 * file kept ~18 MB more of copies alive, for the garbage collector to move.
 */
class InternTable {
  private readonly slots = new Array<string | null>(INTERN_SLOTS).fill(null);

  get(text: string, start: number, end: number): string {
    const length = end - start;
    let hash = length;
    for (let k = end - 1, last = Math.max(start, end - 6); k >= last; k--) hash = (hash * 31 + text.charCodeAt(k)) | 0;
    const first = hash & (INTERN_SLOTS - 1);
    const second = (hash >>> 14) & (INTERN_SLOTS - 1);
    const one = this.slots[first] as string | null;
    if (one !== null && one.length === length && text.startsWith(one, start)) return one;
    const two = this.slots[second] as string | null;
    if (two !== null && two.length === length && text.startsWith(two, start)) return two;
    const value = text.slice(start, end);
    this.slots[one === null || two !== null ? first : second] = value;
    return value;
  }
}

/** Scans the lines of one file's text, in order. */
export class MoesifLineScanner {
  /** By row (see scanMoesifLine's `previous`): the key that followed on the last line that had it. */
  readonly next = new Array<number>(14).fill(UNKNOWN);
  readonly customers = new InternTable();
  readonly subscriptions = new InternTable();
  readonly descriptions = new InternTable();

  /** Where the next backslash or control character (LF aside) is at or after the last line scanned; −1: none. */
  private special = -2;

  constructor(readonly text: string) {}

  /**
   * Reads the record on text[start, stop) (one line, CR removed; lines in file order) into `out`. False
   * when the line is not of the shape described above; `out` is then partly overwritten and not to be used.
   */
  scan(start: number, stop: number, out: MoesifLineFields): boolean {
    if (this.special !== -1 && this.special < start) {
      SPECIAL.lastIndex = start;
      this.special = SPECIAL.exec(this.text)?.index ?? -1;
    }
    if (this.special !== -1 && this.special < stop) return false;
    return scanMoesifLine(this.text, start, stop, out, this);
  }
}

/** MoesifLineScanner.scan on a line known to hold no backslash and no control character. */
function scanMoesifLine(text: string, start: number, stop: number, out: MoesifLineFields, scanner: MoesifLineScanner): boolean {
  if (text.charCodeAt(start) !== 123 /* { */) return false;
  out.subscriptionId = null;
  out.description = null;
  out.status = null;
  out.currency = null;
  out.activeAt = null;
  out.expireAt = null;
  let seen = 0;
  let present = 0;
  let previous = 0; // row of scanner.next: 0 at the line's start and after an unknown key, else the key's bit position + 1
  let i = skipWhitespace(text, start + 1, stop);
  if (text.charCodeAt(i) === 125 /* } */) return false; // {}: required fields missing
  for (;;) {
    if (i >= stop || text.charCodeAt(i) !== 34) return false;
    // The key that followed the previous one on the last line, checked in place, else found and named.
    const guess = scanner.next[previous] as number;
    const word = KEY_WORDS[32 - Math.clz32(guess)] as string;
    let keyEnd = i + 1 + word.length;
    let key = guess;
    if (guess === UNKNOWN || keyEnd >= stop || text.charCodeAt(keyEnd) !== 34 || !sameAt(text, i + 1, word)) {
      keyEnd = stringEnd(text, i + 1, stop);
      if (keyEnd < 0) return false;
      key = keyAt(text, i + 1, keyEnd);
      scanner.next[previous] = key;
    }
    previous = key === UNKNOWN ? 0 : 32 - Math.clz32(key);
    if ((seen & key) !== 0) return false;
    seen |= key;
    i = skipWhitespace(text, keyEnd + 1, stop);
    if (text.charCodeAt(i) !== 58 /* : */) return false;
    i = skipWhitespace(text, i + 1, stop);
    if (i >= stop) return false;
    const code = text.charCodeAt(i);
    if (code === 34 /* " */) {
      const valueStart = i + 1;
      const valueEnd = stringEnd(text, valueStart, stop);
      if (valueEnd < 0) return false;
      i = valueEnd + 1;
      const empty = valueEnd === valueStart;
      switch (key) {
        case UNKNOWN:
          break;
        case COMPANY_ID:
          if (empty) return false;
          out.companyId = scanner.customers.get(text, valueStart, valueEnd);
          break;
        case TRANSACTION_ID:
          if (empty) return false;
          out.transactionId = text.slice(valueStart, valueEnd);
          break;
        case SUBSCRIPTION_ID:
          out.subscriptionId = empty ? null : scanner.subscriptions.get(text, valueStart, valueEnd);
          break;
        case DESCRIPTION:
          out.description = empty ? null : scanner.descriptions.get(text, valueStart, valueEnd);
          break;
        case CURRENCY:
          out.currency = empty ? null : text.slice(valueStart, valueEnd);
          break;
        case TYPE: {
          const type = typeAt(text, valueStart, valueEnd);
          if (type === null) return false;
          out.type = type;
          break;
        }
        case STATUS:
          if (valueEnd - valueStart === 6 && sameAt(text, valueStart, 'posted')) out.status = 'posted';
          else if (valueEnd - valueStart === 7 && sameAt(text, valueStart, 'pending')) out.status = 'pending';
          else return false;
          break;
        case CREATED_AT:
        case ACTIVE_AT:
        case EXPIRE_AT: {
          const at = instantAt(text, valueStart, valueEnd);
          if (Number.isNaN(at)) return false;
          if (key === CREATED_AT) out.createdAt = at;
          else if (key === ACTIVE_AT) out.activeAt = at;
          else out.expireAt = at;
          break;
        }
        default:
          return false; // a string amount or metadata: the general reader
      }
      present |= key;
    } else if (code === 45 || (code >= 48 && code <= 57)) {
      const value = numberAt(text, i, stop);
      if (Number.isNaN(value)) return false;
      i = numberEnd;
      if (key === AMOUNT) {
        out.amount = value;
        present |= AMOUNT;
      } else if (key !== UNKNOWN) {
        return false;
      }
    } else if (code === 110 /* n */ && i + 4 <= stop && sameAt(text, i, 'null')) {
      i += 4; // JSON null is unset, as absent (a required field then is missing: the general reader says so)
    } else if ((code === 116 /* t */ && i + 4 <= stop && sameAt(text, i, 'true')) || (code === 102 /* f */ && i + 5 <= stop && sameAt(text, i, 'false'))) {
      if (key !== UNKNOWN) return false;
      i += code === 116 ? 4 : 5;
    } else {
      return false; // an object, an array, or not JSON
    }
    i = skipWhitespace(text, i, stop);
    const next = text.charCodeAt(i);
    if (next === 44 /* , */) {
      i = skipWhitespace(text, i + 1, stop);
    } else if (next === 125 /* } */) {
      return skipWhitespace(text, i + 1, stop) === stop && (present & REQUIRED) === REQUIRED;
    } else {
      return false;
    }
  }
}
