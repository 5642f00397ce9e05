import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, ledgerscope, ledgerscopeJson, workDir, writeLines } from './run-cli.js';

beforeAll(() => buildCli(), 60_000);

// Issue 9 §1's worked example, through the real parsers, a real SQLite file and the built CLI:
// 50 on Jan 1; usage 80 on Jan 5; 100 created Jan 6, usable from Jan 10.
function expectWorkedExample(db: string, customer: string, laterBlock: string): void {
  const jan7 = ledgerscopeJson('balance', '--db', db, '--customer', customer, '--as-of', '2025-01-07T00:00:00Z').accounts[0];
  expect({ current: jan7.current, deficit: jan7.deficit, scheduled: jan7.scheduled, available: jan7.available }).toEqual({ current: '-30', deficit: '30', scheduled: '100', available: '-30' });
  expect(jan7.blocks.find((block: { id: string }) => block.id === laterBlock)).toMatchObject({ remaining: '100', status: 'scheduled' });

  const jan10 = ledgerscopeJson('balance', '--db', db, '--customer', customer, '--as-of', '2025-01-10T06:00:00Z').accounts[0];
  expect({ current: jan10.current, deficit: jan10.deficit, scheduled: jan10.scheduled }).toEqual({ current: '70', deficit: '0', scheduled: '0' });
  expect(jan10.blocks.find((block: { id: string }) => block.id === laterBlock)).toMatchObject({ remaining: '70', status: 'active' });

  const listed = ledgerscopeJson('balances', '--db', db, '--as-of', '2025-01-07T00:00:00Z');
  const row = (listed.accounts ?? listed).find((account: { customer_id: string }) => account.customer_id === customer);
  expect(row).toMatchObject({ current: '-30', scheduled: '100' });
}

describe('L3 scheduled credit (issue 9 §1 worked example)', () => {
  it('Orb bodies: a block effective later is scheduled, then repays the deficit when it becomes usable', () => {
    const dir = workDir();
    const db = join(dir, 'ledger.sqlite');
    const file = writeLines(dir, 'orb-bodies.jsonl', [
      { id: 'inc-a', block_id: 'A', customer_id: 'cus_1', created_at: '2025-01-01T00:00:00Z', entry_type: 'increment', amount: 50 },
      { id: 'dec-1', customer_id: 'cus_1', created_at: '2025-01-05T00:00:00Z', entry_type: 'decrement', amount: 80 },
      { id: 'inc-b', block_id: 'B', customer_id: 'cus_1', created_at: '2025-01-06T00:00:00Z', entry_type: 'increment', amount: 100, effective_date: '2025-01-10' },
    ]);
    expect(ledgerscope('import', file, '--db', db).status).toBe(0);
    expectWorkedExample(db, 'cus_1', 'B');
  });

  it('Moesif: a credit whose active_at is ahead of a debit is scheduled until active_at', () => {
    const dir = workDir();
    const db = join(dir, 'ledger.sqlite');
    const file = writeLines(dir, 'moesif.jsonl', [
      { company_id: 'cus_M', transaction_id: 'tx-1', type: 'credit', amount: 50, created_at: '2025-01-01T00:00:00Z' },
      { company_id: 'cus_M', transaction_id: 'tx-2', type: 'debit', amount: -80, created_at: '2025-01-05T00:00:00Z' },
      { company_id: 'cus_M', transaction_id: 'tx-3', type: 'credit', amount: 100, created_at: '2025-01-06T00:00:00Z', active_at: '2025-01-10T00:00:00Z' },
    ]);
    expect(ledgerscope('import', file, '--db', db).status).toBe(0);
    expectWorkedExample(db, 'cus_M', 'tx-3');
  });
});

describe('CLI sentences count in the right number', () => {
  it('says "1 record", "1 new entry" and "1 account" for one, and plurals otherwise', () => {
    const dir = workDir();
    const db = join(dir, 'ledger.sqlite');
    const one = writeLines(dir, 'one.jsonl', [{ company_id: 'cus_1', transaction_id: 'tx-1', type: 'credit', amount: 5, created_at: '2025-01-01T00:00:00Z' }]);
    const first = ledgerscope('import', one, '--db', db);
    expect(first.stdout).toContain('moesif, 1 record\n');
    expect(first.stdout).toContain('imported 1 new entry (0 already present)');
    expect(first.stdout).toContain('across 1 account\n');
    const two = writeLines(dir, 'two.jsonl', [
      { company_id: 'cus_2', transaction_id: 'tx-2', type: 'credit', amount: 5, created_at: '2025-01-01T00:00:00Z' },
      { company_id: 'cus_3', transaction_id: 'tx-3', type: 'credit', amount: 5, created_at: '2025-01-01T00:00:00Z' },
    ]);
    const second = ledgerscope('import', two, '--db', db);
    expect(second.stdout).toContain('moesif, 2 records\n');
    expect(second.stdout).toContain('imported 2 new entries (0 already present)');
    expect(second.stdout).toContain('across 2 accounts\n');
    expect(ledgerscope('entries', '--db', db, '--customer', 'cus_1').stdout).toContain('customer cus_1: 1 entry\n');
  });
});
