import { ApiError } from '../api/errors.js';
import { linkCustomers } from '../reconcile/customers.js';
import { accountsOfCustomer, listCustomerMappings, listLedgerCustomerLinks, listPayments, listStripeCustomers, type LedgerDb } from '../store/index.js';

export type CustomerMatch = 'ledger_id' | 'stripe_customer' | 'email' | 'payment';

export interface FoundCustomer {
  customerId: string;
  matchedBy: CustomerMatch;
}

/**
 * The ledger customer a support question names: its ledger id, a Stripe customer id, a Stripe customer's
 * email (any case), or the id of a payment, charge, invoice or checkout session of that customer. Stripe
 * customers link to ledger customers by reconciliation's rules (mapping, metadata, Orb external id, same id),
 * so the answer is the customer reconciliation would credit.
 */
export function findCustomer(db: LedgerDb, query: string): FoundCustomer {
  const wanted = query.trim();
  if (accountsOfCustomer(db, wanted).length > 0) return { customerId: wanted, matchedBy: 'ledger_id' };

  const stripeCustomers = listStripeCustomers(db);
  const linker = linkCustomers(
    { mappings: listCustomerMappings(db), stripeCustomers: stripeCustomers.map((customer) => ({ id: customer.id, metadata: customer.metadata })) },
    listLedgerCustomerLinks(db),
  );
  const linked = (stripeCustomerId: string | null, matchedBy: CustomerMatch): FoundCustomer | null => {
    const customerId = linker(stripeCustomerId);
    return customerId === null ? null : { customerId, matchedBy };
  };

  const byStripeId = stripeCustomers.some((customer) => customer.id === wanted) || wanted.startsWith('cus_') ? linked(wanted, 'stripe_customer') : null;
  if (byStripeId !== null) return byStripeId;

  const email = wanted.toLowerCase();
  const byEmail = new Set<string>();
  for (const customer of stripeCustomers) {
    if (customer.email !== null && customer.email.toLowerCase() === email) {
      const found = linker(customer.id);
      if (found !== null) byEmail.add(found);
    }
  }
  if (byEmail.size > 1) throw new ApiError('invalid_input', `${wanted} is the email of several customers (${[...byEmail].sort().join(', ')}): name one by its id`);
  if (byEmail.size === 1) return { customerId: [...byEmail][0]!, matchedBy: 'email' };

  for (const payment of listPayments(db)) {
    const ids = [payment.sourceId, payment.paymentIntentId, payment.chargeId, payment.invoiceId, payment.checkoutSessionId];
    if (!ids.includes(wanted)) continue;
    if (payment.customerId === null) throw new ApiError('not_found', `${wanted} is a Stripe payment without a customer: nothing links it to a ledger customer`);
    const found = linked(payment.customerId, 'payment');
    if (found !== null) return found;
    throw new ApiError('not_found', `${wanted} belongs to Stripe customer ${payment.customerId}, which no ledger customer links to`);
  }
  throw new ApiError('not_found', `no customer matches ${JSON.stringify(wanted)}: not a ledger customer id, a Stripe customer id, an email or a payment, charge or invoice id in this database`);
}
