import { replayFromCheckpoint, type ReplayCheckpoint } from '../ledger/checkpoint.js';
import { entryView, type EntryView } from '../ledger/entry-view.js';
import type { AccountKey, LedgerEntry } from '../ledger/types.js';
import type { Instant } from '../time/instant.js';
import type { LedgerDb } from './open.js';
import { prepared } from './statements.js';

/*
 * The newest rows of a long account as entries.list shows them (migration 0006), written beside its
 * checkpoint: the rows the checkpoint's tail replays (a row after an entry depends only on what came
 * before it, so once every entry is in, on no as-of) and the expiries a replay with no end generates after
 * the last entry (at an as-of, exactly those at or before it happened). The account screen's first pages
 * are then a slice of stored rows: no replay, no decimal arithmetic.
 */

/** The stored rows' format: bump it whenever EntryView (core/ledger/entry-view.ts) changes; other formats are read as none. */
export const RECENT_ROWS_FORMAT = 1;

/** Generated rows stored after an account's last entry; an as-of past the last one stored falls back to a replay. */
export const RECENT_GENERATED_ROWS = 8_192;

/**
 * Replays the checkpoint's tail with no end and stores every row it gives (the checkpoint's `tail` is the
 * account's entries after it). Runs in the writer's transaction, after the account's old rows were deleted.
 */
export function writeRecentEntries(
  db: LedgerDb,
  accountId: number,
  entryCount: number,
  key: AccountKey,
  checkpoint: ReplayCheckpoint,
  tail: readonly LedgerEntry[],
  maxGenerated = RECENT_GENERATED_ROWS,
): void {
  const state = replayFromCheckpoint(key, checkpoint, tail);
  const rows = state.entries;
  // Rows up to the last entry's own row; everything after it is an expiry generated after the last entry.
  let imported = rows.length;
  while (imported > 0 && rows[imported - 1]!.generated) imported--;
  if (tail.length > 0 && (imported === 0 || rows[imported - 1]!.entry !== tail[tail.length - 1])) {
    throw new Error(`account ${accountId}: the last replayed entry is not the account's last entry`);
  }
  const stored = Math.min(rows.length, imported + maxGenerated);
  const validUntil = stored < rows.length ? rows[stored]!.entry.at : null;
  const validFrom: Instant = tail.length > 0 ? tail[tail.length - 1]!.at : checkpoint.validFrom;
  prepared(db, 'INSERT INTO account_recent (account_id, entry_count, format, first_sequence, entry_sequence, valid_from, valid_until) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    accountId,
    entryCount,
    RECENT_ROWS_FORMAT,
    checkpoint.sequence + 1,
    checkpoint.sequence + imported,
    validFrom,
    validUntil,
  );
  const insert = prepared(db, 'INSERT INTO account_recent_entries (account_id, sequence, at, view) VALUES (?, ?, ?, ?)');
  for (let i = 0; i < stored; i++) {
    const row = rows[i]!;
    if (row.sequence !== checkpoint.sequence + 1 + i) throw new Error(`account ${accountId}: replayed row ${i} has sequence ${row.sequence}`);
    insert.run(accountId, row.sequence, row.entry.at, JSON.stringify(entryView(row)));
  }
}

/** Drops the stored rows of the given accounts (JSON array of accounts.id). */
export function deleteRecentEntries(db: LedgerDb, accountIdsJson: string): void {
  prepared(db, 'DELETE FROM account_recent WHERE account_id IN (SELECT value FROM json_each(?))').run(accountIdsJson);
  prepared(db, 'DELETE FROM account_recent_entries WHERE account_id IN (SELECT value FROM json_each(?))').run(accountIdsJson);
}

export interface RecentEntriesPage {
  /** Rows at or before as-of: entries.list's total (unfiltered). */
  total: number;
  /** Newest first. */
  rows: EntryView[];
}

/**
 * Rows `offset` to `offset + limit` of the account's rows at `asOf`, newest first, from the stored rows;
 * null when they cannot answer (none stored, stale, as-of outside what they cover, the page older than them).
 */
export function loadRecentEntries(db: LedgerDb, key: AccountKey, asOf: Instant, offset: number, limit: number): RecentEntriesPage | null {
  const header = prepared(
    db,
    `SELECT a.id, a.entry_count, r.entry_count, r.format, r.first_sequence, r.entry_sequence, r.valid_from, r.valid_until
       FROM accounts a JOIN account_recent r ON r.account_id = a.id
      WHERE a.customer_id = ? AND a.subscription_id = ? AND a.unit = ?`,
  )
    .raw()
    .get(key.customerId, key.subscriptionId ?? '', key.unit) as [number, number, number, number, number, number, number, number | null] | undefined;
  if (header === undefined) return null;
  const [accountId, accountEntries, entryCount, format, firstSequence, entrySequence, validFrom, validUntil] = header;
  // Written with the entries they were built from; a different count means a writer did not rebuild them.
  if (accountEntries !== entryCount) return null;
  // Written by another release in another row format: as good as none until the account's entries next change.
  if (format !== RECENT_ROWS_FORMAT) return null;
  if (asOf < validFrom || (validUntil !== null && asOf >= validUntil)) return null;
  const generated = prepared(db, 'SELECT count(*) FROM account_recent_entries WHERE account_id = ? AND sequence > ? AND at <= ?')
    .pluck()
    .get(accountId, entrySequence, asOf) as number;
  const total = entrySequence + generated;
  const high = total - offset;
  const low = Math.max(1, total - offset - limit + 1);
  if (high < low) return { total, rows: [] };
  if (low < firstSequence) return null;
  const views = prepared(db, 'SELECT view FROM account_recent_entries WHERE account_id = ? AND sequence BETWEEN ? AND ? ORDER BY sequence DESC')
    .pluck()
    .all(accountId, low, high) as string[];
  if (views.length !== high - low + 1) throw new Error(`account ${accountId}: ${views.length} stored rows in ${low}..${high}`);
  return { total, rows: views.map((view) => JSON.parse(view) as EntryView) };
}
