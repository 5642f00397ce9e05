import type { LedgerDb } from './open.js';
import { prepared } from './statements.js';

/*
 * The Stripe customers that hold credit grants here, and how each grant is scoped: the sync asks Stripe
 * for each such customer's credit balance summary (core/sync/stripe-credit-summaries.ts). Read from the
 * grants' own stored increments (their raw text is the grant as Stripe sent it).
 */

export interface StripeGrantOwner {
  /** The account's customer: the Stripe customer, or for Accounts v2 the customer_account (acct_...). */
  customerId: string;
  /** True when the grant names no `customer`, only a `customer_account` (Accounts v2). */
  viaAccount: boolean;
  grantId: string;
  /** Upper case. */
  unit: string;
  /** The grant's applicability_config.scope.price_type ("metered"), or null when it lists prices instead (or states no scope). */
  priceType: string | null;
}

/** Every stored Stripe grant with its owner, by customer then grant id. */
export function listStripeGrantOwners(db: LedgerDb): StripeGrantOwner[] {
  const rows = prepared(
    db,
    "SELECT a.customer_id, e.source_id, a.unit, json_extract(e.raw, '$.customer') IS NULL, json_extract(e.raw, '$.applicability_config.scope.price_type') " +
      "FROM entries e JOIN accounts a ON a.id = e.account_id WHERE e.source = 'stripe' AND e.kind = 'increment' AND json_valid(e.raw) " +
      'ORDER BY a.customer_id, e.source_id',
  )
    .raw()
    .all() as [string, string, string, number, string | null][];
  return rows.map(([customerId, grantId, unit, viaAccount, priceType]) => ({ customerId, grantId, unit, viaAccount: viaAccount === 1, priceType }));
}
