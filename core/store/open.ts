import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import type { Instant } from '../time/instant.js';
import { LedgerDbError, storageFailure } from './errors.js';
import { applyMigrations, checkMigrations, readApplied } from './migrate.js';

/** An open ledger database. Only core/store runs SQL on it; everyone else passes it along. */
export type LedgerDb = Database.Database;

export interface OpenLedgerDbOptions {
  /** Create the file when it is missing (import). Read commands pass false: a missing file is an error. */
  create: boolean;
  /** Recorded as the migrations' applied_at; SQLite's clock when absent. */
  now?: Instant;
  /**
   * Read commands: open the file read-only, so they work on a read-only file, folder or disk and never
   * write (no WAL switch, no migration unless one is due). Implies that the file must already be a ledger.
   */
  readOnly?: boolean;
}

// SQLite reads `file:` URIs only when this is set before the first connection: openReadOnly's last
// resort (immutable=1) needs one. A path of ours is never taken as a URI (see sqlitePath).
process.env['SQLITE_USE_URI'] ??= '1';

/** A user's path as SQLite must see it: one that happens to start with "file:" is not a URI. */
function sqlitePath(path: string): string {
  return path.startsWith('file:') ? `./${path}` : path;
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
  if (options.readOnly === true) {
    const db = openReadOnly(path);
    if (db !== null) return db;
    // Migrations are due: applying them is a write, done once like any open for writing.
  }
  let db: LedgerDb;
  try {
    db = new Database(sqlitePath(path), { fileMustExist: !options.create, timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new LedgerDbError(path, `${path}: cannot open the ledger database (${(error as Error).message})`);
  }
  try {
    try {
      firstRead(db);
    } catch (error) {
      // A WAL database on a read-only folder or disk cannot even be read by a writing connection.
      if ((error as { code?: string }).code === 'SQLITE_CANTOPEN' && !isLedgerWritable(path)) throw storageFailure(path, { code: 'SQLITE_READONLY' });
      throw new LedgerDbError(path, `${path}: cannot open the ledger database (${(error as Error).message})`);
    }
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

function firstRead(db: LedgerDb): void {
  db.prepare('SELECT count(*) FROM sqlite_master').get();
}

/**
 * A read-only connection, or null when the database needs migrations (the caller opens it for writing).
 * A WAL database needs its -shm file: on a read-only folder or disk where it is missing, SQLite cannot
 * open the file; then, if no -wal file holds changes the main file lacks, the file is read as immutable
 * (nothing can change it there). A non-empty -wal there: refused, since reading without it would show
 * an old state.
 */
function openReadOnly(path: string): LedgerDb | null {
  if (statSync(path).size === 0) {
    throw new LedgerDbError(path, `${path}: the file is empty, not a ledger database (a read never makes it one; create one with: ledgerscope import <file>... --db ${path})`);
  }
  let db: LedgerDb | undefined;
  try {
    db = new Database(sqlitePath(path), { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    firstRead(db);
  } catch (error) {
    // The connection that could not read is closed now, not when collected: a long-lived app would hold
    // the file open (and its disk busy) until then.
    db?.close();
    db = undefined;
    if ((error as { code?: string }).code !== 'SQLITE_CANTOPEN') {
      throw new LedgerDbError(path, `${path}: cannot open the ledger database (${(error as Error).message})`);
    }
    const wal = `${path}-wal`;
    if (existsSync(wal) && statSync(wal).size > 0) {
      throw new LedgerDbError(
        path,
        `${path}: cannot read it: it is on a read-only folder or disk, and its ${wal} file holds changes that only a writable copy can read (copy the database with its -wal file to a writable place, or copy it with Ledgerscope closed)`,
      );
    }
    try {
      db = new Database(`${pathToFileURL(resolve(path)).href}?immutable=1`, { readonly: true, fileMustExist: true });
      firstRead(db);
    } catch (immutableError) {
      db?.close();
      throw new LedgerDbError(path, `${path}: cannot open the ledger database (${(immutableError as Error).message})`);
    }
  }
  try {
    if (readApplied(db, path) === null) {
      throw new LedgerDbError(path, `${path}: holds no ledger (an empty SQLite database); create one with: ledgerscope import <file>... --db ${path}`);
    }
    if (checkMigrations(db, path) > 0) {
      db.close();
      return null;
    }
    db.pragma('foreign_keys = ON');
    db.pragma(`cache_size = -${CACHE_SIZE_KIB}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Whether the file and its folder can be written (a WAL database needs both). access(2) reports a
 * read-only mount even to root, so this holds for the app running as root too.
 */
export function isLedgerWritable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    accessSync(dirname(path), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
