import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, toCanonical } from '../../core/money/decimal.js';
import { DecimalReader } from '../../core/sources/fields.js';
import {
  isLosslessNumber,
  locateJsonError,
  needsLosslessParse,
  parseJsonExact,
  stringifyExact,
  toPlainJson,
} from '../../core/sources/lossless-json.js';
import { RecordScope } from '../../core/sources/problems.js';

/**
 * A decimal literal as JSON writes it, with exactly `digits` significant digits (1..maxDigits): optional
 * minus, no leading zeros, the point anywhere (or none), "0.000…" when it falls before the first digit.
 */
function decimalLiteral(minDigits: number, maxDigits: number) {
  return fc
    .tuple(fc.boolean(), fc.integer({ min: minDigits, max: maxDigits }), fc.integer({ min: -8, max: 40 }))
    .chain(([negative, count, pointAt]) =>
      fc
        .tuple(fc.constantFrom(...'123456789'), fc.array(fc.constantFrom(...'0123456789'), { minLength: count - 1, maxLength: count - 1 }))
        .map(([first, rest]) => {
          const digits = first + rest.join('');
          // pointAt: how many digits stay before the point (negative: zeros after "0.").
          const at = Math.min(pointAt, digits.length);
          const body = at <= 0 ? `0.${'0'.repeat(-at)}${digits}` : at === digits.length ? digits : `${digits.slice(0, at)}.${digits.slice(at)}`;
          return `${negative ? '-' : ''}${body}`;
        }),
    );
}

/** Reads `{"amount": <literal>}` the way the import does and returns the canonical signed amount. */
function readAmount(literal: string): string {
  const scope = new RecordScope('t.json', []);
  const reader = new DecimalReader();
  const record = parseJsonExact(`{"id":"txn_12345678901234567890","amount":${literal},"at":"2025-01-01T00:00:00.000Z"}`) as Record<string, unknown>;
  const magnitude = reader.read(scope, record, 'amount', true);
  expect(scope.problems).toEqual([]);
  return reader.sign < 0 ? `-${magnitude!.canonical}` : magnitude!.canonical;
}

describe('exact JSON numbers', () => {
  it('literals with up to 15 significant digits are read exactly; those of at most 15 characters take the fast path', () => {
    fc.assert(
      fc.property(decimalLiteral(1, 15), (literal) => {
        expect(needsLosslessParse(`{"amount":${literal}}`)).toBe(literal.replace('-', '').length > 15);
        expect(readAmount(literal)).toBe(toCanonical(new Decimal(literal)));
      }),
      { numRuns: 3000 },
    );
  });

  it('literals with more than 15 significant digits go through lossless-json and are read exactly', () => {
    fc.assert(
      fc.property(decimalLiteral(16, 40), (literal) => {
        expect(needsLosslessParse(`{"amount":${literal}}`)).toBe(true);
        expect(readAmount(literal)).toBe(toCanonical(new Decimal(literal)));
      }),
      { numRuns: 1000 },
    );
  });

  it('a number with an exponent anywhere forces the lossless path and keeps its literal text', () => {
    for (const text of ['{"a":1e3}', '{"a":[1,2.5E-2]}', '{"a":{"b":-1e+2 }}', '1e3']) expect(needsLosslessParse(text)).toBe(true);
    const value = parseJsonExact('{"a":1e3}') as { a: unknown };
    expect(isLosslessNumber(value.a) && value.a.value).toBe('1e3');
  });

  it('digits and exponents inside strings (ids, timestamps, escapes) do not force the lossless path', () => {
    expect(needsLosslessParse('{"id":"txn_1e3","n":"12345678901234567890","t":"2025-01-01T00:00:00.000Z","q":"a\\"1e5\\\\"}')).toBe(false);
    expect(needsLosslessParse('{"q":"a\\\\","n":1e5}')).toBe(true); // the string ends at the escaped backslash
  });

  it('0.0000001 (printed "1e-7" by String) is read as the plain decimal', () => {
    expect(readAmount('0.0000001')).toBe('0.0000001');
    expect(readAmount('-0.000000123')).toBe('-0.000000123');
  });

  it('duplicate keys: the last one wins on both paths, as JSON.parse does', () => {
    expect(parseJsonExact('{"a":1,"a":2}')).toEqual({ a: 2 });
    const lossless = parseJsonExact('{"a":1,"a":12345678901234567}') as { a: unknown };
    expect(isLosslessNumber(lossless.a) && lossless.a.value).toBe('12345678901234567');
  });

  it('stringifyExact re-serialises lossless numbers with their literal text', () => {
    expect(stringifyExact(parseJsonExact('{"a":12345678901234567.5,"b":[1e3]}'))).toBe('{"a":12345678901234567.5,"b":[1e3]}');
  });

  it('toPlainJson keeps exact numbers as numbers and inexact ones as their text', () => {
    expect(toPlainJson(parseJsonExact('{"a":12345678901234567890,"b":[2.5,1e3],"c":"x"}'))).toEqual({ a: '12345678901234567890', b: [2.5, '1e3'], c: 'x' });
  });

  it('locateJsonError gives the line and column of the break', () => {
    const text = '[\n  {"a": 1},\n  {"a": 2,,}\n]';
    let error: unknown;
    try {
      JSON.parse(text);
    } catch (caught) {
      error = caught;
    }
    expect(locateJsonError(text, error)).toMatchObject({ line: 3, column: 11 });
  });
});
