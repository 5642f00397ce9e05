import { compareAccountKeys } from '../ledger/account-key.js';
import type { LedgerEntry } from '../ledger/types.js';
import type { EntryExtras, LedgerAccountInput } from '../reconcile/types.js';
import { toAccountKey } from './entries-read.js';
import { DecimalInterner, decodeEntryRow, ENTRY_COLUMN_COUNT, entryColumns, type EntryRow } from './entry-row.js';
import type { LedgerDb } from './open.js';
import { prepared } from './statements.js';

/*
 * The ledger as reconciliation reads it: every account's entries in replay order, each with the two
 * stored extras matching needs (metadata, Orb external customer id). One pass over the entries_by_account
 * index, so a run costs one query, not one per account.
 */
export function loadReconcileLedger(db: LedgerDb): LedgerAccountInput[] {
  const accounts = new Map<number, { input: LedgerAccountInput; entries: LedgerEntry[]; records: EntryExtras[] }>();
  const rows = prepared(db, 'SELECT id, customer_id, subscription_id, unit FROM accounts WHERE entry_count > 0').raw().all() as [number, string, string, string][];
  for (const [id, customerId, subscriptionId, unit] of rows) {
    const entries: LedgerEntry[] = [];
    const records: EntryExtras[] = [];
    accounts.set(id, { input: { key: toAccountKey(customerId, subscriptionId, unit), entries, records }, entries, records });
  }
  const decimals = new DecimalInterner();
  const statement = prepared(
    db,
    `SELECT ${entryColumns('e')}, e.metadata, e.external_customer_id, e.account_id FROM entries e ORDER BY e.account_id, e.at, e.ordinal`,
  ).raw();
  for (const row of statement.iterate() as IterableIterator<unknown[]>) {
    const account = accounts.get(row[ENTRY_COLUMN_COUNT + 2] as number);
    if (account === undefined) throw new Error(`entries.account_id ${String(row[ENTRY_COLUMN_COUNT + 2])} names no account with entries`);
    account.entries.push(decodeEntryRow(row.slice(0, ENTRY_COLUMN_COUNT) as EntryRow, account.input.key, decimals));
    const metadata = row[ENTRY_COLUMN_COUNT] as string | null;
    const externalCustomerId = row[ENTRY_COLUMN_COUNT + 1] as string | null;
    account.records.push({ metadata: metadata === null ? null : (JSON.parse(metadata) as Record<string, unknown>), externalCustomerId });
  }
  return [...accounts.values()].map((account) => account.input).sort((a, b) => compareAccountKeys(a.key, b.key));
}
