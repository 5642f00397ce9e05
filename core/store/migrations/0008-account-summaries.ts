import type { Migration } from './types.js';

/*
 * Per-account balance summaries (core/store/account-summaries.ts), so `balances` and the balances of
 * every account read one row each instead of replaying every account. Decisions written down here:
 * - Derived data, like account_checkpoints (0004): written in the transaction that changes the account's
 *   entries; `entry_count` must equal accounts.entry_count or the row is ignored (a writer that did not
 *   rebuild it), and writers that change entries without changing the count delete it.
 * - A summary is the account's balance view as of an instant, valid on [`valid_from`, `valid_until`):
 *   between two changes (an entry, a block's activation or expiry) nothing moves. `valid_until` NULL:
 *   nothing is scheduled after `valid_from`. An as-of outside the range replays the account as before.
 * - `view` is the JSON of the view (core/service/views.ts AccountBalanceView); `format` is
 *   SUMMARY_FORMAT when written: rows in another format (another release's) are read as none.
 * - No rebuild here: building a view needs the replay and a "now" that a migration does not have. An
 *   existing database gets its summaries account by account as imports write to them; until then those
 *   accounts are replayed, exactly as before this migration.
 */
export const migration0008: Migration = {
  id: '0008-account-summaries',
  sql: `
CREATE TABLE account_summaries (
  account_id INTEGER PRIMARY KEY REFERENCES accounts (id),
  entry_count INTEGER NOT NULL CHECK (entry_count > 0),
  format INTEGER NOT NULL,
  valid_from INTEGER NOT NULL,
  valid_until INTEGER CHECK (valid_until IS NULL OR valid_until > valid_from),
  view TEXT NOT NULL
) STRICT;
`,
};
