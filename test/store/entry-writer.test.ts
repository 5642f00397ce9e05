import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { AccountKey, LedgerEntry } from '../../core/ledger/types.js';
import { Decimal } from '../../core/money/decimal.js';
import { importFiles } from '../../core/import/ledger-files.js';
import { generateMoesifJsonl } from '../../core/sources/generate-moesif.js';
import { parseImportFile } from '../../core/sources/index.js';
import { EntryWriter, insertImport, openLedgerDb, type NewEntryRecord } from '../../core/store/index.js';
import { PLAIN_ROWS_PER_INSERT } from '../../core/store/import-write.js';
import { NOW, tempDir } from './store-fixtures.js';

/*
 * EntryWriter buffers plain rows and writes PLAIN_ROWS_PER_INSERT of them per multi-row INSERT; any
 * other row flushes the buffer first. What is stored must not depend on that: same rows, same order.
 */

const ACCOUNTS: AccountKey[] = [
  { customerId: 'cus_a', subscriptionId: null, unit: 'USD' },
  { customerId: 'cus_b', subscriptionId: 'sub_b', unit: 'credits' },
];

function record(i: number, account: number, plain: boolean, withCanonical: boolean): NewEntryRecord {
  const key = ACCOUNTS[account]!;
  const increment = i % 3 === 0;
  const amount = new Decimal(`${i}.50`);
  const entry: LedgerEntry = {
    source: 'moesif',
    sourceId: `t${i}`,
    customerId: key.customerId,
    subscriptionId: key.subscriptionId,
    unit: key.unit,
    kind: increment ? 'increment' : 'decrement',
    status: i % 7 === 0 ? 'pending' : 'posted',
    amount,
    at: 1_700_000_000_000 + i * 1000,
    ordinal: i + 1,
    blockId: increment ? `t${i}` : null,
    effectiveAt: increment ? 1_700_000_000_000 + i * 1000 : null,
    expiresAt: increment && i % 2 === 0 ? 1_800_000_000_000 : null,
    costBasis: increment ? new Decimal(i % 2) : null,
    priority: plain ? null : i,
    targetExpiresAt: null,
    sourceExpiresAt: null,
    voidReason: null,
    description: i % 4 === 0 ? null : `entry ${i}`,
  };
  return {
    entry,
    origin: { line: i + 1, pointer: plain ? null : `/${i}` },
    raw: `{"transaction_id":"t${i}","amount":${i}.50}`,
    metadata: i % 5 === 0 ? { n: i, note: `m${i}` } : null,
    stated: null,
    ...(withCanonical ? { amountCanonical: amount.toFixed(), costBasisCanonical: entry.costBasis?.toFixed() ?? null } : {}),
  };
}

type Row = Record<string, unknown>;

function storedRows(path: string): Row[] {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT ordinal, source, source_id, account_id, kind, status, amount, at, block_id, effective_at, expires_at, cost_basis,
                priority, description, metadata, raw, file_id, origin_line, origin_pointer FROM entries ORDER BY id`,
      )
      .all() as Row[];
  } finally {
    db.close();
  }
}

function write(path: string, records: readonly { record: NewEntryRecord; account: number }[]): void {
  const db = openLedgerDb(path, { create: true, now: NOW });
  try {
    db.transaction(() => {
      const last = records.length;
      const { fileIds } = insertImport(db, {
        startedAt: NOW, sourceOption: null, unitOption: null, inserted: last, unchanged: 0, accountsTouched: ACCOUNTS.length,
        firstOrdinal: 1, lastOrdinal: last, files: [{ path: 'f.jsonl', format: 'moesif', records: last }],
      });
      const counts = ACCOUNTS.map((_, a) => records.filter((r) => r.account === a).length);
      const writer = new EntryWriter(db, ACCOUNTS.map((key, a) => ({ key, entries: counts[a]! })), { first: 1, last });
      for (const { record: r, account } of records) writer.insert(r, fileIds[0]!, account);
      writer.finish();
      expect(writer.inserted).toBe(last);
    })();
  } finally {
    db.close();
  }
}

describe('EntryWriter: multi-row INSERT of plain rows', () => {
  it('stores every row, in insertion order, whatever mix of plain and other rows and buffer boundaries', () => {
    const n = PLAIN_ROWS_PER_INSERT * 3 + 5; // full batches, then a remainder written by finish()
    const records = Array.from({ length: n }, (_, i) => ({
      record: record(i, i < n / 2 ? 0 : 1, ![3, PLAIN_ROWS_PER_INSERT, PLAIN_ROWS_PER_INSERT + 1, n - 1].includes(i), i % 2 === 0),
      account: i < n / 2 ? 0 : 1,
    }));
    const path = join(tempDir(), 'w.sqlite');
    write(path, records);
    const rows = storedRows(path);
    expect(rows.map((row) => row.source_id)).toEqual(records.map((r) => r.record.entry.sourceId));
    rows.forEach((row, i) => {
      const { entry, origin, raw, metadata } = records[i]!.record;
      expect(row).toEqual({
        ordinal: entry.ordinal, source: 'moesif', source_id: entry.sourceId, account_id: records[i]!.account + 1, kind: entry.kind,
        status: entry.status, amount: entry.amount.toFixed(), at: entry.at, block_id: entry.blockId, effective_at: entry.effectiveAt,
        expires_at: entry.expiresAt, cost_basis: entry.costBasis?.toFixed() ?? null, priority: entry.priority,
        description: entry.description, metadata: metadata === null ? null : JSON.stringify(metadata), raw, file_id: 1,
        origin_line: origin.line, origin_pointer: origin.pointer,
      });
    });
  });

  it('fewer plain rows than one multi-row INSERT are all written by finish()', () => {
    const records = [0, 1, 2].map((i) => ({ record: record(i, 0, true, true), account: 0 }));
    const path = join(tempDir(), 'w.sqlite');
    write(path, records);
    expect(storedRows(path).map((row) => row.source_id)).toEqual(['t0', 't1', 't2']);
  });

  it('a new database from a generated Moesif file holds exactly the parsed entries, raw text and amounts', () => {
    const text = generateMoesifJsonl({ entries: 2_000, accounts: 25, seed: 7 });
    const path = join(tempDir(), 'ledger.sqlite');
    const summary = importFiles(path, [{ path: 'gen.jsonl', text }], { now: NOW });
    expect(summary.inserted).toBe(2_000);
    const parsed = parseImportFile('gen.jsonl', text, {});
    const byId = new Map(parsed.entries.map((p) => [p.entry.sourceId, p]));
    const rows = storedRows(path);
    expect(rows.length).toBe(2_000);
    for (const row of rows) {
      const p = byId.get(row.source_id as string)!;
      expect([row.amount, row.cost_basis, row.raw, row.origin_line, row.kind, row.status, row.at]).toEqual([
        p.entry.amount.toFixed(), p.entry.costBasis?.toFixed() ?? null, p.raw, p.origin.line, p.entry.kind, p.entry.status, p.entry.at,
      ]);
    }
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
    } finally {
      db.close();
    }
  });
});
