import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../core/sources/problems.js';

describe('formatProblem', () => {
  it('names file and line for JSON Lines and CSV', () => {
    expect(formatProblem({ file: 'orders.jsonl', line: 12, pointer: null, field: 'amount', message: 'expected a decimal number like "12.50" (no exponent, no thousands separator), found "12,50"' }))
      .toBe('orders.jsonl:12: amount: expected a decimal number like "12.50" (no exponent, no thousands separator), found "12,50"');
  });

  it('names file and JSON pointer for JSON documents', () => {
    expect(formatProblem({ file: 'export.json', line: null, pointer: '/data/3', field: 'entry_type', message: 'bad' })).toBe('export.json#/data/3: entry_type: bad');
  });

  it('names line and pointer for a page on a JSON Lines line', () => {
    expect(formatProblem({ file: 'pages.jsonl', line: 4, pointer: '/data/0', field: 'amount', message: 'bad' })).toBe('pages.jsonl:4#/data/0: amount: bad');
  });

  it('uses "-" as the field when the whole file or record is bad', () => {
    expect(formatProblem({ file: 'x.json', line: null, pointer: null, field: '-', message: 'the file is empty: nothing to import' })).toBe('x.json: -: the file is empty: nothing to import');
  });
});
