import type { Migration } from './types.js';

/*
 * The first schema. Shipped migrations are never edited (STYLE habit 6): change the schema with a new
 * numbered file. Decisions written down here because the schema is where the next engineer looks:
 * - Amounts and cost bases are canonical decimal TEXT ("12.5"), never REAL: no float ever holds money.
 * - Instants are INTEGER milliseconds since the Unix epoch, UTC.
 * - An entry names its account by `account_id`; `accounts` holds (customer, subscription, unit) once.
 *   The per-account index then sorts integers, not three strings: building it for a million entries
 *   took 2.3 s with the strings, and reading an account needs no per-row key strings.
 * - No subscription is '' (NOT NULL), so the UNIQUE account key works with plain `=`; parsers turn an
 *   empty subscription id into null, so '' never names a real subscription.
 * - `ordinal` is the global, monotonic ingestion order, the replay tie-break after `at`. Each import
 *   reserves the range first_ordinal..last_ordinal (one per record it read, skipped ones leave gaps); the
 *   next import numbers after the highest last_ordinal. It is not the rowid: `id` is the storage order,
 *   and an import writes its rows account by account, so reading one account touches a few pages,
 *   not one page per entry (a million-entry import read back 2x faster).
 * - The L5 fingerprint is not stored: it is a function of the canonical columns (sources/fingerprint.ts),
 *   recomputed from them when a re-import meets a stored id. Storing it would add ~80 bytes to each row.
 * - Origin file and import are one `file_id`; `import_files` holds the path and the import it belongs to.
 * - CHECKs spell lists as OR chains: `x IN (a, b, c)` builds an ephemeral table on every execution of
 *   the INSERT, which made each inserted row about a fifth slower.
 */
export const migration0001: Migration = {
  id: '0001-initial',
  sql: `
CREATE TABLE imports (
  id INTEGER PRIMARY KEY,
  started_at INTEGER NOT NULL,
  source_option TEXT,
  unit_option TEXT,
  entries_inserted INTEGER NOT NULL CHECK (entries_inserted >= 0),
  entries_unchanged INTEGER NOT NULL CHECK (entries_unchanged >= 0),
  accounts_touched INTEGER NOT NULL CHECK (accounts_touched >= 0),
  first_ordinal INTEGER NOT NULL CHECK (first_ordinal > 0),
  last_ordinal INTEGER NOT NULL CHECK (last_ordinal >= first_ordinal - 1)
) STRICT;

CREATE TABLE import_files (
  id INTEGER PRIMARY KEY,
  import_id INTEGER NOT NULL REFERENCES imports (id),
  position INTEGER NOT NULL CHECK (position >= 0),
  path TEXT NOT NULL,
  format TEXT NOT NULL,
  records INTEGER NOT NULL CHECK (records >= 0),
  UNIQUE (import_id, position)
) STRICT;

-- One row per account: (customer, subscription or none, unit), with its entry count.
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  customer_id TEXT NOT NULL CHECK (customer_id <> ''),
  subscription_id TEXT NOT NULL,
  unit TEXT NOT NULL CHECK (unit <> ''),
  entry_count INTEGER NOT NULL CHECK (entry_count >= 0),
  UNIQUE (customer_id, subscription_id, unit)
) STRICT;

CREATE TABLE entries (
  id INTEGER PRIMARY KEY,
  ordinal INTEGER NOT NULL CHECK (ordinal > 0),
  source TEXT NOT NULL CHECK (source = 'moesif' OR source = 'orb' OR source = 'stripe' OR source = 'ledgerscope'),
  source_id TEXT NOT NULL CHECK (source_id <> ''),
  account_id INTEGER NOT NULL REFERENCES accounts (id),
  kind TEXT NOT NULL CHECK (
    kind = 'increment' OR kind = 'decrement' OR kind = 'expiration_change' OR kind = 'void' OR kind = 'amendment' OR kind = 'expiry'
  ),
  status TEXT NOT NULL CHECK (status = 'posted' OR status = 'pending'),
  amount TEXT NOT NULL,
  at INTEGER NOT NULL,
  block_id TEXT,
  effective_at INTEGER,
  expires_at INTEGER,
  cost_basis TEXT,
  priority INTEGER,
  target_expires_at INTEGER,
  source_expires_at INTEGER,
  void_reason TEXT,
  description TEXT,
  metadata TEXT,
  external_customer_id TEXT,
  stated_sequence INTEGER,
  stated_starting_balance TEXT,
  stated_ending_balance TEXT,
  raw TEXT NOT NULL,
  file_id INTEGER NOT NULL REFERENCES import_files (id),
  origin_line INTEGER,
  origin_pointer TEXT
) STRICT;

-- L5: one entry per (source, source id).
CREATE UNIQUE INDEX entries_by_source_id ON entries (source, source_id);
-- Per-account reads in replay order.
CREATE INDEX entries_by_account ON entries (account_id, at, ordinal);

-- For people reading the file with sqlite3: every entry with its account spelled out.
CREATE VIEW ledger_entries AS
SELECT e.id, e.ordinal, e.source, e.source_id, a.customer_id, a.subscription_id, a.unit, e.kind, e.status, e.amount,
       e.at, e.block_id, e.effective_at, e.expires_at, e.cost_basis, e.priority, e.target_expires_at,
       e.source_expires_at, e.void_reason, e.description, e.metadata, e.external_customer_id, e.stated_sequence,
       e.stated_starting_balance, e.stated_ending_balance, e.raw, f.path AS origin_file, e.origin_line,
       e.origin_pointer, f.import_id
  FROM entries e JOIN accounts a ON a.id = e.account_id JOIN import_files f ON f.id = e.file_id;
`,
};
