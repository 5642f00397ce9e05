// better-sqlite3 in node_modules is compiled for Node (tests, CLI). Inside Electron we load an
// Electron-ABI build of the same addon (docs/native-module.md). core/store opens its databases without
// a nativeBinding option, so the Electron build is handed to better-sqlite3 where it looks for its
// addon: its `bindings` lookup, primed in this thread's require cache before any database opens.
import { existsSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { join } from 'node:path';

/** Set by scripts/start.mjs to the Electron-ABI better_sqlite3.node it prepared. */
export const SQLITE_BINDING_ENV = 'LEDGERSCOPE_SQLITE_BINDING';

const require = createRequire(import.meta.url);

/** The Electron-ABI addon to load, or undefined to let better-sqlite3 find its own (a packaged app rebuilds it). */
export function electronSqliteBindingPath(appPath: string): string | undefined {
  const fromEnv = process.env[SQLITE_BINDING_ENV];
  if (fromEnv) return fromEnv;
  const prepared = join(appPath, '.electron-native', process.versions.electron ?? '', 'better_sqlite3.node');
  return existsSync(prepared) ? prepared : undefined;
}

/**
 * Makes better-sqlite3 load `bindingPath` instead of the Node build: its `require('bindings')(name)`
 * then returns this addon. Per thread (a worker has its own require cache): main and job workers call it.
 */
export function useSqliteBinding(bindingPath: string | undefined): void {
  if (bindingPath === undefined) return;
  const betterSqlite = require.resolve('better-sqlite3');
  const bindingsPath = createRequire(betterSqlite).resolve('bindings');
  const addon = require(bindingPath) as unknown;
  const primed = new Module(bindingsPath);
  primed.filename = bindingsPath;
  primed.loaded = true;
  primed.exports = () => addon;
  require.cache[bindingsPath] = primed;
}

/** Opens an in-memory database once, so an ABI mismatch fails at start with a clear message. */
export function probeDatabase(): { ok: true; sqliteVersion: string } | { ok: false; message: string } {
  try {
    const Database = require('better-sqlite3') as typeof import('better-sqlite3');
    const db = new Database(':memory:');
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
