import { ApiError } from '../api/errors.js';
import type { CustomerSuggestion } from '../api/types.js';
import { compareText } from '../ledger/account-key.js';
import { accountsOfCustomer, paymentIdsStartingWith, paymentsNamingId, type LedgerDb } from '../store/index.js';
import { customerDirectory, type CustomerContact, type CustomerDirectory } from './customer-directory.js';

export type CustomerMatch = 'ledger_id' | 'stripe_customer' | 'email' | 'name' | 'payment';

export interface FoundCustomer {
  customerId: string;
  matchedBy: CustomerMatch;
}

/**
 * The ledger customer a support question names: its ledger id, a Stripe customer id, a customer's email
 * or name (any case; Stripe and Orb customers), or the id of a payment, charge, invoice or checkout session
 * of that customer. Stripe customers link to ledger customers by reconciliation's rules (mapping, metadata,
 * Orb external id, same id), so the answer is the customer reconciliation would credit.
 */
export function findCustomer(db: LedgerDb, query: string, directory: CustomerDirectory = customerDirectory(db)): FoundCustomer {
  const wanted = query.trim();
  if (wanted === '') throw new ApiError('invalid_input', 'name a customer: a ledger id, a Stripe customer id, an email, a name or a payment id');
  if (accountsOfCustomer(db, wanted).length > 0) return { customerId: wanted, matchedBy: 'ledger_id' };

  const linked = (stripeCustomerId: string | null, matchedBy: CustomerMatch): FoundCustomer | null => {
    const customerId = directory.linker(stripeCustomerId);
    return customerId === null || !directory.byId.has(customerId) ? null : { customerId, matchedBy };
  };

  if (directory.stripeCustomers.some((customer) => customer.id === wanted) || wanted.startsWith('cus_')) {
    const found = linked(wanted, 'stripe_customer');
    if (found !== null) return found;
  }

  // Emails and names: every ledger customer stating it; more than one is a question back, never a guess.
  const lower = wanted.toLowerCase();
  for (const [field, matchedBy] of [['emails', 'email'], ['names', 'name']] as const) {
    const owners = [...directory.byId.values()].filter((contact) => contact[field].some((value) => value.toLowerCase() === lower)).map((contact) => contact.customerId);
    if (owners.length > 1) {
      throw new ApiError('invalid_input', `${wanted} is the ${matchedBy} of several customers (${owners.sort(compareText).join(', ')}): name one by its id`);
    }
    if (owners.length === 1) return { customerId: owners[0]!, matchedBy };
  }

  const owner = stripeCustomerOfId(db, wanted);
  if (owner !== undefined) {
    if (owner === null) throw new ApiError('not_found', `${wanted} is a Stripe payment without a customer: nothing links it to a ledger customer`);
    const found = linked(owner, 'payment');
    if (found !== null) return found;
    throw new ApiError('not_found', `${wanted} belongs to Stripe customer ${owner}, which no ledger customer links to`);
  }
  throw new ApiError(
    'not_found',
    `no customer matches ${JSON.stringify(wanted)}: not a ledger customer id, a Stripe customer id, an email, a name or a payment, charge or invoice id in this database`,
  );
}

/**
 * The Stripe customer of a payment, charge, invoice, session, refund or dispute id: undefined when no
 * stored object has or names that id, null when none of them names a customer. A refund or dispute
 * usually names only its charge or intent: the customer is the payment's.
 */
export function stripeCustomerOfId(db: LedgerDb, id: string): string | null | undefined {
  const records = paymentsNamingId(db, id);
  if (records.length === 0) return undefined;
  const direct = records.find((record) => record.customerId !== null);
  if (direct !== undefined) return direct.customerId;
  for (const record of records) {
    for (const link of [record.paymentIntentId, record.chargeId, record.invoiceId, record.checkoutSessionId]) {
      if (link === null || link === id) continue;
      const owner = paymentsNamingId(db, link).find((other) => other.customerId !== null);
      if (owner !== undefined) return owner.customerId;
    }
  }
  return null;
}

function suggestion(contact: CustomerContact, matchedBy: CustomerMatch, matchedText: string): CustomerSuggestion {
  return {
    customer_id: contact.customerId,
    name: contact.name,
    email: contact.email,
    stripe_customer_ids: contact.stripeCustomerIds,
    matched_by: matchedBy,
    matched_text: matchedText,
  };
}

/** How well `value` matches: 0 exact, 1 prefix, 2 inside, -1 not at all (case-insensitive). */
function rank(value: string, needle: string): number {
  const lower = value.toLowerCase();
  if (lower === needle) return 0;
  if (lower.startsWith(needle)) return 1;
  return lower.includes(needle) ? 2 : -1;
}

/**
 * Suggestions as the user types: ledger customers whose id, Stripe customer id, name or email contains the
 * text (exact first, then prefix, then anywhere), and those owning a Stripe payment, charge or invoice
 * whose id starts with it. At most `limit`, one per ledger customer.
 */
export function searchCustomers(db: LedgerDb, query: string, limit: number, directory: CustomerDirectory = customerDirectory(db)): CustomerSuggestion[] {
  const needle = query.trim().toLowerCase();
  if (needle === '') return [];
  const best = new Map<string, { score: number; item: CustomerSuggestion }>();
  const offer = (contact: CustomerContact, matchedBy: CustomerMatch, matchedText: string, score: number): void => {
    const current = best.get(contact.customerId);
    if (current === undefined || score < current.score) best.set(contact.customerId, { score, item: suggestion(contact, matchedBy, matchedText) });
  };
  const fields: [CustomerMatch, (contact: CustomerContact) => string[]][] = [
    ['ledger_id', (contact) => [contact.customerId]],
    ['stripe_customer', (contact) => contact.stripeCustomerIds],
    ['email', (contact) => contact.emails],
    ['name', (contact) => contact.names],
  ];
  for (const contact of directory.byId.values()) {
    fields.forEach(([matchedBy, values], order) => {
      for (const value of values(contact)) {
        const r = rank(value, needle);
        if (r >= 0) offer(contact, matchedBy, value, r * 10 + order);
      }
    });
  }
  // Payment ids: exact ones (any linked id: charge, invoice, session) and stored ids starting with the text.
  const wanted = query.trim();
  const byPayment = new Map<string, string | null>();
  const exactOwner = stripeCustomerOfId(db, wanted);
  if (exactOwner !== undefined) byPayment.set(wanted, exactOwner);
  if (wanted.length >= 3) {
    for (const hit of paymentIdsStartingWith(db, wanted, limit)) if (!byPayment.has(hit.id)) byPayment.set(hit.id, hit.customerId ?? stripeCustomerOfId(db, hit.id) ?? null);
  }
  for (const [id, stripeCustomerId] of byPayment) {
    const contact = directory.byId.get(directory.linker(stripeCustomerId) ?? '');
    if (contact !== undefined) offer(contact, 'payment', id, id === wanted ? 4 : 14);
  }
  return [...best.values()]
    .sort((a, b) => a.score - b.score || compareText(a.item.customer_id, b.item.customer_id))
    .slice(0, limit)
    .map((entry) => entry.item);
}
