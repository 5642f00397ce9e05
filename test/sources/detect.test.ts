import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../core/sources/detect.js';
import { parseImportFile } from '../../core/sources/parse.js';
import { formatProblem } from '../../core/sources/problems.js';
import { fixture, jsonl } from './helpers.js';

describe('format detection from content', () => {
  it.each([
    ['moesif/transactions.jsonl', 'moesif'],
    ['moesif/transactions.json', 'moesif'],
    ['moesif/transactions.csv', 'moesif'],
    ['orb-bodies/entries.jsonl', 'orb-bodies'],
    ['orb-export/ledger-page.json', 'orb-export'],
    ['orb-export/ledger-array.json', 'orb-export'],
    ['orb-export/ledger.jsonl', 'orb-export'],
    ['detect/stripe-payment-intents.json', 'stripe'],
    ['detect/stripe-objects.jsonl', 'stripe'],
    ['detect/stripe-unified-payments.csv', 'stripe-csv'],
    ['detect/stripe-payments-created.csv', 'stripe-csv'],
  ])('%s is %s', (path, format) => {
    expect(detectFormat(path, fixture(path))).toBe(format);
  });

  it('looks at the content, not the extension', () => {
    expect(detectFormat('ledger.csv', fixture('orb-export/ledger.jsonl'))).toBe('orb-export');
    expect(detectFormat('export.json', fixture('moesif/transactions.csv'))).toBe('moesif');
  });

  it('an export entry with entry_type and starting_balance but no sequence number is orb-export', () => {
    expect(detectFormat('x.jsonl', jsonl({ id: 'e', entry_type: 'decrement', starting_balance: 5, customer: { id: 'c' } }))).toBe('orb-export');
  });

  it('a page object is orb-export even when empty', () => {
    expect(detectFormat('x.json', '{"data": [], "pagination_metadata": {"has_more": false}}')).toBe('orb-export');
  });

  it('a first line that is not JSON does not hide the format of the next ones', () => {
    expect(detectFormat('x.jsonl', `{oops\n${JSON.stringify({ company_id: 'c', transaction_id: 't' })}\n`)).toBe('moesif');
  });

  it('a truncated JSON document is still recognised by its field names, so its reader can report the break', () => {
    const truncated = fixture('orb-export/ledger-page.json').slice(0, 400);
    expect(detectFormat('export.json', truncated)).toBe('orb-export');
  });

  it.each([
    ['detect/unknown.json'],
    ['detect/unknown.csv'],
  ])('%s cannot be told: the problem lists the formats tried and how to pass --source', (path) => {
    const problem = detectFormat(path, fixture(path));
    expect(typeof problem).toBe('object');
    const line = formatProblem(problem as Exclude<typeof problem, string>);
    expect(line).toMatch(new RegExp(`^${path.replace('.', '\\.')}: -: cannot tell which format this file is: tried moesif`));
    for (const format of ['moesif', 'orb-bodies', 'orb-export', 'stripe', 'stripe-csv']) expect(line).toContain(format);
    expect(line).toContain('--source moesif|orb-bodies|orb-export|stripe|stripe-csv');
  });

  it('a byte-order mark before a JSON document is ignored', () => {
    const result = parseImportFile('bom.json', `\ufeff${fixture('orb-export/ledger-page.json')}`);
    expect(result.format).toBe('orb-export');
    expect(result.problems).toEqual([]);
    expect(result.entries).toHaveLength(9);
  });

  it('an empty file is a problem, not an empty import of some format', () => {
    expect(detectFormat('empty.jsonl', '\n  \n')).toEqual({ file: 'empty.jsonl', line: null, pointer: null, field: '-', message: 'the file is empty: nothing to import' });
  });

  it('an undetectable file parses to no format, no entries and the one detection problem', () => {
    const result = parseImportFile('unknown.json', fixture('detect/unknown.json'));
    expect(result.format).toBeNull();
    expect(result.entries).toEqual([]);
    expect(result.problems).toHaveLength(1);
  });

  it('--source skips detection', () => {
    const result = parseImportFile('t.jsonl', jsonl({ company_id: 'c', transaction_id: 't', type: 'debit', amount: -1, created_at: '2025-01-01' }), { source: 'orb-export' });
    expect(result.format).toBe('orb-export');
    expect(result.problems.map(formatProblem)).toContain('t.jsonl:1: entry_type: required field is missing');
  });

  it.each([['detect/stripe-payment-intents.json', 'stripe'], ['detect/stripe-unified-payments.csv', 'stripe-csv']])(
    'Stripe files are read by the Stripe parsers (payments beside the entries): %s',
    (path, format) => {
      const result = parseImportFile('pay', fixture(path));
      expect(result.format).toBe(format);
      expect(result.entries).toEqual([]);
      expect(result.problems.map(formatProblem)).toEqual([]);
      expect(result.stripe?.payments.length).toBeGreaterThan(0);
    },
  );
});
