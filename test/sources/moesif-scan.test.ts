import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toCanonical } from '../../core/money/decimal.js';
import { parseMoesif } from '../../core/sources/moesif.js';
import { MoesifLineFields, MoesifLineScanner } from '../../core/sources/moesif-scan.js';
import type { ImportProblem, ParsedEntry } from '../../core/sources/types.js';

/** Everything an import takes from a parsed entry, amounts as canonical text. */
function comparable(parsed: ParsedEntry): unknown {
  const record = parsed as ParsedEntry & { amountCanonical: string; costBasisCanonical: string | null };
  return {
    entry: { ...parsed.entry, amount: toCanonical(parsed.entry.amount), costBasis: parsed.entry.costBasis === null ? null : toCanonical(parsed.entry.costBasis) },
    origin: parsed.origin,
    raw: parsed.raw,
    metadata: parsed.metadata,
    fingerprint: parsed.fingerprint,
    stated: parsed.stated,
    amountCanonical: record.amountCanonical,
    costBasisCanonical: record.costBasisCanonical,
  };
}

function parse(text: string, scanLines: boolean, unit?: string): { entries: unknown[]; problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  const entries = parseMoesif('t.jsonl', text, { kind: 'jsonl' }, unit, problems, null, scanLines).map(comparable);
  return { entries, problems };
}

const digitText = (min: number, max: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((d) => d.join(''));

/** Number literals as JSON writers print them, and odd ones: exponents, long fractions, -0, invalid JSON. */
const numberLiteral = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom('', '-'), digitText(1, 8), fc.option(digitText(1, 8), { nil: null })).map(([sign, int, frac]) => `${sign}${int.replace(/^0+(?=\d)/, '')}${frac === null ? '' : `.${frac}`}`) },
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  { weight: 2, arbitrary: fc.constantFrom('1e-7', '-1E+3', '0.1000000000000000055511', '-123456789012345.6', '12345678901234.56', '-0', '0.0', '00', '1.', '-', '.5', '1.2.3', '50.0', '-3.25') },
);

/** Strings: printable, unicode (astral, lone surrogates), escapes written by JSON.stringify or by hand. */
const stringLiteral = fc.oneof(
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
  fc.string({ unit: 'grapheme', maxLength: 8 }).map((s) => JSON.stringify(s)),
  fc.string({ unit: 'binary', maxLength: 6 }).map((s) => JSON.stringify(s)),
  fc.constantFrom('"caf\\u00e9"', '"a\\"b"', '"tab\there"', '"line\\nfeed"', '"\\\\"', '""', '"é"', '"😀"', '"\\ud800"'),
);

const instantLiteral = fc.oneof(
  fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }).chain((ms) =>
    fc.constantFrom(
      new Date(ms).toISOString(),
      new Date(ms).toISOString().replace('.000Z', 'Z'),
      new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
      new Date(ms).toISOString().replace(/Z$/, '123-05:30'),
      new Date(ms).toISOString().slice(0, 10),
    ),
  ).map((s) => JSON.stringify(s)),
  fc.constantFrom('"2024-02-30T00:00:00Z"', '"2024-01-01T00:00:00"', '"2024-01-01T24:00:00+00:00"', '"yesterday"', '""', '1704067200'),
);

const anyValue = fc.oneof(stringLiteral, numberLiteral, fc.constantFrom('null', 'true', 'false', '{}', '{"a": 1}', '[1, 2]', 'nul', 'True'));

const goodInstant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }).chain((ms) =>
  fc.constantFrom(
    new Date(ms).toISOString(),
    new Date(ms).toISOString().replace('.000Z', 'Z'),
    new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    new Date(ms).toISOString().replace(/Z$/, '123-05:30'),
  ),
).map((s) => JSON.stringify(s));

/** Mostly `good`, sometimes anything: most lines read without a problem, some fail in one field. */
const mostly = (good: fc.Arbitrary<string>) => fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: anyValue });

/** A value for a known key. */
const valueFor: Record<string, fc.Arbitrary<string>> = {
  company_id: mostly(fc.oneof(fc.constantFrom('"cus_1"', '"cus_000002"', '"cus_é"'), stringLiteral)),
  subscription_id: mostly(fc.oneof(fc.constantFrom('"sub_1"', '""', 'null'), stringLiteral)),
  transaction_id: mostly(fc.nat(50).map((n) => `"txn_${n}"`)),
  type: mostly(fc.constantFrom('"credit"', '"promotion"', '"adjustment"', '"adjustment"', '"adjustment"', '"debit"', '"refund"', '"balance_transaction"')),
  amount: mostly(numberLiteral),
  created_at: mostly(instantLiteral),
  active_at: mostly(goodInstant),
  expire_at: mostly(goodInstant),
  description: mostly(fc.oneof(stringLiteral, fc.constantFrom('null', '""'))),
  status: mostly(fc.constantFrom('"posted"', '"pending"', 'null', '"void"')),
  currency: mostly(fc.constantFrom('"usd"', '"EUR"', '"credits"', '" "', '""', 'null')),
  metadata: mostly(fc.constantFrom('null', '{}', '{"plan": "pro", "n": 1e3}', '"x"')),
};
const REQUIRED = ['company_id', 'transaction_id', 'type', 'amount', 'created_at'];
const OPTIONAL = ['subscription_id', 'active_at', 'expire_at', 'description', 'status', 'currency', 'metadata'];
const extraKey = fc.oneof(fc.constantFrom('"_id"', '"org_id"', '"__proto__"', '"typ\\u0065"', '"amount"', '"note"'), stringLiteral);

/** One line as a writer would print it: Python's ", " and ": ", compact, or odd JSON whitespace. */
const line = fc
  .record({
    required: fc.oneof({ weight: 4, arbitrary: fc.constant(REQUIRED) }, { weight: 1, arbitrary: fc.subarray(REQUIRED, { minLength: 3 }) }),
    optional: fc.subarray(OPTIONAL),
    extras: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, fc.array(fc.tuple(extraKey, anyValue), { maxLength: 2 })),
    style: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(['": ', ', '], ['":', ',']) }, fc.constantFrom(['" : ', ' ,\t'], ['":  ', ','])),
    wrap: fc.oneof({ weight: 12, arbitrary: fc.constant(['{', '}']) }, fc.constantFrom(['{', '} '], [' {', '}'], ['{', ''], ['[', ']'])),
  })
  .chain(({ required, optional, extras, style, wrap }) => {
    const keys = [...required, ...optional];
    return fc.tuple(fc.tuple(...keys.map((k) => valueFor[k] as fc.Arbitrary<string>)), fc.shuffledSubarray(keys, { minLength: keys.length })).map(([values, order]) => {
      const byKey = new Map(keys.map((k, i) => [k, values[i] as string]));
      const pairs = order.map((k) => `"${k}${style[0]}${byKey.get(k)}`);
      for (const [key, value] of extras) pairs.splice(pairs.length === 0 ? 0 : 1, 0, `${key}${style[0].slice(1)}${value}`);
      return `${wrap[0]}${pairs.join(style[1])}${wrap[1]}`;
    });
  });

/** A good debit, so that most files have lines the scanner takes. */
const goodLine = fc
  .tuple(fc.nat(9999), fc.integer({ min: 1, max: 99999 }), fc.boolean())
  .map(([n, cents, python]) => {
    const record = { company_id: `cus_${n % 7}`, transaction_id: `txn_g${n}`, type: 'debit', amount: -cents / 100, description: 'API usage ✓', created_at: new Date(Date.UTC(2024, 0, 1) + n * 60_000).toISOString() };
    return python ? JSON.stringify(record).replace(/":/g, '": ').replace(/,"/g, ', "') : JSON.stringify(record);
  });

describe('Moesif JSON Lines scanner', () => {
  it('reads every generated file exactly as JSON.parse and the record reader do: the same entries, raw text, origins and problems', () => {
    const fields = new MoesifLineFields();
    let generated = 0;
    let taken = 0;
    let entries = 0;
    fc.assert(
      fc.property(fc.array(fc.oneof({ weight: 6, arbitrary: line }, goodLine, fc.constantFrom('', '   ', '\r')), { minLength: 1, maxLength: 12 }), fc.constantFrom('\n', '\n', '\r\n'), fc.boolean(), (lines, newline, bom) => {
        const text = `${bom ? '\ufeff' : ''}${lines.join(newline)}`;
        const scanned = parse(text, true);
        expect(scanned).toEqual(parse(text, false));
        generated += lines.length;
        entries += scanned.entries.length;
        for (const one of lines) if (new MoesifLineScanner(one).scan(0, one.length, fields)) taken++;
      }),
      { numRuns: 3000 },
    );
    // The comparison means something only if the scanner took many lines and many gave entries.
    expect(taken / generated).toBeGreaterThan(0.12);
    expect(entries / generated).toBeGreaterThan(0.12);
  });

  it('holds its amounts to JSON.parse for any number literal up to 15 digits (value, sign, canonical text)', () => {
    fc.assert(
      fc.property(numberLiteral, fc.boolean(), (amount, python) => {
        const sep = python ? '": ' : '":';
        const text = `{"company_id${sep}"c", "transaction_id${sep}"t", "type${sep}"adjustment", "amount${sep}${amount}, "created_at${sep}"2025-01-01T00:00:00Z"}`;
        expect(parse(text, true)).toEqual(parse(text, false));
      }),
      { numRuns: 5000 },
    );
  });

  it('takes the common record shapes itself (both spacing styles, Python offsets, optional nulls), so the property above compares two paths', () => {
    const scanner = (text: string) => new MoesifLineScanner(text);
    const fields = new MoesifLineFields();
    const python = '{"company_id": "cus_1", "subscription_id": null, "transaction_id": "txn_1", "type": "debit", "amount": -0.0001, "description": "API usage", "created_at": "2024-01-01T00:01:27+00:00"}';
    const compact = '{"company_id":"cus_1","transaction_id":"txn_2","type":"credit","amount":50.0,"expire_at":"2024-03-12T00:06:10.000Z","created_at":"2024-01-01T00:06:10.000Z","note":true}';
    expect(scanner(python).scan(0, python.length, fields)).toBe(true);
    expect(fields.amount).toBe(-0.0001);
    expect(fields.createdAt).toBe(Date.UTC(2024, 0, 1, 0, 1, 27));
    expect(scanner(compact).scan(0, compact.length, fields)).toBe(true);
    expect([fields.amount, fields.expireAt, fields.subscriptionId]).toEqual([50, Date.UTC(2024, 2, 12, 0, 6, 10), null]);
    // Left to the general reader: an escape, an exponent, a nested value, a duplicate key.
    for (const text of [
      python.replace('API usage', 'API \\"usage\\"'),
      python.replace('-0.0001', '-1e-4'),
      python.replace('"subscription_id": null', '"subscription_id": {}'),
      python.replace('"type": "debit"', '"type": "debit", "type": "credit"'),
    ]) {
      expect(scanner(text).scan(0, text.length, fields)).toBe(false);
    }
  });
});
