import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
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

/** `file` (default 0) is the index among the import's two files the entry is written from. */
function write(path: string, records: readonly { record: NewEntryRecord; account: number; file?: number }[]): void {
  const db = openLedgerDb(path, { create: true, now: NOW });
  try {
    db.transaction(() => {
      const last = records.length;
      const { fileIds } = insertImport(db, {
        startedAt: NOW, sourceOption: null, unitOption: null, inserted: last, unchanged: 0, accountsTouched: ACCOUNTS.length,
        firstOrdinal: 1, lastOrdinal: last,
        files: [{ path: 'f.jsonl', format: 'moesif', records: last }, { path: 'g.jsonl', format: 'moesif', records: 0 }],
      });
      const counts = ACCOUNTS.map((_, a) => records.filter((r) => r.account === a).length);
      const writer = new EntryWriter(db, ACCOUNTS.map((key, a) => ({ key, entries: counts[a]! })), { first: 1, last });
      for (const { record: r, account, file } of records) writer.insert(r, fileIds[file ?? 0]!, account);
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

describe('EntryWriter: rows bind only what their shape does not fix', () => {
  const FULL_COLUMNS =
    'ordinal, source, source_id, account_id, kind, status, amount, at, block_id, effective_at, expires_at, cost_basis, priority, ' +
    'target_expires_at, source_expires_at, void_reason, description, metadata, external_customer_id, stated_sequence, ' +
    'stated_starting_balance, stated_ending_balance, raw, file_id, origin_line, origin_pointer';
  const maybe = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(arbitrary, { nil: null });
  const instant = fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 });
  const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 });
  const row = fc.record({
    account: fc.integer({ min: 0, max: 1 }),
    file: fc.integer({ min: 0, max: 1 }),
    source: fc.constantFrom('moesif', 'orb', 'stripe', 'ledgerscope'),
    kind: fc.constantFrom('increment', 'decrement', 'expiration_change', 'void', 'amendment', 'expiry'),
    status: fc.constantFrom('posted', 'pending'),
    cents: fc.integer({ min: 1, max: 10_000_000 }),
    at: instant,
    blockId: maybe(text),
    effectiveAt: maybe(instant),
    expiresAt: maybe(instant),
    costBasis: maybe(fc.constantFrom('0', '1', '0.2', '12.5')),
    priority: maybe(fc.integer({ min: 0, max: 9 })),
    targetExpiresAt: maybe(instant),
    sourceExpiresAt: maybe(instant),
    voidReason: maybe(text),
    description: maybe(text),
    metadata: maybe(fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.integer(), fc.string({ maxLength: 6 })), { maxKeys: 2 })),
    externalCustomerId: maybe(text),
    stated: maybe(fc.record({ sequence: maybe(fc.integer({ min: 1, max: 99 })), startingBalance: maybe(fc.constant('10')), endingBalance: maybe(fc.constant('7.5')) })),
    raw: fc.string({ unit: 'binary', maxLength: 40 }),
    line: maybe(fc.integer({ min: 1, max: 1_000_000 })),
    pointer: maybe(fc.constantFrom('/0', '/data/3')),
    canonical: fc.boolean(),
  });

  it('stores every row exactly as given, in insertion order, whatever the mix of shapes, accounts, files and batch boundaries', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 3 * PLAIN_ROWS_PER_INSERT + 7 }), (specs) => {
        const records = specs.map((spec, i) => {
          const key = ACCOUNTS[spec.account]!;
          const amount = new Decimal(spec.cents).div(100);
          const costBasis = spec.costBasis === null ? null : new Decimal(spec.costBasis);
          const entry: LedgerEntry = {
            source: spec.source, sourceId: `id${i}`, customerId: key.customerId, subscriptionId: key.subscriptionId, unit: key.unit,
            kind: spec.kind, status: spec.status, amount, at: spec.at, ordinal: i + 1, blockId: spec.blockId, effectiveAt: spec.effectiveAt,
            expiresAt: spec.expiresAt, costBasis, priority: spec.priority, targetExpiresAt: spec.targetExpiresAt, sourceExpiresAt: spec.sourceExpiresAt,
            voidReason: spec.voidReason, description: spec.description,
          };
          const record: NewEntryRecord = {
            entry, origin: { line: spec.line, pointer: spec.pointer }, raw: spec.raw, metadata: spec.metadata, stated: spec.stated,
            externalCustomerId: spec.externalCustomerId,
            ...(spec.canonical ? { amountCanonical: amount.toFixed(), costBasisCanonical: costBasis?.toFixed() ?? null } : {}),
          };
          return { record, account: spec.account, file: spec.file };
        });
        const path = join(tempDir(), 'w.sqlite');
        write(path, records);
        const db = new Database(path, { readonly: true });
        try {
          const rows = db.prepare(`SELECT ${FULL_COLUMNS} FROM entries ORDER BY id`).all();
          expect(rows).toEqual(
            records.map(({ record: { entry: e, origin, raw, metadata, stated, externalCustomerId }, account, file }) => ({
              ordinal: e.ordinal, source: e.source, source_id: e.sourceId, account_id: account + 1, kind: e.kind, status: e.status,
              amount: e.amount.toFixed(), at: e.at, block_id: e.blockId, effective_at: e.effectiveAt, expires_at: e.expiresAt,
              cost_basis: e.costBasis?.toFixed() ?? null, priority: e.priority, target_expires_at: e.targetExpiresAt, source_expires_at: e.sourceExpiresAt,
              void_reason: e.voidReason, description: e.description, metadata: metadata === null ? null : JSON.stringify(metadata),
              external_customer_id: externalCustomerId ?? null, stated_sequence: stated?.sequence ?? null,
              stated_starting_balance: stated?.startingBalance ?? null, stated_ending_balance: stated?.endingBalance ?? null, raw,
              file_id: file + 1, origin_line: origin.line, origin_pointer: origin.pointer,
            })),
          );
        } finally {
          db.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('EntryWriter: the account and the file are bound once per multi-row INSERT', () => {
  it('rows of one shape store the account and file each was inserted with, however the runs of accounts and files fall', () => {
    const debit = (i: number, account: number): NewEntryRecord => {
      const key = ACCOUNTS[account]!;
      const amount = new Decimal(`${i + 1}.25`);
      return {
        entry: {
          source: 'moesif', sourceId: `d${i}`, customerId: key.customerId, subscriptionId: key.subscriptionId, unit: key.unit,
          kind: 'decrement', status: 'posted', amount, at: 1_700_000_000_000 + i, ordinal: i + 1, blockId: null, effectiveAt: null,
          expiresAt: null, costBasis: null, priority: null, targetExpiresAt: null, sourceExpiresAt: null, voidReason: null,
          description: 'API usage',
        },
        origin: { line: i + 1, pointer: null },
        raw: `{"transaction_id":"d${i}"}`,
        metadata: null,
        stated: null,
      };
    };
    // Runs (not single rows) of one account and file, so that buffers fill and are cut by a change.
    const run = fc.record({
      account: fc.integer({ min: 0, max: 1 }),
      file: fc.integer({ min: 0, max: 1 }),
      length: fc.integer({ min: 1, max: 20 }),
    });
    fc.assert(
      fc.property(fc.array(run, { minLength: 1, maxLength: 8 }), (runs) => {
        const records = runs
          .flatMap(({ account, file, length }) => Array.from({ length }, () => ({ account, file })))
          .map(({ account, file }, i) => ({ record: debit(i, account), account, file }));
        const path = join(tempDir(), 'w.sqlite');
        write(path, records);
        const rows = storedRows(path);
        expect(rows.map((row) => [row.source_id, row.account_id, row.file_id])).toEqual(
          records.map(({ record, account, file }) => [record.entry.sourceId, account + 1, file + 1]),
        );
      }),
      { numRuns: 40 },
    );
  });
});
