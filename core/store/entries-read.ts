import { compareAccountKeys } from '../ledger/account-key.js';
import type { AccountKey, EntrySource, LedgerEntry } from '../ledger/types.js';
import type { RecordOrigin, StatedBalances } from '../sources/types.js';
import type { Instant } from '../time/instant.js';
import { DecimalInterner, decodeEntryRow, ENTRY_COLUMNS, type EntryRow } from './entry-row.js';
import type { LedgerDb } from './open.js';
import { prepared } from './statements.js';

/*
 * Read repository: accounts, entries in replay order, and the evidence stored beside each entry.
 * Every account read goes through the entries_by_account index (account_id, at, ordinal).
 */

/** (customer, subscription, unit) → accounts.id; subscription '' is none. */
const ACCOUNT_ID_SQL = 'SELECT id FROM accounts WHERE customer_id = ? AND subscription_id = ? AND unit = ?';

export function toAccountKey(customerId: string, subscriptionId: string, unit: string): AccountKey {
  return { customerId, subscriptionId: subscriptionId === '' ? null : subscriptionId, unit };
}

/** The accounts.id of `key`, or undefined when the account has no entries. */
export function accountIdOf(db: LedgerDb, key: AccountKey): number | undefined {
  return prepared(db, ACCOUNT_ID_SQL).pluck().get(key.customerId, key.subscriptionId ?? '', key.unit) as number | undefined;
}

export function countEntries(db: LedgerDb): number {
  return prepared(db, 'SELECT count(*) FROM entries').pluck().get() as number;
}

interface AccountRow {
  id: number;
  key: AccountKey;
}

function accountRows(db: LedgerDb): AccountRow[] {
  const rows = prepared(db, 'SELECT id, customer_id, subscription_id, unit FROM accounts WHERE entry_count > 0')
    .raw()
    .all() as [number, string, string, string][];
  return rows.map((row) => ({ id: row[0], key: toAccountKey(row[1], row[2], row[3]) })).sort((a, b) => compareAccountKeys(a.key, b.key));
}

/** Every account, in compareAccountKeys order (code-unit order, the same in every locale). */
export function listAccounts(db: LedgerDb): AccountKey[] {
  return accountRows(db).map((row) => row.key);
}

/** The accounts of one customer (one per subscription and unit), sorted; [] for an unknown customer. */
export function accountsOfCustomer(db: LedgerDb, customerId: string): AccountKey[] {
  const rows = prepared(db, 'SELECT subscription_id, unit FROM accounts WHERE customer_id = ? AND entry_count > 0')
    .raw()
    .all(customerId) as [string, string][];
  return rows.map((row) => toAccountKey(customerId, row[0], row[1])).sort(compareAccountKeys);
}

/** accounts.id and key of one customer's accounts with entries, sorted by key; [] for an unknown customer. */
export function accountRowsOfCustomer(db: LedgerDb, customerId: string): { id: number; key: AccountKey }[] {
  const rows = prepared(db, 'SELECT id, subscription_id, unit FROM accounts WHERE customer_id = ? AND entry_count > 0')
    .raw()
    .all(customerId) as [number, string, string][];
  return rows.map((row) => ({ id: row[0], key: toAccountKey(customerId, row[1], row[2]) })).sort((a, b) => compareAccountKeys(a.key, b.key));
}

/** The entries of accounts.id `accountId` (whose key is `key`) in replay order. */
export function loadEntriesById(db: LedgerDb, accountId: number, key: AccountKey, decimals: DecimalInterner): LedgerEntry[] {
  const rows = prepared(db, `SELECT ${ENTRY_COLUMNS} FROM entries WHERE account_id = ? ORDER BY at, ordinal`)
    .raw()
    .all(accountId) as EntryRow[];
  const entries = new Array<LedgerEntry>(rows.length);
  for (let i = 0; i < rows.length; i++) entries[i] = decodeEntryRow(rows[i]!, key, decimals);
  return entries;
}

/** One account's entries in replay order (at, then ordinal); [] for an account with none. */
export function loadAccountEntries(db: LedgerDb, key: AccountKey, decimals = new DecimalInterner()): LedgerEntry[] {
  const id = accountIdOf(db, key);
  return id === undefined ? [] : loadEntriesById(db, id, key, decimals);
}

/**
 * Calls `fn` once per account, in listAccounts order, with that account's entries in replay order.
 * One account's entries are in memory at a time (plus whatever `fn` keeps); `fn` may use `db`.
 */
export function forEachAccountEntries(db: LedgerDb, fn: (key: AccountKey, entries: LedgerEntry[]) => void): void {
  const decimals = new DecimalInterner();
  for (const account of accountRows(db)) fn(account.key, loadEntriesById(db, account.id, account.key, decimals));
}

/**
 * Like forEachAccountEntries, but `fn` also gets the account's id and loads its entries only when it
 * calls `entries()`: readers that have a stored summary for most accounts skip their rows.
 */
export function forEachAccountLazily(db: LedgerDb, fn: (key: AccountKey, accountId: number, entries: () => LedgerEntry[]) => void): void {
  const decimals = new DecimalInterner();
  for (const account of accountRows(db)) fn(account.key, account.id, () => loadEntriesById(db, account.id, account.key, decimals));
}

/** What was stored beside an entry when it was imported: where it came from and what it said. */
export interface EntryRecord {
  source: EntrySource;
  sourceId: string;
  ordinal: number;
  origin: RecordOrigin;
  /** The record's metadata object as imported, or null. */
  metadata: Record<string, unknown> | null;
  /** Orb export: the sequence number and balances the export stated (checked by audit, L8). */
  stated: StatedBalances | null;
  /** Orb export: customer.external_customer_id, used to link customers (DESIGN §6). */
  externalCustomerId: string | null;
  importId: number;
}

export interface EntryEvidence extends EntryRecord {
  /** The record exactly as read from the file (a JSON Lines line, a CSV row, a JSON element). */
  raw: string;
  /** The started_at of the import that stored it. */
  importedAt: Instant;
  /** L1b: why the block it names could not cover it (migration 0010), in words; null when it could or it names none. */
  allocationWarning: string | null;
}

const RECORD_COLUMNS =
  'source, source_id, ordinal, file_id, origin_line, origin_pointer, metadata, external_customer_id, ' +
  'stated_sequence, stated_starting_balance, stated_ending_balance';

type RecordRow = [
  source: string,
  sourceId: string,
  ordinal: number,
  fileId: number,
  line: number | null,
  pointer: string | null,
  metadata: string | null,
  externalCustomerId: string | null,
  statedSequence: number | null,
  statedStarting: string | null,
  statedEnding: string | null,
];

interface ImportFileRow {
  path: string;
  importId: number;
  importedAt: Instant;
}

/** import_files rows by id, looked up once each per call. */
function importFileLookup(db: LedgerDb): (fileId: number) => ImportFileRow {
  const files = new Map<number, ImportFileRow>();
  const statement = prepared(
    db,
    'SELECT f.path, f.import_id, i.started_at FROM import_files f JOIN imports i ON i.id = f.import_id WHERE f.id = ?',
  );
  return (fileId) => {
    let file = files.get(fileId);
    if (file === undefined) {
      const row = statement.raw().get(fileId) as [string, number, number] | undefined;
      if (row === undefined) throw new Error(`entries.file_id ${fileId} names no import_files row (foreign keys were off?)`);
      file = { path: row[0], importId: row[1], importedAt: row[2] };
      files.set(fileId, file);
    }
    return file;
  };
}

function decodeRecordRow(row: RecordRow, file: ImportFileRow): EntryRecord {
  const [source, sourceId, ordinal, , line, pointer, metadata, externalCustomerId, sequence, starting, ending] = row;
  return {
    source: source as EntrySource,
    sourceId,
    ordinal,
    origin: { file: file.path, line, pointer },
    metadata: metadata === null ? null : (JSON.parse(metadata) as Record<string, unknown>),
    stated: sequence === null && starting === null && ending === null ? null : { sequence, startingBalance: starting, endingBalance: ending },
    externalCustomerId,
    importId: file.importId,
  };
}

/** Per-entry stored extras of one account, in the same order as loadAccountEntries (zip them). */
export function listEntryRecords(db: LedgerDb, key: AccountKey): EntryRecord[] {
  const id = accountIdOf(db, key);
  if (id === undefined) return [];
  const rows = prepared(db, `SELECT ${RECORD_COLUMNS} FROM entries WHERE account_id = ? ORDER BY at, ordinal`)
    .raw()
    .all(id) as RecordRow[];
  const fileOf = importFileLookup(db);
  return rows.map((row) => decodeRecordRow(row, fileOf(row[3])));
}

/** The evidence of one entry (L5 identity: source and source id), or null when it is not stored. */
export function loadEntryEvidence(db: LedgerDb, source: EntrySource, sourceId: string): EntryEvidence | null {
  const row = prepared(db, `SELECT ${RECORD_COLUMNS}, raw, allocation_warning FROM entries WHERE source = ? AND source_id = ?`)
    .raw()
    .get(source, sourceId) as [...RecordRow, string, string | null] | undefined;
  if (row === undefined) return null;
  const file = importFileLookup(db)(row[3]);
  return { ...decodeRecordRow(row.slice(0, 11) as RecordRow, file), raw: row[11], importedAt: file.importedAt, allocationWarning: row[12] };
}

/**
 * The Moesif decrements whose own type is "adjustment" (a correction, such as the reversal of a credit),
 * not "debit" (usage): the engine draws both alike, but a report must not call a correction usage. The
 * type is in each entry's raw record only; LIKE keeps the scan to the few rows that can hold the word.
 */
export function moesifAdjustmentDecrements(db: LedgerDb): Set<string> {
  const ids = new Set<string>();
  const rows = prepared(db, "SELECT source_id, raw FROM entries WHERE source = 'moesif' AND kind = 'decrement' AND raw LIKE '%adjustment%'").raw().all() as [string, string][];
  for (const [sourceId, raw] of rows) {
    let type: unknown;
    try {
      type = (JSON.parse(raw) as { type?: unknown }).type;
    } catch {
      continue; // raw is the record as read; a Moesif record is JSON, so this is not reached
    }
    if (type === 'adjustment') ids.add(sourceId);
  }
  return ids;
}
