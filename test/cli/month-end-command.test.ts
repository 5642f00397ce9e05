// Issue 13 from the CLI, through the real bin: reconcile --report (XLSX read back with exceljs, and CSV),
// report liability --xlsx, report journal with the account names of Settings, mapping import/list,
// and adjustments list filters.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { buildCli, ledgerscope, workDir, writeLines } from './run-cli.js';

const templates = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'stripe', 'templates.json'), 'utf8')) as { payment_intent: Record<string, unknown> };

function intent(id: string, customer: string, amountMinor: number, at: string): Record<string, unknown> {
  return {
    ...templates.payment_intent, id, customer, amount: amountMinor, amount_received: amountMinor, status: 'succeeded', currency: 'usd',
    created: Date.parse(at) / 1000, canceled_at: null, last_payment_error: null, next_action: null, latest_charge: null, metadata: {},
  };
}

// Each case runs the bin a few times; on a shared 2-core machine a spawn takes seconds.
vi.setConfig({ testTimeout: 120_000 });

let dir = '';
let db = '';
beforeAll(() => {
  buildCli();
  dir = workDir();
  db = join(dir, 'ledger.sqlite');
  const ledger = writeLines(dir, 'moesif.jsonl', [
    { company_id: 'cus_A', transaction_id: 'pi_a', type: 'credit', amount: 100, created_at: '2025-01-02T00:00:00Z' },
    { company_id: 'cus_A', transaction_id: 'use-1', type: 'debit', amount: -40.25, created_at: '2025-01-10T00:00:00Z' },
    { company_id: 'cus_B', transaction_id: 'b-credit', type: 'credit', amount: 50.5, created_at: '2025-01-03T00:00:00Z', expire_at: '2025-01-20T00:00:00Z' },
  ]);
  const stripe = join(dir, 'payment_intents.json');
  writeFileSync(stripe, JSON.stringify({ object: 'list', url: '/v1/payment_intents', has_more: false, data: [intent('pi_a', 'cus_A', 10000, '2025-01-02T00:00:00Z'), intent('pi_x', 'cus_A', 1234, '2025-01-05T00:00:00Z')] }));
  expect(ledgerscope('import', ledger, '--db', db).status).toBe(0);
  expect(ledgerscope('import', stripe, '--db', db, '--source', 'stripe').status).toBe(0);
}, 120_000);

async function workbook(path: string): Promise<ExcelJS.Workbook> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(path);
  return book;
}

function rowsOf(sheet: ExcelJS.Worksheet): unknown[][] {
  const rows: unknown[][] = [];
  sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
  return rows;
}

describe('reconcile --report', () => {
  it('totals: the XLSX has one sheet per section, items with their status, totals per category and currency, drift, inputs and sign-off, amounts as numbers', async () => {
    const path = join(dir, 'recon.xlsx');
    const result = ledgerscope('reconcile', '--db', db, '--as-of', '2025-01-31T00:00:00Z', '--report', path);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/wrote the reconciliation report of R\d+-[0-9a-f]{8} to .*recon\.xlsx/);
    const book = await workbook(path);
    expect(book.worksheets.map((sheet) => sheet.name)).toEqual(['Items', 'Totals', 'Drift', 'Inputs', 'Sign-off', 'Run history']);
    const items = rowsOf(book.getWorksheet('Items')!);
    expect(items[0]).toEqual(['item_id', 'category', 'customer_id', 'subscription_id', 'unit', 'stripe_ids', 'ledger_ids', 'expected', 'actual', 'difference', 'status', 'proposal', 'note']);
    const byId = new Map(items.slice(1).map((row) => [row[0], row]));
    expect(byId.get('payment:pi_a')!.slice(1, 11)).toEqual(['matched', 'cus_A', undefined, 'USD', 'pi_a', 'pi_a', 100, 100, 0, 'matched']);
    expect(byId.get('payment:pi_x')!.slice(7, 12)).toEqual([12.34, 0, -12.34, 'open', 'moesif increment 12.34 USD']);
    expect(byId.get('entry:moesif:b-credit')!.slice(7, 11)).toEqual([0, 50.5, 50.5, 'open']);
    const totals = rowsOf(book.getWorksheet('Totals')!);
    expect(totals.slice(1).sort()).toEqual([
      ['matched', 'USD', 1, 0, 100, 100, 0],
      ['missing_in_ledger', 'USD', 1, 1, 12.34, 0, -12.34],
      ['missing_in_stripe', 'USD', 1, 1, 0, 50.5, 50.5],
    ]);
    expect(typeof book.getWorksheet('Totals')!.getRow(2).getCell(5).value).toBe('number');
    const drift = rowsOf(book.getWorksheet('Drift')!);
    expect(drift.slice(1)).toEqual([
      ['cus_A', undefined, 'USD', 112.34, 100, -12.34],
      ['cus_B', undefined, 'USD', 0, 50.5, 50.5],
    ]);
    const inputs = new Map(rowsOf(book.getWorksheet('Inputs')!).slice(1).map(([name, value]) => [name, value]));
    expect(inputs.get('as_of')).toBe('2025-01-31T00:00:00.000Z');
    expect(inputs.get('date_window_days')).toBe('3');
    // The ledger files the run read (Stripe money is counted in payment_count).
    expect(inputs.get('file (import 1)')).toMatch(/moesif\.jsonl \(moesif, 3 records\)$/);
    expect(inputs.get('payment_count')).toBe('2');
    const signOff = new Map(rowsOf(book.getWorksheet('Sign-off')!).slice(1).map(([name, value]) => [name, value]));
    expect(signOff.get('state')).toBe('not signed off');
    expect(signOff.get('open_differences')).toBe('2');
  });

  it('CSV: one table whose section column names items, totals, drift, inputs, sign-off and history', () => {
    const path = join(dir, 'recon.csv');
    expect(ledgerscope('reconcile', '--db', db, '--as-of', '2025-01-31T00:00:00Z', '--json', '--report', path).status).toBe(1);
    const rows = Papa.parse<Record<string, string>>(readFileSync(path, 'utf8'), { header: true, skipEmptyLines: true }).data;
    expect(new Set(rows.map((row) => row.section))).toEqual(new Set(['item', 'total', 'drift', 'input', 'sign_off', 'history']));
    expect(rows.find((row) => row.section === 'item' && row.item_id === 'payment:pi_x')).toMatchObject({ difference: '-12.34', status: 'open' });
    expect(ledgerscope('reconcile', '--db', db, '--report', join(dir, 'recon.pdf')).stderr).toContain('--report: name a .xlsx or .csv file');
  });
});

describe('report liability --xlsx and report journal', () => {
  it('the liability workbook reads back with the roll-forward numbers', async () => {
    const path = join(dir, 'liability.xlsx');
    const result = ledgerscope('report', 'liability', '--db', db, '--from', '2025-01-01', '--to', '2025-02-01', '--xlsx', path);
    expect(result.status).toBe(0);
    const book = await workbook(path);
    expect(book.worksheets.map((sheet) => sheet.name)).toEqual(['Roll-forward', 'Accounts', 'Period']);
    const lines = new Map(rowsOf(book.getWorksheet('Roll-forward')!).slice(1).map((row) => [row[1], row]));
    expect(lines.get('opening balance')!.slice(2, 4)).toEqual([0, 0]);
    expect(lines.get('purchased')!.slice(2, 5)).toEqual([150.5, 150.5, 2]);
    expect(lines.get('consumed')!.slice(2, 5)).toEqual([-40.25, -40.25, 1]);
    expect(lines.get('expired')!.slice(2, 5)).toEqual([-50.5, -50.5, 1]);
    expect(lines.get('closing balance')!.slice(2, 4)).toEqual([59.75, 59.75]);
  });

  it('the journal: deferred revenue and breakage lines (date, account, debit, credit, memo) with the account names from Settings', () => {
    const config = join(dir, 'config');
    const previous = process.env['LEDGERSCOPE_CONFIG_DIR'];
    process.env['LEDGERSCOPE_CONFIG_DIR'] = config;
    try {
      const defaults = ledgerscope('report', 'journal', '--db', db, '--from', '2025-01-01', '--to', '2025-02-01', '--csv');
      expect(defaults.status).toBe(0);
      const rows = Papa.parse<string[]>(defaults.stdout.trim()).data;
      expect(rows[0]).toEqual(['date', 'account', 'debit', 'credit', 'memo']);
      expect(rows.slice(1).map((row) => row.slice(0, 4))).toEqual([
        ['2025-01-31', 'Cash', '150.5', ''],
        ['2025-01-31', 'Deferred Revenue', '', '150.5'],
        ['2025-01-31', 'Deferred Revenue', '40.25', ''],
        ['2025-01-31', 'Revenue', '', '40.25'],
        ['2025-01-31', 'Deferred Revenue', '50.5', ''],
        ['2025-01-31', 'Breakage Revenue', '', '50.5'],
      ]);
      expect(rows[5]![4]).toBe('credits expired (breakage), USD, 2025-01-01T00:00:00.000Z to 2025-02-01T00:00:00.000Z');
      mkdirSync(config, { recursive: true });
      writeFileSync(join(config, 'settings.json'), JSON.stringify({ journal_accounts: { deferred_revenue: '2400 Deferred revenue', breakage: '4900 Breakage' } }));
      const named = Papa.parse<string[]>(ledgerscope('report', 'journal', '--db', db, '--from', '2025-01-01', '--to', '2025-02-01', '--csv').stdout.trim()).data;
      expect(named.slice(5).map((row) => row[1])).toEqual(['2400 Deferred revenue', '4900 Breakage']);
    } finally {
      if (previous === undefined) delete process.env['LEDGERSCOPE_CONFIG_DIR'];
      else process.env['LEDGERSCOPE_CONFIG_DIR'] = previous;
    }
  });
});

describe('mapping and adjustments list', () => {
  it('mapping import writes every row or none; mapping list shows them', () => {
    const bad = join(dir, 'bad-map.csv');
    writeFileSync(bad, 'ledger customer id,stripe customer id\ncus_A,cus_S1\n,cus_S2\n');
    const refused = ledgerscope('mapping', 'import', bad, '--db', db);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('bad-map.csv:3');
    expect(ledgerscope('mapping', 'list', '--db', db).stdout).toBe('no customer mappings\n');
    const good = join(dir, 'map.csv');
    writeFileSync(good, 'ledger customer id,stripe customer id\ncus_A,cus_S1\n');
    expect(ledgerscope('mapping', 'import', good, '--db', db).stdout).toBe('imported 1 mapping from map.csv\n');
    const listed = JSON.parse(ledgerscope('mapping', 'list', '--db', db, '--json').stdout);
    expect(listed.mappings.map((m: any) => [m.ledger_customer_id, m.stripe_customer_id, m.origin])).toEqual([['cus_A', 'cus_S1', 'map.csv']]);
  });

  it('adjustments list refuses an unknown provider or push status, and filters by them', () => {
    expect(ledgerscope('adjustments', 'list', '--db', db, '--provider', 'stripe').stderr).toContain('--provider: expected orb or moesif');
    expect(ledgerscope('adjustments', 'list', '--db', db, '--push-status', 'done').stderr).toContain('--push-status: expected one of pushed, confirmed, failed, not_pushed');
    expect(JSON.parse(ledgerscope('adjustments', 'list', '--db', db, '--customer', 'cus_A', '--push-status', 'failed', '--json').stdout)).toEqual({ adjustments: [] });
  });
});
