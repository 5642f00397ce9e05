import type { LedgerEntry } from '../ledger/types.js';
import { parseImportFile, type ImportProblem, type ParsedEntry, type SourceFormat } from '../sources/index.js';

/*
 * One import's entries, parsed from all its files, held compactly: the parsers' ParsedEntry objects
 * (nothing copied), one status byte per entry, and a hash index of source ids in two Int32Arrays.
 */

/** What the import does with an entry. */
export const INSERT = 0;
/** The same source id appeared earlier in this import with the same content (L5): skipped. */
export const DUPLICATE = 1;
/** Already stored with the same content (L5): skipped. */
export const UNCHANGED = 2;
/** A sync's entry whose id is stored (or earlier in the batch) with other content: skipped, the conflict reported (CheckOptions.conflicts). */
export const CONFLICT = 3;

export interface BatchFile {
  path: string;
  format: SourceFormat;
  /** Position of the file's first entry in ImportBatch.entries, and how many it has. */
  start: number;
  count: number;
}

export interface ImportBatch {
  files: BatchFile[];
  /** Every file's entries, files in the order given, each file in its replay order. */
  entries: ParsedEntry[];
  status: Uint8Array;
  /** The ordinal of entries[0] (set by numberEntries): the first of the range this import reserves. */
  firstOrdinal: number;
  /** The parsers' notes on how files were read, for the summary's warnings. */
  notes?: string[];
}

export interface ParseBatchOptions {
  source?: SourceFormat;
  unit?: string;
  /** Moesif body logs: `--created-at-field`. */
  createdAtField?: string;
}

/** Parses every file; all problems of all files come back together (the import then stops). */
export function parseBatch(
  files: readonly { path: string; text: string }[],
  options: ParseBatchOptions,
): { batch: ImportBatch; problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  const batchFiles: BatchFile[] = [];
  let entries: ParsedEntry[] = [];
  const notes: string[] = [];
  for (const file of files) {
    const result = parseImportFile(file.path, file.text, {
      ...(options.source === undefined ? {} : { source: options.source }),
      ...(options.unit === undefined ? {} : { unit: options.unit }),
      ...(options.createdAtField === undefined ? {} : { createdAtField: options.createdAtField }),
    });
    for (const problem of result.problems) problems.push(problem);
    if (result.notes !== undefined) notes.push(...result.notes);
    if (result.format === null) continue;
    const parsed = result.entries;
    for (let i = 0; i < parsed.length; i++) {
      // The parsers' contract: entries come in replay order and entries[i].entry.ordinal === i.
      if (parsed[i]!.entry.ordinal !== i) throw new Error(`${file.path}: parser gave entry ${i} the ordinal ${parsed[i]!.entry.ordinal}`);
    }
    batchFiles.push({ path: file.path, format: result.format, start: entries.length, count: parsed.length });
    entries = entries.length === 0 ? parsed : entries.concat(parsed);
  }
  return { batch: { files: batchFiles, entries, status: new Uint8Array(entries.length), firstOrdinal: 1, notes }, problems };
}

/**
 * Numbers the batch after the stored entries: the entry at batch position i gets ordinal
 * base + 1 + i (files in the order given, each in its replay order). Skipped entries leave gaps.
 */
export function numberEntries(batch: ImportBatch, maxStoredOrdinal: number): void {
  const entries = batch.entries;
  batch.firstOrdinal = maxStoredOrdinal + 1;
  for (let i = 0; i < entries.length; i++) entries[i]!.entry.ordinal = maxStoredOrdinal + 1 + i;
}

/** The index in batch.files of the file the entry at a position came from. */
export function fileIndexOf(batch: ImportBatch): (position: number) => number {
  const fileOf = new Int32Array(batch.entries.length);
  batch.files.forEach((file, f) => fileOf.fill(f, file.start, file.start + file.count));
  return (position) => fileOf[position]!;
}

function hashKey(source: string, sourceId: string): number {
  // FNV-1a, 32 bits, over the source then the id (with a separator so "ab"+"c" ≠ "a"+"bc").
  let hash = 0x811c9dc5;
  for (let i = 0; i < source.length; i++) hash = Math.imul(hash ^ source.charCodeAt(i), 0x01000193);
  hash = Math.imul(hash ^ 0x1f, 0x01000193);
  for (let i = 0; i < sourceId.length; i++) hash = Math.imul(hash ^ sourceId.charCodeAt(i), 0x01000193);
  return hash | 0;
}

/**
 * The batch positions by (source, source id): open addressing with linear probing, 8 bytes per slot
 * and at most half the slots used. Keys are compared on the entries themselves, so collisions of the
 * 32-bit hash cost a string comparison, never a wrong answer.
 */
export class SourceIdIndex {
  private readonly slots: Int32Array; // batch position + 1; 0 is empty
  private readonly hashes: Int32Array;
  private readonly mask: number;

  constructor(
    private readonly entries: readonly ParsedEntry[],
    capacity: number,
  ) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.slots = new Int32Array(size);
    this.hashes = new Int32Array(size);
    this.mask = size - 1;
  }

  /** Adds `position` unless its key is already there; returns the earlier position, or -1 when added. */
  addOrFind(position: number): number {
    const entry = this.entries[position]!.entry;
    const hash = hashKey(entry.source, entry.sourceId);
    const found = this.probe(entry, hash);
    if (found >= 0) return found;
    this.slots[~found] = position + 1;
    this.hashes[~found] = hash;
    return -1;
  }

  /** The position holding (source, sourceId), or -1. */
  find(source: LedgerEntry['source'], sourceId: string): number {
    const found = this.probe({ source, sourceId }, hashKey(source, sourceId));
    return found >= 0 ? found : -1;
  }

  /** The position holding the key (≥ 0), or ~slot of the empty slot where it would go (< 0). */
  private probe(key: Pick<LedgerEntry, 'source' | 'sourceId'>, hash: number): number {
    // Bounded: the table is at most half full, so an empty slot comes within `size` steps.
    for (let slot = hash & this.mask, steps = 0; steps <= this.mask; slot = (slot + 1) & this.mask, steps++) {
      const held = this.slots[slot]!;
      if (held === 0) return ~slot;
      if (this.hashes[slot] === hash) {
        const entry = this.entries[held - 1]!.entry;
        if (entry.sourceId === key.sourceId && entry.source === key.source) return held - 1;
      }
    }
    throw new Error('SourceIdIndex is full: capacity was exceeded');
  }
}
