import { toCanonical } from '../../core/money/decimal.js';
import { describe, expect, it } from 'vitest';
import { parseImportFile } from '../../core/sources/parse.js';
import { fixture, jsonl, plain, problemLines } from './helpers.js';

const ORB = '4khy3nwzktxv7';
const OTHER = '2bqzj7zrmr9ns';
const UNSET = {
  source: 'orb', subscriptionId: null, status: 'posted', blockId: null, effectiveAt: null, expiresAt: null, costBasis: null,
  priority: null, targetExpiresAt: null, sourceExpiresAt: null, voidReason: null, description: null,
};
const BLOCK_1 = { blockId: 'blk_1' };

/** The fixture in replay order: customers by id, then ledger sequence (the file is newest first). */
const EXPECTED = [
  { ...UNSET, sourceId: 'f1', customerId: OTHER, unit: 'USD', kind: 'increment', amount: '20', at: '2022-11-15T00:00:00.000Z', ordinal: 0, blockId: 'blk_9' },
  { ...UNSET, sourceId: 'f2', customerId: OTHER, unit: 'USD', kind: 'decrement', blockId: 'blk_9', amount: '3', at: '2022-11-15T00:00:00.000Z', ordinal: 1, description: 'Usage' },
  { ...UNSET, ...BLOCK_1, sourceId: 'e1', customerId: ORB, unit: 'credits', kind: 'increment', amount: '100', at: '2022-11-01T00:00:00.000Z', ordinal: 2, expiresAt: '2022-12-28T00:00:00.000Z', costBasis: '0.2', description: 'Prepaid purchase' },
  // Decrements appear with either sign: the magnitude is burned (f2 above is positive, e2 negative).
  { ...UNSET, sourceId: 'e2', customerId: ORB, unit: 'credits', kind: 'decrement', blockId: 'blk_1', amount: '5', at: '2022-11-05T00:00:00.000Z', ordinal: 3, description: 'Usage' },
  { ...UNSET, ...BLOCK_1, sourceId: 'e3', customerId: ORB, unit: 'credits', kind: 'expiration_change', amount: '10', at: '2022-11-10T00:00:00.000Z', ordinal: 4, targetExpiresAt: '2023-12-28T00:00:00.000Z' },
  { ...UNSET, ...BLOCK_1, sourceId: 'e4', customerId: ORB, unit: 'credits', kind: 'void', amount: '5', at: '2022-11-18T00:00:00.000Z', ordinal: 5, voidReason: 'refund', description: 'Refund' },
  // void_initiated is a void too, with its own entry_status.
  { ...UNSET, ...BLOCK_1, sourceId: 'e5', customerId: ORB, unit: 'credits', kind: 'void', status: 'pending', amount: '1', at: '2022-11-19T00:00:00.000Z', ordinal: 6 },
  { ...UNSET, ...BLOCK_1, sourceId: 'e6', customerId: ORB, unit: 'credits', kind: 'amendment', amount: '2', at: '2022-11-20T00:00:00.000Z', ordinal: 7, description: 'Give back' },
  // credit_block_expiry is an expiry naming its block; its amount is informational.
  { ...UNSET, ...BLOCK_1, sourceId: 'e7', customerId: ORB, unit: 'credits', kind: 'expiry', amount: '82', at: '2022-12-28T00:00:00.000Z', ordinal: 8 },
];

const SHAPES = [
  ['a page object', 'ledger-page.json', (position: number) => ({ line: null, pointer: `/data/${position}` })],
  ['a JSON array', 'ledger-array.json', (position: number) => ({ line: null, pointer: `/${position}` })],
  ['JSON Lines', 'ledger.jsonl', (position: number) => ({ line: position + 1, pointer: null })],
] as const;

/** A valid export entry with some fields replaced. */
function entry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'x1', ledger_sequence_number: 1, entry_type: 'increment', entry_status: 'committed', amount: 10,
    starting_balance: 0, ending_balance: 10, created_at: '2022-11-01T00:00:00+00:00', currency: 'credits',
    customer: { id: ORB, external_customer_id: null },
    credit_block: { id: 'blk_x', expiry_date: null, per_unit_cost_basis: null },
    description: null, metadata: {}, ...overrides,
  };
}

function page(...data: unknown[]): string {
  return JSON.stringify({ data, pagination_metadata: { has_more: false, next_cursor: null } }, null, 2);
}

describe('Orb ledger export', () => {
  describe.each(SHAPES)('read from %s', (_shape, file, originAt) => {
    const result = parseImportFile(file, fixture(`orb-export/${file}`));

    it('detects orb-export and reads the file without problems', () => {
      expect(result.format).toBe('orb-export');
      expect(problemLines(result)).toEqual([]);
    });

    it('maps every entry type, in replay order (customer, ledger sequence), not the newest-first file order', () => {
      expect(result.entries.map((parsed) => plain(parsed.entry))).toEqual(EXPECTED);
    });

    it('L8 keeps the stated sequence and balances as canonical decimal strings', () => {
      expect(result.entries.map((parsed) => parsed.stated)).toEqual([
        { sequence: 1, startingBalance: '0', endingBalance: '20' },
        { sequence: 2, startingBalance: '20', endingBalance: '17' },
        { sequence: 1, startingBalance: '0', endingBalance: '100' },
        { sequence: 2, startingBalance: '100', endingBalance: '95' },
        { sequence: 3, startingBalance: '95', endingBalance: '95' },
        { sequence: 4, startingBalance: '95', endingBalance: '90' },
        { sequence: 5, startingBalance: '90', endingBalance: '90' },
        { sequence: 6, startingBalance: '90', endingBalance: '92' },
        { sequence: 7, startingBalance: '92', endingBalance: '10' },
      ]);
    });

    it('names each entry where the file has it, and keeps the external customer id for reconciliation', () => {
      // e1 is the last element of the file, f1 the eighth.
      expect(result.entries[2]?.origin).toEqual({ file, ...originAt(8) });
      expect(result.entries[0]?.origin).toEqual({ file, ...originAt(7) });
      expect(result.entries[2]?.externalCustomerId).toBe('cus_NffrFeUfNV2Hib');
      expect(result.entries[0]?.externalCustomerId).toBeNull();
      expect(result.entries[2]?.metadata).toEqual({ invoice: 'in_1' });
      expect(JSON.parse(result.entries[2]?.raw ?? '')).toMatchObject({ id: 'e1', ledger_sequence_number: 1 });
    });
  });

  it('L5 the same entry has the same fingerprint from a page, an array and JSON Lines', () => {
    const [fromPage, fromArray, fromLines] = SHAPES.map(([, file]) => parseImportFile(file, fixture(`orb-export/${file}`)).entries.map((e) => e.fingerprint));
    expect(fromArray).toEqual(fromPage);
    expect(fromLines).toEqual(fromPage);
  });

  it('entries with the same sequence number are ordered by created_at, then by their place in the file', () => {
    const text = jsonl(
      entry({ id: 'b', entry_type: 'decrement', created_at: '2022-11-02T00:00:00Z', ledger_sequence_number: 2 }),
      entry({ id: 'c', entry_type: 'decrement', created_at: '2022-11-01T00:00:00Z', ledger_sequence_number: 2 }),
      entry({ id: 'd', entry_type: 'decrement', created_at: '2022-11-01T00:00:00Z', ledger_sequence_number: 2 }),
      entry({ id: 'a', ledger_sequence_number: 1 }),
    );
    const result = parseImportFile('ties.jsonl', text);
    expect(result.entries.map((e) => [e.entry.sourceId, e.entry.ordinal])).toEqual([['a', 0], ['c', 1], ['d', 2], ['b', 3]]);
  });

  it('a sequence number written 3.0 reads as 3 whichever JSON path reads the line', () => {
    const fast = jsonl('{"id":"a","ledger_sequence_number":3.0,"entry_type":"decrement","amount":1,"created_at":"2022-11-01T00:00:00Z","customer":{"id":"c"}}');
    const lossless = fast.replace('"amount":1', '"amount":1.000000000000000000');
    for (const text of [fast, lossless]) expect(parseImportFile('s.jsonl', text).entries.map((e) => e.stated?.sequence)).toEqual([3]);
  });

  it('JSON Lines whose lines are pages name entries by line and pointer', () => {
    const pageLine = (...data: unknown[]) => JSON.stringify({ data, pagination_metadata: { has_more: true } });
    const text = `${pageLine(entry({ id: 'p1' }))}\n${pageLine(entry({ id: 'p2', ledger_sequence_number: 2 }), entry({ id: 'p3', amount: '12,50' }))}\n`;
    const result = parseImportFile('pages.jsonl', text);
    expect(result.entries.map((e) => e.origin)).toEqual([
      { file: 'pages.jsonl', line: 1, pointer: '/data/0' },
      { file: 'pages.jsonl', line: 2, pointer: '/data/0' },
    ]);
    expect(problemLines(result)).toEqual([
      'pages.jsonl:2#/data/1: amount: expected a decimal number like "12.50" (no exponent, no thousands separator), found "12,50"',
    ]);
  });

  describe('bad input names file, JSON pointer and field', () => {
    it.each([
      ['an unknown entry_type', { entry_type: 'credit' }, 'entry_type: expected one of "increment", "decrement", "expiration_change", "credit_block_expiry", "void", "void_initiated", "amendment", found "credit"'],
      ['a missing customer', { customer: undefined }, 'customer: required field is missing'],
      ['a customer without id', { customer: { external_customer_id: 'x' } }, 'customer.id: required field is missing'],
      ['a void without its credit block', { entry_type: 'void', credit_block: null }, 'credit_block: required field is missing'],
      ['a void of zero', { entry_type: 'void', amount: 0 }, 'amount: must not be zero for entry_type "void", found 0'],
      ['amount "12,50"', { amount: '12,50' }, 'amount: expected a decimal number like "12.50" (no exponent, no thousands separator), found "12,50"'],
      ['an increment with a negative amount', { amount: -10 }, 'amount: must be greater than zero for an increment, found -10'],
      ['a bad ending balance', { ending_balance: '10,0' }, 'ending_balance: expected a decimal number like "12.50" (no exponent, no thousands separator), found "10,0"'],
      ['a bad date', { created_at: '2022-13-01T00:00:00Z' }, 'created_at: not a valid date and time, found "2022-13-01T00:00:00Z"'],
      ['a zoneless date-time', { created_at: '2022-11-01T00:00:00' }, 'created_at: a date-time needs a zone ("Z" or an offset like "+02:00"), found "2022-11-01T00:00:00"'],
      ['a block expiring before the increment', { credit_block: { id: 'b', expiry_date: '2022-10-01' } }, 'credit_block.expiry_date: must be after created_at (the block would never be usable), found "2022-10-01"'],
      ['a fractional sequence number', { ledger_sequence_number: 1.5 }, 'ledger_sequence_number: expected an integer, found 1.5'],
      ['an unknown entry_status', { entry_status: 'done' }, 'entry_status: expected one of "committed", "posted", "pending", found "done"'],
    ])('%s', (_name, overrides, expected) => {
      const result = parseImportFile('export.json', page(entry({ id: 'ok' }), entry(overrides)));
      expect(problemLines(result)).toEqual([`export.json#/data/1: ${expected}`]);
      expect(result.entries.map((e) => e.entry.sourceId)).toEqual(['ok']);
    });

    it('a JSON number with an exponent (Orb writes tiny amounts as 1e-05 or -1e-05) is read exactly from its literal', () => {
      const text = page(entry()).replace('"amount": 10', '"amount": 1e-05');
      const result = parseImportFile('export.json', text);
      expect(problemLines(result)).toEqual([]);
      expect(toCanonical(result.entries[0]!.entry.amount)).toBe('0.00001');
      const tooBig = page(entry()).replace('"amount": 10', '"amount": 1e1000');
      expect(problemLines(parseImportFile('export.json', tooBig))).toEqual([
        'export.json#/data/0: amount: expected a decimal number like "12.50" (no exponent, no thousands separator), found 1e1000',
      ]);
    });

    it('a truncated JSON array is one parse error with its line, and nothing is read', () => {
      const text = fixture('orb-export/ledger-array.json').slice(0, 600);
      const result = parseImportFile('export.json', text);
      expect(result.format).toBe('orb-export');
      expect(result.entries).toEqual([]);
      expect(problemLines(result)).toEqual([
        "export.json:26: -: not valid JSON (line 26, column 15): End of string '\"' expected but reached end of input",
      ]);
    });

    it('a JSON object that is not a page is refused with the shapes that are accepted', () => {
      expect(problemLines(parseImportFile('export.json', JSON.stringify({ entries: [entry()] }, null, 2), { source: 'orb-export' }))).toEqual([
        'export.json: -: expected a JSON array of entries, a page object {"data": [...], "pagination_metadata": ...} or JSON Lines',
      ]);
    });
  });
});
