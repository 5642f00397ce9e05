// Stripe's minor-unit exponents (docs.stripe.com/currencies), not ISO 4217's, for every Stripe amount.
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../core/money/decimal.js';
import { stripeCurrencyExponent, stripeMajorToMinor, stripeMinorToMajor } from '../../core/money/stripe-minor-units.js';
import { currencyExponent } from '../../core/money/units.js';
import { parseImportFile } from '../../core/sources/index.js';
import { charge, creditGrant } from '../wire/stripe-objects.js';

describe("Stripe's minor-unit exponents", () => {
  const cases: [string, string, string][] = [
    ['ISK', '10000', '100'], // two-decimal in Stripe's API, zero in ISO
    ['UGX', '10000', '100'], // the same special case
    ['MGA', '5000', '5000'], // zero-decimal in Stripe, two in ISO
    ['KWD', '1230', '1.23'], // three-decimal
    ['BHD', '1230', '1.23'],
    ['JOD', '1000', '1'],
    ['OMR', '1230', '1.23'],
    ['TND', '1230', '1.23'],
    ['JPY', '1000', '1000'],
    ['KRW', '1000', '1000'],
    ['VND', '1000', '1000'],
    ['CLP', '1000', '1000'],
    ['XOF', '1000', '1000'],
    ['HUF', '1050', '10.5'], // two-decimal in the API; only its payouts are whole units
    ['TWD', '1050', '10.5'],
    ['USD', '1050', '10.5'],
    ['EUR', '1', '0.01'],
  ];

  it.each(cases)('%s %s minor units are %s major units', (currency, minor, major) => {
    expect(stripeMinorToMajor(minor, currency).toFixed()).toBe(major);
    expect(stripeMinorToMajor(minor, currency.toLowerCase()).toFixed()).toBe(major);
    expect(stripeMajorToMinor(new Decimal(major), currency).toFixed()).toBe(minor);
  });

  it('differs from ISO 4217 exactly where Stripe says it does, and ISO stays for everything else', () => {
    expect([stripeCurrencyExponent('ISK'), currencyExponent('ISK')]).toEqual([2, 0]);
    expect([stripeCurrencyExponent('UGX'), currencyExponent('UGX')]).toEqual([2, 0]);
    expect([stripeCurrencyExponent('MGA'), currencyExponent('MGA')]).toEqual([0, 2]);
    expect([stripeCurrencyExponent('KWD'), currencyExponent('KWD')]).toEqual([3, 3]);
  });

  it('a fractional minor amount, a too-precise major amount and a non-currency are errors', () => {
    expect(() => stripeMinorToMajor('10.5', 'USD')).toThrow('must be an integer');
    expect(() => stripeMajorToMinor(new Decimal('1.5'), 'JPY')).toThrow("more decimals than Stripe's 0-digit minor unit");
    expect(() => stripeCurrencyExponent('credits')).toThrow('not an ISO 4217 currency');
  });

  it('Stripe API objects in files read ISK and MGA through Stripe’s table', () => {
    const text = JSON.stringify([
      charge({ id: 'ch_isk', created: 1_736_000_000, amount: 10000, currency: 'isk' }),
      charge({ id: 'ch_mga', created: 1_736_000_000, amount: 5000, currency: 'mga' }),
      creditGrant({ id: 'credgr_kwd', created: 1_736_000_000, customer: 'cus_1', value: 1230, currency: 'kwd' }),
    ]);
    const result = parseImportFile('s.json', text);
    expect(result.problems).toEqual([]);
    expect(result.stripe!.payments.map((p) => [p.record.currency, p.record.amount.toFixed()])).toEqual([['ISK', '100'], ['MGA', '5000']]);
    expect(result.stripe!.grants.map((g) => [g.parsed.entry.unit, g.parsed.entry.amount.toFixed()])).toEqual([['KWD', '1.23']]);
  });

  it('a dashboard CSV amount in ISK may carry two decimals, as Stripe writes it', () => {
    const result = parseImportFile('p.csv', 'id,Created (UTC),Amount,Currency,Status\nch_a,2025-01-10 14:03,100.00,isk,Paid');
    expect(result.problems).toEqual([]);
    expect(result.stripe!.payments[0]!.record.amount.toFixed()).toBe('100');
  });
});
