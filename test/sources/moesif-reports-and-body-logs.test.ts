// Moesif files beside the documented transaction export: the response of GET /~/billing/reports
// (type=balance_transaction) and logs of the bodies posted to balance_transactions, which carry no time.
import { describe, expect, it } from 'vitest';
import { formatProblem, parseImportFile } from '../../core/sources/index.js';
import { fixture } from './helpers.js';

describe('the billing reports response (GET /~/billing/reports?type=balance_transaction)', () => {
  it('each report is a balance transaction: transaction_id where the report has it, else _id; the sign says credit or debit', () => {
    const result = parseImportFile('reports.json', fixture('moesif/billing-reports-balance-transactions.json'));
    expect(result.problems).toEqual([]);
    expect(result.format).toBe('moesif');
    expect(result.entries.map((p) => [p.entry.sourceId, p.entry.kind, p.entry.amount.toFixed(), new Date(p.entry.at).toISOString(), p.entry.status])).toEqual([
      ['txn_credit_1', 'increment', '100', '2025-01-01T00:00:00.000Z', 'posted'],
      ['6790a1b2c3d4e5f601234568', 'decrement', '12.5', '2025-01-02T10:00:00.250Z', 'posted'],
    ]);
    expect(result.entries[0]!.entry).toMatchObject({ customerId: 'cus_NffrFeUfNV2Hib', subscriptionId: 'sub_1MowQVLkdIwHu7ixeRlqHVzs', blockId: 'txn_credit_1', unit: 'USD' });
    // The evidence is the report as Moesif returned it.
    expect(JSON.parse(result.entries[0]!.raw)).toMatchObject({ _id: '6790a1b2c3d4e5f601234567', ending_balance: { current_balance: 100 } });
  });
});

describe('a log of bodies posted to balance_transactions', () => {
  const bodies = [
    { company_id: 'co_1', transaction_id: 't1', type: 'credit', amount: 50, posted_at: '2025-02-01T00:00:00Z' },
    { company_id: 'co_1', transaction_id: 't2', type: 'debit', amount: -5, posted_at: '2025-02-02T00:00:00Z' },
  ];
  const text = bodies.map((b) => JSON.stringify(b)).join('\n') + '\n';

  it('without a time it fails naming the missing field and how to supply it', () => {
    expect(parseImportFile('bodies.jsonl', text, { source: 'moesif' }).problems.map(formatProblem)).toEqual([
      'bodies.jsonl:1: created_at: required field is missing: a body posted to balance_transactions carries no timestamp; add "created_at" to each record, or name the field that holds the time with --created-at-field <name>',
      'bodies.jsonl:2: created_at: required field is missing: a body posted to balance_transactions carries no timestamp; add "created_at" to each record, or name the field that holds the time with --created-at-field <name>',
    ]);
  });

  it('--created-at-field names the field that holds the time', () => {
    const result = parseImportFile('bodies.jsonl', text, { source: 'moesif', createdAtField: 'posted_at' });
    expect(result.problems).toEqual([]);
    expect(result.entries.map((p) => [p.entry.sourceId, new Date(p.entry.at).toISOString()])).toEqual([
      ['t1', '2025-02-01T00:00:00.000Z'],
      ['t2', '2025-02-02T00:00:00.000Z'],
    ]);
  });

  it('a per-line created_at wins over --created-at-field; a line with neither names the option\'s field', () => {
    const mixed = [
      { ...bodies[0], created_at: '2025-03-01T00:00:00Z' },
      { company_id: 'co_1', transaction_id: 't3', type: 'debit', amount: -1 },
    ].map((b) => JSON.stringify(b)).join('\n');
    const result = parseImportFile('bodies.jsonl', mixed, { source: 'moesif', createdAtField: 'posted_at' });
    expect(result.problems.map(formatProblem)).toEqual([
      'bodies.jsonl:2: posted_at: required field is missing (--created-at-field names it), and the record has no "created_at" either',
    ]);
  });

  it('CSV: the column --created-at-field names stands in for created_at; without it the header error says how to supply it', () => {
    const csv = 'company_id,transaction_id,type,amount,posted_at\nco_1,t1,credit,50,2025-02-01T00:00:00Z\n';
    expect(parseImportFile('bodies.csv', csv, { source: 'moesif' }).problems.map(formatProblem)).toEqual([
      'bodies.csv:1: created_at: required column is missing from the header (a log of posted bodies has no timestamp: add a created_at column, or name the column that holds the time with --created-at-field <name>)',
    ]);
    const result = parseImportFile('bodies.csv', csv, { source: 'moesif', createdAtField: 'posted_at' });
    expect(result.problems).toEqual([]);
    expect(new Date(result.entries[0]!.entry.at).toISOString()).toBe('2025-02-01T00:00:00.000Z');
  });
});
