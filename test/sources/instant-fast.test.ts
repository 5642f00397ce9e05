import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseInstant } from '../../core/time/instant.js';
import { parseInstantAt, parseInstantFast, parseInstantSpan } from '../../core/sources/instant-fast.js';

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

  it('agrees with parseInstant on Python isoformat shapes: 1 to 9 fraction digits and +hh:mm offsets, valid or not', () => {
    const fraction = fc.option(fc.integer({ min: 0, max: 10 }).chain((n) => digits(n)), { nil: null });
    const zone = fc.oneof(
      fc.constantFrom('Z', '+00:00', '-00:00', '+05:30', '-08:00', '+24:00', '+01:60', '+0100', '+01', 'z', ''),
      fc.tuple(fc.constantFrom('+', '-'), digits(2), digits(2)).map(([sign, h, m]) => `${sign}${h}:${m}`),
    );
    const shaped = fc
      .tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), fraction, zone)
      .map(([y, mo, d, h, mi, s, f, z]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${f === null ? '' : `.${f}`}${z}`);
    fc.assert(
      fc.property(shaped, (text) => {
        expect(outcome(parseInstantFast, text)).toBe(outcome(parseInstant, text));
      }),
      { numRuns: 5000 },
    );
    expect(parseInstantFast('2024-01-01T00:00:05+00:00')).toBe(Date.UTC(2024, 0, 1, 0, 0, 5));
    expect(parseInstantFast('2024-01-01T00:00:05.123456+02:00')).toBe(Date.UTC(2023, 11, 31, 22, 0, 5, 123));
  });

  it('leaves every other shape to parseInstant', () => {
    for (const text of ['2024-02-29', '2022-11-01T00:00:00+00:00', '2025-01-01 10:00:00Z', '2025-01-01T10:00Z', '2025-01-01T10:00:00.1234Z']) {
      expect(outcome(parseInstantFast, text)).toBe(outcome(parseInstant, text));
    }
  });
});

describe('parseInstantAt', () => {
  it('reads an instant in place as parseInstant does, or answers NaN (the caller then takes parseInstantFast)', () => {
    const shaped = fc
      .tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), fc.option(digits(3)), fc.constantFrom('Z', 'z', '+01:00', ''))
      .map(([y, mo, d, h, mi, s, ms, zone]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${ms === null ? '' : `.${ms}`}${zone}`);
    fc.assert(
      fc.property(shaped, fc.string({ maxLength: 5 }), (text, around) => {
        const at = parseInstantAt(`${around}${text}${around}`, around.length, around.length + text.length);
        if (!Number.isNaN(at)) expect(`ok ${at}`).toBe(outcome(parseInstant, text));
      }),
      { numRuns: 5000 },
    );
  });

  it('reads every realistic instant of the export shape (no NaN), from 1970 to 2400', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2400, 0, 1) }), (ms) => {
        const text = new Date(ms).toISOString();
        expect(parseInstantAt(text, 0, text.length)).toBe(ms);
        const seconds = text.replace(/\.\d{3}Z$/, 'Z');
        expect(parseInstantAt(`"${seconds}"`, 1, seconds.length + 1)).toBe(parseInstant(seconds));
      }),
      { numRuns: 5000 },
    );
    for (const text of ['0050-03-01T00:00:00Z', '2000-02-29T23:59:59.999Z', '1600-01-01T00:00:00Z', '2100-02-28T12:00:00Z']) {
      expect(parseInstantAt(text, 0, text.length)).toBe(parseInstant(text));
    }
  });
});

describe('parseInstantSpan', () => {
  it('reads an instant in place as parseInstant reads the cut string (Python offsets, 1 to 9 fraction digits, invalid dates), or answers NaN', () => {
    const fraction = fc.option(fc.integer({ min: 0, max: 10 }).chain((n) => digits(n)), { nil: null });
    const zone = fc.oneof(
      fc.constantFrom('Z', '+00:00', '-00:00', '+05:30', '-08:00', '+24:00', '+01:60', '+0100', 'z', ''),
      fc.tuple(fc.constantFrom('+', '-'), digits(2), digits(2)).map(([sign, h, m]) => `${sign}${h}:${m}`),
    );
    const shaped = fc
      .tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), fraction, zone)
      .map(([y, mo, d, h, mi, s, f, z]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${f === null ? '' : `.${f}`}${z}`);
    fc.assert(
      fc.property(shaped, fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), (text, before, after) => {
        const at = parseInstantSpan(`${before}${text}${after}`, before.length, before.length + text.length);
        if (!Number.isNaN(at)) expect(`ok ${at}`).toBe(outcome(parseInstant, text));
      }),
      { numRuns: 5000 },
    );
  });

  it('reads the shapes Moesif and Python write without cutting a string (no NaN), 1970 to 2400', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2400, 0, 1) }), fc.integer({ min: -720, max: 840 }), (ms, offset) => {
        const iso = new Date(ms).toISOString();
        for (const text of [iso, iso.replace(/\.\d{3}Z$/, 'Z'), iso.replace(/\.\d{3}Z$/, '+00:00'), iso.replace(/Z$/, '456+00:00')]) {
          expect(parseInstantSpan(`{"created_at": "${text}"}`, 16, 16 + text.length)).toBe(parseInstant(text));
        }
        const sign = offset < 0 ? '-' : '+';
        const hhmm = `${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
        const local = new Date(ms + offset * 60_000).toISOString().replace('Z', `${sign}${hhmm}`);
        expect(parseInstantSpan(local, 0, local.length)).toBe(ms);
      }),
      { numRuns: 3000 },
    );
  });
});
