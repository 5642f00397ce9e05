// Issue 10 item 8: the slow JSON path is a linear port of lossless-json's parser. It must read every
// document as lossless-json does (same values, same number literals, same error messages).
import fc from 'fast-check';
import { LosslessNumber, parse as parseLossless, stringify } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, parseExactJson } from '../../core/sources/exact-json-parse.js';

const LOSSLESS_OPTIONS = {
  parseNumber: (literal: string) => new LosslessNumber(literal),
  onDuplicateKey: (info: { newValue: unknown }) => info.newValue,
};

function outcome(parse: () => unknown): string {
  try {
    return `ok ${stringify(parse())}`;
  } catch (error) {
    return `error ${(error as Error).message}`;
  }
}

const seed = Number(process.env.LEDGER_SEED ?? 20_261_207);

describe('exact JSON parse agrees with lossless-json', () => {
  it(`reads every valid document and every mangled one exactly as lossless-json does (seed ${seed})`, () => {
    const numberLiteral = fc.oneof(
      fc.constantFrom('0', '-0', '12.50', '1e3', '-1.5E-7', '123456789012345678901234567890.000000000000000001'),
      fc.bigInt().map(String),
    );
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.string({ unit: 'binary' }).map((s) => JSON.stringify(s)),
        numberLiteral,
        fc.constantFrom('true', 'false', 'null'),
        fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(' , ')}]`),
        fc
          .array(fc.tuple(fc.constantFrom('a', 'b', '__proto__', 'x\\n'), tie('value')), { maxLength: 4 })
          .map((pairs) => `{${pairs.map(([k, v]) => `"${k}":${v}`).join(',')}}`),
      ),
    }));
    fc.assert(
      fc.property(json.value, fc.nat(), fc.constantFrom('', 'cut', 'x', '"', '\\', '\u0001', ',', '}', '-'), (text: unknown, at: number, mangle: string) => {
        const doc = text as string;
        const cutAt = doc.length === 0 ? 0 : at % doc.length;
        const mangled = mangle === '' ? doc : mangle === 'cut' ? doc.slice(0, cutAt) : doc.slice(0, cutAt) + mangle + doc.slice(cutAt);
        expect(outcome(() => parseExactJson(mangled))).toBe(outcome(() => parseLossless(mangled, null, LOSSLESS_OPTIONS)));
      }),
      { seed, numRuns: 1000 },
    );
  }, 60_000);

  it('a __proto__ key is an own property, never the prototype', () => {
    const value = parseExactJson('{"__proto__": {"polluted": 1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('nesting deeper than the limit is a syntax error, not a stack overflow', () => {
    const deep = '['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1);
    expect(() => parseExactJson(deep)).toThrow(`Nested deeper than ${MAX_JSON_DEPTH} levels at position ${MAX_JSON_DEPTH}`);
    expect(() => parseExactJson('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH))).not.toThrow();
  });
});
