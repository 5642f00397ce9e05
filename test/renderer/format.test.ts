// The renderer's one amount format (renderer/src/format.ts): currencies get their digits, every amount
// gets at least the account's scale, and nothing is ever cut.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { amountParts, formatAmount, formatAmountBare, formatCountOf } from '../../renderer/src/format.js';

describe('amounts are padded to the account scale, never cut', () => {
  it('pads a custom unit to the account scale as a currency is padded to its digits', () => {
    expect(formatAmount('100', 'credits')).toBe('100 credits');
    expect(formatAmount('100', 'credits', 2)).toBe('100.00 credits');
    expect(formatAmount('-2.5', 'credits', 3)).toBe('−2.500 credits');
    expect(formatAmountBare('1234567.1', 'credits', 2)).toBe('1,234,567.10');
    // The currency's digits are the floor; a larger account scale wins.
    expect(formatAmount('12.5', 'USD')).toBe('12.50 USD');
    expect(formatAmount('12.5', 'USD', 4)).toBe('12.5000 USD');
    expect(formatAmount('12', 'JPY', 0)).toBe('12 JPY');
  });

  it('shows every amount of an account with the same number of decimals, and every stated digit', () => {
    const amount = fc
      .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.stringMatching(/^\d{0,6}$/))
      .map(([negative, integer, fraction]) => `${negative ? '-' : ''}${integer}${fraction === '' ? '' : `.${fraction}`}`);
    fc.assert(
      fc.property(fc.array(amount, { minLength: 1, maxLength: 20 }), (amounts) => {
        const scale = Math.max(...amounts.map((a) => (a.split('.')[1] ?? '').length));
        const shown = amounts.map((a) => amountParts(a, 'credits', scale).magnitude);
        for (const [i, text] of shown.entries()) {
          expect((text.split('.')[1] ?? '').length).toBe(scale);
          // Nothing cut: the shown digits, without separators and padding, are the stated ones.
          const [integer = '', fraction = ''] = text.replace(/,/g, '').split('.');
          const [statedInteger = '', statedFraction = ''] = amounts[i]!.replace('-', '').split('.');
          expect(BigInt(integer)).toBe(BigInt(statedInteger));
          expect(fraction.startsWith(statedFraction)).toBe(true);
          expect(/^0*$/.test(fraction.slice(statedFraction.length))).toBe(true);
        }
      }),
    );
  });
});

describe('a list row\'s scale comes from a reply: only a small count pads', () => {
  it('pads a row to its own scale; a currency keeps at least its digits; a scale that is not a count of 0 to 64 pads nothing', () => {
    expect(formatAmountBare('1.5', 'credits', 3)).toBe('1.500');
    expect(formatAmountBare('2.5', 'credits', 1)).toBe('2.5');
    expect(formatAmountBare('610', 'USD', 0)).toBe('610.00');
    expect(formatAmountBare('610', 'USD', 4)).toBe('610.0000');
    expect(formatAmountBare('1.5', 'credits', undefined)).toBe('1.5');
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 65, 1e9]) expect(formatAmountBare('1.5', 'credits', bad)).toBe('1.5');
  });
});

describe('counts agree with their number', () => {
  it('writes one of a thing in the singular, any other count in the plural', () => {
    expect(formatCountOf(1, 'new entry', 'new entries')).toBe('1 new entry');
    expect(formatCountOf(0, 'new entry', 'new entries')).toBe('0 new entries');
    expect(formatCountOf(2000, 'record')).toBe('2,000 records');
  });
});
