import { idHash, type OrbExportScan } from '../sources/orb-export-scan.js';
import type { AuditedEntry } from './types.js';

/**
 * L5's memory: per source, the first record of each id. Records read in full are kept by id in a Map;
 * records scanned from an Orb export (source "orb") are kept in a hash table per scan over the ids in
 * the text, so that a million ids need neither a string nor a Map entry each. A lookup consults every
 * place an "orb" id may be, so the first copy is found wherever it came from.
 *
 * A scanned record is named by one number: its file index × 2^32 + its record number.
 */
export type FirstRecord = AuditedEntry | number;

export const FILE_STRIDE = 2 ** 32;

interface ScanTable {
  scan: OrbExportScan;
  fileIndex: number;
  /**
   * Open addressing by idHash, linear probing, two numbers a slot: record number + 1 (0 empty), then the
   * record's idHash beside it, so that a probe compares hashes in the cache line it already read (a
   * million ids make a table of many megabytes: each read elsewhere is a cache miss).
   */
  slots: Int32Array;
  mask: number;
  /**
   * For a scan that is the only source of ids (alone): a bit per hash bucket set when two or more of its
   * ids (scanned or read in full) fall in it. An id alone in its bucket has no copy and can never be
   * found by another, so it needs no place in `slots`: most ids skip the table (cache misses) entirely.
   */
  crowded: Int32Array | null;
  crowdedShift: number;
}

export class FirstCopies {
  private readonly bySource = new Map<string, Map<string, FirstRecord>>();
  private readonly tables: ScanTable[] = [];

  /** An id read in full: its first record, or undefined (and this one is remembered as the first). */
  firstOf(source: string, id: string, item: AuditedEntry): FirstRecord | undefined {
    let ids = this.bySource.get(source);
    const found = ids?.get(id);
    if (found !== undefined) return found;
    if (source === 'orb' && this.tables.length > 0) {
      const hash = idHash(id);
      for (const table of this.tables) {
        const r = findIn(table, hash, (q) => table.scan.idIs(q, id));
        if (r >= 0) return table.fileIndex * FILE_STRIDE + r;
      }
    }
    if (ids === undefined) {
      ids = new Map();
      this.bySource.set(source, ids);
    }
    ids.set(id, item);
    return undefined;
  }

  /**
   * Starts the table of a scan whose records come next. `alone`: no other file adds ids, before or after
   * (the audit of one file).
   */
  addScan(scan: OrbExportScan, fileIndex: number, alone = false): void {
    const table: ScanTable = { scan, fileIndex, slots: new Int32Array(0), mask: 0, crowded: null, crowdedShift: 0 };
    // Alone, only the ids in crowded buckets take a place in the table: it is sized for them.
    const stored = alone && this.tables.length === 0 && this.bySource.size === 0 ? markCrowded(table) : scan.count;
    let size = 1024;
    while (size < stored * 2) size *= 2;
    table.slots = new Int32Array(size * 2);
    table.mask = size - 1;
    this.tables.push(table);
  }

  /** Scanned record r of the last scan added: its first record, or undefined (and it is remembered). */
  firstOfScanned(r: number): FirstRecord | undefined {
    const own = this.tables[this.tables.length - 1]!;
    const scan = own.scan;
    const hash = scan.idHash[r]!;
    const crowded = own.crowded;
    if (crowded !== null) {
      const bucket = mix(hash) >>> own.crowdedShift;
      if ((crowded[bucket >>> 5]! & (1 << (bucket & 31))) === 0) return undefined;
    }
    for (let t = 0; t < this.tables.length - 1; t++) {
      const table = this.tables[t]!;
      const q = findIn(table, hash, (other) => scan.sameId(r, table.scan, other));
      if (q >= 0) return table.fileIndex * FILE_STRIDE + q;
    }
    const ids = this.bySource.get('orb');
    if (ids !== undefined && ids.size > 0) {
      const found = ids.get(scan.id(r));
      if (found !== undefined) return found;
    }
    const slots = own.slots;
    let slot = mix(hash) & own.mask;
    for (let stored = slots[2 * slot]!; stored !== 0; stored = slots[2 * slot]!) {
      if (slots[2 * slot + 1] === hash && scan.sameId(r, scan, stored - 1)) return own.fileIndex * FILE_STRIDE + stored - 1;
      slot = (slot + 1) & own.mask;
    }
    slots[2 * slot] = r + 1;
    slots[2 * slot + 1] = hash;
    return undefined;
  }
}

/** Buckets per id for the crowded bits: about 1 id in 9 shares its bucket. */
const BUCKETS_PER_ID = 8;

/** Sets table.crowded; returns how many of the scan's records are in crowded buckets. */
function markCrowded(table: ScanTable): number {
  const scan = table.scan;
  const ids = scan.count + scan.slow.length;
  let bits = 5;
  while (1 << bits < ids * BUCKETS_PER_ID && bits < 30) bits++;
  const shift = 32 - bits;
  const seen = new Int32Array(1 << (bits - 5));
  const crowded = new Int32Array(1 << (bits - 5));
  const mark = (hash: number): void => {
    const bucket = mix(hash) >>> shift;
    const word = bucket >>> 5;
    const bit = 1 << (bucket & 31);
    if ((seen[word]! & bit) !== 0) crowded[word] = crowded[word]! | bit;
    else seen[word] = seen[word]! | bit;
  };
  for (let r = 0; r < scan.count; r++) mark(scan.idHash[r]!);
  // Lines read in full: their ids are looked up in this table too (firstOf).
  for (const slow of scan.slow) mark(idHash(slow.parsed.entry.sourceId));
  table.crowded = crowded;
  table.crowdedShift = shift;
  let inCrowded = 0;
  for (let r = 0; r < scan.count; r++) {
    const bucket = mix(scan.idHash[r]!) >>> shift;
    if ((crowded[bucket >>> 5]! & (1 << (bucket & 31))) !== 0) inCrowded++;
  }
  return inCrowded;
}

function mix(hash: number): number {
  return Math.imul(hash ^ (hash >>> 16), 0x45d9f3b) ^ (hash >>> 13);
}

function findIn(table: ScanTable, hash: number, same: (q: number) => boolean): number {
  const slots = table.slots;
  let slot = mix(hash) & table.mask;
  for (let stored = slots[2 * slot]!; stored !== 0; stored = slots[2 * slot]!) {
    if (slots[2 * slot + 1] === hash && same(stored - 1)) return stored - 1;
    slot = (slot + 1) & table.mask;
  }
  return -1;
}
