import { linkCustomers, type CustomerLinker } from '../reconcile/customers.js';
import { compareText } from '../ledger/account-key.js';
import {
  listCustomerMappings,
  listLedgerCustomerLinks,
  listSourceObjects,
  listStripeCustomers,
  type LedgerDb,
  type StripeCustomerRecord,
} from '../store/index.js';

/*
 * Who a ledger customer is, in words: the names and emails its sources state (Stripe customers linked to it
 * by DESIGN §6's rules, Orb customers whose id or external id it is). Read from the provider objects the
 * store keeps as evidence (source_objects); Moesif balance transactions name no person, so a Moesif-only
 * customer has none unless a linked Stripe customer does.
 */

export interface CustomerContact {
  customerId: string;
  /** The first stated name (Stripe before Orb), or null. */
  name: string | null;
  email: string | null;
  /** Every distinct name and email stated, for search. */
  names: string[];
  emails: string[];
  /** Stripe customers whose money reconciliation credits to this ledger customer. */
  stripeCustomerIds: string[];
}

export interface CustomerDirectory {
  /** Ledger customers (with entries), by id. */
  byId: Map<string, CustomerContact>;
  /** Every Stripe customer as stored (deleted ones left out). */
  stripeCustomers: StripeCustomerRecord[];
  /** Stripe customer id → ledger customer id (DESIGN §6). */
  linker: CustomerLinker;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function addUnique(list: string[], value: string | null): void {
  if (value !== null && !list.includes(value)) list.push(value);
}

export function customerDirectory(db: LedgerDb): CustomerDirectory {
  const ledgerCustomers = listLedgerCustomerLinks(db);
  const stripeCustomers = listStripeCustomers(db);
  const linker = linkCustomers(
    { mappings: listCustomerMappings(db), stripeCustomers: stripeCustomers.map((customer) => ({ id: customer.id, metadata: customer.metadata })) },
    ledgerCustomers,
  );
  const byId = new Map<string, CustomerContact>();
  for (const customer of ledgerCustomers) {
    byId.set(customer.customerId, { customerId: customer.customerId, name: null, email: null, names: [], emails: [], stripeCustomerIds: [] });
  }
  const state = (contact: CustomerContact, name: string | null, email: string | null): void => {
    addUnique(contact.names, name);
    addUnique(contact.emails, email);
    contact.name ??= name;
    contact.email ??= email;
  };
  for (const customer of [...stripeCustomers].sort((a, b) => compareText(a.id, b.id))) {
    const contact = byId.get(linker(customer.id) ?? '');
    if (contact === undefined) continue;
    contact.stripeCustomerIds.push(customer.id);
    state(contact, text(customer.name), text(customer.email));
  }
  // Orb customers: the ledger customer is the Orb customer id (sync and exports key entries by it).
  for (const object of listSourceObjects(db, 'orb', 'customer')) {
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(object.raw) as Record<string, unknown>;
    } catch {
      continue;
    }
    const contact = byId.get(object.objectId) ?? byId.get(text(value.external_customer_id) ?? '');
    if (contact !== undefined) state(contact, text(value.name), text(value.email));
  }
  return { byId, stripeCustomers, linker };
}

/** Lower-cased words a search matches for one customer: id, names, emails, Stripe customer ids. */
export function contactHaystack(contact: CustomerContact): string {
  return [...contact.names, ...contact.emails, ...contact.stripeCustomerIds].join('\u0000').toLowerCase();
}
