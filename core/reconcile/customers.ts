import { compareText } from '../ledger/account-key.js';
import type { CustomerLinkInput } from './types.js';

/*
 * Customer linking (DESIGN §6): which ledger customer a Stripe customer's money belongs to. In order of
 * precedence (the first that names a ledger customer wins):
 *   1. a mapping the user imported or edited (ledger customer id, Stripe customer id);
 *   2. a Stripe customer's metadata value equal to a ledger customer id;
 *   3. an Orb customer's external_customer_id equal to the Stripe customer id;
 *   4. the same id on both sides (Moesif company ids are often Stripe customer ids).
 * Within one rule, several candidates resolve to the smallest ledger id (code-unit order): deterministic.
 */

export interface LedgerCustomer {
  customerId: string;
  externalIds: Iterable<string>;
}

export type CustomerLinker = (stripeCustomerId: string | null) => string | null;

export function linkCustomers(links: CustomerLinkInput, ledgerCustomers: Iterable<LedgerCustomer>): CustomerLinker {
  const known = new Set<string>();
  const byExternalId = new Map<string, string>();
  for (const customer of ledgerCustomers) {
    known.add(customer.customerId);
    for (const external of customer.externalIds) keepSmallest(byExternalId, external, customer.customerId);
  }
  const linked = new Map<string, string>();
  const mapped = new Map<string, string>();
  for (const mapping of links.mappings) keepSmallest(mapped, mapping.stripeCustomerId, mapping.ledgerCustomerId);
  const byMetadata = new Map<string, string>();
  for (const customer of links.stripeCustomers) {
    for (const value of Object.values(customer.metadata)) {
      if (typeof value === 'string' && known.has(value)) keepSmallest(byMetadata, customer.id, value);
    }
  }
  for (const rule of [mapped, byMetadata, byExternalId]) {
    for (const [stripeId, ledgerId] of rule) if (!linked.has(stripeId)) linked.set(stripeId, ledgerId);
  }
  return (stripeCustomerId) => (stripeCustomerId === null ? null : (linked.get(stripeCustomerId) ?? stripeCustomerId));
}

function keepSmallest(map: Map<string, string>, key: string, value: string): void {
  const current = map.get(key);
  if (current === undefined || compareText(value, current) < 0) map.set(key, value);
}
