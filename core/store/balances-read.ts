import { compareAccountKeys } from '../ledger/account-key.js';
import type { AccountKey } from '../ledger/types.js';
import type { Instant } from '../time/instant.js';
import { SUMMARY_FORMAT } from './account-summaries.js';
import { toAccountKey } from './entries-read.js';
import type { LedgerDb } from './open.js';
import { prepared } from './statements.js';

/*
 * Reads for the balances of every account (`balances --json`): the accounts in order and their stored
 * summaries (migration 0008) in runs, joined inside SQLite, so that 100,000 accounts cost a few dozen
 * statements instead of a sort in JavaScript and one lookup and one string per account.
 */

/** Bytes of the database file a read of every account maps into memory (PRAGMA mmap_size). */
const LONG_READ_MAP_BYTES = 1 << 30;

/**
 * Runs `read` with up to LONG_READ_MAP_BYTES of the database file mapped into memory: reading every
 * account's summary touches most pages of the file once, and SQLite then reads them in place instead of
 * copying each into its page cache with a system call (~40 ms of 100,000 accounts' 56 MB). Nothing here
 * shrinks a ledger file (no VACUUM), which is what makes a mapping unsafe. The connection's own setting is
 * restored after.
 */
export function withFileMapped<T>(db: LedgerDb, read: () => T): T {
  const before = db.pragma('mmap_size', { simple: true }) as number;
  db.pragma(`mmap_size = ${LONG_READ_MAP_BYTES}`);
  try {
    return read();
  } finally {
    db.pragma(`mmap_size = ${before}`);
  }
}

/** A run of accounts.id, as the JSON array text json_each reads, and how many ids it holds. */
export interface AccountIdRun {
  json: string;
  count: number;
}

/**
 * accounts.id of every account, in compareAccountKeys order (UTF-16 code units), in runs of `runSize`. One
 * without entries, if any, replays to nothing and the caller leaves it out: filtering here would read every
 * account's row besides the index. SQLite orders by the unique index (UTF-8 bytes, i.e. code points); the
 * two orders differ only between a character above U+FFFF and one in U+E000..U+FFFF, so where any key holds
 * a character above U+FFFF the accounts are sorted here instead. The runs are cut from SQLite's list as
 * text: parsing 100,000 ids and writing each run back as JSON cost more than the cutting.
 */
export function accountIdRunsInOrder(db: LedgerDb, runSize: number): AccountIdRun[] {
  if (!(Number.isSafeInteger(runSize) && runSize > 0)) throw new Error(`accountIdRunsInOrder: run size ${runSize}`);
  const [ids, keys] = prepared(
    db,
    `SELECT group_concat(id), CAST(group_concat(customer_id || subscription_id || unit, '') AS BLOB) FROM
       (SELECT id, customer_id, subscription_id, unit FROM accounts ORDER BY customer_id, subscription_id, unit)`,
  )
    .raw()
    .get() as [string | null, Buffer | null];
  if (ids === null || keys === null) return [];
  if (!withinBmp(keys)) return runsOf(accountIdsSortedHere(db), runSize);
  const runs: AccountIdRun[] = [];
  let start = 0;
  while (start < ids.length) {
    // The comma after the run's last id, or the end.
    let end = start - 1;
    let count = 0;
    do {
      end = ids.indexOf(',', end + 1);
      count++;
    } while (end !== -1 && count < runSize);
    if (end === -1) end = ids.length;
    runs.push({ json: `[${ids.slice(start, end)}]`, count });
    start = end + 1;
  }
  return runs;
}

function runsOf(ids: readonly number[], runSize: number): AccountIdRun[] {
  const runs: AccountIdRun[] = [];
  for (let start = 0; start < ids.length; start += runSize) {
    const run = ids.slice(start, start + runSize);
    runs.push({ json: JSON.stringify(run), count: run.length });
  }
  return runs;
}

/** True when the text holds no character above U+FFFF (the UTF-8 bytes F0..F4 start those). */
function withinBmp(utf8: Buffer): boolean {
  for (let lead = 0xf0; lead <= 0xf4; lead++) if (utf8.includes(lead)) return false;
  return true;
}

function accountIdsSortedHere(db: LedgerDb): number[] {
  const rows = prepared(db, 'SELECT id, customer_id, subscription_id, unit FROM accounts WHERE entry_count > 0')
    .raw()
    .all() as [number, string, string, string][];
  return rows
    .map((row) => ({ id: row[0], key: toAccountKey(row[1], row[2], row[3]) }))
    .sort((a, b) => compareAccountKeys(a.key, b.key))
    .map((row) => row.id);
}

/**
 * The stored summary texts of `accountIds` (in that order) that answer at `asOf` (current, this format,
 * valid at asOf: as accountSummaryReader), joined by `separator`, as UTF-8; null when any of the accounts
 * has none (the caller then goes account by account). The ids drive the join (CROSS JOIN keeps them the
 * outer loop), so the texts come in their order.
 */
export function joinedSummaryTexts(db: LedgerDb, accountIds: AccountIdRun, asOf: Instant, separator: string): Buffer | null {
  if (accountIds.count === 0) return Buffer.alloc(0);
  const [joined, count] = prepared(
    db,
    `SELECT CAST(group_concat(s.view, ?) AS BLOB), count(*) FROM json_each(?) j
       CROSS JOIN account_summaries s ON s.account_id = j.value
       JOIN accounts a ON a.id = s.account_id
      WHERE s.entry_count = a.entry_count AND s.format = ? AND s.valid_from <= ? AND (s.valid_until IS NULL OR ? < s.valid_until)`,
  )
    .raw()
    .get(separator, accountIds.json, SUMMARY_FORMAT, asOf, asOf) as [Buffer | null, number];
  return count === accountIds.count && joined !== null ? joined : null;
}

/** One account of a run: its key, and its stored summary text where one answers at the as-of (else null). */
export interface AccountInRun {
  accountId: number;
  key: AccountKey;
  view: string | null;
}

/**
 * The accounts `accountIds` (in that order) with their keys and the summary texts that answer at `asOf`:
 * one statement for a run whose texts could not be joined (a past as-of, where most are replayed).
 */
export function accountsInRun(db: LedgerDb, accountIds: AccountIdRun, asOf: Instant): AccountInRun[] {
  const rows = prepared(
    db,
    `SELECT a.id, a.customer_id, a.subscription_id, a.unit,
            CASE WHEN s.entry_count = a.entry_count AND s.format = ? AND s.valid_from <= ? AND (s.valid_until IS NULL OR ? < s.valid_until)
                 THEN s.view END
       FROM json_each(?) j CROSS JOIN accounts a ON a.id = j.value
       LEFT JOIN account_summaries s ON s.account_id = a.id
      ORDER BY j.key`,
  )
    .raw()
    .all(SUMMARY_FORMAT, asOf, asOf, accountIds.json) as [number, string, string, string, string | null][];
  if (rows.length !== accountIds.count) throw new Error(`accounts in run: ${rows.length} rows for ${accountIds.count} ids`);
  return rows.map((row) => ({ accountId: row[0], key: toAccountKey(row[1], row[2], row[3]), view: row[4] }));
}
