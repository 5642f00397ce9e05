import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImportJob } from '../../core/host/import-job.js';
import type { ImportPreview } from '../../core/api/types.js';

const NOW = Date.parse('2025-03-01T00:00:00Z');

function moesifLines(records: { company: string; id: string; type: string; amount: string; at: string; currency?: string }[]): string {
  return records
    .map((r) => `{"company_id":"${r.company}","transaction_id":"${r.id}","type":"${r.type}","amount":${r.amount},"created_at":"${r.at}"${r.currency === undefined ? '' : `,"currency":"${r.currency}"`}}`)
    .join('\n');
}

const FILE = moesifLines([
  { company: 'cus_a', id: 'a1', type: 'credit', amount: '100', at: '2025-01-02T00:00:00Z' },
  { company: 'cus_a', id: 'a2', type: 'debit', amount: '-20.5', at: '2025-01-05T00:00:00Z' },
  { company: 'cus_b', id: 'b1', type: 'credit', amount: '50', at: '2025-01-03T00:00:00Z' },
  { company: 'cus_b', id: 'b2', type: 'credit', amount: '70', at: '2025-01-20T12:00:00Z', currency: 'EUR' },
]);

function preview(db: string, text: string, name = 'moesif.jsonl'): ImportPreview {
  const outcome = runImportJob({ kind: 'import.preview', dbPath: db, files: [{ name, text }], now: NOW }, () => {}, () => false);
  if (outcome.type !== 'preview') throw new Error(`expected a preview, got ${JSON.stringify(outcome)}`);
  return outcome.preview;
}

function freshDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'ledgerscope-preview-summary-')), 'ledger.sqlite');
}

describe('import preview summary (issue 14: summarise before writing)', () => {
  it('counts records by kind and by account, gives the date range and totals per unit, writing nothing', () => {
    const db = freshDb();
    const { summary, ok } = preview(db, FILE);
    expect(ok).toBe(true);
    expect(summary.records).toBe(4);
    expect(summary.by_kind).toEqual([
      { kind: 'increment', records: 3 },
      { kind: 'decrement', records: 1 },
    ]);
    expect(summary.account_count).toBe(3);
    expect(summary.accounts).toEqual([
      { customer_id: 'cus_a', subscription_id: null, unit: 'USD', records: 2 },
      { customer_id: 'cus_b', subscription_id: null, unit: 'EUR', records: 1 },
      { customer_id: 'cus_b', subscription_id: null, unit: 'USD', records: 1 },
    ]);
    expect([summary.first_at, summary.last_at]).toEqual(['2025-01-02T00:00:00.000Z', '2025-01-20T12:00:00.000Z']);
    expect(summary.totals).toEqual([
      // scale: the most digits among the unit's amounts in the file, so 150 shows as 150.0 beside 20.5.
      { unit: 'EUR', kind: 'increment', records: 1, total: '70', scale: 0 },
      { unit: 'USD', kind: 'decrement', records: 1, total: '20.5', scale: 1 },
      { unit: 'USD', kind: 'increment', records: 2, total: '150', scale: 1 },
    ]);
    expect([summary.new_records, summary.already_stored]).toEqual([4, 0]);
    expect(existsSync(db)).toBe(false);
  });

  it('L5 an identical re-import is counted as already stored: nothing new', () => {
    const db = freshDb();
    const run = runImportJob({ kind: 'import.run', dbPath: db, files: [{ name: 'moesif.jsonl', text: FILE }], now: NOW }, () => {}, () => false);
    expect(run.type).toBe('imported');
    const again = preview(db, FILE);
    expect(again.ok).toBe(true);
    expect([again.summary.new_records, again.summary.already_stored]).toEqual([0, 4]);
  });

  it('an amount a thousand times the file’s usual one is flagged as a possible unit error', () => {
    const text = moesifLines([
      { company: 'cus_a', id: 'a1', type: 'credit', amount: '100', at: '2025-01-02T00:00:00Z' },
      { company: 'cus_a', id: 'a2', type: 'credit', amount: '120', at: '2025-01-03T00:00:00Z' },
      { company: 'cus_b', id: 'b1', type: 'credit', amount: '90', at: '2025-01-04T00:00:00Z' },
      { company: 'cus_c', id: 'c1', type: 'credit', amount: '123456789012345678901234567890', at: '2025-01-05T00:00:00Z' },
    ]);
    const { summary } = preview(freshDb(), text);
    expect(summary.outliers).toEqual([
      { file: 'moesif.jsonl', line: 4, pointer: null, id: 'c1', unit: 'USD', amount: '123456789012345678901234567890', typical: '110' },
    ]);
    // Ordinary spread (a 10x credit) is not flagged.
    expect(preview(freshDb(), FILE).summary.outliers).toEqual([]);
  });

  it('an unrecognised file points the screen user to the Format choice, not to a command-line flag', () => {
    const result = preview(freshDb(), '{"hello":"world"}\n', 'mystery.json');
    expect(result.ok).toBe(false);
    const message = result.problems[0]!.message;
    expect(message).toContain('Format list on this screen');
    expect(message).not.toContain('--source');
    expect(message).not.toContain('`');
  });
});

describe('import problems on screen name no rule codes (issue 14)', () => {
  it('a broken ledger rule is said in words, its rule id kept for the tooltip', () => {
    const text = `{"entry_type":"increment","customer_id":"c1","id":"e1","amount":10,"created_at":"2025-01-01T00:00:00Z"}\n{"entry_type":"void","customer_id":"c1","id":"e2","amount":5,"block_id":"nope","void_reason":"refund","created_at":"2025-01-02T00:00:00Z"}\n`;
    const result = preview(freshDb(), text, 'rules.jsonl');
    expect(result.ok).toBe(false);
    const problem = result.problems[0]!;
    expect(problem.message).not.toMatch(/\b(L\d+b?|I\d)\b/);
    expect(problem.rule).toMatch(/^(L\d+b?|I\d)$/);
    // The CLI's one-line form keeps it.
    expect(problem.text).toContain(`${problem.rule}: `);
  });
});
