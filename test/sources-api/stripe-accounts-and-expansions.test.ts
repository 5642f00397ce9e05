// Stripe objects as the API can send them: Accounts v2 grants (customer null, customer_account set) and
// expanded links (customer, charge, payment_intent... as objects instead of ids), in files and through
// the real SDK against the wire-format server.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { customerBalance } from '../../core/service/ledger-queries.js';
import { formatProblem, parseImportFile } from '../../core/sources/index.js';
import { listPayments, openLedgerDb } from '../../core/store/index.js';
import { importStripeFiles } from '../../core/import/stripe-files.js';
import { syncStripe } from '../../core/sync/stripe-sync.js';
import {
  charge,
  checkoutSession,
  creditBalanceTransaction,
  creditGrant,
  customer,
  customerBalanceTransaction,
  dispute,
  invoice,
  paymentIntent,
  refund,
  type StripeJson,
} from '../wire/stripe-objects.js';
import { startStripeServer } from '../wire/stripe-server.js';
import { onCleanup, stripeApi, tempDb, tempDir } from './helpers.js';

const T0 = 1_736_000_000;
const NOW = (T0 + 1_000_000) * 1000;

/** A grant of an Accounts v2 account: Stripe sends customer null and names the account. */
function accountGrant(id: string, account: string, value: number): StripeJson {
  return { ...creditGrant({ id, created: T0, customer: 'cus_placeholder', value }), customer: null, customer_account: account };
}

describe('Accounts v2: a credit grant with customer null and customer_account set', () => {
  it('is a block of the account, which becomes the customer; its credit balance transactions draw from it', () => {
    const dir = tempDir();
    const db = join(dir, 'l.sqlite');
    const objects = [
      accountGrant('credgr_acct', 'acct_1Nv0FGQ9RKHgCVdK', 4000),
      creditBalanceTransaction({ id: 'cbtxn_acct', created: T0 + 10, credit_grant: 'credgr_acct', type: 'debit', kind: 'credits_applied', value: 1500 }),
    ];
    const summary = importStripeFiles(db, [{ path: 'grants.json', text: JSON.stringify(objects) }], { now: NOW });
    expect(summary.entries.inserted).toBe(2);
    const open = openLedgerDb(db, { create: false });
    const view = customerBalance(open, 'acct_1Nv0FGQ9RKHgCVdK', NOW);
    open.close();
    expect(view.accounts.map((a) => [a.unit, a.current, a.blocks.map((b) => [b.id, b.initial, b.remaining])])).toEqual([
      ['USD', '25', [['credgr_acct', '40', '25']]],
    ]);
  });

  it('a grant with neither customer nor customer_account names the field and how to supply it', () => {
    const grant = { ...accountGrant('credgr_x', 'acct_1', 100), customer_account: null };
    expect(parseImportFile('g.json', JSON.stringify([grant])).problems.map(formatProblem)).toEqual([
      'g.json#/0: customer: required field is missing (or "customer_account", for Accounts v2)',
    ]);
  });

  it('a payment of an account (customer null) belongs to the account', () => {
    const pi = { ...paymentIntent({ id: 'pi_acct', created: T0, amount: 1000 }), customer: null, customer_account: 'acct_1' };
    const result = parseImportFile('p.json', JSON.stringify([pi]));
    expect(result.problems).toEqual([]);
    expect(result.stripe!.payments[0]!.record.customerId).toBe('acct_1');
  });

  it('sync stripe lists the grant and asks for its transactions by customer_account', async () => {
    const stripe = await startStripeServer();
    onCleanup(() => stripe.close());
    const t = stripe.clock - 1000;
    stripe.put({ ...accountGrant('credgr_acct', 'acct_9', 2000), created: t });
    stripe.put(creditBalanceTransaction({ id: 'cbtxn_acct', created: t + 10, credit_grant: 'credgr_acct', type: 'debit', kind: 'credits_applied', value: 500 }));
    const { db } = tempDb();
    const summary = await syncStripe({ db, api: stripeApi(stripe), now: stripe.clock * 1000 });
    expect(summary.warnings).toEqual([]);
    const asked = stripe.requests.filter((r) => r.path === '/v1/billing/credit_balance_transactions').map((r) => decodeURIComponent(r.query));
    expect(asked).toEqual([expect.stringContaining('customer_account=acct_9')]);
    const view = customerBalance(db, 'acct_9', stripe.clock * 1000);
    expect(view.accounts.map((a) => a.current)).toEqual(['15']);
  });
});

describe('expanded objects: a link sent as the object reads as its id', () => {
  const cus = customer({ id: 'cus_X', created: T0, email: 'x@example.com' });
  const pi = paymentIntent({ id: 'pi_X', created: T0, amount: 5000, customer: 'cus_X' });
  const ch = charge({ id: 'ch_X', created: T0 + 1, amount: 5000, customer: 'cus_X', payment_intent: 'pi_X', amount_refunded: 1000 });
  const inv = invoice({ id: 'in_X', created: T0, amount_due: 5000, amount_paid: 5000, customer: 'cus_X', payment_intent: 'pi_X' });

  it.each<[string, StripeJson, Record<string, unknown>]>([
    ['payment_intent: customer, latest_charge, invoice', { ...pi, customer: cus, latest_charge: ch, invoice: inv }, { customerId: 'cus_X', chargeId: 'ch_X', invoiceId: 'in_X' }],
    ['charge: customer, payment_intent, invoice', { ...ch, customer: cus, payment_intent: pi, invoice: inv }, { customerId: 'cus_X', paymentIntentId: 'pi_X', invoiceId: 'in_X' }],
    ['refund: charge, payment_intent', { ...refund({ id: 're_X', created: T0 + 2, amount: 1000, charge: 'ch_X' }), charge: ch, payment_intent: pi }, { chargeId: 'ch_X', paymentIntentId: 'pi_X' }],
    ['dispute: charge, payment_intent', { ...dispute({ id: 'dp_X', created: T0 + 3, amount: 5000, charge: 'ch_X' }), charge: ch, payment_intent: pi }, { chargeId: 'ch_X', paymentIntentId: 'pi_X' }],
    ['checkout session: customer, payment_intent, invoice', { ...checkoutSession({ id: 'cs_X', created: T0, amount_total: 5000 }), customer: cus, payment_intent: pi, invoice: inv }, { customerId: 'cus_X', paymentIntentId: 'pi_X', invoiceId: 'in_X' }],
    ['invoice: customer, payment_intent, charge', { ...inv, customer: cus, payment_intent: pi, charge: ch }, { customerId: 'cus_X', paymentIntentId: 'pi_X', chargeId: 'ch_X' }],
    ['customer balance transaction: customer, invoice', { ...customerBalanceTransaction({ id: 'cbtxn_X', created: T0, amount: -500, customer: 'cus_X' }), customer: cus, invoice: inv }, { customerId: 'cus_X', invoiceId: 'in_X' }],
  ])('%s', (_name, object, expected) => {
    const result = parseImportFile('x.json', JSON.stringify([object]));
    expect(result.problems).toEqual([]);
    expect(result.stripe!.payments[0]!.record).toMatchObject(expected);
  });

  it('a payment intent with its latest charge expanded takes the refunded amount from it', () => {
    const result = parseImportFile('x.json', JSON.stringify([{ ...pi, latest_charge: ch }]));
    expect(result.stripe!.payments[0]!.record.amountRefunded!.toFixed()).toBe('10');
  });

  it('a grant with its customer expanded, and a credit balance transaction with its grant expanded', () => {
    const dir = tempDir();
    const db = join(dir, 'l.sqlite');
    const grant = creditGrant({ id: 'credgr_X', created: T0, customer: 'cus_X', value: 3000 });
    const objects = [
      { ...grant, customer: cus },
      { ...creditBalanceTransaction({ id: 'cbtxn_gX', created: T0 + 5, credit_grant: 'credgr_X', type: 'debit', kind: 'credits_applied', value: 1000 }), credit_grant: grant },
    ];
    importStripeFiles(db, [{ path: 'g.json', text: JSON.stringify(objects) }], { now: NOW });
    const open = openLedgerDb(db, { create: false });
    expect(customerBalance(open, 'cus_X', NOW).accounts.map((a) => a.current)).toEqual(['20']);
    expect(listPayments(open)).toEqual([]);
    open.close();
  });
});
