import type { LedgerEntry } from '../ledger/types.js';
import type { StripeParsed } from './stripe/types.js';

/** The import-file formats (DESIGN §5). */
export const SOURCE_FORMATS = ['moesif', 'orb-bodies', 'orb-export', 'stripe', 'stripe-csv'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/**
 * Where a record sits in its file. `line` is 1-based (JSON Lines: the record's line; CSV: the physical
 * line the row starts on); `pointer` is a JSON pointer ("/3", "/data/3") into a JSON document, or into a
 * JSON Lines record that is itself a page.
 */
export interface RecordOrigin {
  file: string;
  line: number | null;
  pointer: string | null;
}

/** One thing wrong with an import file; `field` is "-" when the whole record or file is bad. */
export interface ImportProblem {
  file: string;
  line: number | null;
  pointer: string | null;
  field: string;
  message: string;
}

/** Orb export only: the balances the export states, as canonical decimal strings (checked by audit, L8). */
export interface StatedBalances {
  sequence: number | null;
  startingBalance: string | null;
  endingBalance: string | null;
}

export interface ParsedEntry {
  /** entry.ordinal is the 0-based position in this file's replay order. */
  entry: LedgerEntry;
  origin: RecordOrigin;
  /** Evidence: the JSON Lines line, the CSV row's line(s), or a JSON element re-serialised losslessly. */
  raw: string;
  metadata: Record<string, unknown> | null;
  /**
   * Canonical content (L5): identical content gives an identical string; entryFingerprint(entry) gives
   * the same string. The parsers compute it on first read (see parsed-entry.ts).
   */
  fingerprint: string;
  stated: StatedBalances | null;
  /**
   * Orb export: customer.external_customer_id, which reconciliation links customers by (DESIGN §6).
   * Null for other formats (optional so that hand-made ParsedEntry values need not state it).
   */
  externalCustomerId?: string | null;
}

export interface ParseResult {
  /** Null only when no format was given and none could be detected (the one problem says why). */
  format: SourceFormat | null;
  /** In replay order (entries[i].entry.ordinal === i). */
  entries: ParsedEntry[];
  problems: ImportProblem[];
  /**
   * `stripe` and `stripe-csv` only: the payments, credit grants, credit balance transactions and
   * evidence objects the file holds. Their ledger entries are not in `entries`: resolving a credit
   * balance transaction needs its grant, which may be stored already, so the importer that holds the
   * database resolves them (core/sync/stripe-file-import.ts).
   */
  stripe?: StripeParsed;
  /** What the import summary should say about how the file was read (an unstated currency taken from the file's one stated currency). */
  notes?: string[];
}

export interface ParseOptions {
  /** Skip detection and read the file as this format (`--source`). */
  source?: SourceFormat;
  /** Moesif and Orb create-entry bodies: the unit of records without `currency` (`--unit`); default USD (Moesif), credits or the file's one stated currency (Orb bodies). */
  unit?: string;
  /** Moesif only (`--created-at-field`): the field holding a body log's time when a record has no created_at. */
  createdAtField?: string;
}
