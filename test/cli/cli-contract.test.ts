import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, ledgerscope, ledgerscopeJson, workDir, writeLines } from './run-cli.js';

beforeAll(() => buildCli(), 60_000);

/** Worked example 1 of DESIGN §4 as Orb create-entry bodies. */
function workedExampleOne(dir: string): string {
  return writeLines(dir, 'orb-bodies.jsonl', [
    { id: 'inc-a', block_id: 'A', customer_id: 'cus_1', created_at: '2025-01-01T00:00:00Z', entry_type: 'increment', amount: 50, expiry_date: '2025-01-15', per_unit_cost_basis: '0' },
    { id: 'inc-b', block_id: 'B', customer_id: 'cus_1', created_at: '2025-01-01T00:00:00Z', entry_type: 'increment', amount: 100, per_unit_cost_basis: '5' },
    { id: 'dec-1', customer_id: 'cus_1', created_at: '2025-01-02T00:00:00Z', entry_type: 'decrement', amount: 70, description: 'usage' },
  ]);
}

describe('ledgerscope CLI contract (DESIGN §7)', () => {
  it('balance --json prints exactly the documented shape (worked example 1: L1 draws the cost-0 block first)', () => {
    const dir = workDir();
    const db = join(dir, 'ledger.sqlite');
    expect(ledgerscope('import', workedExampleOne(dir), '--db', db).status).toBe(0);
    const balance = ledgerscopeJson('balance', '--db', db, '--customer', 'cus_1', '--as-of', '2025-01-03T00:00:00Z');
    expect(balance).toEqual({
      customer_id: 'cus_1',
      as_of: '2025-01-03T00:00:00.000Z',
      accounts: [
        {
          subscription_id: null,
          unit: 'credits',
          current: '80',
          pending: '0',
          available: '80',
          deficit: '0',
          scheduled: '0',
          blocks: [
            { id: 'A', initial: '50', remaining: '0', effective_at: '2025-01-01T00:00:00.000Z', expires_at: '2025-01-15T00:00:00.000Z', cost_basis: '0', priority: null, status: 'depleted' },
            { id: 'B', initial: '100', remaining: '80', effective_at: '2025-01-01T00:00:00.000Z', expires_at: null, cost_basis: '5', priority: null, status: 'active' },
          ],
        },
      ],
    });
  });

  it('L9 as-of: the balance before the decrement is 150, and block A shows expired after its expiry', () => {
    const dir = workDir();
    const db = join(dir, 'ledger.sqlite');
    ledgerscope('import', workedExampleOne(dir), '--db', db);
    const before = ledgerscopeJson('balance', '--db', db, '--customer', 'cus_1', '--as-of', '2025-01-01T12:00:00+02:00');
    expect(before.as_of).toBe('2025-01-01T10:00:00.000Z');
    expect(before.accounts[0].current).toBe('150');
    const later = ledgerscopeJson('blocks', '--db', db, '--customer', 'cus_1', '--as-of', '2025-02-01');
    expect(later.blocks.map((b: { id: string; status: string }) => [b.id, b.status])).toEqual([
      ['A', 'expired'],
      ['B', 'active'],
    ]);
    expect(later.blocks[0]).toMatchObject({ consumed: '50', expired: '0', remaining: '0' });
  });

  it('L2 + L4 via Moesif: deficit repaid by the next credit; a pending debit lowers available only', () => {
    const dir = workDir();
    const db = join(dir, 'ledger.sqlite');
    const file = writeLines(dir, 'moesif.jsonl', [
      { company_id: 'co_9', transaction_id: 'd1', type: 'debit', amount: -30, created_at: '2025-03-01T00:00:00Z' },
      { company_id: 'co_9', transaction_id: 'c1', type: 'credit', amount: 1030, created_at: '2025-03-02T00:00:00Z' },
      { company_id: 'co_9', transaction_id: 'd2', type: 'debit', amount: -250, status: 'pending', created_at: '2025-03-03T00:00:00Z' },
    ]);
    expect(ledgerscope('import', file, '--db', db).status).toBe(0);
    const atDeficit = ledgerscopeJson('balance', '--db', db, '--customer', 'co_9', '--as-of', '2025-03-01T12:00:00Z');
    expect(atDeficit.accounts[0]).toMatchObject({ unit: 'USD', current: '-30', deficit: '30', available: '-30' });
    const now = ledgerscopeJson('balance', '--db', db, '--customer', 'co_9', '--as-of', '2025-03-04');
    expect(now.accounts[0]).toMatchObject({ current: '1000', pending: '-250', available: '750', deficit: '0' });
    expect(now.accounts[0].blocks).toEqual([
      { id: 'c1', initial: '1030', remaining: '1000', effective_at: '2025-03-02T00:00:00.000Z', expires_at: null, cost_basis: '1', priority: null, status: 'active' },
    ]);
  });

  it('worked example 5: a Moesif credit expires with its unused remainder (L3), recorded as an entry', () => {
    const dir = workDir();
    const db = join(dir, 'ledger.sqlite');
    const file = writeLines(dir, 'moesif.json', []);
    writeFileSync(
      file,
      JSON.stringify([
        { company_id: 'co_5', transaction_id: 'credit-100', type: 'credit', amount: 100, created_at: '2025-01-01T00:00:00Z', expire_at: '2025-02-01T00:00:00Z' },
        { company_id: 'co_5', transaction_id: 'usage-4', type: 'debit', amount: -4, created_at: '2025-01-10T00:00:00Z' },
      ]),
    );
    expect(ledgerscope('import', file, '--db', db).status).toBe(0);
    const atExpiry = ledgerscopeJson('balance', '--db', db, '--customer', 'co_5', '--as-of', '2025-02-01T00:00:00Z');
    expect(atExpiry.accounts[0]).toMatchObject({ current: '0', available: '0' });
    expect(atExpiry.accounts[0].blocks[0]).toMatchObject({ id: 'credit-100', remaining: '0', status: 'expired' });
    const entries = ledgerscopeJson('entries', '--db', db, '--customer', 'co_5');
    expect(entries.entries.map((e: any) => [e.ledger_sequence_number, e.kind, e.amount, e.starting_balance, e.ending_balance])).toEqual([
      [1, 'increment', '100', '0', '100'],
      [2, 'decrement', '4', '100', '96'],
      [3, 'expiry', '96', '96', '0'],
    ]);
  });

  it('balances --json lists every account with its customer_id', () => {
    const dir = workDir();
    const db = join(dir, 'ledger.sqlite');
    ledgerscope('import', workedExampleOne(dir), '--db', db);
    const moesif = writeLines(dir, 'm.jsonl', [
      { company_id: 'co_2', subscription_id: 'sub_1', transaction_id: 'p1', type: 'promotion', amount: '12.50', currency: 'EUR', created_at: '2025-01-01T00:00:00Z' },
    ]);
    expect(ledgerscope('import', moesif, '--db', db).status).toBe(0);
    const all = ledgerscopeJson('balances', '--db', db, '--as-of', '2025-01-03T00:00:00Z');
    expect(all.as_of).toBe('2025-01-03T00:00:00.000Z');
    expect(all.accounts.map((a: any) => [a.customer_id, a.subscription_id, a.unit, a.current])).toEqual([
      ['co_2', 'sub_1', 'EUR', '12.5'],
      ['cus_1', null, 'credits', '80'],
    ]);
  });

  it('L5: re-importing the same file changes nothing; changed content is a conflict that writes nothing (exit 2)', () => {
    const dir = workDir();
    const db = join(dir, 'ledger.sqlite');
    const file = workedExampleOne(dir);
    expect(ledgerscope('import', file, '--db', db).status).toBe(0);
    const again = ledgerscope('import', file, '--db', db);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('imported 0 new entries (3 already present)');
    expect(again.stdout).toContain('nothing new: every record is already in the database');
    const changed = readFileSync(file, 'utf8').replace('"amount":70', '"amount":71');
    writeFileSync(join(dir, 'changed.jsonl'), changed);
    const conflict = ledgerscope('import', join(dir, 'changed.jsonl'), '--db', db);
    expect(conflict.status).toBe(2);
    expect(conflict.stderr).toMatch(/changed\.jsonl:3: .*conflict/);
    expect(ledgerscopeJson('balance', '--db', db, '--customer', 'cus_1', '--as-of', '2025-01-03').accounts[0].current).toBe('80');
  });

  it('bad input: every problem on its own line with file, line and field; exit 2; no database created', () => {
    const dir = workDir();
    const db = join(dir, 'never.sqlite');
    const file = writeLines(dir, 'bad.jsonl', [
      { company_id: 'co_1', transaction_id: 't1', type: 'credit', amount: '12,50', created_at: '2025-01-01T00:00:00Z' },
      { company_id: 'co_1', transaction_id: 't2', type: 'refill', amount: 5, created_at: '2025-01-01T00:00:00Z' },
      { transaction_id: 't3', type: 'credit', amount: 5, created_at: '2025-01-01T00:00:00Z' },
      { company_id: 'co_1', transaction_id: 't4', type: 'credit', amount: 5, created_at: '2025-13-01T00:00:00Z' },
    ]);
    const result = ledgerscope('import', file, '--db', db);
    expect(result.status).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^.*bad\.jsonl:1: amount: /),
        expect.stringMatching(/^.*bad\.jsonl:2: type: /),
        expect.stringMatching(/^.*bad\.jsonl:3: company_id: /),
        expect.stringMatching(/^.*bad\.jsonl:4: created_at: /),
      ]),
    );
    expect(existsSync(db) ? statSync(db).size : 0).toBe(0);
  });

  it('a decrement naming an unknown block and an oversized expiration_change are rejected with file:line', () => {
    const dir = workDir();
    const db = join(dir, 'ledger.sqlite');
    const file = writeLines(dir, 'orb.jsonl', [
      { id: 'i1', block_id: 'B1', customer_id: 'c', created_at: '2025-01-01T00:00:00Z', entry_type: 'increment', amount: 10, expiry_date: '2026-01-01' },
      { id: 'v1', customer_id: 'c', created_at: '2025-01-02T00:00:00Z', entry_type: 'void', amount: 5, block_id: 'nope' },
      { id: 'x1', customer_id: 'c', created_at: '2025-01-03T00:00:00Z', entry_type: 'expiration_change', amount: 11, block_id: 'B1', target_expiry_date: '2027-01-01' },
    ]);
    const result = ledgerscope('import', file, '--db', db);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/orb\.jsonl:2: block_id: /);
    expect(ledgerscope('balances', '--db', db).status).toBe(2);
  });

  it('usage errors exit 2 with one line: missing --db, unknown flag, bad --as-of, unknown customer, missing database', () => {
    const dir = workDir();
    const db = join(dir, 'ledger.sqlite');
    ledgerscope('import', workedExampleOne(dir), '--db', db);
    for (const args of [
      ['balance', '--customer', 'cus_1'],
      ['balance', '--db', db, '--customer', 'cus_1', '--frobnicate'],
      ['balance', '--db', db, '--customer', 'cus_1', '--as-of', '2025-01-03T00:00:00'],
      ['balance', '--db', db, '--customer', 'nobody'],
      ['balances', '--db', join(dir, 'missing.sqlite')],
      ['import', '--db', db],
      ['teleport'],
    ]) {
      const result = ledgerscope(...args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n').length, args.join(' ')).toBeGreaterThanOrEqual(1);
      expect(result.stderr, args.join(' ')).not.toMatch(/\n\s+at /); // no stack traces
    }
    expect(existsSync(join(dir, 'missing.sqlite'))).toBe(false);
  });

  it('human output is a readable table', () => {
    const dir = workDir();
    const db = join(dir, 'ledger.sqlite');
    ledgerscope('import', workedExampleOne(dir), '--db', db);
    const text = ledgerscope('balance', '--db', db, '--customer', 'cus_1', '--as-of', '2025-01-03').stdout;
    expect(text).toContain('customer cus_1 as of 2025-01-03T00:00:00.000Z');
    expect(text).toMatch(/credits\s+80\s+0\s+80\s+0\s+0\s+2/);
  });
});
