import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../core/money/decimal.js';
import { buildNewLedgerDb, EntryWriter, insertImport, type LedgerDb, type NewEntryRecord } from '../../core/store/index.js';
import { NOW, tempDir } from './store-fixtures.js';

/*
 * A new database is built with foreign keys unenforced (core/store/new-db.ts) and checked once before
 * it is published: a dangling reference anywhere fails the build, and nothing appears at the path.
 */

const KEY = { customerId: 'cus_a', subscriptionId: null, unit: 'USD' };

function debit(i: number): NewEntryRecord {
  return {
    entry: {
      source: 'moesif', sourceId: `d${i}`, customerId: KEY.customerId, subscriptionId: null, unit: KEY.unit, kind: 'decrement',
      status: 'posted', amount: new Decimal('1.5'), at: 1_700_000_000_000 + i, ordinal: i + 1, blockId: null, effectiveAt: null,
      expiresAt: null, costBasis: null, priority: null, targetExpiresAt: null, sourceExpiresAt: null, voidReason: null,
      description: null,
    },
    origin: { line: i + 1, pointer: null },
    raw: `{"transaction_id":"d${i}"}`,
    metadata: null,
    stated: null,
  };
}

/** Writes `count` entries of one account from the file with id `fileId` (the import's own file when null). */
function writeEntries(db: LedgerDb, count: number, fileId: number | null): void {
  const { fileIds } = insertImport(db, {
    startedAt: NOW, sourceOption: null, unitOption: null, inserted: count, unchanged: 0, accountsTouched: 1,
    firstOrdinal: 1, lastOrdinal: count, files: [{ path: 'f.jsonl', format: 'moesif', records: count }],
  });
  const writer = new EntryWriter(db, [{ key: KEY, entries: count }], { first: 1, last: count });
  for (let i = 0; i < count; i++) writer.insert(debit(i), fileId ?? fileIds[0]!, 0);
  writer.finish();
}

describe('a new database: foreign keys checked once, before it is published', () => {
  it('a well-formed build is published and has no dangling reference', () => {
    const dir = tempDir();
    const path = join(dir, 'ledger.sqlite');
    expect(buildNewLedgerDb(path, NOW, (db) => writeEntries(db, 40, null)).created).toBe(true);
    expect(readdirSync(dir)).toEqual(['ledger.sqlite']);
    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) FROM entries').pluck().get()).toBe(40);
      expect(db.pragma('foreign_key_check')).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('entries naming a file that does not exist fail the build; no file is created', () => {
    const dir = tempDir();
    const path = join(dir, 'ledger.sqlite');
    expect(() => buildNewLedgerDb(path, NOW, (db) => writeEntries(db, 40, 999))).toThrow(/import file that does not exist/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a dangling row in any other table fails the build, naming the table; no file is created', () => {
    const dir = tempDir();
    const path = join(dir, 'ledger.sqlite');
    const fill = (db: LedgerDb): void => {
      writeEntries(db, 3, null);
      db.prepare("INSERT INTO import_files (import_id, position, path, format, records) VALUES (77, 0, 'x.jsonl', 'moesif', 0)").run();
    };
    expect(() => buildNewLedgerDb(path, NOW, fill)).toThrow(/import_files names a missing imports row/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
