import type Database from 'better-sqlite3';

/** One append-only schema step: `id` is its file name, applied once, in the order of MIGRATIONS. */
export interface Migration {
  id: string;
  sql: string;
  /** Derived data rebuilt from what is stored, after `sql`, in the same transaction (e.g. checkpoints under a new rule). */
  rebuild?: (db: Database.Database) => void;
}
