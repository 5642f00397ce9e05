// A small Stripe account for the sync tests: customers, payments of every kind, credit grants.
import {
  balanceTransaction,
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
} from '../wire/stripe-objects.js';
import type { StripeWireServer } from '../wire/stripe-server.js';

export interface SeededAccount {
  customerId: string;
  grantId: string;
  refundId: string;
  disputeId: string;
  chargeId: string;
  paymentIntentId: string;
  /** Objects of every list, for counting. */
  total: number;
}

/** One customer with a paid checkout (session → intent → charge), a pending refund, an open dispute, an invoice, a grant. */
export function seedAccount(server: StripeWireServer, t0 = server.clock - 10_000): SeededAccount {
  const customerId = 'cus_alpha';
  server.put(customer({ id: customerId, created: t0, balance: -500, metadata: { ledger_customer: 'acme' } }));
  server.put(customerBalanceTransaction({ id: 'cbtxn_alpha1', created: t0 + 1, amount: -500, customer: customerId }));
  const pi = server.put(paymentIntent({ id: 'pi_alpha', created: t0 + 10, amount: 5000, customer: customerId, latest_charge: 'ch_alpha', metadata: { order: 'A-1' } }));
  server.put(charge({ id: 'ch_alpha', created: t0 + 11, amount: 5000, customer: customerId, payment_intent: 'pi_alpha' }));
  server.put(checkoutSession({ id: 'cs_alpha', created: t0 + 9, amount_total: 5000, customer: customerId, payment_intent: 'pi_alpha' }));
  server.put(refund({ id: 're_alpha', created: t0 + 20, amount: 1000, charge: 'ch_alpha', payment_intent: 'pi_alpha', status: 'pending' }));
  server.put(dispute({ id: 'dp_alpha', created: t0 + 30, amount: 5000, charge: 'ch_alpha', payment_intent: 'pi_alpha', status: 'needs_response' }));
  server.put(invoice({ id: 'in_alpha', created: t0 + 40, amount_due: 2000, amount_paid: 2000, customer: customerId, payment_intent: 'pi_beta' }));
  server.put(balanceTransaction({ id: 'txn_alpha', created: t0 + 12, amount: 5000, fee: 175, source: 'ch_alpha' }));
  server.put(creditGrant({ id: 'credgr_alpha', created: t0 + 50, customer: customerId, value: 10_000, category: 'paid', expires_at: t0 + 1_000_000 }));
  server.put(creditBalanceTransaction({ id: 'cbtxn_g1', created: t0 + 60, credit_grant: 'credgr_alpha', type: 'credit', kind: 'credits_granted', value: 10_000 }));
  server.put(creditBalanceTransaction({ id: 'cbtxn_g2', created: t0 + 70, credit_grant: 'credgr_alpha', type: 'debit', kind: 'credits_applied', value: 2_500, invoice: 'in_alpha' }));
  void pi;
  return { customerId, grantId: 'credgr_alpha', refundId: 're_alpha', disputeId: 'dp_alpha', chargeId: 'ch_alpha', paymentIntentId: 'pi_alpha', total: 12 };
}
