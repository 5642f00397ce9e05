import type Database from 'better-sqlite3';
import { rebuildCheckpoints } from '../checkpoints.js';
import { rebuildReplayNotes } from '../replay-notes.js';
import type { Migration } from './types.js';

/*
 * Stripe credits_expired takes the amount it states (core/ledger/stated-expiry.ts): where it differs from
 * what its grant held, the replay now records the stated expiry and the engine's expiry of the rest (one
 * more ledger row) and an allocation warning on the entry. Only accounts holding a Stripe expiry can
 * change: their checkpoints, recent rows and balance summaries (0004, 0006, 0008) are dropped and the
 * checkpoints rebuilt, as in 0010; the replay notes are rebuilt (they now cover those accounts too).
 */
const STRIPE_EXPIRY_ACCOUNTS = "SELECT DISTINCT account_id FROM entries WHERE source = 'stripe' AND kind = 'expiry'";

export const migration0011: Migration = {
  id: '0011-stated-expiry',
  sql: `
DELETE FROM account_recent_entries WHERE account_id IN (${STRIPE_EXPIRY_ACCOUNTS});
DELETE FROM account_recent WHERE account_id IN (${STRIPE_EXPIRY_ACCOUNTS});
DELETE FROM account_checkpoints WHERE account_id IN (${STRIPE_EXPIRY_ACCOUNTS});
DELETE FROM account_summaries WHERE account_id IN (${STRIPE_EXPIRY_ACCOUNTS});
`,
  rebuild(db: Database.Database): void {
    const ids = (db.prepare(`${STRIPE_EXPIRY_ACCOUNTS} ORDER BY account_id`).raw().all() as [number][]).map((row) => row[0]);
    rebuildCheckpoints(db, ids);
    rebuildReplayNotes(db);
  },
};
