import { CHECKPOINT_VERSION, checkpointAfter, checkpointOf, replayFromCheckpoint, type ReplayCheckpoint } from '../ledger/checkpoint.js';
import { LedgerRuleError, type AccountKey, type LedgerEntry } from '../ledger/types.js';
import { loadAccountStateThrough } from './account-states.js';
import { loadEntriesById, toAccountKey } from './entries-read.js';
import { DecimalInterner, decodeEntryRow, ENTRY_COLUMNS, type EntryRow } from './entry-row.js';
import type { LedgerDb } from './open.js';
import { deleteRecentEntries, RECENT_GENERATED_ROWS, writeRecentEntries } from './recent-entries.js';
import { prepared } from './statements.js';

/*
 * Replay checkpoints of long accounts (migration 0004): rebuilt in the transaction that changes an
 * account's entries, read back with the entries after them, so opening a 100,000-entry account replays
 * about a thousand entries instead of all of them.
 */

/** Accounts with at least this many entries get a checkpoint; shorter ones replay whole in a few ms. */
export const CHECKPOINT_MIN_ENTRIES = 4_096;
/** Entries after the checkpoint: the newest, replayed at each open; the account screen's first pages. */
export const CHECKPOINT_TAIL_ENTRIES = 1_024;

/**
 * Rebuilds (or drops) the checkpoints of the given accounts from their stored entries. Runs inside the
 * writer's transaction. An account whose entries break a rule gets none: its readers replay it whole and
 * report the rule there, as without checkpoints.
 */
export interface CheckpointSizes {
  minEntries: number;
  tailEntries: number;
  /** Generated rows stored after the last entry (migration 0006); default RECENT_GENERATED_ROWS. */
  generatedRows?: number;
}

const DEFAULT_SIZES: CheckpointSizes = { minEntries: CHECKPOINT_MIN_ENTRIES, tailEntries: CHECKPOINT_TAIL_ENTRIES, generatedRows: RECENT_GENERATED_ROWS };

export function rebuildCheckpoints(db: LedgerDb, accountIds: readonly number[], sizes: CheckpointSizes = DEFAULT_SIZES): void {
  if (!(sizes.tailEntries >= 0 && sizes.minEntries > sizes.tailEntries && (sizes.generatedRows ?? 0) >= 0)) throw new Error(`rebuildCheckpoints: sizes ${JSON.stringify(sizes)}`);
  if (accountIds.length === 0) return;
  const ids = JSON.stringify(accountIds);
  prepared(db, 'DELETE FROM account_checkpoints WHERE account_id IN (SELECT value FROM json_each(?))').run(ids);
  deleteRecentEntries(db, ids);
  const long = prepared(
    db,
    'SELECT id, customer_id, subscription_id, unit, entry_count FROM accounts WHERE id IN (SELECT value FROM json_each(?)) AND entry_count >= ?',
  )
    .raw()
    .all(ids, sizes.minEntries) as [number, string, string, string, number][];
  const insert = prepared(
    db,
    'INSERT INTO account_checkpoints (account_id, entry_count, position, tail_at, tail_ordinal, state) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const decimals = new DecimalInterner();
  for (const [id, customerId, subscriptionId, unit, entryCount] of long) {
    const key = toAccountKey(customerId, subscriptionId, unit);
    const position = entryCount - sizes.tailEntries;
    const fromState = checkpointFromState(db, id, key, entryCount, position, decimals);
    if (fromState !== null) {
      if (fromState === 'breaks a rule') continue;
      const { checkpoint, tail } = fromState;
      insert.run(id, entryCount, position, tail[0]?.at ?? null, tail[0]?.ordinal ?? null, JSON.stringify(checkpoint));
      writeRecentTail(db, id, entryCount, key, checkpoint, tail, sizes);
      continue;
    }
    const entries = loadEntriesById(db, id, key, decimals);
    // Assert right after reading: the catalog's count is what the checkpoint will be checked against.
    if (entries.length !== entryCount) throw new Error(`account ${id}: accounts.entry_count ${entryCount}, ${entries.length} entries stored`);
    let checkpoint: ReplayCheckpoint;
    try {
      checkpoint = checkpointAfter(key, entries, position);
    } catch (error) {
      if (error instanceof LedgerRuleError) continue;
      throw error;
    }
    const next = entries[position];
    insert.run(id, entryCount, position, next?.at ?? null, next?.ordinal ?? null, JSON.stringify(checkpoint));
    writeRecentTail(db, id, entryCount, key, checkpoint, entries.slice(position), sizes);
  }
}

/** The newest rows as entries.list shows them (migration 0006): the tail replayed with no end. */
function writeRecentTail(db: LedgerDb, id: number, entryCount: number, key: AccountKey, checkpoint: ReplayCheckpoint, tail: readonly LedgerEntry[], sizes: CheckpointSizes): void {
  try {
    writeRecentEntries(db, id, entryCount, key, checkpoint, tail, sizes.generatedRows ?? RECENT_GENERATED_ROWS);
  } catch (error) {
    // A tail that breaks a rule: no rows; readers replay from the checkpoint and report the rule there.
    if (!(error instanceof LedgerRuleError)) throw error;
  }
}

/**
 * The checkpoint after the account's first `position` entries, and the entries after it, from its latest
 * replay state (migration 0012) at or before `position`: an import that adds a month to a 100,000-entry
 * account reads the entries after that state, not all of them (it was most of such an import's time).
 * The same checkpoint as checkpointAfter's: the state's replay goes on to `position` and stops there,
 * before any later event. null when the account has no such state (every entry is read instead).
 */
function checkpointFromState(
  db: LedgerDb,
  id: number,
  key: AccountKey,
  entryCount: number,
  position: number,
  decimals: DecimalInterner,
): { checkpoint: ReplayCheckpoint; tail: LedgerEntry[] } | 'breaks a rule' | null {
  const stored = loadAccountStateThrough(db, id, key, position, decimals);
  if (stored === null) return null;
  // Assert right after reading: the state and the entries after it are the whole account.
  if (stored.checkpoint.position + stored.tail.length !== entryCount) {
    throw new Error(`account ${id}: a replay state at ${stored.checkpoint.position} and ${stored.tail.length} entries after it, of ${entryCount}`);
  }
  const skip = position - stored.checkpoint.position;
  if (skip === 0) return { checkpoint: stored.checkpoint, tail: stored.tail };
  let checkpoint: ReplayCheckpoint | null = null;
  const firstEntryAt = stored.checkpoint.firstEntryAt;
  try {
    replayFromCheckpoint(key, stored.checkpoint, stored.tail.slice(0, skip), {
      keepEntries: false,
      observer: {
        restart: () => {}, // the general engine never gives up part way
        after(applied, entry, _blocks, replay) {
          if (applied === position) checkpoint = checkpointOf(replay.internals(), position, entry.at, firstEntryAt);
        },
      },
    });
  } catch (error) {
    if (error instanceof LedgerRuleError) return 'breaks a rule';
    throw error;
  }
  if (checkpoint === null) throw new Error(`account ${id}: the replay from its state at ${stored.checkpoint.position} did not reach ${position}`);
  return { checkpoint, tail: stored.tail.slice(skip) };
}

export interface StoredCheckpoint {
  checkpoint: ReplayCheckpoint;
  /** The account's entries after the checkpoint, in replay order. */
  tail: LedgerEntry[];
}

/** The account's checkpoint and the entries after it; null when it has none or it is stale. */
export function loadCheckpoint(db: LedgerDb, key: AccountKey): StoredCheckpoint | null {
  const row = prepared(
    db,
    `SELECT a.id, a.entry_count, c.entry_count, c.position, c.tail_at, c.tail_ordinal, c.state
       FROM accounts a JOIN account_checkpoints c ON c.account_id = a.id
      WHERE a.customer_id = ? AND a.subscription_id = ? AND a.unit = ?`,
  )
    .raw()
    .get(key.customerId, key.subscriptionId ?? '', key.unit) as [number, number, number, number, number | null, number | null, string] | undefined;
  if (row === undefined) return null;
  const [accountId, accountEntries, entryCount, position, tailAt, tailOrdinal, state] = row;
  // Written with the entries it was built from; a different count means a writer did not rebuild it.
  if (accountEntries !== entryCount) return null;
  const checkpoint = JSON.parse(state) as ReplayCheckpoint;
  // Written by an older release in another format: as good as none until the account's entries next change.
  if (checkpoint.version !== CHECKPOINT_VERSION) return null;
  if (checkpoint.position !== position) throw new Error(`account ${accountId}: checkpoint position ${checkpoint.position}, row says ${position}`);
  const decimals = new DecimalInterner();
  const rows =
    tailAt === null
      ? []
      : (prepared(db, `SELECT ${ENTRY_COLUMNS} FROM entries WHERE account_id = ? AND (at > ? OR (at = ? AND ordinal >= ?)) ORDER BY at, ordinal`)
          .raw()
          .all(accountId, tailAt, tailAt, tailOrdinal) as EntryRow[]);
  if (rows.length !== entryCount - position) {
    throw new Error(`account ${accountId}: ${rows.length} entries after its checkpoint, expected ${entryCount - position}`);
  }
  return { checkpoint, tail: rows.map((entryRow) => decodeEntryRow(entryRow, key, decimals)) };
}
