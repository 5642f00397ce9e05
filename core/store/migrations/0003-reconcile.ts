import type { Migration } from './types.js';

/*
 * Reconciliation: runs with their inputs, results and sign-off; the balancing adjustments posted from
 * them; the customer links a user imports or edits. Decisions written down here:
 * - A run's id is "R<seq>-<database id>": sequential within a database and readable; the database id (8
 *   random hex digits, made once here) keeps two database files from ever naming two different runs
 *   alike, so idempotency keys derived from run + item never collide at a provider.
 * - A run row is reserved first (state 'running') so its id exists before the engine writes it into
 *   proposals; results are written in one transaction that sets state 'complete'.
 * - Items and drift lines are rows, not one JSON blob: runs are compared item by item, and a UI pages
 *   through them. Lists (payment ids, entry ids) and the proposal are JSON text. A run's items are
 *   inserted in output order, so `id` order within a run is `position` order: no second index to
 *   maintain (100,000 items saved in about half the time).
 * - Every table has a rowid (no WITHOUT ROWID): tools that dump a database by rowid keep working.
 * - An adjustment's ledger entry is an ordinary entry (source 'ledgerscope', source_id = idempotency key),
 *   imported through its own `imports` row, so every reader of the ledger sees it and L5 makes a second
 *   post of the same key a no-op. The adjustment row records the run and item it settles and its push.
 * - Sign-off is written once (who, when, note) and never changed.
 */
export const migration0003: Migration = {
  id: '0003-reconcile',
  sql: `
CREATE TABLE reconcile_meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  database_id TEXT NOT NULL CHECK (length(database_id) = 8)
) STRICT;
INSERT INTO reconcile_meta (id, database_id) VALUES (1, lower(hex(randomblob(4))));

CREATE TABLE reconcile_runs (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL UNIQUE CHECK (seq > 0),
  state TEXT NOT NULL CHECK (state = 'running' OR state = 'complete' OR state = 'failed'),
  created_at INTEGER NOT NULL,
  as_of INTEGER NOT NULL,
  settings TEXT NOT NULL,
  inputs TEXT NOT NULL,
  item_count INTEGER NOT NULL DEFAULT 0 CHECK (item_count >= 0),
  open_count INTEGER NOT NULL DEFAULT 0 CHECK (open_count >= 0),
  drift_count INTEGER NOT NULL DEFAULT 0 CHECK (drift_count >= 0),
  summary TEXT,
  error TEXT,
  signed_off_by TEXT,
  signed_off_at INTEGER,
  sign_off_note TEXT,
  CHECK ((signed_off_by IS NULL) = (signed_off_at IS NULL))
) STRICT;

CREATE TABLE reconcile_items (
  id INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES reconcile_runs (id),
  item_id TEXT NOT NULL,
  position INTEGER NOT NULL CHECK (position >= 0),
  category TEXT NOT NULL,
  settled INTEGER NOT NULL CHECK (settled = 0 OR settled = 1),
  customer_id TEXT,
  subscription_id TEXT,
  unit TEXT NOT NULL,
  expected TEXT NOT NULL,
  actual TEXT NOT NULL,
  difference TEXT NOT NULL,
  at INTEGER NOT NULL,
  payment_ids TEXT NOT NULL,
  entry_ids TEXT NOT NULL,
  adjustment_ids TEXT NOT NULL,
  note TEXT NOT NULL,
  proposal TEXT,
  UNIQUE (run_id, item_id)
) STRICT;

CREATE TABLE reconcile_accounts (
  run_id TEXT NOT NULL REFERENCES reconcile_runs (id),
  position INTEGER NOT NULL CHECK (position >= 0),
  customer_id TEXT,
  subscription_id TEXT,
  unit TEXT NOT NULL,
  expected TEXT NOT NULL,
  actual TEXT NOT NULL,
  difference TEXT NOT NULL,
  PRIMARY KEY (run_id, position)
) STRICT;

CREATE TABLE reconcile_adjustments (
  idempotency_key TEXT PRIMARY KEY,
  run_id TEXT NOT NULL,
  item_id TEXT NOT NULL,
  provider TEXT NOT NULL CHECK (provider = 'orb' OR provider = 'moesif'),
  customer_id TEXT NOT NULL,
  subscription_id TEXT,
  unit TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind = 'increment' OR kind = 'decrement' OR kind = 'void' OR kind = 'amendment'),
  amount TEXT NOT NULL,
  proposal TEXT NOT NULL,
  body TEXT NOT NULL,
  entry_source_id TEXT NOT NULL,
  posted_at INTEGER NOT NULL,
  posted_by TEXT,
  push_attempts INTEGER NOT NULL DEFAULT 0 CHECK (push_attempts >= 0),
  pushed_at INTEGER,
  push_attempted_at INTEGER,
  push_error TEXT,
  provider_entry_id TEXT,
  FOREIGN KEY (run_id, item_id) REFERENCES reconcile_items (run_id, item_id)
) STRICT;
CREATE INDEX reconcile_adjustments_by_item ON reconcile_adjustments (item_id);
CREATE INDEX reconcile_adjustments_by_run ON reconcile_adjustments (run_id);

-- One ledger customer per Stripe customer; importing a mapping again replaces the row.
CREATE TABLE reconcile_customer_links (
  stripe_customer_id TEXT PRIMARY KEY CHECK (stripe_customer_id <> ''),
  ledger_customer_id TEXT NOT NULL CHECK (ledger_customer_id <> ''),
  origin TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
`,
};
