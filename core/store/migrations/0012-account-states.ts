import type { Migration } from './types.js';

/*
 * Replay states inside each account's history (core/store/account-states.ts), so `balances` as of a past
 * instant replays an account only from the latest state at or before it instead of from its first entry.
 * Decisions written down here:
 * - Derived data, like account_checkpoints (0004) and account_summaries (0008): written by the transaction
 *   that writes the account's entries, from the replay that checks them; `entry_count` must equal
 *   accounts.entry_count or the rows are ignored, and writers that change entries drop them.
 * - A row is the replay checkpoint (core/ledger/checkpoint.ts, `format` its version) right after the
 *   account's `position`-th entry in replay order, which happened at `valid_from` with ordinal
 *   `last_ordinal`: it answers every as-of at or after `valid_from`, with the entries after it.
 * - Spaced by entry count and by the state's own size (every max(32, blocks) entries), so the rows of an
 *   account stay proportional to its entries; shorter accounts have none.
 * - A later migration that changes what the replay gives drops these rows (as 0010 and 0011 drop the
 *   summaries), or bumps CHECKPOINT_VERSION, which makes every stored state read as none.
 * - No rebuild here: existing accounts get their states as imports write to them; until then a past
 *   as-of replays them from their first entry, as before this migration.
 */
export const migration0012: Migration = {
  id: '0012-account-states',
  sql: `
CREATE TABLE account_states (
  account_id INTEGER NOT NULL REFERENCES accounts (id),
  position INTEGER NOT NULL CHECK (position > 0),
  entry_count INTEGER NOT NULL CHECK (entry_count >= position),
  format INTEGER NOT NULL,
  valid_from INTEGER NOT NULL,
  last_ordinal INTEGER NOT NULL,
  state TEXT NOT NULL,
  PRIMARY KEY (account_id, position)
) STRICT;
`,
};
