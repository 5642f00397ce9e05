import type Database from 'better-sqlite3';
import { rebuildCheckpoints } from '../checkpoints.js';
import { rebuildReplayNotes } from '../replay-notes.js';
import type { Migration } from './types.js';

/*
 * L1b stated allocation (DESIGN §4): a decrement that names its block draws from it. Until now an Orb
 * export's decrement and a Stripe credit balance transaction's debit were stored naming no block (the
 * replay drew in L1 order), though the raw record kept beside each says which block. Decisions:
 * - block_id of those rows is filled from their raw record (Orb: credit_block.id; Stripe: credit_grant,
 *   an id or an expanded object), so a re-import of the same file is unchanged (L5), not a conflict.
 * - A posted Orb void step (void_initiated or void) whose stated balances do not move moves nothing: its
 *   amount is stored as 0 (one step of a two-step void; the raw record keeps what it states).
 * - entries.allocation_warning: why a named block could not cover its decrement, in words; shown in the
 *   entry's evidence. account_source_disagreements: per account, the first entry whose stated balance
 *   (Orb ending_balance) differs from the replay's. Both derived, rebuilt here from the stored entries.
 * - Checkpoints and recent rows (0004, 0006) hold draws made under L1: dropped and rebuilt, as in 0007.
 *   Balance summaries (0008) likewise hold L1's balances: dropped; imports write them anew.
 */
export const migration0010: Migration = {
  id: '0010-stated-allocation',
  sql: `
UPDATE entries SET block_id = json_extract(raw, '$.credit_block.id')
 WHERE source = 'orb' AND kind = 'decrement' AND block_id IS NULL AND json_valid(raw)
   AND json_type(raw, '$.credit_block.id') = 'text' AND json_extract(raw, '$.credit_block.id') <> '';
UPDATE entries SET block_id = CASE json_type(raw, '$.credit_grant')
                                WHEN 'text' THEN json_extract(raw, '$.credit_grant')
                                WHEN 'object' THEN json_extract(raw, '$.credit_grant.id') END
 WHERE source = 'stripe' AND kind = 'decrement' AND block_id IS NULL AND json_valid(raw)
   AND json_type(raw, '$.credit_grant') IN ('text', 'object');
UPDATE entries SET amount = '0'
 WHERE source = 'orb' AND kind = 'void' AND status = 'posted' AND stated_starting_balance IS NOT NULL
   AND stated_starting_balance = stated_ending_balance AND amount <> '0';
ALTER TABLE entries ADD COLUMN allocation_warning TEXT;
CREATE TABLE account_source_disagreements (
  account_id INTEGER PRIMARY KEY REFERENCES accounts (id),
  entry_source TEXT NOT NULL,
  entry_source_id TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  at INTEGER NOT NULL,
  stated TEXT NOT NULL,
  replayed TEXT NOT NULL
) STRICT;
DELETE FROM account_recent_entries;
DELETE FROM account_recent;
DELETE FROM account_checkpoints;
DELETE FROM account_summaries;
`,
  rebuild(db: Database.Database): void {
    const ids = (db.prepare('SELECT id FROM accounts ORDER BY id').raw().all() as [number][]).map((row) => row[0]);
    rebuildCheckpoints(db, ids);
    rebuildReplayNotes(db);
  },
};
