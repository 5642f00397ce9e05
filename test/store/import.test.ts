import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImportRejected, importFiles } from '../../core/import/ledger-files.js';
import { formatProblem } from '../../core/sources/index.js';
import { countEntries, LedgerDbError, loadAccountEntries, openLedgerDb } from '../../core/store/index.js';
import { dumpDb, fileBytes, jsonl, moesifLine, NOW, tempDir } from './store-fixtures.js';

const DAY = 86_400_000;

const credit = (id: string, amount: string, at = '2025-01-01T00:00:00Z', company = 'cus_a') =>
  moesifLine({ company, id, type: 'credit', amount, at });
const debit = (id: string, amount: string, at = '2025-01-02T00:00:00Z', company = 'cus_a') =>
  moesifLine({ company, id, type: 'debit', amount, at });

function rejection(run: () => unknown): ImportRejected {
  try {
    run();
  } catch (error) {
    if (error instanceof ImportRejected) return error;
    throw error;
  }
  throw new Error('expected the import to be rejected');
}

function entriesOf(path: string, customerId: string, unit = 'USD') {
  const db = openLedgerDb(path, { create: false });
  try {
    return loadAccountEntries(db, { customerId, subscriptionId: null, unit });
  } finally {
    db.close();
  }
}

describe('import: one user action, one transaction (DESIGN §5)', () => {
  it('imports Moesif JSON Lines into a new database and reports what it did', () => {
    const db = join(tempDir(), 'ledger.sqlite');
    const summary = importFiles(
      db,
      [{ path: 'a.jsonl', text: jsonl([credit('t1', '100'), debit('t2', '-30'), credit('t3', '5', '2025-01-03T00:00:00Z', 'cus_b')]) }],
      { now: NOW },
    );
    expect(summary).toEqual({
      importId: 1,
      files: [{ path: 'a.jsonl', format: 'moesif', records: 3 }],
      inserted: 3,
      unchanged: 0,
      accountsTouched: 2,
      replaced: [],
      warnings: [],
    });
    const entries = entriesOf(db, 'cus_a');
    expect(entries.map((e) => [e.sourceId, e.kind, e.amount.toFixed(), e.ordinal])).toEqual([
      ['t1', 'increment', '100', 1],
      ['t2', 'decrement', '30', 2],
    ]);
  });

  it('all or nothing: a batch with one bad record writes nothing, the database dump is unchanged', () => {
    const db = join(tempDir(), 'ledger.sqlite');
    importFiles(db, [{ path: 'first.jsonl', text: jsonl([credit('t1', '100')]) }], { now: NOW });
    const before = dumpDb(db);
    const bytesBefore = fileBytes(db);
    const error = rejection(() =>
      importFiles(
        db,
        [
          { path: 'good.jsonl', text: jsonl([debit('t2', '-10'), debit('t3', '-20')]) },
          { path: 'bad.jsonl', text: jsonl([debit('t4', '-1'), moesifLine({ company: 'cus_a', id: 't5', type: 'debit', amount: '"12,50"', at: '2025-01-02T00:00:00Z' })]) },
        ],
        { now: NOW + DAY },
      ),
    );
    expect(error.problems).toHaveLength(1);
    expect(formatProblem(error.problems[0]!)).toMatch(/^bad\.jsonl:2: amount: /);
    expect(dumpDb(db)).toBe(before);
    expect(fileBytes(db).equals(bytesBefore)).toBe(true);
  });

  it('a rejected first import creates no database file at all', () => {
    const dir = tempDir();
    const db = join(dir, 'ledger.sqlite');
    rejection(() => importFiles(db, [{ path: 'bad.jsonl', text: jsonl(['{"company_id": "cus_a"}']) }], { now: NOW }));
    const orb = jsonl(['{"entry_type":"void","customer_id":"cus_a","created_at":"2025-01-01T00:00:00Z","id":"v1","amount":"5","block_id":"nope"}']);
    rejection(() => importFiles(db, [{ path: 'void.jsonl', text: orb }], { now: NOW, source: 'orb-bodies' }));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('L5 re-importing the same file is idempotent: nothing inserted, everything unchanged', () => {
    const db = join(tempDir(), 'ledger.sqlite');
    const text = jsonl([credit('t1', '100'), debit('t2', '-30'), moesifLine({ company: 'cus_a', id: 't3', type: 'credit', amount: '12.50', at: '2025-01-03T00:00:00+02:00', metadata: { k: 1 } })]);
    importFiles(db, [{ path: 'a.jsonl', text }], { now: NOW });
    const entriesBefore = entriesOf(db, 'cus_a');
    const again = importFiles(db, [{ path: 'a.jsonl', text }], { now: NOW + DAY });
    expect(again).toMatchObject({ inserted: 0, unchanged: 3, accountsTouched: 0 });
    expect(entriesOf(db, 'cus_a')).toEqual(entriesBefore);
    const handle = openLedgerDb(db, { create: false });
    expect(countEntries(handle)).toBe(3);
    handle.close();
  });

  it('L5 the same id with different content is a conflict naming both places; nothing is written', () => {
    const db = join(tempDir(), 'ledger.sqlite');
    importFiles(db, [{ path: 'a.jsonl', text: jsonl([credit('t1', '100'), debit('t2', '-30')]) }], { now: NOW });
    const before = dumpDb(db);
    const error = rejection(() =>
      importFiles(db, [{ path: 'b.jsonl', text: jsonl([credit('t9', '1'), debit('t2', '-31')]) }], { now: NOW + DAY }),
    );
    expect(error.problems).toEqual([
      {
        file: 'b.jsonl',
        line: 2,
        pointer: null,
        field: 'amount',
        message: expect.stringContaining('conflicts with the entry imported from a.jsonl:2 on 2025-01-10T00:00:00.000Z: amount was "30", found "31"'),
      },
    ]);
    expect(dumpDb(db)).toBe(before);
  });

  it('L5 within one import: an identical repeat is one entry, a different one is a conflict', () => {
    const db = join(tempDir(), 'ledger.sqlite');
    const summary = importFiles(
      db,
      [
        { path: 'a.jsonl', text: jsonl([credit('t1', '100')]) },
        { path: 'b.jsonl', text: jsonl([credit('t1', '100'), debit('t2', '-1')]) },
      ],
      { now: NOW },
    );
    expect(summary).toMatchObject({ inserted: 2, unchanged: 1 });
    expect(entriesOf(db, 'cus_a').map((e) => [e.sourceId, e.ordinal])).toEqual([['t1', 1], ['t2', 3]]);

    const other = join(tempDir(), 'other.sqlite');
    const error = rejection(() =>
      importFiles(
        other,
        [
          { path: 'a.jsonl', text: jsonl([credit('t1', '100')]) },
          { path: 'b.jsonl', text: jsonl([debit('t2', '-1'), credit('t1', '100', '2025-01-05T00:00:00Z')]) },
        ],
        { now: NOW },
      ),
    );
    expect(error.problems.map(formatProblem)).toEqual([
      'b.jsonl:2: created_at: moesif id "t1" appears again in this import with different content (first at a.jsonl:1): created_at was "2025-01-01T00:00:00.000Z", found "2025-01-05T00:00:00.000Z"',
    ]);
    expect(existsSync(other)).toBe(false);
  });

  it('L6 a void naming an unknown block, found on replay, is reported at its file, line and field', () => {
    const dir = tempDir();
    const db = join(dir, 'ledger.sqlite');
    const orb = (lines: object[]) => jsonl(lines.map((line) => JSON.stringify(line)));
    importFiles(
      db,
      [{ path: 'first.jsonl', text: orb([{ entry_type: 'increment', customer_id: 'cus_o', created_at: '2025-01-01T00:00:00Z', id: 'i1', amount: '100' }]) }],
      { now: NOW, source: 'orb-bodies' },
    );
    const before = dumpDb(db);
    const error = rejection(() =>
      importFiles(
        db,
        [
          {
            path: 'voids.jsonl',
            text: orb([
              { entry_type: 'void', customer_id: 'cus_o', created_at: '2025-01-02T00:00:00Z', id: 'v1', amount: '10', block_id: 'i1' },
              { entry_type: 'void', customer_id: 'cus_o', created_at: '2025-01-03T00:00:00Z', id: 'v2', amount: '10', block_id: 'no-such-block' },
            ]),
          },
        ],
        { now: NOW + DAY, source: 'orb-bodies' },
      ),
    );
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ file: 'voids.jsonl', line: 2, field: 'block_id' });
    expect(error.problems[0]!.message).toMatch(/^L6: .*no-such-block/);
    expect(dumpDb(db)).toBe(before);
  });

  it('L7 a stored entry that new, back-dated entries break is named as the stored one', () => {
    const db = join(tempDir(), 'ledger.sqlite');
    const orb = (lines: object[]) => jsonl(lines.map((line) => JSON.stringify(line)));
    importFiles(
      db,
      [
        {
          path: 'history.jsonl',
          text: orb([
            { entry_type: 'increment', customer_id: 'cus_o', created_at: '2025-01-01T00:00:00Z', id: 'i1', amount: '100', expiry_date: '2025-06-01' },
            { entry_type: 'expiration_change', customer_id: 'cus_o', created_at: '2025-01-03T00:00:00Z', id: 'x1', amount: '80', block_id: 'i1', target_expiry_date: '2026-01-01' },
          ]),
        },
      ],
      { now: NOW, source: 'orb-bodies' },
    );
    const error = rejection(() =>
      importFiles(
        db,
        [{ path: 'late.jsonl', text: orb([{ entry_type: 'decrement', customer_id: 'cus_o', created_at: '2025-01-02T00:00:00Z', id: 'd1', amount: '50' }]) }],
        { now: NOW + DAY, source: 'orb-bodies' },
      ),
    );
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ file: 'history.jsonl', line: 2 });
    expect(error.problems[0]!.message).toMatch(/^L7: .*stored by an earlier import, on 2025-01-10T00:00:00\.000Z.*late\.jsonl:1/);
  });

  it('a new database is built aside and published whole: no temporary files remain', () => {
    const dir = tempDir();
    const db = join(dir, 'ledger.sqlite');
    importFiles(db, [{ path: 'a.jsonl', text: jsonl([credit('t1', '100')]) }], { now: NOW });
    expect(readdirSync(dir)).toEqual(['ledger.sqlite']);
    const handle = openLedgerDb(db, { create: false });
    expect(handle.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(handle.pragma('integrity_check', { simple: true })).toBe('ok');
    handle.close();
  });

  it('later imports number their entries after the stored ones, files in the order given', () => {
    const db = join(tempDir(), 'ledger.sqlite');
    importFiles(db, [{ path: 'a.jsonl', text: jsonl([credit('t1', '100'), debit('t2', '-1')]) }], { now: NOW });
    importFiles(
      db,
      [
        { path: 'b.jsonl', text: jsonl([debit('t3', '-1', '2025-01-02T00:00:00Z')]) },
        { path: 'c.jsonl', text: jsonl([debit('t4', '-1', '2025-01-02T00:00:00Z')]) },
      ],
      { now: NOW + DAY },
    );
    // Same instant: replay order is ingestion order (t2, then b.jsonl's t3, then c.jsonl's t4).
    expect(entriesOf(db, 'cus_a').map((e) => [e.sourceId, e.ordinal])).toEqual([['t1', 1], ['t2', 2], ['t3', 3], ['t4', 4]]);
  });

  it('a new database in a directory that does not exist is refused, naming the path', () => {
    const db = join(tempDir(), 'no-such-dir', 'ledger.sqlite');
    const run = () => importFiles(db, [{ path: 'a.jsonl', text: jsonl([credit('t1', '100')]) }], { now: NOW });
    expect(run).toThrow(LedgerDbError);
    expect(run).toThrow(db);
  });
});
