import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Instant } from '../time/instant.js';
import { LedgerDbError } from './errors.js';
import { applyMigrations, checkMigrations } from './migrate.js';

/** An open ledger database. Only core/store runs SQL on it; everyone else passes it along. */
export type LedgerDb = Database.Database;

export interface OpenLedgerDbOptions {
  /** Create the file when it is missing (import). Read commands pass false: a missing file is an error. */
  create: boolean;
  /** Recorded as the migrations' applied_at; SQLite's clock when absent. */
  now?: Instant;
}

/** How long a connection waits for another writer before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5_000;
/** Page cache per connection (KiB, as SQLite's negative cache_size): bounds memory on big imports. */
export const CACHE_SIZE_KIB = 65_536;

/**
 * Opens (or, with `create`, creates) a ledger database: WAL, synchronous=NORMAL, foreign keys on,
 * busy timeout, and every shipped migration applied. Refuses, without writing anything, a database
 * whose applied migrations are not a prefix of the shipped list (LedgerDbError).
 */
export function openLedgerDb(path: string, options: OpenLedgerDbOptions): LedgerDb {
  if (!options.create && !existsSync(path)) {
    throw new LedgerDbError(path, `${path}: no such ledger database (create it with: ledgerscope import <file>... --db ${path})`);
  }
  let db: LedgerDb;
  try {
    db = new Database(path, { fileMustExist: !options.create, timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new LedgerDbError(path, `${path}: cannot open the ledger database (${(error as Error).message})`);
  }
  try {
    // Nothing is written to the file before checkMigrations has accepted it.
    const missing = checkMigrations(db, path);
    db.pragma('foreign_keys = ON');
    db.pragma(`cache_size = -${CACHE_SIZE_KIB}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    if (missing > 0) applyMigrations(db, path, options.now);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
