import { describe, expect, it } from 'vitest';
import { collectStripeMoney } from '../../core/reconcile/payments.js';
import { at, payment, refund } from './fixtures.js';

/*
 * A payment states its amount_refunded as it was when read (now), and Stripe's refund objects carry their
 * own dates. At an as-of before the refund, the money was not back yet: the refund after as-of must not
 * turn into a refund "known only from amount_refunded" dated with the payment (issue 14: the customer
 * timeline replays any instant). A dashboard CSV, which has no refund objects, still gets one.
 */
describe('refunds stated in amount_refunded, at an as-of before the refund', () => {
  const paid = payment('pi_1', 'cus_1', '100', at(0), { amountRefunded: '25' });
  const later = refund('re_1', 'pi_1', '25', at(5));

  it('a refund record after as-of is not counted at as-of, nor invented from amount_refunded', () => {
    const money = collectStripeMoney([paid, later], at(2));
    expect(money.reversals.map((reversal) => reversal.id)).toEqual([]);
  });

  it('after the refund\'s date, the record is the refund (once)', () => {
    const money = collectStripeMoney([paid, later], at(6));
    expect(money.reversals.map((reversal) => [reversal.id, reversal.amount.toFixed()])).toEqual([['re_1', '25']]);
  });

  it('without refund records (a dashboard CSV) the stated amount is a refund dated with the payment', () => {
    const money = collectStripeMoney([paid], at(2));
    expect(money.reversals.map((reversal) => [reversal.id, reversal.amount.toFixed(), reversal.at])).toEqual([['pi_1#amount_refunded', '25', at(0)]]);
  });
});
