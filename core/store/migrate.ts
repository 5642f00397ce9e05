import type Database from 'better-sqlite3';
import type { Instant } from '../time/instant.js';
import { LedgerDbError } from './errors.js';
import { MIGRATIONS } from './migrations/index.js';

/*
 * Migrations are append-only (STYLE habit 6). A database is usable only when its applied list is a
 * prefix of the shipped list; anything else was written by a newer or a diverged version, and opening
 * it is refused before anything is written to it.
 */

const MIGRATIONS_TABLE_SQL =
  'CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT';

/** Applied migration ids in order, or null when the file holds no schema at all (a new database). */
export function readApplied(db: Database.Database, path: string): string[] | null {
  let objects: { name: string }[];
  try {
    objects = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
  } catch (error) {
    const notSqlite = (error as { code?: string }).code === 'SQLITE_NOTADB';
    throw new LedgerDbError(path, `${path}: ${notSqlite ? 'not a SQLite database' : 'cannot read the database'} (${(error as Error).message})`);
  }
  if (objects.length === 0) return null;
  if (!objects.some((object) => object.name === 'schema_migrations')) {
    throw new LedgerDbError(path, `${path}: not a Ledgerscope database (it has tables but no schema_migrations); refusing to change it`);
  }
  const rows = db.prepare('SELECT id FROM schema_migrations ORDER BY rowid').raw().all() as [string][];
  return rows.map((row) => row[0]);
}

/** Throws LedgerDbError unless `applied` is a prefix of the shipped list; returns the missing ones. */
function missingMigrations(applied: readonly string[], path: string): readonly (typeof MIGRATIONS)[number][] {
  for (let i = 0; i < applied.length; i++) {
    const shipped = MIGRATIONS[i];
    if (shipped === undefined || shipped.id !== applied[i]) {
      const expected = shipped === undefined ? 'no further migration' : `"${shipped.id}"`;
      throw new LedgerDbError(
        path,
        `${path}: the database has migration "${applied[i]}" where this version of Ledgerscope has ${expected}; ` +
          'it was written by a newer or a different version. Refusing to open it (nothing was changed); ' +
          'use the version that wrote it.',
      );
    }
  }
  return MIGRATIONS.slice(applied.length);
}

/**
 * Checks the migration state by reading only; returns the number of migrations still to apply.
 * Reading never changes the main file: an empty WAL is removed on close with nothing to copy back.
 * (A read-only connection would leave empty -wal and -shm files behind instead.)
 */
export function checkMigrations(db: Database.Database, path: string): number {
  return missingMigrations(readApplied(db, path) ?? [], path).length;
}

/**
 * Applies the missing migrations in one immediate transaction: all of them or none. The applied list
 * is read again inside the transaction, so two processes opening one old database migrate it once.
 */
export function applyMigrations(db: Database.Database, path: string, now: Instant | undefined): void {
  db.transaction(() => {
    const missing = missingMigrations(readApplied(db, path) ?? [], path);
    if (missing.length === 0) return;
    db.exec(MIGRATIONS_TABLE_SQL);
    const record = db.prepare(
      // applied_at is bookkeeping, not ledger data: SQLite's clock when the caller passes no `now`.
      "INSERT INTO schema_migrations (id, applied_at) VALUES (?, coalesce(?, CAST(unixepoch('subsec') * 1000 AS INTEGER)))",
    );
    for (const migration of missing) {
      db.exec(migration.sql);
      migration.rebuild?.(db);
      record.run(migration.id, now ?? null);
    }
  }).immediate();
}
