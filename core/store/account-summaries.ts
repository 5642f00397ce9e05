import type { Instant } from '../time/instant.js';
import type Database from 'better-sqlite3';
import { writeManyAccountStates, type AccountStatesWrite, type AccountStateWrite } from './account-states.js';
import type { LedgerDb } from './open.js';
import { prepared } from './statements.js';

/*
 * Balance summaries per account (migration 0008): the account's balance view as of an instant and the
 * range of instants it holds for, written by the transaction that writes the account's entries, so that
 * the balances of every account are read as rows instead of replayed. The service builds the views (it
 * owns their format); this module only stores them and hands back those valid at an as-of.
 */

/**
 * The stored views' format: bump it whenever AccountBalanceView (core/service/views.ts) or the text the
 * service stores for it (core/service/balance-summaries.ts summaryText) changes.
 */
export const SUMMARY_FORMAT = 3;

export interface AccountSummaryWrite {
  accountId: number;
  /** The view holds for as-of in [validFrom, validUntil); validUntil null: for ever after. */
  validFrom: Instant;
  validUntil: Instant | null;
  /** JSON text of the account's balance view, as the service writes it (summaryText). */
  view: string;
  /** Replay states inside the account's history (migration 0012), built from its `entryCount` entries. */
  states?: { entryCount: number; list: AccountStateWrite[] };
}

/** Drops the summaries of the given accounts (JSON array of accounts.id). */
export function deleteAccountSummaries(db: LedgerDb, accountIdsJson: string): void {
  prepared(db, 'DELETE FROM account_summaries WHERE account_id IN (SELECT value FROM json_each(?))').run(accountIdsJson);
}

/** Summaries per INSERT: one statement for many rows (prepared once), fewer calls into SQLite. */
const SUMMARIES_PER_INSERT = 100;

/** The insert of `rows` summaries: format, then per row valid_from, valid_until, view and accounts.id. */
function summaryInsert(rows: number): string {
  const values = new Array<string>(rows).fill('(?, ?, ?, ?)').join(', ');
  // CROSS JOIN: the listed rows drive, each account found by its id (never a scan of accounts).
  return (
    'INSERT OR REPLACE INTO account_summaries (account_id, entry_count, format, valid_from, valid_until, view) ' +
    `SELECT a.id, a.entry_count, ?, v.column1, v.column2, v.column3 FROM (VALUES ${values}) v CROSS JOIN accounts a ` +
    'WHERE a.id = v.column4 AND a.entry_count > 0'
  );
}

/**
 * Writes (or replaces) summaries, each stamped with its account's current entry count, and the replay
 * states that come with them: call it after the account's entries are written, in the same transaction.
 */
export function writeAccountSummaries(db: LedgerDb, summaries: readonly AccountSummaryWrite[]): void {
  for (const summary of summaries) {
    if (!Number.isSafeInteger(summary.validFrom) || (summary.validUntil !== null && !(summary.validUntil > summary.validFrom))) {
      throw new Error(`account ${summary.accountId}: summary range ${summary.validFrom}..${summary.validUntil}`);
    }
  }
  const write = (statement: Database.Statement, first: number, count: number): void => {
    const params: unknown[] = [SUMMARY_FORMAT];
    for (let i = first; i < first + count; i++) {
      const summary = summaries[i]!;
      params.push(summary.validFrom, summary.validUntil, summary.view, summary.accountId);
    }
    if (statement.run(params).changes === count) return;
    // Assert right after writing: name the first summary whose account is missing or empty.
    const entryCount = prepared(db, 'SELECT entry_count FROM accounts WHERE id = ?').pluck();
    for (let i = first; i < first + count; i++) {
      const found = entryCount.get(summaries[i]!.accountId) as number | undefined;
      if (found === undefined || found <= 0) throw new Error(`account ${summaries[i]!.accountId}: no such account with entries for its summary`);
    }
    throw new Error(`wrote ${count} summaries, but not one per account`);
  };
  let first = 0;
  for (; first + SUMMARIES_PER_INSERT <= summaries.length; first += SUMMARIES_PER_INSERT) write(prepared(db, summaryInsert(SUMMARIES_PER_INSERT)), first, SUMMARIES_PER_INSERT);
  // The few left over one by one: a statement per leftover count would be compiled for every import.
  for (; first < summaries.length; first++) write(prepared(db, summaryInsert(1)), first, 1);
  const states: AccountStatesWrite[] = [];
  for (const summary of summaries) {
    if (summary.states !== undefined) states.push({ accountId: summary.accountId, entryCount: summary.states.entryCount, states: summary.states.list });
  }
  writeManyAccountStates(db, states);
}

/**
 * A reader of the summaries that answer at `asOf`: current (their entry count is the account's), in this
 * release's format, and valid at `asOf`. `view(accountId)` is the stored text, or undefined when the account
 * must be replayed. One indexed lookup per account: nothing is held between calls.
 */
export function accountSummaryReader(db: LedgerDb, asOf: Instant): (accountId: number) => string | undefined {
  const statement = prepared(
    db,
    `SELECT s.view FROM account_summaries s JOIN accounts a ON a.id = s.account_id
      WHERE s.account_id = ? AND s.entry_count = a.entry_count AND s.format = ? AND s.valid_from <= ? AND (s.valid_until IS NULL OR ? < s.valid_until)`,
  ).pluck();
  return (accountId) => statement.get(accountId, SUMMARY_FORMAT, asOf, asOf) as string | undefined;
}

/** accounts.id → stored text of every summary that answers at `asOf` (see accountSummaryReader). */
export function loadAccountSummaries(db: LedgerDb, asOf: Instant): Map<number, string> {
  const rows = prepared(
    db,
    `SELECT s.account_id, s.view FROM account_summaries s JOIN accounts a ON a.id = s.account_id
      WHERE s.entry_count = a.entry_count AND s.format = ? AND s.valid_from <= ? AND (s.valid_until IS NULL OR ? < s.valid_until)`,
  )
    .raw()
    .all(SUMMARY_FORMAT, asOf, asOf) as [number, string][];
  return new Map(rows);
}
