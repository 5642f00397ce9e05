import { toCanonical } from '../money/decimal.js';
import type { AccountKey, EntrySource, LedgerEntry } from '../ledger/types.js';
import type { RecordOrigin, StatedBalances } from '../sources/types.js';
import type { Instant } from '../time/instant.js';
import { deleteAccountStates } from './account-states.js';
import { deleteAccountSummaries } from './account-summaries.js';
import { rebuildCheckpoints } from './checkpoints.js';
import { toAccountKey } from './entries-read.js';
import { DecimalInterner, decodeEntryRow, ENTRY_COLUMN_COUNT, entryColumns, type EntryRow } from './entry-row.js';
import type { LedgerDb } from './open.js';
import { prepared } from './statements.js';

/*
 * Write repository for imports. The caller (core/service/import-files) holds the transaction: these
 * functions only run inside it, so a failure anywhere leaves the database as it was.
 */

/** A new entry with the evidence stored beside it. ParsedEntry (core/sources) has this shape. */
export interface NewEntryRecord {
  /** entry.ordinal is the global ordinal it is stored under. */
  entry: LedgerEntry;
  origin: { line: number | null; pointer: string | null };
  raw: string;
  metadata: Record<string, unknown> | null;
  stated: StatedBalances | null;
  externalCustomerId?: string | null;
  /**
   * toCanonical(entry.amount) and of entry.costBasis when the parser already has them (ParsedRecord
   * does; the L5 fingerprint trusts the same texts): saves printing a Decimal per row. Absent: computed.
   */
  amountCanonical?: string;
  costBasisCanonical?: string | null;
}

export interface ImportFileRecord {
  path: string;
  format: string;
  /** Entries the file held (inserted, unchanged and deduplicated alike). */
  records: number;
}

export interface ImportRecord {
  startedAt: Instant;
  /** `--source` as given; null when every file's format was detected. */
  sourceOption: string | null;
  /** `--unit` as given. */
  unitOption: string | null;
  inserted: number;
  unchanged: number;
  accountsTouched: number;
  /** The ordinals this import reserved: one per record read, first..last (last = first - 1 for none). */
  firstOrdinal: number;
  lastOrdinal: number;
  files: readonly ImportFileRecord[];
}

/** The highest ordinal any import reserved (0 for an empty database): new entries are numbered after it. */
export function maxOrdinal(db: LedgerDb): number {
  return prepared(db, 'SELECT coalesce(max(last_ordinal), 0) FROM imports').pluck().get() as number;
}

/** Sources that have at least one stored entry: a source with none needs no L5 lookup at all. */
export function sourcesWithEntries(db: LedgerDb): Set<EntrySource> {
  const sources = new Set<EntrySource>();
  const statement = prepared(db, 'SELECT 1 FROM entries WHERE source = ? LIMIT 1').pluck();
  for (const source of ['moesif', 'orb', 'stripe', 'ledgerscope'] as const) {
    if (statement.get(source) !== undefined) sources.add(source);
  }
  return sources;
}

/** A stored entry met again by an import (L5), with where and when it was first imported. */
export interface StoredEntry {
  entry: LedgerEntry;
  origin: RecordOrigin;
  importedAt: Instant;
}

/** Source ids per lookup query: one statement per chunk, never one per id. */
const LOOKUP_CHUNK = 2_000;

/**
 * Calls `fn` for each stored entry among `sourceIds` of one source. Ids go to SQLite as one JSON array
 * per chunk (json_each), so a million ids cost a few hundred queries, and only one chunk's stored
 * entries are in memory at a time.
 */
export function forEachStoredEntry(
  db: LedgerDb,
  source: EntrySource,
  sourceIds: readonly string[],
  fn: (stored: StoredEntry) => void,
): void {
  const statement = prepared(
    db,
    `SELECT ${entryColumns('e')}, a.customer_id, a.subscription_id, a.unit, f.path, e.origin_line, e.origin_pointer, i.started_at
       FROM entries e JOIN accounts a ON a.id = e.account_id
       JOIN import_files f ON f.id = e.file_id JOIN imports i ON i.id = f.import_id
      WHERE e.source = ? AND e.source_id IN (SELECT value FROM json_each(?))`,
  ).raw();
  const decimals = new DecimalInterner();
  for (let start = 0; start < sourceIds.length; start += LOOKUP_CHUNK) {
    const rows = statement.all(source, JSON.stringify(sourceIds.slice(start, start + LOOKUP_CHUNK))) as unknown[][];
    for (const row of rows) {
      const [customerId, subscriptionId, unit, file, line, pointer, importedAt] = row.slice(ENTRY_COLUMN_COUNT) as [
        string, string, string, string, number | null, string | null, number,
      ];
      const entry = decodeEntryRow(row.slice(0, ENTRY_COLUMN_COUNT) as EntryRow, toAccountKey(customerId, subscriptionId, unit), decimals);
      fn({ entry, origin: { file, line, pointer }, importedAt });
    }
  }
}

/** Records the import and its files; returns their ids (file ids in the order given). */
export function insertImport(db: LedgerDb, record: ImportRecord): { importId: number; fileIds: number[] } {
  const importId = Number(
    prepared(
      db,
      'INSERT INTO imports (started_at, source_option, unit_option, entries_inserted, entries_unchanged, accounts_touched, first_ordinal, last_ordinal) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      record.startedAt, record.sourceOption, record.unitOption, record.inserted, record.unchanged, record.accountsTouched,
      record.firstOrdinal, record.lastOrdinal,
    ).lastInsertRowid,
  );
  const insertFile = prepared(db, 'INSERT INTO import_files (import_id, position, path, format, records) VALUES (?, ?, ?, ?, ?)');
  const fileIds = record.files.map((file, position) =>
    Number(insertFile.run(importId, position, file.path, file.format, file.records).lastInsertRowid),
  );
  return { importId, fileIds };
}

const INSERT_ENTRY_SQL = `INSERT INTO entries (
  ordinal, source, source_id, account_id, kind, status, amount, at, block_id, effective_at, expires_at, cost_basis,
  priority, target_expires_at, source_expires_at, void_reason, description, metadata, external_customer_id,
  stated_sequence, stated_starting_balance, stated_ending_balance, raw, file_id, origin_line, origin_pointer
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** The common record with none of the rarer fields: 9 fewer arguments to bind. */
const PLAIN_COLUMNS =
  'ordinal, source, source_id, account_id, kind, status, amount, at, block_id, effective_at, expires_at, cost_basis, ' +
  'description, metadata, raw, file_id, origin_line';
const PLAIN_ARGS = 17;

/**
 * Plain rows per execution of the multi-row INSERT. One execution per row paid better-sqlite3's and
 * the VDBE's per-statement overhead (bind setup, reset, result object) a million times; 16 rows per
 * VALUES list wrote a million Moesif entries ~20% faster (64 was no faster). Well below SQLite's
 * 32,766 bound parameters.
 */
export const PLAIN_ROWS_PER_INSERT = 16;

function plainInsertSql(rows: number): string {
  const row = `(${new Array<string>(PLAIN_ARGS).fill('?').join(', ')})`;
  return `INSERT INTO entries (${PLAIN_COLUMNS}) VALUES ${new Array<string>(rows).fill(row).join(', ')}`;
}

const INSERT_PLAIN_ENTRY_SQL = plainInsertSql(1);
const INSERT_PLAIN_ENTRIES_SQL = plainInsertSql(PLAIN_ROWS_PER_INSERT);

const UPSERT_ACCOUNT_SQL =
  'INSERT INTO accounts (customer_id, subscription_id, unit, entry_count) VALUES (?, ?, ?, ?) ' +
  'ON CONFLICT (customer_id, subscription_id, unit) DO UPDATE SET entry_count = entry_count + excluded.entry_count ' +
  'RETURNING id';

/** An account the import adds entries to, and how many. */
export interface AccountInsert {
  key: AccountKey;
  entries: number;
}

/** The ordinals an import reserved (ImportRecord.firstOrdinal..lastOrdinal). */
export interface OrdinalRange {
  first: number;
  last: number;
}

function assertStorable(entry: LedgerEntry, amount: string, key: AccountKey, ordinals: OrdinalRange): void {
  // Programmer errors, not user errors: the parsers and the replay check have validated the data.
  if (!Number.isSafeInteger(entry.ordinal) || entry.ordinal < ordinals.first || entry.ordinal > ordinals.last) {
    throw new Error(`entry "${entry.sourceId}": ordinal ${entry.ordinal} is outside the import's range ${ordinals.first}..${ordinals.last}`);
  }
  if (!Number.isSafeInteger(entry.at)) throw new Error(`entry "${entry.sourceId}": at ${entry.at} is not an integer instant`);
  if (amount === '' || entry.sourceId === '') throw new Error(`entry "${entry.sourceId}": not storable (amount "${amount}")`);
  if (entry.customerId !== key.customerId || entry.subscriptionId !== key.subscriptionId || entry.unit !== key.unit) {
    throw new Error(`entry "${entry.sourceId}" is not in the account it is written to (${key.customerId}/${key.subscriptionId ?? ''}/${key.unit})`);
  }
}

/**
 * Inserts an import's entries with prepared INSERTs and positional arguments: plain rows (the common
 * shape) are buffered and written PLAIN_ROWS_PER_INSERT per execution, in the order given; any other
 * row first flushes the buffer, so rows are stored exactly in insertion order. The accounts and their
 * new entry counts are declared up front; finish() writes what is buffered and asserts each account got
 * exactly that. Rows are stored in insertion order: insert account by account (see the schema's note
 * on `id`). Nothing may read the entries table between insert() and finish().
 */
export class EntryWriter {
  private readonly insertEntry;
  private readonly insertPlainEntry;
  private readonly insertPlainEntries;
  /** accounts.id of each declared account, in the order declared. */
  readonly accountIds: number[];
  private readonly written: Int32Array;
  /** Arguments of the buffered plain rows, PLAIN_ARGS each. */
  private readonly plainArgs = new Array<unknown>(PLAIN_ARGS * PLAIN_ROWS_PER_INSERT).fill(null);
  private plainRows = 0;
  inserted = 0;

  constructor(
    private readonly db: LedgerDb,
    private readonly accounts: readonly AccountInsert[],
    private readonly ordinals: OrdinalRange,
  ) {
    this.insertEntry = prepared(db, INSERT_ENTRY_SQL);
    this.insertPlainEntry = prepared(db, INSERT_PLAIN_ENTRY_SQL);
    this.insertPlainEntries = prepared(db, INSERT_PLAIN_ENTRIES_SQL);
    const upsert = prepared(db, UPSERT_ACCOUNT_SQL).pluck();
    this.accountIds = accounts.map((account) => {
      if (account.key.subscriptionId === '') throw new Error('an empty subscription id must be null');
      return upsert.get(account.key.customerId, account.key.subscriptionId ?? '', account.key.unit, account.entries) as number;
    });
    this.written = new Int32Array(accounts.length);
  }

  /** Inserts one entry into accounts[account] (a plain one may wait in the buffer until finish()). */
  insert(record: NewEntryRecord, fileId: number, account: number): void {
    const e = record.entry;
    const amount = record.amountCanonical ?? toCanonical(e.amount);
    assertStorable(e, amount, this.accounts[account]!.key, this.ordinals);
    const costBasis =
      record.costBasisCanonical !== undefined ? record.costBasisCanonical : e.costBasis === null ? null : toCanonical(e.costBasis);
    const metadata = record.metadata === null ? null : JSON.stringify(record.metadata);
    const accountId = this.accountIds[account]!;
    const stated = record.stated;
    const externalCustomerId = record.externalCustomerId ?? null;
    if (
      e.priority === null && e.targetExpiresAt === null && e.sourceExpiresAt === null && e.voidReason === null &&
      externalCustomerId === null && stated === null && record.origin.pointer === null
    ) {
      const args = this.plainArgs;
      const at = this.plainRows * PLAIN_ARGS;
      args[at] = e.ordinal;
      args[at + 1] = e.source;
      args[at + 2] = e.sourceId;
      args[at + 3] = accountId;
      args[at + 4] = e.kind;
      args[at + 5] = e.status;
      args[at + 6] = amount;
      args[at + 7] = e.at;
      args[at + 8] = e.blockId;
      args[at + 9] = e.effectiveAt;
      args[at + 10] = e.expiresAt;
      args[at + 11] = costBasis;
      args[at + 12] = e.description;
      args[at + 13] = metadata;
      args[at + 14] = record.raw;
      args[at + 15] = fileId;
      args[at + 16] = record.origin.line;
      if (++this.plainRows === PLAIN_ROWS_PER_INSERT) {
        this.insertPlainEntries.run(args);
        this.plainRows = 0;
      }
    } else {
      this.flushPlain();
      this.insertEntry.run(
        e.ordinal, e.source, e.sourceId, accountId, e.kind, e.status, amount, e.at, e.blockId, e.effectiveAt, e.expiresAt,
        costBasis, e.priority, e.targetExpiresAt, e.sourceExpiresAt, e.voidReason, e.description, metadata,
        externalCustomerId, stated === null ? null : stated.sequence, stated === null ? null : stated.startingBalance,
        stated === null ? null : stated.endingBalance, record.raw, fileId, record.origin.line, record.origin.pointer,
      );
    }
    this.written[account]!++;
    this.inserted++;
  }

  /** Writes the buffered plain rows, one by one (fewer than a full multi-row INSERT). */
  private flushPlain(): void {
    const args = this.plainArgs;
    for (let row = 0; row < this.plainRows; row++) {
      this.insertPlainEntry.run(args.slice(row * PLAIN_ARGS, (row + 1) * PLAIN_ARGS));
    }
    this.plainRows = 0;
    args.fill(null); // drop references to the rows' strings
  }

  /**
   * Asserts every declared account received exactly its declared number of entries, then rebuilds their
   * replay checkpoints and drops their balance summaries and replay states: in the same transaction, so neither ever
   * describes other entries. The caller may then write fresh summaries (writeAccountSummaries).
   */
  finish(): void {
    this.flushPlain();
    this.accounts.forEach((account, i) => {
      if (this.written[i] !== account.entries) {
        throw new Error(`account ${account.key.customerId}: declared ${account.entries} new entries, wrote ${this.written[i]}`);
      }
    });
    const written = this.accountIds.filter((_, i) => this.written[i]! > 0);
    rebuildCheckpoints(this.db, written);
    // Their balance summaries (migration 0008) describe the old entries: gone until the caller writes new ones.
    if (written.length > 0) {
      deleteAccountSummaries(this.db, JSON.stringify(written));
      deleteAccountStates(this.db, JSON.stringify(written)); // and their replay states (migration 0012)
    }
  }
}
