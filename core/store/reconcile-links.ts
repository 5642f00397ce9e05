import { compareText } from '../ledger/account-key.js';
import type { CustomerMapping } from '../reconcile/types.js';
import type { Instant } from '../time/instant.js';
import type { LedgerDb } from './open.js';
import { prepared } from './statements.js';

/* Customer links the user imported (CSV) or edited (migration 0003): one ledger customer per Stripe customer. */

export interface StoredCustomerMapping extends CustomerMapping {
  origin: string;
  createdAt: Instant;
}

/** Every mapping, by Stripe customer id. */
export function listCustomerMappings(db: LedgerDb): StoredCustomerMapping[] {
  const rows = prepared(db, 'SELECT stripe_customer_id, ledger_customer_id, origin, created_at FROM reconcile_customer_links').raw().all() as [string, string, string, number][];
  return rows
    .map(([stripeCustomerId, ledgerCustomerId, origin, createdAt]) => ({ stripeCustomerId, ledgerCustomerId, origin, createdAt }))
    .sort((a, b) => compareText(a.stripeCustomerId, b.stripeCustomerId));
}

/** Inserts or replaces mappings (a Stripe customer mapped again takes the new ledger customer). Inside the caller's transaction. */
export function upsertCustomerMappings(db: LedgerDb, mappings: readonly CustomerMapping[], origin: string, now: Instant): number {
  const upsert = prepared(
    db,
    'INSERT INTO reconcile_customer_links (stripe_customer_id, ledger_customer_id, origin, created_at) VALUES (?, ?, ?, ?) ' +
      'ON CONFLICT (stripe_customer_id) DO UPDATE SET ledger_customer_id = excluded.ledger_customer_id, origin = excluded.origin, created_at = excluded.created_at',
  );
  for (const mapping of mappings) upsert.run(mapping.stripeCustomerId, mapping.ledgerCustomerId, origin, now);
  return mappings.length;
}

/**
 * Every ledger customer with the external customer ids its entries state (Orb's
 * customer.external_customer_id): the ledger side of customer linking, for one customer's view.
 */
export function listLedgerCustomerLinks(db: LedgerDb): { customerId: string; externalIds: string[] }[] {
  const customers = new Map<string, string[]>();
  for (const id of prepared(db, 'SELECT DISTINCT customer_id FROM accounts WHERE entry_count > 0').pluck().all() as string[]) customers.set(id, []);
  const rows = prepared(
    db,
    'SELECT DISTINCT a.customer_id, e.external_customer_id FROM entries e JOIN accounts a ON a.id = e.account_id WHERE e.external_customer_id IS NOT NULL',
  )
    .raw()
    .all() as [string, string][];
  for (const [customerId, externalId] of rows) customers.get(customerId)?.push(externalId);
  return [...customers].map(([customerId, externalIds]) => ({ customerId, externalIds }));
}

export function deleteCustomerMapping(db: LedgerDb, stripeCustomerId: string): boolean {
  return prepared(db, 'DELETE FROM reconcile_customer_links WHERE stripe_customer_id = ?').run(stripeCustomerId).changes === 1;
}
