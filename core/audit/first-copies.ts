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

  /** Starts the table of a scan whose records come next. */
  addScan(scan: OrbExportScan, fileIndex: number): void {
    let size = 1024;
    while (size < scan.count * 2) size *= 2;
    this.tables.push({ scan, fileIndex, slots: new Int32Array(size * 2), mask: size - 1 });
  }

  /** Scanned record r of the last scan added: its first record, or undefined (and it is remembered). */
  firstOfScanned(r: number): FirstRecord | undefined {
    const own = this.tables[this.tables.length - 1]!;
    const scan = own.scan;
    const hash = scan.idHash[r]!;
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
