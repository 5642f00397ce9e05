import type Database from 'better-sqlite3';
import { CHECKPOINT_VERSION, type ReplayCheckpoint } from '../ledger/checkpoint.js';
import type { AccountKey, LedgerEntry } from '../ledger/types.js';
import type { Instant } from '../time/instant.js';
import { decodeEntryRow, ENTRY_COLUMNS, type DecimalInterner, type EntryRow } from './entry-row.js';
import type { LedgerDb } from './open.js';
import { prepared } from './statements.js';

/*
 * Replay states inside an account's history (migration 0012): replay checkpoints after some of its entries,
 * written with the account's entries from the replay that checked them, so that a past as-of replays the
 * account from the latest state at or before it. The service decides where states are taken.
 */

/** A state to store: the checkpoint after the account's `position`-th entry, as JSON text. */
export interface AccountStateWrite {
  position: number;
  /** The instant and ordinal of that entry: the state answers as-of instants at or after `validFrom`. */
  validFrom: Instant;
  lastOrdinal: number;
  /** JSON of a ReplayCheckpoint (core/ledger/checkpoint.ts) whose position is `position`. */
  state: string;
}

/** Drops the states of the given accounts (JSON array of accounts.id). */
export function deleteAccountStates(db: LedgerDb, accountIdsJson: string): void {
  prepared(db, 'DELETE FROM account_states WHERE account_id IN (SELECT value FROM json_each(?))').run(accountIdsJson);
}

/** The states of one account, built from its `entryCount` entries. */
export interface AccountStatesWrite {
  accountId: number;
  entryCount: number;
  states: readonly AccountStateWrite[];
}

/** States per INSERT: one statement for many rows (prepared once), fewer calls into SQLite. */
const STATES_PER_INSERT = 100;

/** The insert of `rows` states: format, then per row accounts.id, position, valid_from, last_ordinal, state and entry count. */
function stateInsert(rows: number): string {
  const values = new Array<string>(rows).fill('(?, ?, ?, ?, ?, ?)').join(', ');
  // CROSS JOIN: the listed rows drive, each account found by its id (never a scan of accounts).
  return (
    'INSERT INTO account_states (account_id, position, entry_count, format, valid_from, last_ordinal, state) ' +
    `SELECT a.id, v.column2, a.entry_count, ?, v.column3, v.column4, v.column5 FROM (VALUES ${values}) v CROSS JOIN accounts a ` +
    'WHERE a.id = v.column1 AND a.entry_count = v.column6'
  );
}

/**
 * Writes the states of one account, built from `entryCount` entries: call it after the account's entries
 * are written (and its old states dropped), in the same transaction. Asserts right before writing that
 * the account holds exactly the entries the states were built from.
 */
export function writeAccountStates(db: LedgerDb, accountId: number, entryCount: number, states: readonly AccountStateWrite[]): void {
  writeManyAccountStates(db, [{ accountId, entryCount, states }]);
}

/** writeAccountStates for many accounts at once, many rows per INSERT. */
export function writeManyAccountStates(db: LedgerDb, accounts: readonly AccountStatesWrite[]): void {
  const rows: { account: AccountStatesWrite; state: AccountStateWrite }[] = [];
  for (const account of accounts) {
    const { accountId, entryCount } = account;
    let previous = 0;
    for (const state of account.states) {
      if (!(Number.isSafeInteger(state.position) && state.position > previous && state.position <= entryCount)) {
        throw new Error(`account ${accountId}: state at position ${state.position} after ${previous}, of ${entryCount} entries`);
      }
      previous = state.position;
      rows.push({ account, state });
    }
  }
  const write = (statement: Database.Statement, first: number, count: number): void => {
    const params: unknown[] = [CHECKPOINT_VERSION];
    for (let i = first; i < first + count; i++) {
      const { account, state } = rows[i]!;
      params.push(account.accountId, state.position, state.validFrom, state.lastOrdinal, state.state, account.entryCount);
    }
    if (statement.run(params).changes === count) return;
    // Assert right after writing: name the first account that does not hold the entries its states were built from.
    const entryCount = prepared(db, 'SELECT entry_count FROM accounts WHERE id = ?').pluck();
    for (let i = first; i < first + count; i++) {
      const { account } = rows[i]!;
      if (entryCount.get(account.accountId) !== account.entryCount) {
        throw new Error(`account ${account.accountId}: does not hold the ${account.entryCount} entries its replay states were built from`);
      }
    }
    throw new Error(`wrote fewer than the ${count} replay states given`);
  };
  let first = 0;
  for (; first + STATES_PER_INSERT <= rows.length; first += STATES_PER_INSERT) write(prepared(db, stateInsert(STATES_PER_INSERT)), first, STATES_PER_INSERT);
  // The few left over one by one: a statement per leftover count would be compiled for every import.
  for (; first < rows.length; first++) write(prepared(db, stateInsert(1)), first, 1);
}

/**
 * For an import that adds entries to an account from instant `from` on (core/import/checks.ts): the latest
 * current state at or before `from`, and every stored entry after it, in replay order; null when there is
 * none. Entries the import adds sort after the state (their instants are at or after it, their ordinals
 * above every stored one), so the state plus these entries replay the whole account.
 */
export function loadAccountStateBefore(db: LedgerDb, accountId: number, key: AccountKey, from: Instant, decimals: DecimalInterner): StoredStateAt | null {
  return loadStateAndTail(db, accountId, key, from, Number.POSITIVE_INFINITY, decimals);
}

/**
 * The latest current state at or before the account's `position`-th entry, with the stored entries after it
 * up to `tailUntil` (all of them by default), in replay order; null when there is none. (rebuildCheckpoints:
 * the checkpoint of a long account; entries.list: a page of a past as-of.)
 */
export function loadAccountStateThrough(
  db: LedgerDb,
  accountId: number,
  key: AccountKey,
  position: number,
  decimals: DecimalInterner,
  tailUntil: Instant = Number.POSITIVE_INFINITY,
): StoredStateAt | null {
  const row = latestStateRow(db, accountId, 'position', position);
  return row === undefined ? null : stateAndTail(db, accountId, key, row, tailUntil, decimals);
}

/** How many of the account's entries happened at or before `asOf` (the entries_by_account index counts them). */
export function countEntriesThrough(db: LedgerDb, accountId: number, asOf: Instant): number {
  return prepared(db, 'SELECT count(*) FROM entries WHERE account_id = ? AND at <= ?').pluck().get(accountId, asOf) as number;
}

/**
 * Drops the account's states after position `keep` and marks those up to it as describing the account's
 * current entries: an import that added entries only after position `keep` (in replay order) leaves the
 * states before them true. Call after the account's new entry count is written, in the same transaction.
 */
export function keepAccountStatesThrough(db: LedgerDb, accountId: number, keep: number): void {
  // Only rows as current as the one at `keep` (which the import's check read as current) are brought up to
  // date: a row already stale stays out of use rather than be made to look current.
  prepared(
    db,
    'DELETE FROM account_states WHERE account_id = ? AND (position > ? OR entry_count IS NOT (SELECT entry_count FROM account_states WHERE account_id = ? AND position = ?))',
  ).run(accountId, keep, accountId, keep);
  prepared(db, 'UPDATE account_states SET entry_count = (SELECT entry_count FROM accounts WHERE id = ?) WHERE account_id = ?').run(accountId, accountId);
}

/** A stored state and the account's entries after it up to the as-of, in replay order. */
export interface StoredStateAt {
  checkpoint: ReplayCheckpoint;
  /** The ordinal of the state's last entry (with checkpoint.validFrom, where it sits in replay order). */
  lastOrdinal: number;
  tail: LedgerEntry[];
}

/**
 * The latest current state of accounts.id `accountId` (key `key`) at or before `asOf`, with the entries
 * after it up to `asOf`; null when there is none (the account is replayed from its first entry).
 */
export function loadAccountStateAt(db: LedgerDb, accountId: number, key: AccountKey, asOf: Instant, decimals: DecimalInterner): StoredStateAt | null {
  return loadStateAndTail(db, accountId, key, asOf, asOf, decimals);
}

/** The latest current state at or before `stateAt`, with the entries after it up to `tailUntil`. */
function loadStateAndTail(db: LedgerDb, accountId: number, key: AccountKey, stateAt: Instant, tailUntil: Instant, decimals: DecimalInterner): StoredStateAt | null {
  const row = latestStateRow(db, accountId, 'valid_from', stateAt);
  return row === undefined ? null : stateAndTail(db, accountId, key, row, tailUntil, decimals);
}

/** position, valid_from, last_ordinal, state of an account_states row. */
type StateRow = [number, number, number, string];

/** The account's latest current state (its entry count the account's, this release's format) whose `by` is at or before `limit`. */
function latestStateRow(db: LedgerDb, accountId: number, by: 'valid_from' | 'position', limit: number): StateRow | undefined {
  return prepared(
    db,
    `SELECT s.position, s.valid_from, s.last_ordinal, s.state FROM account_states s JOIN accounts a ON a.id = s.account_id
      WHERE s.account_id = ? AND s.entry_count = a.entry_count AND s.format = ? AND s.${by} <= ?
      ORDER BY s.position DESC LIMIT 1`,
  )
    .raw()
    .get(accountId, CHECKPOINT_VERSION, limit) as StateRow | undefined;
}

/** The row's checkpoint, checked against the row, with the account's entries after it up to `tailUntil`. */
function stateAndTail(db: LedgerDb, accountId: number, key: AccountKey, row: StateRow, tailUntil: Instant, decimals: DecimalInterner): StoredStateAt {
  const [position, validFrom, lastOrdinal, state] = row;
  const checkpoint = JSON.parse(state) as ReplayCheckpoint;
  // Assert right after reading: the row and the checkpoint it holds describe the same point.
  if (checkpoint.version !== CHECKPOINT_VERSION || checkpoint.position !== position || checkpoint.validFrom !== validFrom) {
    throw new Error(`account ${accountId}: replay state at position ${position} holds version ${checkpoint.version}, position ${checkpoint.position}`);
  }
  const rows = prepared(db, `SELECT ${ENTRY_COLUMNS} FROM entries WHERE account_id = ? AND (at, ordinal) > (?, ?) AND at <= ? ORDER BY at, ordinal`)
    .raw()
    // SQLite binds Infinity as a REAL, which every INTEGER instant is below.
    .all(accountId, validFrom, lastOrdinal, tailUntil) as EntryRow[];
  const tail = new Array<LedgerEntry>(rows.length);
  for (let i = 0; i < rows.length; i++) tail[i] = decodeEntryRow(rows[i]!, key, decimals);
  return { checkpoint, lastOrdinal, tail };
}
