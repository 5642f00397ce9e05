// `ledgerscope report liability` through its command function, on a database built by the real import.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runLiabilityReport } from '../../core/cli/report-command.js';
import { importFiles } from '../../core/import/ledger-files.js';
import { journalLines, liabilityReportFromDb, liabilityReportView } from '../../core/report/index.js';
import { openLedgerDb } from '../../core/store/index.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) }, now: Date.UTC(2025, 5, 1), out, err };
}

const records = [
  { company_id: 'co_1', transaction_id: 'c1', type: 'credit', amount: '100', created_at: '2024-12-20T00:00:00Z' },
  { company_id: 'co_1', transaction_id: 'd1', type: 'debit', amount: '-30', created_at: '2025-01-05T00:00:00Z' },
  { company_id: 'co_1', transaction_id: 'p1', type: 'promotion', amount: '20', created_at: '2025-01-06T00:00:00Z', expire_at: '2025-01-20T00:00:00Z' },
  { company_id: 'co_2', transaction_id: 'e1', type: 'credit', amount: '7.5', created_at: '2025-01-07T00:00:00Z', currency: 'EUR' },
];

let db = '';
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerscope-report-'));
  const file = join(dir, 'moesif.jsonl');
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  db = join(dir, 'ledger.sqlite');
  importFiles(db, [{ path: file, text: records.map((r) => JSON.stringify(r)).join('\n') + '\n' }], { now: Date.UTC(2025, 5, 1) });
});

describe('ledgerscope report liability', () => {
  it('--json: totals per unit and accounts with entry ids per line', () => {
    const ctx = capture();
    expect(runLiabilityReport(ctx, { db, from: '2025-01-01', to: '2025-02-01', json: true, csv: false })).toBe(0);
    const json = JSON.parse(ctx.out.join(''));
    expect(json.from).toBe('2025-01-01T00:00:00.000Z');
    expect(json.totals.map((t: any) => [t.unit, t.opening_balance.credits, t.closing_balance.credits])).toEqual([
      ['EUR', '0', '7.5'],
      ['USD', '100', '70'],
    ]);
    const co1 = json.accounts.find((a: any) => a.customer_id === 'co_1');
    expect(co1.consumed).toEqual({ credits: '-30', value: '-30', entry_count: 1, entry_ids: ['d1'] });
    expect(co1.promotional.entry_ids).toEqual(['p1']);
    expect(co1.expired).toEqual({ credits: '-20', value: '0', entry_count: 1, entry_ids: ['expiry:p1'] });
  });

  it('--unit keeps one unit; --csv has a header and one row per account and per unit total', () => {
    const ctx = capture();
    expect(runLiabilityReport(ctx, { db, from: '2025-01-01', to: '2025-02-01', unit: 'usd', json: false, csv: true })).toBe(0);
    const rows = ctx.out.join('').split('\r\n').filter((line) => line !== '');
    expect(rows).toHaveLength(3);
    expect(rows[1]!.startsWith('account,co_1,,USD,1,100,100,0,')).toBe(true);
    expect(rows[2]!.startsWith('total,,,USD,1,100,100,0,')).toBe(true);
  });

  it('the human report shows the roll-forward per unit', () => {
    const ctx = capture();
    expect(runLiabilityReport(ctx, { db, from: '2025-01-01', to: '2025-02-01', json: false, csv: false })).toBe(0);
    const text = ctx.out.join('');
    expect(text).toContain('credit liability for [2025-01-01T00:00:00.000Z, 2025-02-01T00:00:00.000Z)');
    expect(text).toMatch(/expired \(breakage\)\s+-20\s+0\s+1/);
  });

  it('bad input exits 2 with one line per problem', () => {
    const ctx = capture();
    expect(runLiabilityReport(ctx, { db, from: '2025-02-01', to: '2025-01-01', json: true, csv: true })).toBe(2);
    expect(ctx.err).toEqual([
      '--to: must be after --from (the period is [from, to)), found 2025-02-01 .. 2025-01-01\n',
      'report liability: choose one of --json and --csv\n',
    ]);
    const zoneless = capture();
    expect(runLiabilityReport(zoneless, { db, from: '2025-01-01T00:00:00', to: '2025-02-01', json: false, csv: false })).toBe(2);
    expect(zoneless.err[0]).toMatch(/^--from: a date-time needs a zone/);
    const missing = capture();
    expect(runLiabilityReport(missing, { db: '/nonexistent/ledger.sqlite', from: '2025-01-01', to: '2025-02-01', json: false, csv: false })).toBe(2);
    expect(missing.err[0]).toContain('no such ledger database');
  });
});

describe('liability report: a correction is not usage', () => {
  it('a Moesif "adjustment" that takes credit back (the reversal of a credit) is adjusted, not consumed, and the journal books no revenue for it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledgerscope-report-adjust-'));
    const ledger = [
      { company_id: 'co_1', transaction_id: 'c1', type: 'credit', amount: '100', created_at: '2025-01-02T00:00:00Z' },
      { company_id: 'co_1', transaction_id: 'd1', type: 'debit', amount: '-30', created_at: '2025-01-05T00:00:00Z' },
      // A duplicate credit and its correction: the correction's own type says what it is.
      { company_id: 'co_1', transaction_id: 'c2', type: 'credit', amount: '40', created_at: '2025-01-06T00:00:00Z' },
      { company_id: 'co_1', transaction_id: 'a1', type: 'adjustment', amount: '-40', created_at: '2025-01-07T00:00:00Z', description: 'reverses c2 (an adjustment, not usage)' },
    ];
    const path = join(dir, 'ledger.sqlite');
    importFiles(path, [{ path: 'moesif.jsonl', text: ledger.map((r) => JSON.stringify(r)).join('\n') + '\n' }], { now: Date.UTC(2025, 5, 1) });
    const ctx = capture();
    expect(runLiabilityReport(ctx, { db: path, from: '2025-01-01', to: '2025-02-01', json: true, csv: false })).toBe(0);
    const account = JSON.parse(ctx.out.join('')).accounts[0];
    // 'debit' in the raw text of d1 does not make it a correction, nor the word in a1's description anything else.
    expect(account.consumed).toEqual({ credits: '-30', value: '-30', entry_count: 1, entry_ids: ['d1'] });
    expect(account.adjusted).toEqual({ credits: '-40', value: '-40', entry_count: 1, entry_ids: ['a1'] });
    expect(account.purchased.credits).toBe('140');
    expect(account.closing_balance.credits).toBe('70');

    const db = openLedgerDb(path, { create: false, now: Date.UTC(2025, 5, 1) });
    try {
      const view = liabilityReportView(liabilityReportFromDb(db, { from: Date.UTC(2025, 0, 1), to: Date.UTC(2025, 1, 1) }));
      const names = { cash: 'Cash', deferred_revenue: 'Deferred revenue', revenue: 'Revenue', breakage: 'Breakage' };
      // Revenue is the 30 used, never the 40 taken back.
      expect(journalLines(view, names).filter((line) => line.account === 'Revenue').map((line) => line.credit)).toEqual(['30']);
    } finally {
      db.close();
    }
  });
});
