import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LedgerDbError, MIGRATIONS, openLedgerDb } from '../../core/store/index.js';
import { fileBytes, NOW, tempDir } from './store-fixtures.js';

function appliedIds(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT id FROM schema_migrations ORDER BY rowid').pluck().all() as string[]);
  } finally {
    db.close();
  }
}

describe('migrations (append-only, prefix rule)', () => {
  it('a new database gets every shipped migration, in order, in WAL mode', () => {
    const path = join(tempDir(), 'ledger.sqlite');
    const db = openLedgerDb(path, { create: true, now: NOW });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    db.close();
    expect(appliedIds(path)).toEqual(MIGRATIONS.map((migration) => migration.id));
  });

  it('re-opening an up-to-date database writes nothing', () => {
    const path = join(tempDir(), 'ledger.sqlite');
    openLedgerDb(path, { create: true, now: NOW }).close();
    const before = fileBytes(path);
    openLedgerDb(path, { create: false }).close();
    openLedgerDb(path, { create: true }).close();
    expect(fileBytes(path).equals(before)).toBe(true);
    expect(appliedIds(path)).toEqual(MIGRATIONS.map((migration) => migration.id));
  });

  it('a database with a migration this version does not know is refused, byte for byte unchanged', () => {
    const path = join(tempDir(), 'ledger.sqlite');
    openLedgerDb(path, { create: true, now: NOW }).close();
    const raw = new Database(path);
    raw.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)').run('0999-from-the-future', NOW);
    raw.close();
    const before = fileBytes(path);
    for (const create of [false, true]) {
      expect(() => openLedgerDb(path, { create })).toThrow(LedgerDbError);
      expect(() => openLedgerDb(path, { create })).toThrow(/0999-from-the-future/);
      expect(fileBytes(path).equals(before)).toBe(true);
    }
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('a diverged database (a different migration where ours is) is refused and unchanged', () => {
    const path = join(tempDir(), 'ledger.sqlite');
    openLedgerDb(path, { create: true, now: NOW }).close();
    const raw = new Database(path);
    raw.prepare('UPDATE schema_migrations SET id = ? WHERE id = ?').run('0001-someone-elses', MIGRATIONS[0]!.id);
    raw.close();
    const before = fileBytes(path);
    expect(() => openLedgerDb(path, { create: false })).toThrow(/0001-someone-elses.*0001-initial/);
    expect(fileBytes(path).equals(before)).toBe(true);
  });

  it('an older database gets the missing migrations, all in one transaction', () => {
    const path = join(tempDir(), 'ledger.sqlite');
    const raw = new Database(path);
    raw.exec('CREATE TABLE schema_migrations (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT');
    raw.close();
    openLedgerDb(path, { create: false, now: NOW }).close();
    expect(appliedIds(path)).toEqual(MIGRATIONS.map((migration) => migration.id));
  });

  it('read commands never create a missing database, and say which path', () => {
    const path = join(tempDir(), 'missing.sqlite');
    expect(() => openLedgerDb(path, { create: false })).toThrow(LedgerDbError);
    expect(() => openLedgerDb(path, { create: false })).toThrow(path);
    expect(existsSync(path)).toBe(false);
  });

  it('a SQLite file that is not a ledger, or not SQLite at all, is refused and unchanged', () => {
    const dir = tempDir();
    const foreign = join(dir, 'foreign.sqlite');
    const raw = new Database(foreign);
    raw.exec('CREATE TABLE notes (body TEXT)');
    raw.close();
    const foreignBefore = fileBytes(foreign);
    expect(() => openLedgerDb(foreign, { create: false })).toThrow(/not a Ledgerscope database/);
    expect(fileBytes(foreign).equals(foreignBefore)).toBe(true);

    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'this is not a database, just some text that is long enough to have a header '.repeat(20));
    const textBefore = fileBytes(text);
    expect(() => openLedgerDb(text, { create: false })).toThrow(LedgerDbError);
    expect(fileBytes(text).equals(textBefore)).toBe(true);
  });
});
