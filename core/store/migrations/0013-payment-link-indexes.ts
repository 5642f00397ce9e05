import type { Migration } from './types.js';

/*
 * Indexes for support's lookups by a Stripe id (core/store/payments.ts paymentsNamingId): the customer
 * search asks "which payments are, or link to, this intent, charge, invoice or checkout session?" once per
 * suggestion, and each ask scanned every payment. With these, SQLite answers the OR of the five columns
 * from five indexes (its multi-index OR plan) instead of a scan.
 * - Partial (WHERE … IS NOT NULL): most payments leave most link columns empty, and `x = ?` implies
 *   `x IS NOT NULL`, so SQLite still uses them; the unused nulls cost no index space or writes.
 * - source is not in them: every payment is 'stripe' (0002's CHECK).
 */
export const migration0013: Migration = {
  id: '0013-payment-link-indexes',
  sql: `
CREATE INDEX payments_by_payment_intent ON payments (payment_intent_id) WHERE payment_intent_id IS NOT NULL;
CREATE INDEX payments_by_charge ON payments (charge_id) WHERE charge_id IS NOT NULL;
CREATE INDEX payments_by_invoice ON payments (invoice_id) WHERE invoice_id IS NOT NULL;
CREATE INDEX payments_by_checkout_session ON payments (checkout_session_id) WHERE checkout_session_id IS NOT NULL;
`,
};
