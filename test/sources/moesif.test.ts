import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toCanonical } from '../../core/money/decimal.js';
import { parseImportFile } from '../../core/sources/parse.js';
import { fixture, jsonl, plain, problemLines } from './helpers.js';

const CUSTOMER = 'cus_NffrFeUfNV2Hib';
const SUBSCRIPTION = 'sub_1MowQVLkdIwHu7ixeRlqHVzs';

const NONE = { priority: null, targetExpiresAt: null, sourceExpiresAt: null, voidReason: null };

/** The fixture's seven transactions as canonical entries (the same from every shape of the file). */
const EXPECTED = [
  { source: 'moesif', sourceId: 'txn_credit_1', customerId: CUSTOMER, subscriptionId: SUBSCRIPTION, unit: 'USD', kind: 'increment', status: 'posted', amount: '100', at: '2025-01-01T00:00:00.000Z', ordinal: 0, blockId: 'txn_credit_1', effectiveAt: '2025-01-01T00:00:00.000Z', expiresAt: '2025-04-01T00:00:00.000Z', costBasis: '1', ...NONE, description: 'Prepaid credits' },
  { source: 'moesif', sourceId: 'txn_promo_1', customerId: CUSTOMER, subscriptionId: SUBSCRIPTION, unit: 'USD', kind: 'increment', status: 'posted', amount: '25', at: '2024-12-31T23:05:00.000Z', ordinal: 1, blockId: 'txn_promo_1', effectiveAt: null, expiresAt: '2025-01-31T00:00:00.000Z', costBasis: '0', ...NONE, description: 'Welcome bonus' },
  { source: 'moesif', sourceId: 'txn_debit_1', customerId: CUSTOMER, subscriptionId: SUBSCRIPTION, unit: 'USD', kind: 'decrement', status: 'posted', amount: '12.5', at: '2025-01-02T10:00:00.250Z', ordinal: 2, blockId: null, effectiveAt: null, expiresAt: null, costBasis: null, ...NONE, description: 'API usage' },
  { source: 'moesif', sourceId: 'txn_debit_2', customerId: CUSTOMER, subscriptionId: SUBSCRIPTION, unit: 'USD', kind: 'decrement', status: 'pending', amount: '3.25', at: '2025-01-03T10:00:00.000Z', ordinal: 3, blockId: null, effectiveAt: null, expiresAt: null, costBasis: null, ...NONE, description: 'API usage' },
  { source: 'moesif', sourceId: 'txn_adj_1', customerId: CUSTOMER, subscriptionId: null, unit: 'USD', kind: 'decrement', status: 'posted', amount: '5', at: '2025-01-04T00:00:00.000Z', ordinal: 4, blockId: null, effectiveAt: null, expiresAt: null, costBasis: null, ...NONE, description: 'Correction' },
  { source: 'moesif', sourceId: 'txn_adj_2', customerId: CUSTOMER, subscriptionId: null, unit: 'USD', kind: 'increment', status: 'posted', amount: '10', at: '2025-01-05T00:00:00.000Z', ordinal: 5, blockId: 'txn_adj_2', effectiveAt: null, expiresAt: null, costBasis: null, ...NONE, description: null },
  { source: 'moesif', sourceId: 'txn_credit_eur', customerId: 'cus_EUR', subscriptionId: null, unit: 'EUR', kind: 'increment', status: 'posted', amount: '50.5', at: '2025-01-06T00:00:00.000Z', ordinal: 6, blockId: 'txn_credit_eur', effectiveAt: null, expiresAt: null, costBasis: '1', ...NONE, description: null },
];

const SHAPES = [
  ['JSON Lines', 'transactions.jsonl'],
  ['a JSON array', 'transactions.json'],
  ['CSV with a header', 'transactions.csv'],
] as const;

/** A valid debit line with some fields replaced. */
function debit(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { company_id: 'cus_1', transaction_id: 'txn_1', type: 'debit', amount: -1.5, created_at: '2025-01-01T00:00:00Z', ...overrides };
}

describe('Moesif balance transactions', () => {
  describe.each(SHAPES)('read from %s', (_shape, file) => {
    const result = parseImportFile(file, fixture(`moesif/${file}`));

    it('detects Moesif from the content and reports no problem', () => {
      expect(result.format).toBe('moesif');
      expect(problemLines(result)).toEqual([]);
    });

    it('maps credit, promotion, debit, pending debit and both adjustment signs to canonical entries', () => {
      expect(result.entries.map((parsed) => plain(parsed.entry))).toEqual(EXPECTED);
    });

    it('keeps metadata when present and null otherwise', () => {
      expect(result.entries[0]?.metadata).toEqual({ stripe_payment_intent: 'pi_3MtwBwLkdIwHu7ix28a3tqPa' });
      expect(result.entries[2]?.metadata).toBeNull();
    });
  });

  it('L5 the same transaction has the same fingerprint from JSON Lines, a JSON array and CSV', () => {
    const fingerprints = SHAPES.map(([, file]) => parseImportFile(file, fixture(`moesif/${file}`)).entries.map((e) => e.fingerprint));
    expect(fingerprints[1]).toEqual(fingerprints[0]);
    expect(fingerprints[2]).toEqual(fingerprints[0]);
    expect(new Set(fingerprints[0]).size).toBe(EXPECTED.length);
  });

  it('keeps each record as evidence: the JSON Lines line, the CSV row, the array element re-serialised', () => {
    const lines = fixture('moesif/transactions.jsonl').split('\n');
    const fromJsonl = parseImportFile('t.jsonl', fixture('moesif/transactions.jsonl'));
    expect(fromJsonl.entries[2]?.raw).toBe(lines[2]);
    expect(fromJsonl.entries[2]?.origin).toEqual({ file: 't.jsonl', line: 3, pointer: null });

    const fromArray = parseImportFile('t.json', fixture('moesif/transactions.json'));
    expect(fromArray.entries[2]?.origin).toEqual({ file: 't.json', line: null, pointer: '/2' });
    expect(JSON.parse(fromArray.entries[2]?.raw ?? '')).toMatchObject({ transaction_id: 'txn_debit_1', some_future_field: { nested: [1, 2, 3] } });

    const fromCsv = parseImportFile('t.csv', fixture('moesif/transactions.csv'));
    // The debit's row holds a quoted line break: it starts on physical line 4 and spans two.
    expect(fromCsv.entries[2]?.origin).toEqual({ file: 't.csv', line: 4, pointer: null });
    expect(fromCsv.entries[2]?.raw).toContain('"multi\r\nline note, with comma"');
    expect(fromCsv.entries[3]?.origin.line).toBe(6);
    expect(fromCsv.entries[5]?.origin.line).toBe(9); // after a blank line
  });

  it('unit is currency where present, else --unit, else USD', () => {
    const text = jsonl(debit({ transaction_id: 't1' }), debit({ transaction_id: 't2', currency: 'jpy' }), debit({ transaction_id: 't3', currency: 'API calls' }));
    expect(parseImportFile('u.jsonl', text).entries.map((e) => e.entry.unit)).toEqual(['USD', 'JPY', 'API calls']);
    expect(parseImportFile('u.jsonl', text, { unit: 'eur' }).entries.map((e) => e.entry.unit)).toEqual(['EUR', 'JPY', 'API calls']);
  });

  it('a JSON number is read from its literal text: 20 significant digits stay exact', () => {
    const text = jsonl('{"company_id":"c","transaction_id":"t","type":"credit","amount":12345678901234567.891,"created_at":"2025-01-01T00:00:00Z"}');
    const result = parseImportFile('big.jsonl', text);
    expect(problemLines(result)).toEqual([]);
    expect(toCanonical(result.entries[0]!.entry.amount)).toBe('12345678901234567.891');
  });

  it('a JSON array read losslessly keeps long literals exact in the entry and in the evidence', () => {
    const text = '[{"company_id":"c","transaction_id":"t","type":"credit","amount":12345678901234567.50,"created_at":"2025-01-01T00:00:00Z"}]';
    const [parsed] = parseImportFile('big.json', text).entries;
    expect(toCanonical(parsed!.entry.amount)).toBe('12345678901234567.5');
    expect(parsed?.raw).toContain('"amount":12345678901234567.50');
  });

  it('an empty --unit is refused', () => {
    expect(problemLines(parseImportFile('u.jsonl', jsonl(debit()), { unit: ' ' }))).toEqual(['u.jsonl: -: --unit: expected a currency code or unit name, found " "']);
  });

  it('a line read by JSON.parse and the same line read by lossless-json give the same entry', () => {
    const amount = fc.tuple(fc.integer({ min: -99_999_999, max: 99_999_999 }), fc.integer({ min: 0, max: 4 })).map(([units, scale]) => (units / 10 ** scale).toFixed(scale));
    fc.assert(
      fc.property(amount, fc.constantFrom('credit', 'debit', 'adjustment', 'promotion'), fc.integer({ min: 1, max: 9 }), (literal, type, n) => {
        const fast = `{"company_id":"c${n}","transaction_id":"t","type":"${type}","amount":${literal},"created_at":"2025-01-0${n}T00:00:00Z","metadata":{"n":${n}}}`;
        // An unknown field with a 20-digit number sends the line down the lossless path.
        const lossless = fast.replace('{', '{"pad":12345678901234567890,');
        const [a, b] = [fast, lossless].map((line) => parseImportFile('p.jsonl', `${line}\n`, { source: 'moesif' }));
        // Problems agree by field; a message may quote the literal ("0.0") where JSON.parse saw 0.
        expect(b!.problems.map((p) => p.field)).toEqual(a!.problems.map((p) => p.field));
        expect(b!.entries.map((e) => [plain(e.entry), e.fingerprint, e.metadata])).toEqual(a!.entries.map((e) => [plain(e.entry), e.fingerprint, e.metadata]));
      }),
      { numRuns: 500 },
    );
  });

  it('numbers in metadata stay exact and plain when the line needed the lossless parser', () => {
    const text = jsonl('{"company_id":"c","transaction_id":"t","type":"credit","amount":5,"created_at":"2025-01-01T00:00:00Z","metadata":{"order":123456789012345678901,"qty":2,"note":"x"}}');
    const [parsed] = parseImportFile('m.jsonl', text).entries;
    expect(parsed?.metadata).toEqual({ order: '123456789012345678901', qty: 2, note: 'x' });
  });

  describe('bad input names file, line and field', () => {
    it.each([
      ['amount "12,50" (a decimal comma)', { amount: '12,50' }, 'amount: expected a decimal number like "12.50" (no exponent, no thousands separator), found "12,50"'],
      ['amount "1e3" as a string', { amount: '1e3' }, 'amount: expected a decimal number like "12.50" (no exponent, no thousands separator), found "1e3"'],
      ['amount "" (empty)', { amount: '' }, 'amount: expected a decimal number like "12.50" (no exponent, no thousands separator), found ""'],
      ['amount true (wrong type)', { amount: true }, 'amount: expected a decimal number like "12.50" (no exponent, no thousands separator), found true'],
      ['an unknown type', { type: 'refund' }, 'type: expected one of "credit", "promotion", "adjustment", "debit", found "refund"'],
      ['a missing company_id (no customer)', { company_id: undefined }, 'company_id: required field is missing'],
      ['a company_id that is a number', { company_id: 42 }, 'company_id: expected a string, found 42'],
      ['a bad date', { created_at: '2025-02-30T00:00:00Z' }, 'created_at: not a valid date and time, found "2025-02-30T00:00:00Z"'],
      ['a zoneless date-time', { created_at: '2025-01-01T10:00:00' }, 'created_at: a date-time needs a zone ("Z" or an offset like "+02:00"), found "2025-01-01T10:00:00"'],
      ['a debit with a positive amount', { amount: 4.5 }, 'amount: Moesif debits carry negative amounts, found 4.5'],
      ['a credit with a negative amount', { type: 'credit', amount: '-10' }, 'amount: Moesif credits carry positive amounts, found "-10"'],
      ['an amount of zero', { type: 'adjustment', amount: 0 }, 'amount: must not be zero (a transaction of 0 moves no credit), found 0'],
      ['an unknown status', { status: 'void' }, 'status: expected one of "posted", "pending", found "void"'],
      ['metadata that is not an object', { metadata: 'x' }, 'metadata: expected an object, found "x"'],
      ['a credit expiring before it is active', { type: 'credit', amount: 5, active_at: '2025-02-01T00:00:00Z', expire_at: '2025-02-01T00:00:00Z' }, 'expire_at: must be after active_at (the credit would never be usable), found "2025-02-01T00:00:00Z"'],
      ['a credit expiring before it was created', { type: 'credit', amount: 5, expire_at: '2024-12-31' }, 'expire_at: must be after created_at (the credit would never be usable), found "2024-12-31"'],
    ])('%s', (_name, overrides, expected) => {
      const result = parseImportFile('orders.jsonl', jsonl(debit({ transaction_id: 'ok' }), debit(overrides)), { source: 'moesif' });
      expect(problemLines(result)).toEqual([`orders.jsonl:2: ${expected}`]);
      expect(result.entries.map((e) => e.entry.sourceId)).toEqual(['ok']);
    });

    it('a JSON number with an exponent is valid JSON, read exactly from its literal (1e3 is 1000, -1e-05 is 0.00001); as a string it stays an error', () => {
      const text = jsonl(
        '{"company_id":"c","transaction_id":"t1","type":"credit","amount":1e3,"created_at":"2025-01-01T00:00:00Z"}',
        '{"company_id":"c","transaction_id":"t2","type":"debit","amount":-1e-05,"created_at":"2025-01-02T00:00:00Z"}',
        '{"company_id":"c","transaction_id":"t3","type":"debit","amount":-1.25E+1,"created_at":"2025-01-03T00:00:00Z"}',
      );
      const result = parseImportFile('orders.jsonl', text);
      expect(problemLines(result)).toEqual([]);
      expect(result.entries.map((e) => toCanonical(e.entry.amount))).toEqual(['1000', '0.00001', '12.5']);
      const huge = jsonl('{"company_id":"c","transaction_id":"t","type":"credit","amount":1e1000,"created_at":"2025-01-01T00:00:00Z"}');
      expect(problemLines(parseImportFile('orders.jsonl', huge))).toEqual([
        'orders.jsonl:1: amount: expected a decimal number like "12.50" (no exponent, no thousands separator), found 1e1000',
      ]);
    });

    it('reports every problem: each bad field of each record, and lines that are not JSON', () => {
      const text = jsonl(
        debit({ amount: '12,50', created_at: '2025-01-01' + 'T10:00:00' }),
        '{"company_id": "c", "transaction_id": ',
        '',
        '[1, 2]',
        debit({ type: 'gift', company_id: '' }),
      );
      expect(problemLines(parseImportFile('orders.jsonl', text, { source: 'moesif' }))).toEqual([
        'orders.jsonl:1: amount: expected a decimal number like "12.50" (no exponent, no thousands separator), found "12,50"',
        'orders.jsonl:1: created_at: a date-time needs a zone ("Z" or an offset like "+02:00"), found "2025-01-01T10:00:00"',
        "orders.jsonl:2: -: not valid JSON (column 38): Object value expected after ':'",
        'orders.jsonl:4: -: expected a JSON object (one balance transaction), found an array',
        'orders.jsonl:5: company_id: must not be empty',
        'orders.jsonl:5: type: expected one of "credit", "promotion", "adjustment", "debit", found "gift"',
      ]);
    });

    it('a problem in a JSON array names the element by JSON pointer', () => {
      const text = JSON.stringify([debit(), debit({ amount: '12,50' })], null, 2);
      expect(problemLines(parseImportFile('orders.json', text))).toEqual([
        'orders.json#/1: amount: expected a decimal number like "12.50" (no exponent, no thousands separator), found "12,50"',
      ]);
    });

    it('a truncated JSON array is one parse error with its line, and nothing else is read', () => {
      const text = [
        '[',
        '  {"company_id": "c", "transaction_id": "t1", "type": "debit", "amount": -1, "created_at": "2025-01-01T00:00:00Z"},',
        '  {"company_id": "c", "transaction_id": "t2", "type": "debit", "amount": "12,50",',
        '',
      ].join('\n');
      const result = parseImportFile('orders.json', text, { source: 'moesif' });
      expect(result.entries).toEqual([]);
      expect(problemLines(result)).toEqual([
        "orders.json:3: -: not valid JSON (line 3, column 82): Quoted object key expected but reached end of input",
      ]);
    });
  });

  describe('CSV', () => {
    const header = 'company_id,transaction_id,type,amount,created_at';

    it('an unknown column is fine; an empty cell is an absent field', () => {
      const text = `${header},subscription_id,colour\ncus_1,txn_1,debit,-2.50,2025-01-01T00:00:00Z,,blue\n`;
      const result = parseImportFile('orders.csv', text);
      expect(problemLines(result)).toEqual([]);
      expect(result.entries[0]?.entry).toMatchObject({ subscriptionId: null, description: null, kind: 'decrement' });
      expect(toCanonical(result.entries[0]!.entry.amount)).toBe('2.5');
    });

    it('an amount with an exponent in a CSV cell stays an error (CSV amounts are strict text)', () => {
      const text = `${header}\ncus_1,txn_1,debit,-1e-05,2025-01-01T00:00:00Z\n`;
      expect(problemLines(parseImportFile('orders.csv', text))).toEqual([
        'orders.csv:2: amount: expected a decimal number like "12.50" (no exponent, no thousands separator), found "-1e-05"',
      ]);
    });

    it('a missing required column is an error naming it, on the header line', () => {
      const text = 'company_id,transaction_id,kind,amount\ncus_1,txn_1,debit,-2.50\n';
      expect(problemLines(parseImportFile('orders.csv', text, { source: 'moesif' }))).toEqual([
        'orders.csv:1: type: required column is missing from the header',
        'orders.csv:1: created_at: required column is missing from the header (a log of posted bodies has no timestamp: add a created_at column, or name the column that holds the time with --created-at-field <name>)',
      ]);
    });

    it('bad cells name the physical line of their row', () => {
      const text = `${header},description\ncus_1,txn_1,debit,-2.50,2025-01-01T00:00:00Z,"two\nlines"\ncus_1,txn_2,debit,"12,50",2025-01-01T00:00:00Z,x\ncus_1,txn_3,debit\n`;
      expect(problemLines(parseImportFile('orders.csv', text))).toEqual([
        'orders.csv:4: amount: expected a decimal number like "12.50" (no exponent, no thousands separator), found "12,50"',
        'orders.csv:5: -: expected 6 cells as in the header, found 3',
      ]);
    });

    it('a quoted cell that is never closed is reported on the line it opens', () => {
      const text = `${header}\ncus_1,txn_1,debit,"-2.50,2025-01-01T00:00:00Z\n`;
      expect(problemLines(parseImportFile('orders.csv', text, { source: 'moesif' }))).toEqual([
        'orders.csv:2: -: a quoted cell is never closed (missing ")',
      ]);
    });
  });
});
