// better-sqlite3 in node_modules is compiled for Node (tests, CLI). Inside Electron we load an
// Electron-ABI build of the same addon through its `nativeBinding` option (docs/native-module.md).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { app } from 'electron';
import Database from 'better-sqlite3';

/** Set by scripts/start.mjs to the Electron-ABI better_sqlite3.node it prepared. */
export const SQLITE_BINDING_ENV = 'LEDGERSCOPE_SQLITE_BINDING';

/** The Electron-ABI addon to load, or undefined to let better-sqlite3 find its own (a packaged app rebuilds it). */
export function electronSqliteBindingPath(): string | undefined {
  const fromEnv = process.env[SQLITE_BINDING_ENV];
  if (fromEnv) return fromEnv;
  const prepared = join(app.getAppPath(), '.electron-native', process.versions.electron, 'better_sqlite3.node');
  return existsSync(prepared) ? prepared : undefined;
}

export function openDatabase(filename: string): Database.Database {
  const nativeBinding = electronSqliteBindingPath();
  return new Database(filename, nativeBinding === undefined ? {} : { nativeBinding });
}

/** Opens an in-memory database once, so an ABI mismatch fails at start with a clear message. */
export function probeDatabase(): { ok: true; sqliteVersion: string } | { ok: false; message: string } {
  try {
    const db = openDatabase(':memory:');
    try {
      const row = db.prepare('select sqlite_version() as version').get() as { version: string };
      return { ok: true, sqliteVersion: row.version };
    } finally {
      db.close();
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      message:
        `better-sqlite3 could not be loaded for Electron ${process.versions.electron} (${reason}). ` +
        `Delete .electron-native/${process.versions.electron} and run \`npm start\` again to rebuild it.`,
    };
  }
}
