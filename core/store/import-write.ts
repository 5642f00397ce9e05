import { toCanonical } from '../money/decimal.js';
import type { AccountKey, EntrySource, LedgerEntry } from '../ledger/types.js';
import type { RecordOrigin, StatedBalances } from '../sources/types.js';
import type { Instant } from '../time/instant.js';
import { deleteAccountStates, keepAccountStatesThrough } from './account-states.js';
import { deleteAccountSummaries } from './account-summaries.js';
import { rebuildCheckpoints } from './checkpoints.js';
import { toAccountKey } from './entries-read.js';
import { DecimalInterner, decodeEntryRow, ENTRY_COLUMN_COUNT, entryColumns, type EntryRow } from './entry-row.js';
import type Database from 'better-sqlite3';
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

/**
 * Rows bind only what varies: their source, kind and status are SQL literals and their null columns NULL
 * literals, chosen by the row's shape, so a Moesif debit binds 9 arguments instead of 26. better-sqlite3
 * converts every bound argument: a million pre-built rows were inserted with ~15% less CPU, and the whole
 * write of a 200,000-entry Moesif ledger took ~7% less. The account and the file, the same for every row
 * of an INSERT, are bound once per execution (a Moesif debit then binds 7 arguments, not 9). Consecutive
 * rows of one shape, account and file are written ROWS_PER_INSERT per execution: one execution per row
 * paid better-sqlite3's and the VDBE's per-statement overhead a million times (16 rows per VALUES list
 * wrote a million entries ~20% faster; 64 was no faster).
 */
export const ROWS_PER_INSERT = 16;
/** The name the tests know it by. */
export const PLAIN_ROWS_PER_INSERT = ROWS_PER_INSERT;

const COLUMNS =
  'ordinal, source, source_id, account_id, kind, status, amount, at, block_id, effective_at, expires_at, cost_basis, priority, ' +
  'target_expires_at, source_expires_at, void_reason, description, metadata, external_customer_id, stated_sequence, ' +
  'stated_starting_balance, stated_ending_balance, raw, file_id, origin_line, origin_pointer';

/** Values written as SQL literals; their index is part of the shape. Any other value takes the all-bound INSERT. */
const SOURCES = ['moesif', 'orb', 'stripe', 'ledgerscope'] as const;
const KINDS = ['increment', 'decrement', 'expiration_change', 'void', 'amendment', 'expiry'] as const;
const STATUSES = ['posted', 'pending'] as const;

/** The nullable columns in COLUMNS order; bit i of a shape says the i-th is null. */
const NULLABLE = [
  'block_id', 'effective_at', 'expires_at', 'cost_basis', 'priority', 'target_expires_at', 'source_expires_at', 'void_reason',
  'description', 'metadata', 'external_customer_id', 'stated_sequence', 'stated_starting_balance', 'stated_ending_balance',
  'origin_line', 'origin_pointer',
] as const;
const NULL_BITS = NULLABLE.length;

/**
 * One row's VALUES tuple for `shape`: literals where the shape fixes the value, `?` for the rest, and
 * the named :account and :file, which every row of one INSERT shares (better-sqlite3 binds `?NNN`
 * parameters only by name, so the shared ones are named).
 */
function valuesTuple(shape: number): string {
  const nullable = (i: number): string => ((shape & (1 << i)) !== 0 ? 'NULL' : '?');
  const source = SOURCES[(shape >>> NULL_BITS) & 3]!;
  const kind = KINDS[(shape >>> (NULL_BITS + 2)) & 7]!;
  const status = STATUSES[(shape >>> (NULL_BITS + 5)) & 1]!;
  const middle = Array.from({ length: 14 }, (_, i) => nullable(i)).join(', ');
  return `(?, '${source}', ?, :account, '${kind}', '${status}', ?, ?, ${middle}, ?, :file, ${nullable(14)}, ${nullable(15)})`;
}

/**
 * The shape of a row: its null columns, source, kind and status as bits; -1 when a value is not one the
 * literals spell (the all-bound INSERT then writes it, and its CHECKs judge it).
 */
function rowShape(
  e: LedgerEntry,
  costBasis: string | null,
  metadata: string | null,
  externalCustomerId: string | null,
  stated: StatedBalances | null,
  origin: { line: number | null; pointer: string | null },
): number {
  const source = SOURCES.indexOf(e.source);
  const kind = KINDS.indexOf(e.kind);
  const status = STATUSES.indexOf(e.status);
  if (source < 0 || kind < 0 || status < 0) return -1;
  const noStated = stated === null;
  return (
    (e.blockId === null ? 1 : 0) |
    (e.effectiveAt === null ? 1 << 1 : 0) |
    (e.expiresAt === null ? 1 << 2 : 0) |
    (costBasis === null ? 1 << 3 : 0) |
    (e.priority === null ? 1 << 4 : 0) |
    (e.targetExpiresAt === null ? 1 << 5 : 0) |
    (e.sourceExpiresAt === null ? 1 << 6 : 0) |
    (e.voidReason === null ? 1 << 7 : 0) |
    (e.description === null ? 1 << 8 : 0) |
    (metadata === null ? 1 << 9 : 0) |
    (externalCustomerId === null ? 1 << 10 : 0) |
    (noStated || stated.sequence === null ? 1 << 11 : 0) |
    (noStated || stated.startingBalance === null ? 1 << 12 : 0) |
    (noStated || stated.endingBalance === null ? 1 << 13 : 0) |
    (origin.line === null ? 1 << 14 : 0) |
    (origin.pointer === null ? 1 << 15 : 0) |
    (source << NULL_BITS) |
    (kind << (NULL_BITS + 2)) |
    (status << (NULL_BITS + 5))
  );
}

const UPSERT_ACCOUNT_SQL =
  'INSERT INTO accounts (customer_id, subscription_id, unit, entry_count) VALUES (?, ?, ?, ?) ' +
  'ON CONFLICT (customer_id, subscription_id, unit) DO UPDATE SET entry_count = entry_count + excluded.entry_count ' +
  'RETURNING id';

/** An account the import adds entries to, and how many. */
export interface AccountInsert {
  key: AccountKey;
  entries: number;
  /**
   * The account's replay states (migration 0012) up to this position stay: the new entries all sort after
   * it (the import's check replayed from there). 0 or absent: every state is dropped.
   */
  keepStatesThrough?: number;
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
 * Inserts an import's entries with prepared INSERTs: consecutive rows of one shape, account and file
 * are buffered and written ROWS_PER_INSERT per execution; any other row first flushes the buffer, so
 * rows are stored exactly in insertion order: insert account by account (see the schema's note on `id`).
 * The accounts and their new entry counts are declared up front; finish() writes what is buffered and
 * asserts each account got exactly that. Nothing may read the entries table between insert() and finish().
 */
export class EntryWriter {
  private readonly insertEntry;
  /** accounts.id of each declared account, in the order declared. */
  readonly accountIds: number[];
  private readonly written: Int32Array;
  /** Multi-row INSERTs by shape, then by row count (1..ROWS_PER_INSERT), prepared on first use. */
  private readonly statements = new Map<number, Database.Statement[]>();
  /** Positional arguments of the buffered rows, all of shape `shape`: exactly as many as their INSERT has `?`. */
  private readonly args: unknown[] = [];
  /** The named arguments the buffered rows share. */
  private shared = { account: -1, file: -1 };
  private shape = -1;
  private rows = 0;
  /** Every file id bound, for finish() to check that each exists. */
  private readonly fileIds = new Set<number>();
  private lastFileId = -1;
  inserted = 0;

  constructor(
    private readonly db: LedgerDb,
    private readonly accounts: readonly AccountInsert[],
    private readonly ordinals: OrdinalRange,
  ) {
    this.insertEntry = prepared(db, INSERT_ENTRY_SQL);
    const upsert = prepared(db, UPSERT_ACCOUNT_SQL).pluck();
    this.accountIds = accounts.map((account) => {
      if (account.key.subscriptionId === '') throw new Error('an empty subscription id must be null');
      return upsert.get(account.key.customerId, account.key.subscriptionId ?? '', account.key.unit, account.entries) as number;
    });
    this.written = new Int32Array(accounts.length);
  }

  /** Inserts one entry into accounts[account] (it may wait in the buffer until finish()). */
  insert(record: NewEntryRecord, fileId: number, account: number): void {
    const e = record.entry;
    const amount = record.amountCanonical ?? toCanonical(e.amount);
    assertStorable(e, amount, this.accounts[account]!.key, this.ordinals);
    const costBasis =
      record.costBasisCanonical !== undefined ? record.costBasisCanonical : e.costBasis === null ? null : toCanonical(e.costBasis);
    const metadata = record.metadata === null ? null : JSON.stringify(record.metadata);
    const accountId = this.accountIds[account]!;
    if (fileId !== this.lastFileId) this.fileIds.add((this.lastFileId = fileId));
    const stated = record.stated;
    const externalCustomerId = record.externalCustomerId ?? null;
    const origin = record.origin;
    const shape = rowShape(e, costBasis, metadata, externalCustomerId, stated, origin);
    if (shape >= 0) {
      const args = this.args;
      if (shape !== this.shape || accountId !== this.shared.account || fileId !== this.shared.file) {
        this.flush();
        this.shape = shape;
        if (accountId !== this.shared.account || fileId !== this.shared.file) this.shared = { account: accountId, file: fileId };
      }
      let at = args.length;
      args[at++] = e.ordinal;
      args[at++] = e.sourceId;
      args[at++] = amount;
      args[at++] = e.at;
      if (e.blockId !== null) args[at++] = e.blockId;
      if (e.effectiveAt !== null) args[at++] = e.effectiveAt;
      if (e.expiresAt !== null) args[at++] = e.expiresAt;
      if (costBasis !== null) args[at++] = costBasis;
      if (e.priority !== null) args[at++] = e.priority;
      if (e.targetExpiresAt !== null) args[at++] = e.targetExpiresAt;
      if (e.sourceExpiresAt !== null) args[at++] = e.sourceExpiresAt;
      if (e.voidReason !== null) args[at++] = e.voidReason;
      if (e.description !== null) args[at++] = e.description;
      if (metadata !== null) args[at++] = metadata;
      if (externalCustomerId !== null) args[at++] = externalCustomerId;
      if (stated !== null) {
        if (stated.sequence !== null) args[at++] = stated.sequence;
        if (stated.startingBalance !== null) args[at++] = stated.startingBalance;
        if (stated.endingBalance !== null) args[at++] = stated.endingBalance;
      }
      args[at++] = record.raw;
      if (origin.line !== null) args[at++] = origin.line;
      if (origin.pointer !== null) args[at++] = origin.pointer;
      if (++this.rows === ROWS_PER_INSERT) this.flush();
    } else {
      this.flush();
      this.insertEntry.run(
        e.ordinal, e.source, e.sourceId, accountId, e.kind, e.status, amount, e.at, e.blockId, e.effectiveAt, e.expiresAt,
        costBasis, e.priority, e.targetExpiresAt, e.sourceExpiresAt, e.voidReason, e.description, metadata,
        externalCustomerId, stated === null ? null : stated.sequence, stated === null ? null : stated.startingBalance,
        stated === null ? null : stated.endingBalance, record.raw, fileId, origin.line, origin.pointer,
      );
    }
    this.written[account]!++;
    this.inserted++;
  }

  /**
   * Writes the buffered rows (one shape, account and file) with one execution. The arguments are spread:
   * better-sqlite3 reads a spread argument list directly, an array element by element through V8's API.
   * Spread, the fill of the 200,000-entry peer ledger (JS and INSERTs, account and file already shared)
   * took ~12% less CPU than with the array (best of five: 721 ms against 819 ms).
   */
  private flush(): void {
    const rows = this.rows;
    if (rows === 0) return;
    const args = this.args;
    this.statement(this.shape, rows).run(...args, this.shared);
    this.rows = 0;
    args.length = 0; // drops the references to the rows' strings
    this.shape = -1;
  }

  /**
   * Asserts that the accounts and files the rows name exist: the new-database build leaves foreign keys
   * unenforced and relies on this check for `entries` (core/store/new-db.ts, checkForeignKeys).
   */
  private checkParents(accountIds: readonly number[]): void {
    const count = (table: string, ids: readonly number[]): number =>
      prepared(this.db, `SELECT count(*) FROM ${table} WHERE id IN (SELECT value FROM json_each(?))`).pluck().get(JSON.stringify(ids)) as number;
    const files = [...this.fileIds];
    if (count('import_files', files) !== files.length) throw new Error(`entries name an import file that does not exist (ids ${files.join(', ')})`);
    const accounts = [...new Set(accountIds)];
    if (count('accounts', accounts) !== accounts.length) throw new Error('entries name an account that does not exist');
  }

  private statement(shape: number, rows: number): Database.Statement {
    let byRows = this.statements.get(shape);
    if (byRows === undefined) this.statements.set(shape, (byRows = []));
    let statement = byRows[rows];
    if (statement === undefined) {
      statement = prepared(this.db, `INSERT INTO entries (${COLUMNS}) VALUES ${new Array<string>(rows).fill(valuesTuple(shape)).join(', ')}`);
      byRows[rows] = statement;
    }
    return statement;
  }

  /**
   * Asserts every declared account received exactly its declared number of entries, then rebuilds their
   * replay checkpoints and drops their balance summaries and replay states: in the same transaction, so neither ever
   * describes other entries. The caller may then write fresh summaries (writeAccountSummaries).
   */
  finish(): void {
    this.flush();
    this.accounts.forEach((account, i) => {
      if (this.written[i] !== account.entries) {
        throw new Error(`account ${account.key.customerId}: declared ${account.entries} new entries, wrote ${this.written[i]}`);
      }
    });
    const written = this.accountIds.filter((_, i) => this.written[i]! > 0);
    this.checkParents(written);
    // Their balance summaries (migration 0008) describe the old entries: gone until the caller writes new ones.
    if (written.length > 0) {
      deleteAccountSummaries(this.db, JSON.stringify(written));
      // And their replay states (migration 0012), but those before every new entry, which stay true.
      const dropped: number[] = [];
      this.accounts.forEach((account, i) => {
        if (this.written[i]! === 0) return;
        const keep = account.keepStatesThrough ?? 0;
        if (keep > 0) keepAccountStatesThrough(this.db, this.accountIds[i]!, keep);
        else dropped.push(this.accountIds[i]!);
      });
      if (dropped.length > 0) deleteAccountStates(this.db, JSON.stringify(dropped));
    }
    // After the states: a long account's checkpoint starts from the latest state that is still true.
    rebuildCheckpoints(this.db, written);
  }
}
