import type Database from 'better-sqlite3';
import { rebuildCheckpoints } from '../checkpoints.js';
import type { Migration } from './types.js';

/*
 * L3 corrected (DESIGN §4): a block before its effective_at is `scheduled`, not in `current`. Replay
 * checkpoints (0004) stored under the old rule hold no `scheduled` and count such blocks in `current`;
 * they are checkpoint format 2, which this release reads as none. Decisions written down here:
 * - The stored derived rows (account_checkpoints, and the recent rows of 0006 written with them) are
 *   dropped and rebuilt from the stored entries in the migration's own transaction, so a long account
 *   opens fast at once instead of replaying whole until its entries next change.
 * - Entries, blocks' evidence and every imported record are untouched: only derived data changes.
 */
export const migration0007: Migration = {
  id: '0007-scheduled-credit',
  sql: `
DELETE FROM account_recent_entries;
DELETE FROM account_recent;
DELETE FROM account_checkpoints;
`,
  rebuild(db: Database.Database): void {
    const ids = (db.prepare('SELECT id FROM accounts ORDER BY id').raw().all() as [number][]).map((row) => row[0]);
    rebuildCheckpoints(db, ids);
  },
};
