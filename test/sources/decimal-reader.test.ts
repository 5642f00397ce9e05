import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecimalReader } from '../../core/sources/fields.js';
import { parseJsonExact } from '../../core/sources/lossless-json.js';
import { RecordScope } from '../../core/sources/problems.js';
import type { ImportProblem } from '../../core/sources/types.js';

/** What the general reader gives: the value read as a Decimal, printed canonically with its sign, and the problems. */
function general(value: unknown): { text: string | null; sign: number; problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  const reader = new DecimalReader();
  const read = reader.readValue(new RecordScope('f', problems), 'starting_balance', value, false);
  return { text: read === null ? null : reader.signedCanonical(read), sign: reader.sign, problems };
}

function canonicalOnly(value: unknown): { text: string | null; sign: number; problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  const reader = new DecimalReader();
  const text = reader.readSignedCanonical(new RecordScope('f', problems), { starting_balance: value }, 'starting_balance', false);
  return { text, sign: reader.sign, problems };
}

const digitText = (min: number, max: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((d) => d.join(''));

describe('DecimalReader.readSignedCanonical', () => {
  it('gives the text, sign and problems the Decimal path gives, for every JSON number literal (parsed exactly) and every double', () => {
    const literal = fc.oneof(
      fc.tuple(fc.constantFrom('', '-'), digitText(1, 16), fc.option(digitText(1, 16), { nil: null })).map(([sign, int, frac]) => `${sign}${int.replace(/^0+(?=\d)/, '')}${frac === null ? '' : `.${frac}`}`),
      fc.constantFrom('1e-7', '-2.5E+3', '0.000001', '0.0000009', '-0', '0.0', '999999999999999999999', '1e21', '0.1000000000000000055511'),
    );
    fc.assert(
      fc.property(literal, (text) => {
        const value = parseJsonExact(`[${text}]`) as unknown[];
        expect(canonicalOnly(value[0])).toEqual(general(value[0]));
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (value) => {
        expect(canonicalOnly(value)).toEqual(general(value));
      }),
      { numRuns: 5000 },
    );
  });

  it('reads strings and absent values as the Decimal path does', () => {
    for (const value of ['12.50', '-0.000', '1e3', '12,50', '', null, undefined, true, {}]) {
      expect(canonicalOnly(value)).toEqual(general(value));
    }
  });
});
