import { closeSync, existsSync, fsyncSync, linkSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { Instant } from '../time/instant.js';
import { LedgerDbError } from './errors.js';
import { applyMigrations } from './migrate.js';
import { BUSY_TIMEOUT_MS, type LedgerDb } from './open.js';

/*
 * A first import into a path that does not exist yet is built in a private temporary file, with no
 * rollback journal and no syncs (nobody else can see it), indexes built once at the end, and only then
 * moved into place with link(2), which never replaces a file. So the bulk rows are written once instead
 * of twice (WAL, then checkpoint), and a crash or kill leaves the path exactly as it was: absent. The
 * leftover temporary file of a killed build is removed by the next build in that directory.
 */

/** Page size of a new database: SQLite's default; 8 and 16 KiB measured no faster for ~350-byte rows. */
export const NEW_DB_PAGE_SIZE = 4096;

/**
 * Page cache of the build (KiB). Appending rows needs little; index builds sort in this much memory
 * and spill the rest to temporary files. 16 MiB measured as fast as 64 MiB, with ~90 MB less peak RSS.
 * PRAGMA threads = 2 (sorter helper threads) sorted the unique index ~0.17 s faster with a core free,
 * but the whole import only ~2% faster, slower under load, and +30 MB RSS: not set. Raised to 64 or 256 MiB
 * for the index builds only, a million-entry import built them no faster (1.44-1.69 s CPU against
 * 1.46-1.55 s) with 60 or 240 MB more peak RSS: not done either.
 */
const BUILD_CACHE_SIZE_KIB = 16_384;

const BUILD_MARKER = '.importing-';
let buildCounter = 0;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeDbFiles(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
}

/** Removes temporary builds of `path` left by processes that no longer run. */
function removeStaleBuilds(path: string): void {
  const prefix = `.${basename(path)}${BUILD_MARKER}`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isSafeInteger(pid) && pid > 0 && !isAlive(pid) && !/-(wal|shm|journal)$/.test(name)) {
      removeDbFiles(join(dirname(path), name));
    }
  }
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes the new directory entry durable where the platform allows it (not on Windows). */
function fsyncDirectory(path: string): void {
  try {
    fsyncFile(path);
  } catch (error) {
    if (!['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'EBADF'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  }
}

/** Moves the finished build to `path` unless something appeared there meanwhile; true when moved. */
function publish(temporary: string, path: string): boolean {
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    // No hard links on this filesystem: rename, after one more look (a narrow race, accepted there).
    if (existsSync(path)) return false;
    renameSync(temporary, path);
    return true;
  }
  try {
    rmSync(temporary); // the second name only: the database lives on at `path`
  } catch {
    // Left for removeStaleBuilds; the import itself has succeeded.
  }
  return true;
}

/**
 * Drops the secondary indexes of `table`, runs `fill`, and creates them again from their stored SQL:
 * one sort per index instead of a B-tree insert per row. Inside the caller's transaction, so atomic.
 */
export function withIndexesRebuilt<T>(db: LedgerDb, table: string, fill: () => T): T {
  const indexes = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL")
    .all(table) as { name: string; sql: string }[];
  for (const index of indexes) db.exec(`DROP INDEX "${index.name.replaceAll('"', '""')}"`);
  const result = fill();
  for (const index of indexes) db.exec(index.sql);
  return result;
}

/**
 * The build runs with foreign keys unenforced: enforced, every entry row looked up its account and its
 * file, ~6% of the fill's CPU (fill of the 200,000-entry peer ledger, best of five: 680 ms against 721 ms).
 * They are checked here instead, before anything is published: every table but `entries` by SQLite
 * (a few rows per account at most: ~10 ms for the peer ledger's 2,000 accounts), and `entries` by
 * EntryWriter.finish, the only writer of its rows, which checks that each account and file it bound
 * exists (PRAGMA foreign_key_check on `entries` costs what enforcement saved: two lookups per row).
 */
function checkForeignKeys(db: LedgerDb, path: string): void {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'entries'").pluck().all() as string[];
  for (const table of tables) {
    const dangling = db.pragma(`foreign_key_check("${table.replaceAll('"', '""')}")`) as { table: string; rowid: number; parent: string }[];
    if (dangling.length > 0) {
      const first = dangling[0]!;
      throw new Error(`${path}: not created: row ${first.rowid} of ${first.table} names a missing ${first.parent} row`);
    }
  }
}

export type NewDbBuild<T> = { created: true; value: T } | { created: false };

/**
 * Creates the ledger database at `path` (which must not exist) by running `fill` on a fresh, migrated
 * database in a temporary file and publishing it atomically. Returns { created: false }, having
 * written nothing at `path`, when `path` exists (before or by the time the build is done): the caller
 * then imports into the existing database the ordinary way. Errors from `fill` leave no file behind.
 */
export function buildNewLedgerDb<T>(path: string, now: Instant, fill: (db: LedgerDb) => T): NewDbBuild<T> {
  if (existsSync(path)) return { created: false };
  if (!existsSync(dirname(path))) {
    throw new LedgerDbError(path, `${path}: cannot create the ledger database, the directory ${dirname(path)} does not exist`);
  }
  removeStaleBuilds(path);
  // pid first (removeStaleBuilds reads it), then thread and counter: unique among concurrent builds.
  const temporary = join(dirname(path), `.${basename(path)}${BUILD_MARKER}${process.pid}-${threadId}-${buildCounter++}`);
  removeDbFiles(temporary);
  let db: LedgerDb | null = null;
  try {
    try {
      db = new Database(temporary, { timeout: BUSY_TIMEOUT_MS });
    } catch (error) {
      throw new LedgerDbError(path, `${path}: cannot create the ledger database (${(error as Error).message})`);
    }
    db.pragma(`page_size = ${NEW_DB_PAGE_SIZE}`);
    db.pragma('journal_mode = OFF'); // a private file: nothing to roll back to, it is deleted on failure
    db.pragma('synchronous = OFF'); // synced once, below, before it is published
    db.pragma('foreign_keys = OFF'); // checked once, after the fill: checkForeignKeys
    db.pragma(`cache_size = -${BUILD_CACHE_SIZE_KIB}`);
    applyMigrations(db, temporary, now);
    const value = db.transaction(() => {
      const filled = fill(db as LedgerDb);
      checkForeignKeys(db as LedgerDb, path);
      return filled;
    })();
    db.pragma('journal_mode = WAL'); // what openLedgerDb expects; persistent in the file header
    db.close();
    db = null;
    fsyncFile(temporary);
    if (!publish(temporary, path)) {
      removeDbFiles(temporary);
      return { created: false };
    }
    fsyncDirectory(dirname(path));
    return { created: true, value };
  } catch (error) {
    db?.close();
    removeDbFiles(temporary);
    throw error;
  }
}
