import { normalizeUnit } from '../money/units.js';
import { parseInstant } from '../time/instant.js';
import { parseInstantAt, parseInstantFast } from './instant-fast.js';
import { OrbExportLineReader } from './orb-export.js';
import type { ImportProblem, ParsedEntry } from './types.js';

/**
 * A fast reader of Orb ledger exports in JSON Lines, for the audit of large exports (core/audit). It reads
 * the common entry shape straight from the text into typed columns: no JSON.parse, no object per record,
 * no Decimal. Amounts are kept exactly as scaled integers: value = mantissa / 10^scale, with at most 15
 * significant digits (so the mantissa is an exact double) and the scale made minimal ("0.10" → 1 / 10^1).
 *
 * Taken here: entry_type increment, decrement or credit_block_expiry, posted (entry_status absent, null,
 * "committed" or "posted"), with an id, a ledger_sequence_number, amount, starting_balance and
 * ending_balance, created_at, a customer with an id and, for a decrement too, a credit_block with an id;
 * strings without escapes; numbers without exponent and with at most 15 significant digits. A line the
 * scanner takes is one orb-export.ts reads without any problem, into the same values.
 *
 * Every other line (another entry type, pending, an escape, "1e3", a missing field, a bad value, a page
 * on one line, invalid JSON...) is handed to orb-export.ts's own line reader, which reads it exactly as a
 * whole-file parse does: the same entry, or the same problems in the same order. Lines are counted as
 * forEachJsonLine counts them (a leading byte-order mark, CR before LF, blank lines skipped).
 */

export const SCAN_INCREMENT = 0;
export const SCAN_DECREMENT = 1;
export const SCAN_EXPIRY = 2;
export type ScanKind = typeof SCAN_INCREMENT | typeof SCAN_DECREMENT | typeof SCAN_EXPIRY;

/** A line left to the full reader, with its entries (none when it has problems). */
export interface SlowRecord {
  /** Position among all records of the file in file order (scanned and slow alike). */
  found: number;
  parsed: ParsedEntry;
}

/** Most significant digits a scanned amount may have (an exact double: < 2^53). */
const MAX_DIGITS = 15;
/** Largest scale a scanned amount may have; longer fractions go to the full reader. */
const MAX_SCALE = 30;

export class OrbExportScan {
  /** Records scanned (the columns' length). */
  count = 0;
  capacity: number;
  /** Line number (1-based), and where the line is in the text (CR excluded). */
  line: Int32Array;
  lineStart: Int32Array;
  lineEnd: Int32Array;
  /** Position among all records of the file in file order (scanned and slow alike). */
  found: Int32Array;
  /** The id's place in the text, and its hash (idHash of the id). */
  idStart: Int32Array;
  idEnd: Int32Array;
  idHash: Int32Array;
  /** Index into `customers`. */
  customer: Int32Array;
  readonly customers: string[] = [];
  /** Index into `units` (normalised, as readUnit returns it). */
  unit: Int32Array;
  readonly units: string[] = [];
  kind: Uint8Array;
  sequence: Float64Array;
  at: Float64Array;
  /** |amount| (the entry's magnitude) and its scale. */
  amount: Float64Array;
  amountScale: Uint8Array;
  /** Signed stated balances and their scales. */
  starting: Float64Array;
  startingScale: Uint8Array;
  ending: Float64Array;
  endingScale: Uint8Array;
  /**
   * Index into `blocks`: the block an increment creates, an expiry names, a decrement says it drew from
   * (its credit_block.id, as core/audit/drawn-block.ts reads it).
   */
  block: Int32Array;
  readonly blocks: string[] = [];
  /**
   * Increment: its block's expiry_date (NaN: none). Decrement: its credit_block.expiry_date as
   * drawn-block.ts reads it (NaN when not stated or unreadable).
   */
  expiresAt: Float64Array;
  /** Increment: index into `costBases` (canonical text), −1 when not stated. */
  costBasis: Int32Array;
  readonly costBases: string[] = [];
  /** Lines left to the full reader that gave entries, in file order. */
  readonly slow: SlowRecord[] = [];
  /** The file's problems, in file order, as parseOrbExport reports them. */
  readonly problems: ImportProblem[] = [];
  /** Records found: scanned and slow. */
  records = 0;

  private reader: OrbExportLineReader | undefined;
  private readonly customerIndex = new Map<string, number>();
  private readonly unitIndex = new Map<string, number>();
  /**
   * Block ids by idHash, open addressing with linear probing: block number + 1, 0 empty. A file names
   * tens of thousands of blocks; a Map keyed by a string cut out for each lookup cost more than the
   * rest of reading the record.
   */
  private blockSlots = new Int32Array(1024);
  private readonly blockHashes: number[] = [];
  private readonly costBasisIndex = new Map<string, number>();

  constructor(
    readonly file: string,
    readonly text: string,
    capacity = 1024,
  ) {
    this.capacity = capacity;
    this.line = new Int32Array(capacity);
    this.lineStart = new Int32Array(capacity);
    this.lineEnd = new Int32Array(capacity);
    this.found = new Int32Array(capacity);
    this.idStart = new Int32Array(capacity);
    this.idEnd = new Int32Array(capacity);
    this.idHash = new Int32Array(capacity);
    this.customer = new Int32Array(capacity);
    this.unit = new Int32Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.sequence = new Float64Array(capacity);
    this.at = new Float64Array(capacity);
    this.amount = new Float64Array(capacity);
    this.amountScale = new Uint8Array(capacity);
    this.starting = new Float64Array(capacity);
    this.startingScale = new Uint8Array(capacity);
    this.ending = new Float64Array(capacity);
    this.endingScale = new Uint8Array(capacity);
    this.block = new Int32Array(capacity);
    this.expiresAt = new Float64Array(capacity);
    this.costBasis = new Int32Array(capacity);
  }

  /** Record r's id (cut out on demand: most ids are only ever compared in place, see idHash). */
  id(r: number): string {
    return this.text.slice(this.idStart[r]!, this.idEnd[r]!);
  }

  /** True when record r's id is `id`. */
  idIs(r: number, id: string): boolean {
    return sameText(this.text, this.idStart[r]!, this.idEnd[r]!, id);
  }

  /** True when record r's id is record q's id of `other` (the same scan or another). */
  sameId(r: number, other: OrbExportScan, q: number): boolean {
    if (this.idHash[r] !== other.idHash[q]) return false;
    const start = this.idStart[r]!;
    const length = this.idEnd[r]! - start;
    const otherStart = other.idStart[q]!;
    if (other.idEnd[q]! - otherStart !== length) return false;
    const text = this.text;
    const otherText = other.text;
    for (let k = 0; k < length; k++) if (text.charCodeAt(start + k) !== otherText.charCodeAt(otherStart + k)) return false;
    return true;
  }

  /** The text of record r's line. */
  lineText(r: number): string {
    return this.text.slice(this.lineStart[r]!, this.lineEnd[r]!);
  }

  /** Record r read by the full reader, exactly as a whole-file parse reads it (for messages and fallbacks). */
  parsed(r: number): ParsedEntry {
    // One reader for all: its amount cache is shared, and a scanned line reports no problem.
    this.reader ??= new OrbExportLineReader(this.file, []);
    const entries = this.reader.readLine(this.lineText(r), this.line[r]!);
    if (entries.length !== 1) throw new Error(`orb export scan: line ${this.line[r]} of ${this.file} did not read back as one entry`);
    return entries[0]!;
  }

  grow(): void {
    const capacity = this.capacity * 2;
    const grown = <T extends Int32Array | Uint8Array | Float64Array>(old: T, make: new (n: number) => T): T => {
      const next = new make(capacity);
      next.set(old);
      return next;
    };
    this.line = grown(this.line, Int32Array);
    this.lineStart = grown(this.lineStart, Int32Array);
    this.lineEnd = grown(this.lineEnd, Int32Array);
    this.found = grown(this.found, Int32Array);
    this.idStart = grown(this.idStart, Int32Array);
    this.idEnd = grown(this.idEnd, Int32Array);
    this.idHash = grown(this.idHash, Int32Array);
    this.customer = grown(this.customer, Int32Array);
    this.unit = grown(this.unit, Int32Array);
    this.kind = grown(this.kind, Uint8Array);
    this.sequence = grown(this.sequence, Float64Array);
    this.at = grown(this.at, Float64Array);
    this.amount = grown(this.amount, Float64Array);
    this.amountScale = grown(this.amountScale, Uint8Array);
    this.starting = grown(this.starting, Float64Array);
    this.startingScale = grown(this.startingScale, Uint8Array);
    this.ending = grown(this.ending, Float64Array);
    this.endingScale = grown(this.endingScale, Uint8Array);
    this.block = grown(this.block, Int32Array);
    this.expiresAt = grown(this.expiresAt, Float64Array);
    this.costBasis = grown(this.costBasis, Int32Array);
    this.capacity = capacity;
  }

  internCustomer(value: string): number {
    return intern(this.customerIndex, this.customers, value);
  }

  internUnit(value: string): number {
    return intern(this.unitIndex, this.units, value);
  }

  internBlock(value: string): number {
    return this.internBlockAt(value, 0, value.length, idHash(value));
  }

  /** The number of the block whose id is text[s, e) (hash: its idHash), interned on first sight. */
  internBlockAt(text: string, s: number, e: number, hash: number): number {
    let slots = this.blockSlots;
    let slot = mixHash(hash) & (slots.length - 1);
    for (let stored = slots[slot]!; stored !== 0; stored = slots[slot]!) {
      const b = stored - 1;
      if (this.blockHashes[b] === hash && sameText(text, s, e, this.blocks[b]!)) return b;
      slot = (slot + 1) & (slots.length - 1);
    }
    const b = this.blocks.length;
    this.blocks.push(text.slice(s, e));
    this.blockHashes.push(hash);
    slots[slot] = b + 1;
    if (this.blocks.length * 2 > slots.length) {
      // Keep the table at most half full: twice the size, every block placed again.
      slots = new Int32Array(slots.length * 2);
      const mask = slots.length - 1;
      for (let k = 0; k < this.blocks.length; k++) {
        let at = mixHash(this.blockHashes[k]!) & mask;
        while (slots[at] !== 0) at = (at + 1) & mask;
        slots[at] = k + 1;
      }
      this.blockSlots = slots;
    }
    return b;
  }

  internCostBasis(value: string): number {
    return intern(this.costBasisIndex, this.costBases, value);
  }
}

/** Spreads idHash's bits over the table's slots. */
function mixHash(hash: number): number {
  return Math.imul(hash ^ (hash >>> 16), 0x45d9f3b) ^ (hash >>> 13);
}

function intern(index: Map<string, number>, list: string[], value: string): number {
  let found = index.get(value);
  if (found === undefined) {
    found = list.length;
    list.push(value);
    index.set(value, found);
  }
  return found;
}

/** Canonical text of mantissa / 10^scale (toCanonical's: no exponent, no trailing zeros, "0" for zero). */
export function scaledCanonical(mantissa: number, scale: number): string {
  if (mantissa === 0) return '0';
  const negative = mantissa < 0;
  let digits = String(negative ? -mantissa : mantissa);
  if (scale > 0) {
    if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
    digits = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  }
  return negative ? `-${digits}` : digits;
}

/** Scans a whole Orb export JSON Lines text. */
export function scanOrbExportJsonl(file: string, text: string): OrbExportScan {
  // Columns for about as many records as lines of the first lines' average length fit in the text (a
  // tenth more): a million records take ~150 MB of columns, and every unused row is memory zeroed and
  // touched for nothing. A file of shorter lines grows the columns by doubling.
  let sampled = 0;
  let lines = 0;
  for (let at = 0; lines < 64 && at < text.length; lines++) {
    const next = text.indexOf('\n', at);
    const end = next === -1 ? text.length : next + 1;
    sampled += end - at;
    at = end;
  }
  const averageLength = lines === 0 ? 1 : Math.max(1, sampled / lines);
  const scan = new OrbExportScan(file, text, Math.max(1024, Math.ceil((text.length / averageLength) * 1.1)));
  new Scanner(scan).run();
  return scan;
}

// Keys and the enum values read, matched in place by a hash readString computes as it goes (no string
// is cut out for them). A name's number is its index here.
const NAMES = [
  '', 'id', 'ledger_sequence_number', 'entry_type', 'entry_status', 'amount', 'starting_balance', 'ending_balance',
  'created_at', 'currency', 'description', 'metadata', 'customer', 'credit_block', 'data', 'pagination_metadata',
  'external_customer_id', 'expiry_date', 'per_unit_cost_basis', 'increment', 'decrement', 'credit_block_expiry',
  'committed', 'posted',
] as const;
const K_ID = 1;
const K_SEQUENCE = 2;
const K_TYPE = 3;
const K_STATUS = 4;
const K_AMOUNT = 5;
const K_STARTING = 6;
const K_ENDING = 7;
const K_CREATED = 8;
const K_CURRENCY = 9;
const K_DESCRIPTION = 10;
const K_METADATA = 11;
const K_CUSTOMER = 12;
const K_BLOCK = 13;
const K_DATA = 14; // data, pagination_metadata: a page on one line
const K_PAGINATION = 15;
const N_EXTERNAL_ID = 16;
const N_EXPIRY_DATE = 17;
const N_COST_BASIS = 18;
const N_INCREMENT = 19;
const N_DECREMENT = 20;
const N_EXPIRY = 21;
const N_COMMITTED = 22;
const N_POSTED = 23;
/** Top-level keys are the names below this number. */
const TOP_KEYS = 16;

/** The hash the scanner keeps of each id (scan.idHash): hashStep over its characters. */
export function idHash(id: string): number {
  let h = 0;
  for (let k = 0; k < id.length; k++) h = hashStep(h, id.charCodeAt(k));
  return h;
}

function hashStep(h: number, c: number): number {
  return (Math.imul(h, 31) + c) | 0;
}
const SLOT_MASK = 4095;
function slotOf(h: number): number {
  return (h ^ (h >>> 12)) & SLOT_MASK;
}
const NAME_SLOTS = new Uint8Array(SLOT_MASK + 1);
/** The names' characters, one after another, and where each starts (compared in place, by code). */
const NAME_START = new Int32Array(NAMES.length + 1);
for (let n = 0; n < NAMES.length; n++) NAME_START[n + 1] = NAME_START[n]! + NAMES[n]!.length;
const NAME_CODES = new Uint8Array(NAME_START[NAMES.length]!);
for (let n = 0; n < NAMES.length; n++) for (let k = 0; k < NAMES[n]!.length; k++) NAME_CODES[NAME_START[n]! + k] = NAMES[n]!.charCodeAt(k);
for (let n = 1; n < NAMES.length; n++) {
  let h = 0;
  for (let k = 0; k < NAMES[n]!.length; k++) h = hashStep(h, NAMES[n]!.charCodeAt(k));
  if (NAME_SLOTS[slotOf(h)] !== 0) throw new Error(`orb-export-scan: names ${NAMES[NAME_SLOTS[slotOf(h)]!]} and ${NAMES[n]} share a slot`);
  NAME_SLOTS[slotOf(h)] = n;
}

const FAIL = -1;

/** The keys a record must have. */
const FINISH_NEEDS = (1 << K_ID) | (1 << K_SEQUENCE) | (1 << K_TYPE) | (1 << K_AMOUNT) | (1 << K_STARTING) | (1 << K_ENDING) | (1 << K_CREATED) | (1 << K_CUSTOMER);

/*
 * The layout in which Orb's API (and so most exports) writes an entry, as one sticky regular
 * expression: keys in this order, no whitespace, strings without escapes or control characters, numbers
 * without exponent (JSON's grammar), values of the types the reader takes. A line it matches is valid
 * JSON of that layout; templateLine then reads the values where the layout puts them.
 */
const STR = '[^"\\\\\\x00-\\x1f]';
const NUM = '-?(?:0|[1-9]\\d*)(?:\\.\\d+)?';
const T_ID_KEY = '{"id":';
const T_SEQUENCE_KEY = ',"ledger_sequence_number":';
const T_TYPE_KEY = ',"entry_type":"';
const T_STATUS_KEY = '","entry_status":';
const T_AMOUNT_KEY = ',"amount":';
const T_STARTING_KEY = ',"starting_balance":';
const T_ENDING_KEY = ',"ending_balance":';
const T_CREATED_KEY = ',"created_at":';
const T_CURRENCY_KEY = ',"currency":';
const T_CUSTOMER_KEY = ',"customer":{"id":';
const T_EXTERNAL_KEY = ',"external_customer_id":';
const T_BLOCK_KEY = '},"credit_block":{"id":';
const T_EXPIRY_KEY = ',"expiry_date":';
const T_FILTERS_KEY = ',"filters":[]';
const T_COST_KEY = ',"per_unit_cost_basis":';
const literal = (text: string): string => text.replace(/[{}[\]]/g, '\\$&');
const TEMPLATE = new RegExp(
  literal(T_ID_KEY) + `"${STR}+"` +
    literal(T_SEQUENCE_KEY) + '(?:0|[1-9]\\d{0,14})' +
    literal(T_TYPE_KEY) + '(?:increment|decrement|credit_block_expiry)' +
    literal(T_STATUS_KEY) + '(?:"committed"|"posted"|null)' +
    literal(T_AMOUNT_KEY) + NUM +
    literal(T_STARTING_KEY) + NUM +
    literal(T_ENDING_KEY) + NUM +
    literal(T_CREATED_KEY) + `"${STR}*"` +
    literal(T_CURRENCY_KEY) + `(?:"${STR}*"|null)` +
    literal(T_CUSTOMER_KEY) + `"${STR}+"` +
    literal(T_EXTERNAL_KEY) + `(?:"${STR}*"|null)` +
    literal(T_BLOCK_KEY) + `"${STR}+"` +
    literal(T_EXPIRY_KEY) + `(?:"${STR}*"|null)` +
    `(?:${literal(T_FILTERS_KEY)})?` +
    literal(T_COST_KEY) + `(?:"${STR}*"|null)` +
    '\\},"description":' + `(?:"${STR}*"|null)` +
    ',"metadata":\\{\\}\\}',
  'y',
);
/** Offsets templateLine steps over: each key literal, from the end of the value before it. */
const T_ID = T_ID_KEY.length;
const T_SEQUENCE = T_SEQUENCE_KEY.length;
const T_TYPE = T_TYPE_KEY.length;
const T_STATUS = T_STATUS_KEY.length; // from the closing quote of the type
const T_AMOUNT = T_AMOUNT_KEY.length;
const T_STARTING = T_STARTING_KEY.length;
const T_ENDING = T_ENDING_KEY.length;
const T_CREATED = T_CREATED_KEY.length;
const T_CURRENCY = T_CURRENCY_KEY.length;
const T_CUSTOMER = T_CUSTOMER_KEY.length;
const T_EXTERNAL = T_EXTERNAL_KEY.length;
const T_BLOCK = T_BLOCK_KEY.length;
const T_EXPIRY = T_EXPIRY_KEY.length;
const T_FILTERS = T_FILTERS_KEY.length;
const T_COST = T_COST_KEY.length;

class Scanner {
  private readonly text: string;
  private readonly reader: OrbExportLineReader;
  private found = 0;

  // The decimal last read by readDecimal: mantissa (signed), scale.
  private m = 0;
  private f = 0;
  // The string last read by readString: [s0, s1).
  private s0 = 0;
  private s1 = 0;
  /** Its hash (hashStep over its characters). */
  private h = 0;
  /** The key readKey read. */
  private key = 0;
  /** readKey's guesses: by context and previous key, the key that came next last time. */
  private readonly nextKey = new Uint8Array(NAMES.length * 3);
  private blockHash = 0;

  // The record being scanned.
  private seen = 0;
  private idStart = 0;
  private idEnd = 0;
  private idHash = 0;
  private sequence = 0;
  private kind = -1;
  private amountM = 0;
  private amountF = 0;
  private startingM = 0;
  private startingF = 0;
  private endingM = 0;
  private endingF = 0;
  private at = NaN;
  private unit = -1;
  private customerStart = 0;
  private customerEnd = 0;
  private blockStart = -1;
  private blockEnd = -1;
  private expiryStart = -1;
  private expiryEnd = -1;
  private costM = 0;
  private costF = 0;
  private costStated = false;
  private costSeen = false;
  private expirySeen = false;
  private lastCurrency: string | null = null;
  private lastCurrencyUnit = -1;
  private lastCustomer = -1;
  /** The last cost basis interned (mantissa, scale) and its index: increments of one account mostly repeat it. */
  private lastCostM = NaN;
  private lastCostF = -1;
  private lastCost = -1;
  private readonly credits: number;

  constructor(private readonly scan: OrbExportScan) {
    this.text = scan.text;
    this.reader = new OrbExportLineReader(scan.file, scan.problems);
    this.credits = scan.internUnit('credits');
  }

  run(): void {
    const text = this.text;
    const length = text.length;
    let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    let lineNumber = 0;
    while (start < length) {
      lineNumber++;
      // Most lines have the template's layout: where its match ends at a line end, that is the line
      // (no search for the newline first).
      TEMPLATE.lastIndex = start;
      if (TEMPLATE.test(text)) {
        const stop = TEMPLATE.lastIndex;
        const c = text.charCodeAt(stop);
        const end = stop === length || c === 10 ? stop : c === 13 && (stop + 1 === length || text.charCodeAt(stop + 1) === 10) ? stop + 1 : -1;
        if (end >= 0) {
          if (!this.templateLine(start, stop, lineNumber) && !this.scanLine(start, stop, lineNumber)) this.slowLine(start, stop, lineNumber);
          start = end + 1;
          continue;
        }
      }
      // Not the template's layout (a test from the same place would match the same way): key by key.
      let end = text.indexOf('\n', start);
      if (end === -1) end = length;
      const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
      if (stop > start && !this.scanLine(start, stop, lineNumber)) this.slowLine(start, stop, lineNumber);
      start = end + 1;
    }
    this.scan.records = this.found;
  }

  /**
   * The first try for each line: the whole line checked at once against TEMPLATE by run() (a native
   * regular expression is several times faster than reading it character by character), then here its
   * values read at the places the template fixes. A line of another layout goes to scanLine.
   */
  private templateLine(start: number, end: number, lineNumber: number): boolean {
    const text = this.text;
    let i = this.readString(start + T_ID, end);
    this.idStart = this.s0;
    this.idEnd = this.s1;
    this.idHash = this.h;
    i += T_SEQUENCE;
    let sequence = 0;
    for (let c = text.charCodeAt(i); c !== 44; c = text.charCodeAt(++i)) sequence = sequence * 10 + (c - 48);
    this.sequence = sequence;
    i += T_TYPE;
    const first = text.charCodeAt(i);
    if (first === 105 /* i */) {
      this.kind = SCAN_INCREMENT;
      i += 9;
    } else if (first === 100 /* d */) {
      this.kind = SCAN_DECREMENT;
      i += 9;
    } else {
      this.kind = SCAN_EXPIRY;
      i += 19;
    }
    i += T_STATUS;
    const status = text.charCodeAt(i + 1);
    i += status === 99 /* "committed" */ ? 11 : status === 112 /* "posted" */ ? 8 : 4;
    i = this.readDecimal(i + T_AMOUNT, end);
    if (i === FAIL) return false;
    this.amountM = this.m;
    this.amountF = this.f;
    i = this.readDecimal(i + T_STARTING, end);
    if (i === FAIL) return false;
    this.startingM = this.m;
    this.startingF = this.f;
    i = this.readDecimal(i + T_ENDING, end);
    if (i === FAIL) return false;
    this.endingM = this.m;
    this.endingF = this.f;
    // The template has checked every string (no escape, no control character): where no hash is kept,
    // the closing quote is all there is to find.
    let s = i + T_CREATED + 1;
    i = text.indexOf('"', s);
    this.at = this.instant(s, i);
    if (Number.isNaN(this.at)) return false;
    i += 1 + T_CURRENCY;
    this.unit = this.credits;
    if (text.charCodeAt(i) === 34) {
      s = i + 1;
      i = text.indexOf('"', s);
      if (!this.currency(s, i)) return false;
      i++;
    } else {
      i += 4;
    }
    this.customerStart = i + T_CUSTOMER + 1;
    i = text.indexOf('"', this.customerStart);
    this.customerEnd = i;
    i += 1 + T_EXTERNAL;
    i = text.charCodeAt(i) === 34 ? text.indexOf('"', i + 1) + 1 : i + 4;
    i = this.readString(i + T_BLOCK, end);
    this.blockStart = this.s0;
    this.blockEnd = this.s1;
    this.blockHash = this.h;
    i += T_EXPIRY;
    this.expiryStart = -1;
    if (text.charCodeAt(i) === 34) {
      this.expiryStart = i + 1;
      i = text.indexOf('"', i + 1);
      this.expiryEnd = i;
      i++;
    } else {
      i += 4;
    }
    if (text.charCodeAt(i + 2) === 102 /* ,"filters":[] */) i += T_FILTERS;
    i += T_COST;
    this.costStated = false;
    if (text.charCodeAt(i) === 34) {
      if (this.readDecimal(i, end) === FAIL) return false;
      this.costM = this.m;
      this.costF = this.f;
      this.costStated = true;
    }
    this.seen = FINISH_NEEDS;
    return this.finish(start, end, lineNumber);
  }

  private slowLine(start: number, stop: number, lineNumber: number): void {
    for (const parsed of this.reader.readLine(this.text.slice(start, stop), lineNumber)) {
      this.scan.slow.push({ found: this.found++, parsed });
    }
  }

  private ws(i: number, end: number): number {
    const text = this.text;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
      i++;
    }
    return i;
  }

  /** True when the line was taken; false leaves it (unchanged) to the full reader. */
  private scanLine(start: number, end: number, lineNumber: number): boolean {
    const text = this.text;
    let i = this.ws(start, end);
    if (text.charCodeAt(i) !== 123 /* { */) return false;
    this.seen = 0;
    this.blockStart = -1;
    this.expiryStart = -1;
    this.costStated = false;
    this.costSeen = false;
    this.expirySeen = false;
    this.unit = this.credits;
    this.kind = -1;
    i = this.ws(i + 1, end);
    if (text.charCodeAt(i) === 125 /* } */) return false;
    let previous = 0;
    for (;;) {
      if (text.charCodeAt(i) !== 34) return false;
      i = this.readKey(i, end, 0, previous);
      if (i === FAIL) return false;
      let key = this.key;
      if (key >= TOP_KEYS) key = 0;
      previous = key;
      i = this.ws(i, end);
      if (text.charCodeAt(i) !== 58 /* : */) return false;
      i = this.ws(i + 1, end);
      if (key !== 0) {
        const bit = 1 << key;
        if ((this.seen & bit) !== 0) return false; // a repeated key: JSON.parse keeps the last; leave it to the reader
        this.seen |= bit;
      }
      i = this.value(key, i, end);
      if (i === FAIL) return false;
      i = this.ws(i, end);
      const c = text.charCodeAt(i);
      if (c === 44 /* , */) {
        i = this.ws(i + 1, end);
        continue;
      }
      if (c !== 125 /* } */) return false;
      i = this.ws(i + 1, end);
      if (i !== end) return false;
      break;
    }
    return this.finish(start, end, lineNumber);
  }

  private isNull(i: number): boolean {
    const text = this.text;
    return text.charCodeAt(i) === 110 && text.charCodeAt(i + 1) === 117 && text.charCodeAt(i + 2) === 108 && text.charCodeAt(i + 3) === 108;
  }

  private value(key: number, i: number, end: number): number {
    const text = this.text;
    switch (key) {
      case K_ID:
        if (text.charCodeAt(i) !== 34) return FAIL;
        i = this.readString(i, end);
        if (i === FAIL || this.s1 === this.s0) return FAIL;
        this.idStart = this.s0;
        this.idEnd = this.s1;
        this.idHash = this.h;
        return i;
      case K_SEQUENCE: {
        // Digits only: a negative, fractional ("3.0") or long number is left to the reader.
        let value = 0;
        let k = i;
        while (k < end) {
          const d = text.charCodeAt(k) - 48;
          if (d < 0 || d > 9) break;
          value = value * 10 + d;
          k++;
        }
        if (k === i || k - i > MAX_DIGITS || (k - i > 1 && text.charCodeAt(i) === 48)) return FAIL;
        const next = text.charCodeAt(k);
        if (next === 46 || next === 101 || next === 69) return FAIL;
        this.sequence = value;
        return k;
      }
      case K_TYPE:
        if (text.charCodeAt(i) !== 34) return FAIL;
        i = this.readString(i, end);
        if (i === FAIL) return FAIL;
        this.kind = this.entryType();
        return this.kind < 0 ? FAIL : i;
      case K_STATUS:
        if (this.isNull(i)) return i + 4;
        if (text.charCodeAt(i) !== 34) return FAIL;
        i = this.readString(i, end);
        if (i === FAIL) return FAIL;
        {
          const status = this.name();
          return status === N_COMMITTED || status === N_POSTED ? i : FAIL;
        } // pending, or not a status: the reader
      case K_AMOUNT:
        i = this.readDecimal(i, end);
        this.amountM = this.m;
        this.amountF = this.f;
        return i;
      case K_STARTING:
        i = this.readDecimal(i, end);
        this.startingM = this.m;
        this.startingF = this.f;
        return i;
      case K_ENDING:
        i = this.readDecimal(i, end);
        this.endingM = this.m;
        this.endingF = this.f;
        return i;
      case K_CREATED:
        if (text.charCodeAt(i) !== 34) return FAIL;
        i = this.readString(i, end);
        if (i === FAIL) return FAIL;
        this.at = this.instant(this.s0, this.s1);
        return Number.isNaN(this.at) ? FAIL : i;
      case K_CURRENCY:
        if (this.isNull(i)) return i + 4;
        if (text.charCodeAt(i) !== 34) return FAIL;
        i = this.readString(i, end);
        if (i === FAIL) return FAIL;
        return this.currency(this.s0, this.s1) ? i : FAIL;
      case K_DESCRIPTION:
        if (this.isNull(i)) return i + 4;
        if (text.charCodeAt(i) !== 34) return FAIL;
        return this.readString(i, end);
      case K_METADATA:
        if (this.isNull(i)) return i + 4;
        if (text.charCodeAt(i) !== 123) return FAIL;
        return this.skip(i, end, 0);
      case K_CUSTOMER:
        if (text.charCodeAt(i) !== 123) return FAIL;
        return this.customer(i, end);
      case K_BLOCK:
        if (this.isNull(i)) return i + 4;
        if (text.charCodeAt(i) !== 123) return FAIL;
        return this.creditBlock(i, end);
      case K_DATA:
      case K_PAGINATION:
        return FAIL;
      default:
        return this.skip(i, end, 0);
    }
  }

  private entryType(): number {
    switch (this.name()) {
      case N_INCREMENT:
        return SCAN_INCREMENT;
      case N_DECREMENT:
        return SCAN_DECREMENT;
      case N_EXPIRY:
        return SCAN_EXPIRY;
      default:
        return -1;
    }
  }

  /** created_at and expiry dates: the fast shape in place, else parseInstantFast on the cut string; NaN when it throws. */
  private instant(s: number, e: number): number {
    const fast = parseInstantAt(this.text, s, e);
    if (!Number.isNaN(fast)) return fast;
    try {
      return parseInstantFast(this.text.slice(s, e));
    } catch {
      return NaN;
    }
  }

  /** readUnit: "" is unset (credits); else normalizeUnit, which must leave something. */
  private currency(s: number, e: number): boolean {
    if (s === e) return true;
    const text = this.text;
    const last = this.lastCurrency;
    if (last !== null && sameText(text, s, e, last)) {
      this.unit = this.lastCurrencyUnit;
      return true;
    }
    const raw = text.slice(s, e);
    const unit = normalizeUnit(raw);
    if (unit.length === 0) return false;
    this.unit = this.scan.internUnit(unit);
    this.lastCurrency = raw;
    this.lastCurrencyUnit = this.unit;
    return true;
  }

  private customer(i: number, end: number): number {
    const text = this.text;
    let idSeen = false;
    let externalSeen = false;
    i = this.ws(i + 1, end);
    if (text.charCodeAt(i) === 125) return FAIL; // no id
    let previous = 0;
    for (;;) {
      if (text.charCodeAt(i) !== 34) return FAIL;
      i = this.readKey(i, end, 1, previous);
      if (i === FAIL) return FAIL;
      const key = this.key;
      previous = key;
      i = this.ws(i, end);
      if (text.charCodeAt(i) !== 58) return FAIL;
      i = this.ws(i + 1, end);
      if (key === K_ID) {
        if (idSeen || text.charCodeAt(i) !== 34) return FAIL;
        idSeen = true;
        i = this.readString(i, end);
        if (i === FAIL || this.s1 === this.s0) return FAIL;
        this.customerStart = this.s0;
        this.customerEnd = this.s1;
      } else if (key === N_EXTERNAL_ID) {
        if (externalSeen) return FAIL;
        externalSeen = true;
        if (this.isNull(i)) i += 4;
        else if (text.charCodeAt(i) === 34) i = this.readString(i, end);
        else return FAIL;
      } else {
        if (key === K_BLOCK) return FAIL;
        i = this.skip(i, end, 1);
      }
      if (i === FAIL) return FAIL;
      i = this.ws(i, end);
      const c = text.charCodeAt(i);
      if (c === 44) {
        i = this.ws(i + 1, end);
        continue;
      }
      if (c !== 125) return FAIL;
      return idSeen ? i + 1 : FAIL;
    }
  }

  /**
   * credit_block: id, expiry_date, per_unit_cost_basis read; anything else must be a scalar or an empty
   * container, so that drawn-block.ts's reading of the raw object (the first "id" in it) finds this id.
   */
  private creditBlock(i: number, end: number): number {
    const text = this.text;
    i = this.ws(i + 1, end);
    if (text.charCodeAt(i) === 125) return i + 1;
    let previous = 0;
    for (;;) {
      if (text.charCodeAt(i) !== 34) return FAIL;
      i = this.readKey(i, end, 2, previous);
      if (i === FAIL) return FAIL;
      const key = this.key;
      previous = key;
      i = this.ws(i, end);
      if (text.charCodeAt(i) !== 58) return FAIL;
      i = this.ws(i + 1, end);
      if (key === K_ID) {
        if (this.blockStart >= 0 || text.charCodeAt(i) !== 34) return FAIL;
        i = this.readString(i, end);
        if (i === FAIL || this.s1 === this.s0) return FAIL;
        this.blockStart = this.s0;
        this.blockEnd = this.s1;
        this.blockHash = this.h;
      } else if (key === N_EXPIRY_DATE) {
        if (this.expirySeen) return FAIL;
        this.expirySeen = true;
        if (this.isNull(i)) i += 4;
        else if (text.charCodeAt(i) === 34) {
          i = this.readString(i, end);
          this.expiryStart = this.s0;
          this.expiryEnd = this.s1;
        } else return FAIL;
      } else if (key === N_COST_BASIS) {
        if (this.costSeen) return FAIL;
        this.costSeen = true;
        if (this.isNull(i)) i += 4;
        else {
          i = this.readDecimal(i, end);
          this.costM = this.m;
          this.costF = this.f;
          this.costStated = true;
        }
      } else {
        if (key === K_BLOCK) return FAIL;
        const c = text.charCodeAt(i);
        if (c === 123 || c === 91) {
          // Only an empty container ({} or []).
          const close = c === 123 ? 125 : 93;
          if (text.charCodeAt(i + 1) !== close) return FAIL;
          i += 2;
        } else {
          i = this.skip(i, end, 1);
        }
      }
      if (i === FAIL) return FAIL;
      i = this.ws(i, end);
      const c = text.charCodeAt(i);
      if (c === 44) {
        i = this.ws(i + 1, end);
        continue;
      }
      if (c !== 125) return FAIL;
      return i + 1;
    }
  }

  /** A JSON string at i (its opening quote): sets [s0, s1); FAIL on an escape or a control character. */
  private readString(i: number, end: number): number {
    const text = this.text;
    const s = i + 1;
    let k = s;
    let h = 0;
    for (;;) {
      if (k >= end) return FAIL;
      const c = text.charCodeAt(k);
      if (c === 34) break;
      if (c === 92 || c < 32) return FAIL;
      h = hashStep(h, c);
      k++;
    }
    this.s0 = s;
    this.s1 = k;
    this.h = h;
    return k + 1;
  }

  /**
   * An object key at i (its opening quote): sets `key` to its name's number (0: not a name read here).
   * Objects of one export list their keys in one order, so the key that followed `previous` last time
   * is compared first, in one pass over its characters; `context` keeps the top level, customer and
   * credit_block apart.
   */
  private readKey(i: number, end: number, context: number, previous: number): number {
    const text = this.text;
    const slot = context * NAMES.length + previous;
    const expected = this.nextKey[slot]!;
    if (expected !== 0) {
      const from = NAME_START[expected]!;
      const length = NAME_START[expected + 1]! - from;
      const s = i + 1;
      if (s + length < end && text.charCodeAt(s + length) === 34) {
        let k = 0;
        while (k < length && text.charCodeAt(s + k) === NAME_CODES[from + k]) k++;
        if (k === length) {
          this.key = expected;
          return s + length + 1;
        }
      }
    }
    const after = this.readString(i, end);
    if (after === FAIL) return FAIL;
    this.key = this.name();
    this.nextKey[slot] = this.key;
    return after;
  }

  /** The number of the name the last string read is (see NAMES), or 0. */
  private name(): number {
    const n = NAME_SLOTS[slotOf(this.h)]!;
    if (n === 0) return 0;
    const from = NAME_START[n]!;
    const length = NAME_START[n + 1]! - from;
    const s = this.s0;
    if (this.s1 - s !== length) return 0;
    const text = this.text;
    for (let k = 0; k < length; k++) if (text.charCodeAt(s + k) !== NAME_CODES[from + k]) return 0;
    return n;
  }

  /**
   * A decimal: a JSON number (no exponent) or a string like "-12.50"; sets m (signed mantissa) and f
   * (minimal scale). FAIL for anything else, more than 15 significant digits, or a scale above 30.
   */
  private readDecimal(i: number, end: number): number {
    const text = this.text;
    let k = i;
    const quoted = text.charCodeAt(k) === 34;
    if (quoted) k++;
    let negative = false;
    const first = text.charCodeAt(k);
    if (first === 45) {
      negative = true;
      k++;
    } else if (first === 43 && quoted) {
      k++;
    }
    let mantissa = 0;
    let significant = 0;
    let scale = 0;
    const intStart = k;
    while (k < end) {
      const d = text.charCodeAt(k) - 48;
      if (d < 0 || d > 9) break;
      if (significant > 0 || d !== 0) {
        mantissa = mantissa * 10 + d;
        significant++;
      }
      k++;
    }
    const intDigits = k - intStart;
    if (intDigits === 0) return FAIL;
    // JSON: no leading zero before another digit (a string literal may have them: Decimal reads "007").
    if (!quoted && intDigits > 1 && text.charCodeAt(intStart) === 48) return FAIL;
    if (text.charCodeAt(k) === 46 /* . */) {
      k++;
      const fracStart = k;
      while (k < end) {
        const d = text.charCodeAt(k) - 48;
        if (d < 0 || d > 9) break;
        if (significant > 0 || d !== 0) {
          mantissa = mantissa * 10 + d;
          significant++;
        }
        scale++;
        k++;
      }
      if (k === fracStart) return FAIL;
    }
    if (significant > MAX_DIGITS) return FAIL;
    if (quoted) {
      if (text.charCodeAt(k) !== 34) return FAIL;
      k++;
    } else {
      const next = text.charCodeAt(k);
      if (next === 101 || next === 69) return FAIL; // an exponent: the reader (lossless text, strict check)
    }
    while (scale > 0 && mantissa % 10 === 0) {
      mantissa /= 10;
      scale--;
    }
    if (mantissa === 0) scale = 0;
    if (scale > MAX_SCALE) return FAIL;
    this.m = negative && mantissa !== 0 ? -mantissa : mantissa;
    this.f = scale;
    return k;
  }

  /**
   * Skips one JSON value, checking it as JSON.parse would (conservatively: an escape in a string fails).
   * Depth > 0: an object key "credit_block" fails, so drawn-block.ts's first match is the real block.
   */
  private skip(i: number, end: number, depth: number): number {
    const text = this.text;
    const c = text.charCodeAt(i);
    if (c === 34) return this.readString(i, end);
    if (c === 110) return this.isNull(i) ? i + 4 : FAIL;
    if (c === 116) return text.startsWith('true', i) ? i + 4 : FAIL;
    if (c === 102) return text.startsWith('false', i) ? i + 5 : FAIL;
    if (c === 45 || (c >= 48 && c <= 57)) return this.skipNumber(i, end);
    if (depth > 64) return FAIL;
    if (c === 91 /* [ */) {
      i = this.ws(i + 1, end);
      if (text.charCodeAt(i) === 93) return i + 1;
      for (;;) {
        i = this.skip(i, end, depth + 1);
        if (i === FAIL) return FAIL;
        i = this.ws(i, end);
        const next = text.charCodeAt(i);
        if (next === 93) return i + 1;
        if (next !== 44) return FAIL;
        i = this.ws(i + 1, end);
      }
    }
    if (c === 123 /* { */) {
      i = this.ws(i + 1, end);
      if (text.charCodeAt(i) === 125) return i + 1;
      for (;;) {
        if (text.charCodeAt(i) !== 34) return FAIL;
        i = this.readString(i, end);
        if (i === FAIL) return FAIL;
        if (this.name() === K_BLOCK) return FAIL;
        i = this.ws(i, end);
        if (text.charCodeAt(i) !== 58) return FAIL;
        i = this.skip(this.ws(i + 1, end), end, depth + 1);
        if (i === FAIL) return FAIL;
        i = this.ws(i, end);
        const next = text.charCodeAt(i);
        if (next === 125) return i + 1;
        if (next !== 44) return FAIL;
        i = this.ws(i + 1, end);
      }
    }
    return FAIL;
  }

  /** A JSON number's grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
  private skipNumber(i: number, end: number): number {
    const text = this.text;
    let k = i;
    if (text.charCodeAt(k) === 45) k++;
    const intStart = k;
    while (k < end && isDigit(text.charCodeAt(k))) k++;
    if (k === intStart || (k - intStart > 1 && text.charCodeAt(intStart) === 48)) return FAIL;
    if (text.charCodeAt(k) === 46) {
      const fracStart = ++k;
      while (k < end && isDigit(text.charCodeAt(k))) k++;
      if (k === fracStart) return FAIL;
    }
    const e = text.charCodeAt(k);
    if (e === 101 || e === 69) {
      k++;
      const sign = text.charCodeAt(k);
      if (sign === 43 || sign === 45) k++;
      const expStart = k;
      while (k < end && isDigit(text.charCodeAt(k))) k++;
      if (k === expStart) return FAIL;
    }
    return k;
  }

  /** The per-type checks orb-export.ts makes; true when the record is taken. */
  private finish(start: number, end: number, lineNumber: number): boolean {
    if ((this.seen & FINISH_NEEDS) !== FINISH_NEEDS) return false;
    const kind = this.kind;
    // Every type but decrement names its block; a decrement taken here states the block it drew from.
    if (this.blockStart < 0) return false;
    let expiresAt = NaN;
    let costBasis = -1;
    const scan = this.scan;
    if (kind === SCAN_INCREMENT) {
      if (this.amountM <= 0) return false;
      if (this.expiryStart >= 0) {
        expiresAt = this.instant(this.expiryStart, this.expiryEnd);
        if (Number.isNaN(expiresAt) || expiresAt <= this.at) return false;
      }
      if (this.costStated) {
        if (this.costM < 0) return false;
        if (this.costM !== this.lastCostM || this.costF !== this.lastCostF) {
          this.lastCostM = this.costM;
          this.lastCostF = this.costF;
          this.lastCost = scan.internCostBasis(scaledCanonical(this.costM, this.costF));
        }
        costBasis = this.lastCost;
      }
    } else if (kind === SCAN_DECREMENT) {
      if (this.amountM === 0) return false;
      if (this.expiryStart >= 0) expiresAt = this.drawnExpiry(this.expiryStart, this.expiryEnd);
    }
    if (scan.count === scan.capacity) scan.grow();
    const r = scan.count++;
    const text = this.text;
    scan.line[r] = lineNumber;
    scan.lineStart[r] = start;
    scan.lineEnd[r] = end;
    scan.found[r] = this.found++;
    scan.idStart[r] = this.idStart;
    scan.idEnd[r] = this.idEnd;
    scan.idHash[r] = this.idHash;
    const last = this.lastCustomer;
    if (last >= 0 && sameText(text, this.customerStart, this.customerEnd, scan.customers[last]!)) {
      scan.customer[r] = last;
    } else {
      this.lastCustomer = scan.customer[r] = scan.internCustomer(text.slice(this.customerStart, this.customerEnd));
    }
    scan.unit[r] = this.unit;
    scan.kind[r] = kind;
    scan.sequence[r] = this.sequence;
    scan.at[r] = this.at;
    scan.amount[r] = this.amountM < 0 ? -this.amountM : this.amountM;
    scan.amountScale[r] = this.amountF;
    scan.starting[r] = this.startingM;
    scan.startingScale[r] = this.startingF;
    scan.ending[r] = this.endingM;
    scan.endingScale[r] = this.endingF;
    scan.block[r] = scan.internBlockAt(text, this.blockStart, this.blockEnd, this.blockHash);
    scan.expiresAt[r] = expiresAt;
    scan.costBasis[r] = costBasis;
    return true;
  }

  /** drawn-block.ts: the stated expiry_date through parseInstant; unreadable is none. */
  private drawnExpiry(s: number, e: number): number {
    const fast = parseInstantAt(this.text, s, e);
    if (!Number.isNaN(fast)) return fast;
    try {
      return parseInstant(this.text.slice(s, e));
    } catch {
      return NaN;
    }
  }
}

/** text[s, e) === value, without cutting a string out. */
function sameText(text: string, s: number, e: number, value: string): boolean {
  if (e - s !== value.length) return false;
  for (let k = 0; k < value.length; k++) if (text.charCodeAt(s + k) !== value.charCodeAt(k)) return false;
  return true;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
