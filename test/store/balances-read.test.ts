import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importFiles } from '../../core/import/ledger-files.js';
import { compareAccountKeys } from '../../core/ledger/account-key.js';
import { accountIdRunsInOrder, listAccounts, accountIdOf, openLedgerDb, type LedgerDb } from '../../core/store/index.js';
import { jsonl, moesifLine, tempDir } from './store-fixtures.js';

/*
 * balances --json reads the accounts in runs cut from SQLite's ordered id list as text: the runs, read
 * back in turn, must be every account exactly once, in compareAccountKeys order, each run as long as asked
 * (the last one the rest), with a count that matches its ids.
 */

function ledgerWith(customers: string[]): LedgerDb {
  const path = join(tempDir(), 'ledger.sqlite');
  const lines = customers.map((customer, i) => moesifLine({ company: customer, id: `c${i}`, type: 'credit', amount: '5', at: '2025-01-01T00:00:00Z' }));
  importFiles(path, [{ path: 'm.jsonl', text: jsonl(lines) }], { now: Date.UTC(2025, 1, 1) });
  return openLedgerDb(path, { create: false });
}

function expectRuns(db: LedgerDb, runSize: number): void {
  const ordered = listAccounts(db).sort(compareAccountKeys).map((key) => accountIdOf(db, key));
  const runs = accountIdRunsInOrder(db, runSize);
  const ids: number[] = [];
  runs.forEach((run, i) => {
    const parsed = JSON.parse(run.json) as number[];
    expect(run.count).toBe(parsed.length);
    if (i < runs.length - 1) expect(run.count).toBe(runSize);
    else expect(run.count).toBeGreaterThan(0);
    ids.push(...parsed);
  });
  expect(ids).toEqual(ordered);
}

describe('account id runs for balances --json', () => {
  it('runs cut from the ordered id list hold every account once, in key order, each of the size asked but the last', () => {
    const db = ledgerWith(Array.from({ length: 103 }, (_, i) => `cus_${String((i * 37) % 103).padStart(3, '0')}`));
    try {
      fc.assert(fc.property(fc.integer({ min: 1, max: 120 }), (runSize) => expectRuns(db, runSize)), { numRuns: 60 });
      expect(accountIdRunsInOrder(db, 103)).toHaveLength(1);
      expect(accountIdRunsInOrder(db, 102)).toHaveLength(2);
    } finally {
      db.close();
    }
  });

  it('keys SQLite orders otherwise (a character above U+FFFF) are sorted in code-unit order and cut the same way', () => {
    const db = ledgerWith(['cus_\uff21', 'cus_\u{1f600}', 'cus_a', 'cus_\ue000', 'cus_b']);
    try {
      for (const runSize of [1, 2, 3, 5, 8]) expectRuns(db, runSize);
    } finally {
      db.close();
    }
  });

  it('a ledger with no accounts has no runs', () => {
    const db = openLedgerDb(join(tempDir(), 'empty.sqlite'), { create: true });
    try {
      expect(accountIdRunsInOrder(db, 4)).toEqual([]);
    } finally {
      db.close();
    }
  });
});
