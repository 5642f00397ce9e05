import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CustomerMoneyItem } from '../../core/api/types.js';
import { Decimal } from '../../core/money/decimal.js';
import { AppService } from '../../core/service/app-service.js';
import { importAnyFiles } from '../../core/import/index.js';
import { dispute, paymentIntent, refund } from '../wire/stripe-objects.js';
import { NOW, tempDir } from './fixtures.js';

/*
 * Money received (issue 14), over random Stripe histories imported through the real path: only money that
 * moved counts (succeeded payments in; succeeded refunds and lost disputes out), every other payment adds
 * nothing, the running total ends at the page's total, signs follow the kind, and a money row never moves
 * the ledger balance.
 */

const PAYMENT_STATUSES = ['succeeded', 'processing', 'requires_payment_method', 'canceled', 'requires_action'] as const;
const REFUND_STATUSES = ['succeeded', 'pending', 'failed', 'canceled'] as const;
const DISPUTE_STATUSES = ['lost', 'won', 'needs_response', 'under_review'] as const;

const paymentArb = fc.record({
  status: fc.constantFrom(...PAYMENT_STATUSES),
  amountMinor: fc.integer({ min: 1, max: 5_000_000 }),
  refund: fc.option(fc.record({ status: fc.constantFrom(...REFUND_STATUSES), share: fc.integer({ min: 1, max: 100 }) }), { nil: null }),
  dispute: fc.option(fc.constantFrom(...DISPUTE_STATUSES), { nil: null }),
});

describe('customer timeline: money received over random Stripe histories', () => {
  it('counts only money that moved, signs by kind, and never moves the ledger balance', () => {
    fc.assert(
      fc.property(fc.array(paymentArb, { minLength: 1, maxLength: 8 }), (payments) => {
        const dbPath = join(tempDir(), 'money.sqlite');
        const base = Date.parse('2025-01-01T00:00:00Z') / 1000;
        importAnyFiles(dbPath, [{ path: 'ledger.jsonl', text: JSON.stringify({ company_id: 'cus_p', transaction_id: 'c1', type: 'credit', amount: 10, created_at: '2025-01-01T00:00:00Z' }) + '\n' }], { now: NOW });
        const objects: Record<string, unknown>[] = [];
        let expected = new Decimal(0);
        payments.forEach((payment, i) => {
          const created = base + i * 3600;
          objects.push(paymentIntent({ id: `pi_${i}`, created, amount: payment.amountMinor, customer: 'cus_p', status: payment.status }));
          if (payment.status === 'succeeded') expected = expected.plus(new Decimal(payment.amountMinor).div(100));
          // Money comes back only from a payment that succeeded.
          if (payment.status !== 'succeeded') return;
          if (payment.refund !== null) {
            const amount = Math.max(1, Math.floor((payment.amountMinor * payment.refund.share) / 100));
            objects.push(refund({ id: `re_${i}`, created: created + 60, amount, charge: `ch_${i}`, payment_intent: `pi_${i}`, status: payment.refund.status }));
            if (payment.refund.status === 'succeeded') expected = expected.minus(new Decimal(amount).div(100));
          }
          if (payment.dispute !== null) {
            objects.push(dispute({ id: `dp_${i}`, created: created + 120, amount: payment.amountMinor, charge: `ch_${i}`, payment_intent: `pi_${i}`, status: payment.dispute }));
            if (payment.dispute === 'lost') expected = expected.minus(new Decimal(payment.amountMinor).div(100));
          }
        });
        importAnyFiles(dbPath, [{ path: 'stripe.jsonl', text: objects.map((object) => JSON.stringify(object)).join('\n') + '\n' }], { now: NOW });
        const page = new AppService({ dbPath, clock: () => NOW }).customerTimeline({ customer_id: 'cus_p', offset: 0, limit: 1000 });
        const money = page.items.filter((item): item is CustomerMoneyItem => item.type !== 'ledger_entry');
        expect(money.length).toBe(objects.length);

        let running = new Decimal(0);
        for (const item of money) {
          running = running.plus(item.received);
          expect(item.received_after).toBe(running.toFixed());
          if (item.type === 'payment') {
            expect(new Decimal(item.signed_amount).gt(0)).toBe(true);
            const succeeded = item.status === 'succeeded';
            expect(['failed', 'processing', 'canceled'].includes(item.money_status)).toBe(!succeeded);
            expect(item.received).toBe(succeeded ? item.amount : '0');
          } else {
            expect(new Decimal(item.signed_amount).lt(0)).toBe(true);
            expect(new Decimal(item.received).lte(0)).toBe(true);
          }
          // Payments, refunds and disputes never move the ledger balance: the credit's 10 stands.
          expect(item.balance_after).toBe('10');
        }
        expect(running.eq(expected)).toBe(true);
        expect(page.money_received).toEqual([{ currency: 'USD', amount: expected.toFixed() }]);
      }),
      { numRuns: 25 },
    );
  });
});
