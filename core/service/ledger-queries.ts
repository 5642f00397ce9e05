import type Database from 'better-sqlite3';
import { compareAccountKeys } from '../ledger/account-key.js';
import { replayFromCheckpoint } from '../ledger/checkpoint.js';
import { replayAccount } from '../ledger/replay.js';
import type { AccountKey, AccountState } from '../ledger/types.js';
import {
  accountIdRunsInOrder,
  accountRowsOfCustomer,
  accountsInRun,
  accountSummaryReader,
  accountsOfCustomer,
  DecimalInterner,
  forEachAccountLazily,
  joinedSummaryTexts,
  loadAccountEntries,
  loadAccountStateAt,
  loadEntriesById,
  withFileMapped,
} from '../store/index.js';
import { toCanonical } from '../money/decimal.js';
import { formatInstant, type Instant } from '../time/instant.js';
import { summaryText } from '../import/balance-summaries.js';
import {
  accountBalanceView,
  blockDetailView,
  entryView,
  type AccountBalanceView,
  type BlockDetailView,
  type CustomerAccountBalanceView,
  type EntryView,
} from './views.js';

/*
 * Read-side service: every answer comes from replaying one account's stored entries (L9), so a
 * query for one customer never replays the whole database.
 */

export class UnknownCustomerError extends Error {
  constructor(readonly customerId: string) {
    super(`customer ${JSON.stringify(customerId)} has no ledger entries in this database`);
    this.name = 'UnknownCustomerError';
  }
}

function customerAccounts(db: Database.Database, customerId: string): AccountKey[] {
  const keys = accountsOfCustomer(db, customerId);
  if (keys.length === 0) throw new UnknownCustomerError(customerId);
  return keys.sort(compareAccountKeys);
}

/**
 * The customer's accounts at `asOf`, each replayed from its latest stored replay state at or before `asOf`
 * (migration 0012), or from its first entry where it has none: the same states either way.
 */
export function replayCustomer(db: Database.Database, customerId: string, asOf: Instant): AccountState[] {
  const accounts = accountRowsOfCustomer(db, customerId);
  if (accounts.length === 0) throw new UnknownCustomerError(customerId);
  const decimals = new DecimalInterner();
  return accounts.map(({ id, key }) => replayAt(db, key, id, asOf, decimals));
}

export interface CustomerBalanceView {
  customer_id: string;
  as_of: string;
  accounts: AccountBalanceView[];
}

export function customerBalance(db: Database.Database, customerId: string, asOf: Instant): CustomerBalanceView {
  return {
    customer_id: customerId,
    as_of: formatInstant(asOf),
    accounts: replayCustomer(db, customerId, asOf).map(accountBalanceView),
  };
}

export interface AllBalancesView {
  as_of: string;
  accounts: CustomerAccountBalanceView[];
}

/**
 * An account's state at `asOf`, replayed from its latest stored replay state at or before `asOf` (migration
 * 0012) with the entries after it, or from its first entry where it has none: the same state either way.
 */
function replayAt(db: Database.Database, key: AccountKey, accountId: number, asOf: Instant, decimals: DecimalInterner): AccountState {
  const stored = loadAccountStateAt(db, accountId, key, asOf, decimals);
  if (stored === null) return replayAccount(key, loadEntriesById(db, accountId, key, decimals), { asOf, keepEntries: false });
  return replayFromCheckpoint(key, stored.checkpoint, stored.tail, { asOf, keepEntries: false });
}

/**
 * Every account's balances at `asOf`: from its stored summary where one holds at `asOf` (migration 0008,
 * written with the account's entries), else by replaying it from its latest stored state (migration 0012).
 * All give the same view (a property test checks it); `useSummaries: false` replays every account whole.
 */
export function allBalances(db: Database.Database, asOf: Instant, options: { useSummaries?: boolean } = {}): AllBalancesView {
  const accounts: CustomerAccountBalanceView[] = [];
  const summaryOf = options.useSummaries === false ? () => undefined : accountSummaryReader(db, asOf);
  const decimals = new DecimalInterner();
  forEachAccountLazily(db, (key, accountId, entries) => {
    const summary = summaryOf(accountId);
    if (summary !== undefined) {
      accounts.push(JSON.parse(summary) as CustomerAccountBalanceView);
      return;
    }
    const state = options.useSummaries === false ? replayAccount(key, entries(), { asOf, keepEntries: false }) : replayAt(db, key, accountId, asOf, decimals);
    // Accounts whose first entry is after asOf did not exist yet.
    if (state.entryCount === 0) return;
    accounts.push({ customer_id: key.customerId, ...accountBalanceView(state) });
  });
  return { as_of: formatInstant(asOf), accounts };
}

/** Accounts whose stored texts are joined in one statement: about 1 MB of text at a time for short accounts. */
const JOINED_ACCOUNTS = 2_048;
/** Text handed to `out` at a time: large enough to make few writes, small enough to stay out of the old heap. */
const JSON_CHUNK_CHARS = 1 << 20;

/**
 * Writes `JSON.stringify(allBalances(db, asOf), null, 2)`, the text `balances --json` prints, through `out`
 * in chunks (`outBytes`, when given, takes the UTF-8 runs as they are), copying each stored summary that
 * holds at `asOf` as it is (it is stored in exactly that form): the accounts come in order from SQLite and
 * their texts joined there, a run of accounts at a time; an account without such a summary is replayed.
 */
export function writeAllBalancesJson(
  db: Database.Database,
  asOf: Instant,
  out: (text: string) => void,
  outBytes: (bytes: Buffer) => void = (bytes) => out(bytes.toString('utf8')),
): void {
  const decimals = new DecimalInterner();
  let chunk = `{\n  "as_of": ${JSON.stringify(formatInstant(asOf))},\n  "accounts": [`;
  let accounts = 0;
  const add = (text: string): void => {
    chunk += `${accounts === 0 ? '\n' : ',\n'}${text}`;
    accounts++;
    if (chunk.length >= JSON_CHUNK_CHARS) {
      out(chunk);
      chunk = '';
    }
  };
  withFileMapped(db, () => {
    for (const run of accountIdRunsInOrder(db, JOINED_ACCOUNTS)) {
      const joined = joinedSummaryTexts(db, run, asOf, ',\n');
      if (joined !== null) {
        out(`${chunk}${accounts === 0 ? '\n' : ',\n'}`);
        chunk = '';
        outBytes(joined);
        accounts += run.count;
        continue;
      }
      for (const { accountId, key, view } of accountsInRun(db, run, asOf)) {
        if (view !== null) {
          add(view);
          continue;
        }
        const state = replayAt(db, key, accountId, asOf, decimals);
        if (state.entryCount > 0) add(summaryText(key.customerId, accountBalanceView(state))); // else: no entry yet at asOf
      }
    }
  });
  out(`${chunk}${accounts === 0 ? ']' : '\n  ]'}\n}`);
}

export interface CustomerBlocksView {
  customer_id: string;
  as_of: string;
  blocks: BlockDetailView[];
  /** L3: per account, the credit in blocks not yet effective (shown, not in current). */
  scheduled: { subscription_id: string | null; unit: string; scheduled: string }[];
}

export function customerBlocks(db: Database.Database, customerId: string, asOf: Instant): CustomerBlocksView {
  const states = replayCustomer(db, customerId, asOf);
  const blocks = states.flatMap((state) => state.blocks.map((block) => blockDetailView(state, block)));
  const scheduled = states.map((state) => ({ subscription_id: state.key.subscriptionId, unit: state.key.unit, scheduled: toCanonical(state.scheduled) }));
  return { customer_id: customerId, as_of: formatInstant(asOf), blocks, scheduled };
}

export interface CustomerEntriesView {
  customer_id: string;
  as_of: string;
  entries: EntryView[];
}

/**
 * Every imported entry of the customer, with the expiries the engine generated up to `now`
 * (expiries still ahead are not history yet). Account by account, in ledger sequence.
 */
export function customerEntries(db: Database.Database, customerId: string, now: Instant): CustomerEntriesView {
  const entries: EntryView[] = [];
  for (const key of customerAccounts(db, customerId)) {
    const state = replayAccount(key, loadAccountEntries(db, key));
    for (const replayed of state.entries) {
      if (replayed.generated && replayed.entry.at > now) continue;
      entries.push(entryView(replayed));
    }
  }
  return { customer_id: customerId, as_of: formatInstant(now), entries };
}
