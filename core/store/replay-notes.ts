import { Decimal, toCanonical } from '../money/decimal.js';
import { allocationWarningText } from '../ledger/allocation-text.js';
import { replayAccount } from '../ledger/replay.js';
import { firstStatedDisagreement, type StatedDisagreement } from '../ledger/stated-balance.js';
import { LedgerRuleError, type AccountKey, type AllocationWarning, type EntrySource } from '../ledger/types.js';
import type { Instant } from '../time/instant.js';
import { accountIdOf, loadEntriesById, toAccountKey } from './entries-read.js';
import { DecimalInterner } from './entry-row.js';
import type { LedgerDb } from './open.js';
import { prepared } from './statements.js';

/*
 * What a replay noticed about what the source states (migration 0010): an entry whose named block could
 * not cover it (L1b), kept with the entry and shown in its evidence; and per account the first entry
 * whose stated balance differs from the replay's, so the Accounts list can show which accounts disagree
 * with their source. Both are derived, rewritten whole for an account whenever its entries change.
 */

export interface StoredDisagreement {
  source: EntrySource;
  sourceId: string;
  sequence: number;
  at: Instant;
  /** Canonical decimal texts. */
  stated: string;
  replayed: string;
}

export interface AllocationNote {
  source: EntrySource;
  sourceId: string;
  text: string;
}

export function allocationNotes(warnings: readonly AllocationWarning[]): AllocationNote[] {
  return warnings.map((warning) => ({ source: warning.entry.source, sourceId: warning.entry.sourceId, text: allocationWarningText(warning) }));
}

export function storedDisagreement(found: StatedDisagreement): StoredDisagreement {
  return {
    source: found.entry.source,
    sourceId: found.entry.sourceId,
    sequence: found.sequence,
    at: found.entry.at,
    stated: toCanonical(found.stated),
    replayed: toCanonical(found.replayed),
  };
}

/**
 * Replaces the account's allocation notes (entries of other accounts are never touched); with `after`, only
 * those of its entries after that point in replay order (a replay that started there saw no earlier entry).
 */
export function writeAllocationNotes(db: LedgerDb, accountId: number, notes: readonly AllocationNote[], after: { at: number; ordinal: number } | null = null): void {
  if (after === null) prepared(db, 'UPDATE entries SET allocation_warning = NULL WHERE account_id = ? AND allocation_warning IS NOT NULL').run(accountId);
  else {
    prepared(db, 'UPDATE entries SET allocation_warning = NULL WHERE account_id = ? AND (at, ordinal) > (?, ?) AND allocation_warning IS NOT NULL').run(
      accountId, after.at, after.ordinal,
    );
  }
  const set = prepared(db, 'UPDATE entries SET allocation_warning = ? WHERE account_id = ? AND source = ? AND source_id = ?');
  for (const note of notes) set.run(note.text, accountId, note.source, note.sourceId);
}

/** Records (or, with null, clears) the account's first disagreement with its source's stated balances. */
export function writeSourceDisagreement(db: LedgerDb, accountId: number, found: StoredDisagreement | null): void {
  prepared(db, 'DELETE FROM account_source_disagreements WHERE account_id = ?').run(accountId);
  if (found === null) return;
  prepared(
    db,
    'INSERT INTO account_source_disagreements (account_id, entry_source, entry_source_id, sequence, at, stated, replayed) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(accountId, found.source, found.sourceId, found.sequence, found.at, found.stated, found.replayed);
}

type DisagreementRow = [string, string, number, number, string, string];

function decodeDisagreement(row: DisagreementRow): StoredDisagreement {
  return { source: row[0] as EntrySource, sourceId: row[1], sequence: row[2], at: row[3], stated: row[4], replayed: row[5] };
}

/** The account's recorded disagreement with its source, or null. */
export function loadSourceDisagreement(db: LedgerDb, key: AccountKey): StoredDisagreement | null {
  const id = accountIdOf(db, key);
  if (id === undefined) return null;
  const row = prepared(db, 'SELECT entry_source, entry_source_id, sequence, at, stated, replayed FROM account_source_disagreements WHERE account_id = ?')
    .raw()
    .get(id) as DisagreementRow | undefined;
  return row === undefined ? null : decodeDisagreement(row);
}

/** Every recorded disagreement, by account key (customer, subscription, unit joined by U+001F). */
export function loadSourceDisagreements(db: LedgerDb): Map<string, StoredDisagreement> {
  const rows = prepared(
    db,
    `SELECT a.customer_id, a.subscription_id, a.unit, d.entry_source, d.entry_source_id, d.sequence, d.at, d.stated, d.replayed
       FROM account_source_disagreements d JOIN accounts a ON a.id = d.account_id`,
  )
    .raw()
    .all() as [string, string, string, ...DisagreementRow][];
  const found = new Map<string, StoredDisagreement>();
  for (const row of rows) found.set(disagreementKey(toAccountKey(row[0], row[1], row[2])), decodeDisagreement(row.slice(3) as DisagreementRow));
  return found;
}

export function disagreementKey(key: AccountKey): string {
  return `${key.customerId}\u001f${key.subscriptionId ?? ''}\u001f${key.unit}`;
}

/**
 * Recomputes both notes from the stored entries of the accounts that can have them: a decrement naming
 * its block, a Stripe expiry (it states its amount), an entry stating its balance. For migrations (0010,
 * 0011); imports write them as they check.
 */
export function rebuildReplayNotes(db: LedgerDb): void {
  const ids = prepared(
    db,
    `SELECT DISTINCT account_id FROM entries
      WHERE (kind = 'decrement' AND block_id IS NOT NULL) OR (source = 'stripe' AND kind = 'expiry') OR stated_ending_balance IS NOT NULL
      ORDER BY account_id`,
  )
    .pluck()
    .all() as number[];
  const accountOf = prepared(db, 'SELECT customer_id, subscription_id, unit FROM accounts WHERE id = ?').raw();
  const statedOf = prepared(db, 'SELECT stated_ending_balance FROM entries WHERE account_id = ? ORDER BY at, ordinal').pluck();
  const decimals = new DecimalInterner();
  for (const id of ids) {
    const [customerId, subscriptionId, unit] = accountOf.get(id) as [string, string, string];
    const key = toAccountKey(customerId, subscriptionId, unit);
    const entries = loadEntriesById(db, id, key, decimals);
    const stated = statedOf.all(id) as (string | null)[];
    const statedByEntry = new Map<object, Decimal>();
    entries.forEach((entry, index) => {
      const text = stated[index];
      if (text !== null && text !== undefined) statedByEntry.set(entry, new Decimal(text));
    });
    let state;
    try {
      state = replayAccount(key, entries, { keepEntries: statedByEntry.size > 0 });
    } catch (error) {
      if (error instanceof LedgerRuleError) continue; // readers report the rule; no notes for an account that does not replay
      throw error;
    }
    writeAllocationNotes(db, id, allocationNotes(state.allocationWarnings));
    if (statedByEntry.size > 0) {
      const found = firstStatedDisagreement(state.entries, (entry) => statedByEntry.get(entry) ?? null);
      writeSourceDisagreement(db, id, found === null ? null : storedDisagreement(found));
    }
  }
}
