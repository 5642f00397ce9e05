import type { Migration } from './types.js';

/*
 * The newest entries of a long account as entries.list shows them (core/store/recent-entries.ts), so the
 * account screen's first pages need no replay at all. Decisions written down here:
 * - Derived data, like account_checkpoints (0004) and written with it, in the transaction that changes the
 *   account's entries; `entry_count` must equal accounts.entry_count or every row is ignored.
 * - A table of its own, not a new version of the checkpoint JSON: a page is a few rows by sequence, read
 *   without parsing the checkpoint (0.8 MB for a 100,000-entry account) or the other stored rows.
 * - `account_recent_entries` holds the rows with sequence ≥ `first_sequence`: those up to the account's
 *   last entry (`entry_sequence`; they do not depend on as-of once every entry is in), then the expiries a
 *   replay with no end generates after it. At an as-of in [`valid_from`, `valid_until`) the replay's rows
 *   are the stored ones at or before as-of, exactly (valid_from: the last entry's instant; valid_until:
 *   the first generated row not stored, NULL when none was left out).
 * - `view` is the row's JSON (core/ledger/entry-view.ts), amounts as canonical strings; `format` is
 *   RECENT_ROWS_FORMAT when written: rows in another format (an older release's rows) are read as none.
 */
export const migration0006: Migration = {
  id: '0006-recent-entry-rows',
  sql: `
CREATE TABLE account_recent (
  account_id INTEGER PRIMARY KEY REFERENCES accounts (id),
  entry_count INTEGER NOT NULL CHECK (entry_count > 0),
  format INTEGER NOT NULL,
  first_sequence INTEGER NOT NULL CHECK (first_sequence > 0),
  entry_sequence INTEGER NOT NULL CHECK (entry_sequence >= first_sequence - 1),
  valid_from INTEGER NOT NULL,
  valid_until INTEGER
) STRICT;
CREATE TABLE account_recent_entries (
  account_id INTEGER NOT NULL REFERENCES accounts (id),
  sequence INTEGER NOT NULL,
  at INTEGER NOT NULL,
  view TEXT NOT NULL,
  PRIMARY KEY (account_id, sequence)
) STRICT;
`,
};
