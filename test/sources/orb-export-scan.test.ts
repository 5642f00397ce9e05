// The fast Orb export scanner (core/sources/orb-export-scan.ts) against the full reader (orb-export.ts):
// every line it takes reads to the same values, every line it leaves is read by the full reader, and a
// file gives the same problems and the same entries either way. Seeded: LEDGER_SEED=<n> replays a failure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drawnBlock } from '../../core/audit/drawn-block.js';
import { generateOrbExportJsonl } from '../../core/audit/generate-orb-export.js';
import { toCanonical } from '../../core/money/decimal.js';
import { SCAN_DECREMENT, SCAN_EXPIRY, SCAN_INCREMENT, scaledCanonical, scanOrbExportJsonl, type OrbExportScan } from '../../core/sources/orb-export-scan.js';
import { parseImportFile } from '../../core/sources/parse.js';
import { formatProblem } from '../../core/sources/problems.js';
import { readShape } from '../../core/sources/records.js';
import type { ParsedEntry } from '../../core/sources/types.js';

const seed = process.env.LEDGER_SEED === undefined ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : Number(process.env.LEDGER_SEED);
// eslint-disable-next-line no-console
console.log(`orb export scan: LEDGER_SEED=${seed}`);

const KINDS = { increment: SCAN_INCREMENT, decrement: SCAN_DECREMENT, expiry: SCAN_EXPIRY } as Record<string, number>;

/** What the scanner must hold for a record, from the full reader's entry. */
function expected(parsed: ParsedEntry): Record<string, unknown> {
  const entry = parsed.entry;
  const drawn = entry.kind === 'decrement' ? drawnBlock(parsed) : null;
  return {
    id: entry.sourceId,
    line: parsed.origin.line,
    kind: KINDS[entry.kind],
    sequence: parsed.stated?.sequence,
    at: entry.at,
    amount: toCanonical(entry.amount),
    starting: parsed.stated?.startingBalance,
    ending: parsed.stated?.endingBalance,
    customer: entry.customerId,
    unit: entry.unit,
    block: drawn === null ? entry.blockId : drawn.id,
    expiresAt: drawn === null ? entry.expiresAt : drawn.expiresAt(),
    costBasis: entry.costBasis === null ? null : toCanonical(entry.costBasis),
  };
}

function columns(scan: OrbExportScan, r: number): Record<string, unknown> {
  const expiresAt = scan.expiresAt[r]!;
  const costBasis = scan.costBasis[r]!;
  return {
    id: scan.id(r),
    line: scan.line[r],
    kind: scan.kind[r],
    sequence: scan.sequence[r],
    at: scan.at[r],
    amount: scaledCanonical(scan.amount[r]!, scan.amountScale[r]!),
    starting: scaledCanonical(scan.starting[r]!, scan.startingScale[r]!),
    ending: scaledCanonical(scan.ending[r]!, scan.endingScale[r]!),
    customer: scan.customers[scan.customer[r]!],
    unit: scan.units[scan.unit[r]!],
    block: scan.blocks[scan.block[r]!],
    expiresAt: Number.isNaN(expiresAt) ? null : expiresAt,
    costBasis: costBasis < 0 ? null : scan.costBases[costBasis],
  };
}

/** A ParsedEntry as plain data, ordinal left out (the scanner's callers order entries themselves). */
function plainParsed(parsed: ParsedEntry): unknown {
  const json = JSON.parse(JSON.stringify(parsed)) as { entry: { ordinal?: number } };
  delete json.entry.ordinal;
  return json;
}

/** Scans `text` and checks it against the full reader; returns the scan. */
function agree(text: string, file = 'export.jsonl'): OrbExportScan {
  // The audit scans only files that read as JSON Lines (readShape), as these do.
  expect(readShape(text).kind).toBe('jsonl');
  const scan = scanOrbExportJsonl(file, text);
  const full = parseImportFile(file, text, { source: 'orb-export' });
  expect(scan.problems.map(formatProblem)).toEqual(full.problems.map(formatProblem));
  expect(scan.records).toBe(full.entries.length);
  // Full entries by where they are (file order): scanned records and slow lines must account for all.
  const byPlace = new Map(full.entries.map((parsed) => [`${parsed.origin.line}#${parsed.origin.pointer}`, parsed]));
  for (let r = 0; r < scan.count; r++) {
    const parsed = byPlace.get(`${scan.line[r]}#null`);
    expect(parsed, `line ${scan.line[r]} scanned but not read by the full reader`).toBeDefined();
    expect(columns(scan, r)).toEqual(expected(parsed!));
    expect(plainParsed(scan.parsed(r))).toEqual(plainParsed(parsed!));
    byPlace.delete(`${scan.line[r]}#null`);
  }
  for (const slow of scan.slow) {
    const key = `${slow.parsed.origin.line}#${slow.parsed.origin.pointer}`;
    expect(plainParsed(slow.parsed)).toEqual(plainParsed(byPlace.get(key)!));
    byPlace.delete(key);
  }
  expect([...byPlace.keys()]).toEqual([]);
  // File positions: scanned and slow records numbered 0.. in file order.
  const found = [...Array.from(scan.found.subarray(0, scan.count)), ...scan.slow.map((slow) => slow.found)].sort((a, b) => a - b);
  expect(found).toEqual(Array.from({ length: scan.records }, (_, i) => i));
  return scan;
}

const BASE = {
  id: 'e1', ledger_sequence_number: 1, entry_type: 'increment', entry_status: 'committed', amount: 10,
  starting_balance: 0, ending_balance: 10, created_at: '2024-01-01T00:00:00.000Z', currency: 'credits',
  customer: { id: 'cus_1', external_customer_id: 'ext_1' },
  credit_block: { id: 'blk_1', expiry_date: '2024-03-01T00:00:00+00:00', filters: [], per_unit_cost_basis: '0.10' },
  description: null, metadata: {},
};

function line(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...BASE, ...overrides });
}

/** `line` with the JSON text of one value replaced, for number literals JSON.stringify cannot write. */
function withLiteral(key: string, literal: string, overrides: Record<string, unknown> = {}): string {
  return line({ ...overrides, [key]: '@@' }).replace('"@@"', literal);
}

/** A valid first line: a file whose first line is not a JSON object is not read as JSON Lines at all. */
const FIRST = line({ id: 'first' });

describe('Orb export scanner', () => {
  it('takes every line of a generated export (the template path) and reads them as the full reader does', () => {
    const text = generateOrbExportJsonl({ entries: 2_000, accounts: 7, seed: 3 });
    const scan = agree(text);
    expect(scan.count).toBe(2_000);
    expect(scan.slow).toEqual([]);
  });

  it('numbers block ids one for one across thousands of blocks (the block table grows as it fills)', () => {
    const text = generateOrbExportJsonl({ entries: 20_000, accounts: 150, seed: 5 });
    const scan = agree(text);
    expect(scan.blocks.length).toBeGreaterThan(1_024);
    expect(new Set(scan.blocks).size).toBe(scan.blocks.length);
    for (let r = 0; r < scan.count; r++) expect(scan.internBlock(scan.blocks[scan.block[r]!]!)).toBe(scan.block[r]);
  });

  it('takes the same records in another key order, with whitespace, string amounts and no filters (the key-by-key path)', () => {
    const record = { ...BASE, credit_block: { per_unit_cost_basis: '0.5', id: 'blk_2', expiry_date: null } };
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(record).reverse()), null, 1).replace(/\n/g, ' ');
    const scan = agree([reordered, line({ id: 'e2', amount: '12.50', starting_balance: '-0', ending_balance: '12.5' }), `  ${line({ id: 'e3' })}\t`].join('\n'));
    expect(scan.count).toBe(3);
  });

  it.each([
    ['-0', '-0'],
    ['0.10', '0.10'],
    ['1e3 (an exponent: the full reader words the problem)', '1e3'],
    ['1E-2', '1E-2'],
    ['a long decimal', '0.000000000000000000000000000001'],
    ['a very long decimal', '123456789012345678901234567890.123456789'],
    ['16 significant digits', '1234567890.123456'],
    ['15 significant digits', '12345678901234.5'],
    ['a leading zero', '012'],
    ['a string with a plus', '"+5"'],
    ['a string with leading zeros', '"0012.50"'],
    ['a string with an exponent', '"1e3"'],
    ['an empty string', '""'],
    ['a bare fraction', '".5"'],
    ['null', 'null'],
    ['true', 'true'],
  ])('amount %s', (_name, literal) => {
    agree([FIRST, withLiteral('amount', literal), withLiteral('amount', literal, { id: 'd1', entry_type: 'decrement', ledger_sequence_number: 2 }), withLiteral('ending_balance', literal, { id: 'e9' })].join('\n'));
  });

  it.each([
    ['unicode in a description', line({ description: 'crédit ✓ 🚀 日本' })],
    ['an escaped quote in a description', line({ description: 'say "hi"' })],
    ['an escaped backslash in an id', line({ id: 'e\\1' })],
    ['a \\u escape in a customer id', line({ customer: { id: 'cus_\u00e9', external_customer_id: null } }).replace('é', '\\u00e9')],
    ['a control character in a string (invalid JSON)', line().replace('"e1"', '"e\u00011"')],
    ['pending', line({ entry_status: 'pending' })],
    ['posted, null status, no status', [line({ entry_status: 'posted' }), line({ id: 'e2', entry_status: null }), line({ id: 'e3', entry_status: undefined })].join('\n')],
    ['a bad status', line({ entry_status: 'done' })],
    ['a void with void_amount', line({ entry_type: 'void', void_amount: 3, void_reason: 'refund', amount: -3 })],
    ['an amendment and an expiration change', [line({ entry_type: 'amendment' }), line({ id: 'e2', entry_type: 'expiration_change', new_block_expiry_date: '2025-01-01' })].join('\n')],
    ['a credit_block_expiry with a zero amount', line({ entry_type: 'credit_block_expiry', amount: 0 })],
    ['a zero decrement', line({ entry_type: 'decrement', amount: 0 })],
    ['a negative increment', line({ amount: -5 })],
    ['a negative cost basis', line({ credit_block: { ...BASE.credit_block, per_unit_cost_basis: '-1' } })],
    ['a numeric cost basis', withLiteral('x', '0', { credit_block: { ...BASE.credit_block, per_unit_cost_basis: 0.25 } })],
    ['an expiry before created_at', line({ credit_block: { ...BASE.credit_block, expiry_date: '2023-01-01' } })],
    ['a date-only expiry and an offset created_at', line({ created_at: '2024-01-01T02:00:00+02:00', credit_block: { ...BASE.credit_block, expiry_date: '2024-02-01' } })],
    ['a bad created_at', line({ created_at: '2024-13-01T00:00:00Z' })],
    ['a created_at without zone', line({ created_at: '2024-01-01T00:00:00' })],
    ['a decrement whose block has an unreadable expiry', line({ entry_type: 'decrement', credit_block: { id: 'b', expiry_date: 'soon' } })],
    ['a decrement without credit_block', line({ entry_type: 'decrement', credit_block: null })],
    ['an expiry without credit_block', line({ entry_type: 'credit_block_expiry', credit_block: null })],
    ['a credit_block with filters', line({ credit_block: { ...BASE.credit_block, filters: [{ id: 'f1', property_key: 'item_id' }] } })],
    ['credit_block also inside metadata', line({ metadata: { credit_block: { id: 'other' } } })],
    ['metadata with content', line({ metadata: { k: [1, 2.5, -0, true, null, { x: 'y' }], n: 1e400 } }).replace('null}}', '1e400}}')],
    ['metadata that is an array', line({ metadata: [] })],
    ['missing id, customer, created_at', [line({ id: undefined }), line({ customer: undefined }), line({ created_at: undefined })].join('\n')],
    ['an empty id and an empty customer id', [line({ id: '' }), line({ customer: { id: '' } })].join('\n')],
    ['no ledger_sequence_number or balances', [line({ ledger_sequence_number: null }), line({ id: 'e2', starting_balance: undefined })].join('\n')],
    ['a fractional, negative or huge sequence number', [withLiteral('ledger_sequence_number', '3.0'), withLiteral('ledger_sequence_number', '-1'), withLiteral('ledger_sequence_number', '12345678901234567')].join('\n')],
    ['currency usd, empty, blank, null, absent', [line({ currency: 'usd' }), line({ id: 'e2', currency: '' }), line({ id: 'e3', currency: ' ' }), line({ id: 'e4', currency: null }), line({ id: 'e5', currency: undefined })].join('\n')],
    ['a repeated key', line().replace('"amount":10', '"amount":10,"amount":20')],
    ['a page on one line', JSON.stringify({ data: [JSON.parse(line()), JSON.parse(line({ id: 'e2' }))], pagination_metadata: { has_more: false } })],
    ['invalid JSON, a blank line, CRLF, trailing text', [line(), '', '{"id": ', line({ id: 'e2' }) + '\r', line({ id: 'e3' }) + ' x'].join('\n')],
    ['not an object', ['[1,2]', '"text"', '42'].join('\n')],
    ['a CR before more text on the line, then a CR at the very end of the file', [line({ id: 'e2' }) + '\rx', line({ id: 'e3' }) + '\r\r', line({ id: 'e4' }) + '\r'].join('\n')],
  ])('%s', (_name, text) => {
    agree(`${FIRST}\n${text}`);
    agree(`\ufeff${FIRST}\r\n${text}\n`);
  });

  it('agrees with the full reader on random records', () => {
    const decimal = fc.oneof(
      fc.constantFrom('0', '-0', '1', '10', '0.10', '12.5', '-12.50', '1e3', '0.000001', '99999999999999.9', '999999999999999.9', '00.5'),
      fc.tuple(fc.boolean(), fc.nat({ max: 10 ** 9 }), fc.nat({ max: 9999 })).map(([negative, whole, fraction]) => `${negative ? '-' : ''}${whole}.${fraction}`),
    );
    const amountText = fc.tuple(decimal, fc.boolean()).map(([text, quoted]) => (quoted || /^0\d|e/.test(text) ? JSON.stringify(text) : text));
    const text = fc.oneof(fc.constantFrom('a', 'b', 'blk_1', 'crédit', 'x"y', 'back\\slash', '', ' '), fc.string({ maxLength: 6 }));
    const instant = fc.constantFrom('2024-01-01T00:00:00Z', '2024-01-01T00:00:00.000Z', '2024-02-01', '2024-01-05T10:00:00+01:00', '2024-02-30T00:00:00Z', 'soon', '2024-01-01T00:00:00');
    const record = fc.record(
      {
        id: text,
        ledger_sequence_number: fc.oneof(fc.nat({ max: 1000 }), fc.constant(null)),
        entry_type: fc.constantFrom('increment', 'decrement', 'credit_block_expiry', 'void', 'amendment'),
        entry_status: fc.constantFrom('committed', 'posted', 'pending', null),
        amount: amountText,
        starting_balance: amountText,
        ending_balance: amountText,
        created_at: instant,
        currency: fc.constantFrom('credits', 'USD', 'usd', '', null),
        customer: fc.record({ id: text, external_customer_id: fc.oneof(text, fc.constant(null)) }, { requiredKeys: ['id'] }),
        credit_block: fc.oneof(
          fc.constant(null),
          fc.record({ id: text, expiry_date: fc.oneof(instant, fc.constant(null)), per_unit_cost_basis: fc.oneof(decimal, fc.constant(null)) }, { requiredKeys: [] }),
        ),
        description: fc.oneof(text, fc.constant(null)),
        metadata: fc.constantFrom({}, null, { a: 1 }),
      },
      { requiredKeys: ['id', 'entry_type', 'amount', 'created_at', 'customer'] },
    );
    const lineOf = (value: Record<string, unknown>, shuffle: boolean) => {
      const entries = Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}:${key.endsWith('balance') || key === 'amount' ? item : JSON.stringify(item)}`);
      if (shuffle) entries.reverse();
      return `{${entries.join(',')}}`;
    };
    fc.assert(
      fc.property(fc.array(fc.tuple(record, fc.boolean()), { minLength: 1, maxLength: 12 }), (records) => {
        agree([FIRST, ...records.map(([value, shuffle]) => lineOf(value, shuffle))].join('\n'));
      }),
      { seed, numRuns: 300 },
    );
  });
});
