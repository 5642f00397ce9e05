import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseInstant } from '../../core/time/instant.js';
import { parseInstantFast } from '../../core/sources/instant-fast.js';

function outcome(parse: (text: string) => number, text: string): string {
  try {
    return `ok ${parse(text)}`;
  } catch (error) {
    return `error ${(error as Error).message}`;
  }
}

const digit = fc.constantFrom(...'0123456789');
const digits = (n: number) => fc.array(digit, { minLength: n, maxLength: n }).map((d) => d.join(''));

describe('parseInstantFast', () => {
  it('agrees with parseInstant on the export shape, valid or not (leap days, 24:00, month 13, year 0050)', () => {
    const shaped = fc
      .tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), fc.option(digits(3)), fc.constantFrom('Z', 'z', '+01:00', ''))
      .map(([y, mo, d, h, mi, s, ms, zone]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${ms === null ? '' : `.${ms}`}${zone}`);
    fc.assert(
      fc.property(shaped, (text) => {
        expect(outcome(parseInstantFast, text)).toBe(outcome(parseInstant, text));
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees with parseInstant on realistic instants', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2100, 0, 1) }), (ms) => {
        const text = new Date(ms).toISOString();
        expect(parseInstantFast(text)).toBe(ms);
        expect(parseInstantFast(text.replace('.000Z', 'Z'))).toBe(parseInstant(text.replace('.000Z', 'Z')));
      }),
    );
  });

  it('leaves every other shape to parseInstant', () => {
    for (const text of ['2024-02-29', '2022-11-01T00:00:00+00:00', '2025-01-01 10:00:00Z', '2025-01-01T10:00Z', '2025-01-01T10:00:00.1234Z']) {
      expect(outcome(parseInstantFast, text)).toBe(outcome(parseInstant, text));
    }
  });
});
