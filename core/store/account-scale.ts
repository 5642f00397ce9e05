import type { AccountKey } from '../ledger/types.js';
import { accountIdOf } from './entries-read.js';
import type { LedgerDb } from './open.js';
import { prepared } from './statements.js';

/*
 * An account's scale (issue 14, "the account's scale"): the most digits after the point among the amounts
 * its sources state: entry amounts and stated starting / ending balances, as stored (canonical, so
 * without trailing zeros). Every amount of the account is shown with at least that many digits, so a
 * column of an account's amounts lines up whatever its unit; a replayed balance never has more digits
 * than the amounts it is summed from.
 */

const DECIMALS = (column: string): string => `coalesce(CASE WHEN instr(${column}, '.') > 0 THEN length(${column}) - instr(${column}, '.') END, 0)`;

const SCALE_SQL = `SELECT max(max(${DECIMALS('amount')}, ${DECIMALS('stated_starting_balance')}, ${DECIMALS('stated_ending_balance')})) FROM entries WHERE account_id = ?`;

/** The account's scale; 0 for an account without entries or with whole amounts only. */
export function accountScale(db: LedgerDb, key: AccountKey): number {
  const id = accountIdOf(db, key);
  if (id === undefined) return 0;
  return (prepared(db, SCALE_SQL).pluck().get(id) as number | null) ?? 0;
}
