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

/** The scale of the entries in scope: an aggregate over `entries`. */
const SCALE_OF_ENTRIES = `max(max(${DECIMALS('amount')}, ${DECIMALS('stated_starting_balance')}, ${DECIMALS('stated_ending_balance')}))`;

const SCALE_SQL = `SELECT ${SCALE_OF_ENTRIES} FROM entries WHERE account_id = ?`;

/** The account's scale; 0 for an account without entries or with whole amounts only. */
export function accountScale(db: LedgerDb, key: AccountKey): number {
  const id = accountIdOf(db, key);
  if (id === undefined) return 0;
  return (prepared(db, SCALE_SQL).pluck().get(id) as number | null) ?? 0;
}

/*
 * Lists (Accounts, Customer timeline, Credit liability) show many accounts: their scales are read in one
 * statement per list, each account through the entries_by_account index, so a page of the 100,000-account
 * list reads only its own accounts' entries.
 */
const SCALES_SQL = `SELECT j.key, (SELECT ${SCALE_OF_ENTRIES} FROM entries WHERE account_id = a.id)
  FROM json_each(?) j
  LEFT JOIN accounts a ON a.customer_id = json_extract(j.value, '$[0]') AND a.subscription_id = json_extract(j.value, '$[1]') AND a.unit = json_extract(j.value, '$[2]')`;

/** The scale of each of `keys`, in their order (0 for an account without entries): one query. */
export function accountScales(db: LedgerDb, keys: readonly AccountKey[]): number[] {
  if (keys.length === 0) return [];
  const json = JSON.stringify(keys.map((key) => [key.customerId, key.subscriptionId ?? '', key.unit]));
  const rows = prepared(db, SCALES_SQL).raw().all(json) as [number, number | null][];
  const scales = new Array<number>(keys.length).fill(0);
  for (const [position, scale] of rows) scales[position] = scale ?? 0;
  return scales;
}
