import type { Migration } from './types.js';

/*
 * Stripe money records, provider evidence and sync cursors (DESIGN §5, §6). Decisions written down here:
 * - `payments` holds one row per Stripe object (L5 identity: source + source_id), the canonical
 *   PaymentRecord in columns and the raw object as evidence. Stripe objects change after creation (a
 *   refund goes pending → succeeded, a dispute needs_response → won): a changed object gets version n+1
 *   in place and the superseded row, raw included, moves to `payment_versions`. Nothing is ever lost.
 * - `fingerprint` is the canonical content (core/sources/stripe/payment-fingerprint.ts), stored so that a
 *   re-sync of 100 unchanged objects is 100 index lookups and string compares, with no JSON decoding.
 * - `observed_at`: Stripe's clock when this version was seen (the event's `created`, or the `Date` of
 *   the list response), null for file imports. An event snapshot older than the stored version is not
 *   applied, so replaying events never moves an object back in time.
 * - `source_objects` keeps every other synced or imported provider object as evidence, versioned the
 *   same way: Stripe customers (their balance and metadata link customers), balance transactions,
 *   credit balance transactions already represented by a grant, Orb customers, credit balances, invoices.
 * - `sync_state` is one row per (provider, stream): the backfill window, the cursor inside it, the
 *   events cursor. A page and its cursor are written in one transaction, so a crash loses nothing
 *   committed and the next run resumes right after the last committed page.
 * - Amounts are canonical decimal TEXT in major units; instants INTEGER ms (as in 0001).
 */
export const migration0002: Migration = {
  id: '0002-payments-sync',
  sql: `
CREATE TABLE payments (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL CHECK (source = 'stripe'),
  source_id TEXT NOT NULL CHECK (source_id <> ''),
  kind TEXT NOT NULL CHECK (
    kind = 'payment_intent' OR kind = 'charge' OR kind = 'checkout_session' OR kind = 'invoice' OR kind = 'refund' OR
    kind = 'dispute' OR kind = 'customer_balance_transaction'
  ),
  customer_id TEXT,
  amount TEXT NOT NULL,
  currency TEXT NOT NULL CHECK (currency <> ''),
  status TEXT NOT NULL,
  at INTEGER NOT NULL,
  payment_intent_id TEXT,
  charge_id TEXT,
  invoice_id TEXT,
  checkout_session_id TEXT,
  amount_refunded TEXT,
  description TEXT,
  metadata TEXT NOT NULL,
  extra TEXT,
  fingerprint TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  observed_at INTEGER,
  recorded_at INTEGER NOT NULL,
  origin TEXT NOT NULL,
  origin_line INTEGER,
  origin_pointer TEXT,
  raw TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX payments_by_source_id ON payments (source, source_id);
CREATE INDEX payments_by_customer ON payments (customer_id, at);
CREATE INDEX payments_by_at ON payments (at);

CREATE TABLE payment_versions (
  source TEXT NOT NULL,
  source_id TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  status TEXT NOT NULL,
  amount TEXT NOT NULL,
  amount_refunded TEXT,
  fingerprint TEXT NOT NULL,
  observed_at INTEGER,
  recorded_at INTEGER NOT NULL,
  superseded_at INTEGER NOT NULL,
  origin TEXT NOT NULL,
  origin_line INTEGER,
  origin_pointer TEXT,
  raw TEXT NOT NULL,
  PRIMARY KEY (source, source_id, version)
) STRICT;

CREATE TABLE source_objects (
  id INTEGER PRIMARY KEY,
  provider TEXT NOT NULL CHECK (provider = 'stripe' OR provider = 'orb' OR provider = 'moesif'),
  object_type TEXT NOT NULL CHECK (object_type <> ''),
  object_id TEXT NOT NULL CHECK (object_id <> ''),
  customer_id TEXT,
  at INTEGER,
  version INTEGER NOT NULL CHECK (version >= 1),
  observed_at INTEGER,
  recorded_at INTEGER NOT NULL,
  origin TEXT NOT NULL,
  origin_line INTEGER,
  origin_pointer TEXT,
  raw TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX source_objects_by_id ON source_objects (provider, object_type, object_id);
CREATE INDEX source_objects_by_customer ON source_objects (provider, customer_id);

CREATE TABLE source_object_versions (
  provider TEXT NOT NULL,
  object_type TEXT NOT NULL,
  object_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  observed_at INTEGER,
  recorded_at INTEGER NOT NULL,
  superseded_at INTEGER NOT NULL,
  origin TEXT NOT NULL,
  raw TEXT NOT NULL,
  PRIMARY KEY (provider, object_type, object_id, version)
) STRICT;

CREATE TABLE sync_state (
  provider TEXT NOT NULL CHECK (provider = 'stripe' OR provider = 'orb' OR provider = 'moesif'),
  stream TEXT NOT NULL CHECK (stream <> ''),
  phase TEXT NOT NULL CHECK (phase = 'backfill' OR phase = 'incremental' OR phase = 'done'),
  window_gte INTEGER,
  window_lt INTEGER,
  cursor TEXT,
  objects INTEGER NOT NULL DEFAULT 0 CHECK (objects >= 0),
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (provider, stream)
) STRICT;
`,
};
