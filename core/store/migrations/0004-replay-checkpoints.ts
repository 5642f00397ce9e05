import type { Migration } from './types.js';

/*
 * Replay checkpoints (core/ledger/checkpoint.ts): for an account with many entries, its replay state
 * after all but its last few entries, so opening it replays only those. Decisions written down here:
 * - Derived data, never evidence: written in the transaction that changes the account's entries
 *   (EntryWriter.finish), and `entry_count` must equal accounts.entry_count or the row is ignored (a
 *   writer that forgot it costs a full replay, never a wrong answer).
 * - Only long accounts have one (core/store/checkpoints.ts sets the size); a database migrated from
 *   0003 has none until an account's entries next change, and is answered by full replay until then.
 * - `state` is the checkpoint as JSON (amounts as canonical decimal strings); `tail_at`/`tail_ordinal`
 *   is the first entry after it, so the tail is read through entries_by_account.
 */
export const migration0004: Migration = {
  id: '0004-replay-checkpoints',
  sql: `
CREATE TABLE account_checkpoints (
  account_id INTEGER PRIMARY KEY REFERENCES accounts (id),
  entry_count INTEGER NOT NULL CHECK (entry_count > 0),
  position INTEGER NOT NULL CHECK (position > 0 AND position <= entry_count),
  tail_at INTEGER,
  tail_ordinal INTEGER,
  state TEXT NOT NULL
) STRICT;
`,
};
