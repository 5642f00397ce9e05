import { checkpointOf, replayFromCheckpoint } from '../ledger/checkpoint.js';
import { replayAccount, type ReplayObserver } from '../ledger/replay.js';
import type { AccountKey, AccountState, LedgerEntry } from '../ledger/types.js';
import type { AccountStateWrite, AccountSummaryWrite } from '../store/index.js';
import type { Instant } from '../time/instant.js';
import { accountBalanceView, type AccountBalanceView } from '../service/views.js';
import type { ReplayStart } from './checks.js';

/**
 * The stored text of an account's view: `{customer_id, ...view}` exactly as `balances --json` prints it as an
 * element of its accounts array (JSON.stringify with 2-space indentation, nested two levels: every line
 * indented by 4 spaces), so the CLI copies it out without parsing or printing it (SUMMARY_FORMAT 3). Still
 * JSON: JSON.parse reads it back for the other callers.
 */
export function summaryText(customerId: string, view: AccountBalanceView): string {
  return `    ${JSON.stringify({ customer_id: customerId, ...view }, null, 2).replaceAll('\n', '\n    ')}`;
}

/*
 * The balance summary of an account (migration 0008, core/store/account-summaries.ts): its balance view
 * as of the writer's "now", with the range of instants over which nothing changes it. An account changes
 * only at its entries' instants and at its blocks' activations (effective_at) and expiries (expires_at),
 * so the view at `now` holds from the last such instant at or before `now` until the first one after.
 * "Now" moves on: past `valid_until` a reader replays the account, as it did before summaries.
 */

/** The latest change at or before `limit` (-Infinity: none), and the first one after it (Infinity: none). */
function changesAround(entries: readonly { at: Instant }[], state: AccountState, limit: number): { last: number; next: number } {
  let last = Number.NEGATIVE_INFINITY;
  let next = Number.POSITIVE_INFINITY;
  const see = (at: number): void => {
    if (at <= limit) {
      if (at > last) last = at;
    } else if (at < next) next = at;
  };
  for (const entry of entries) see(entry.at);
  for (const block of state.blocks) {
    see(block.effectiveAt);
    if (block.expiresAt !== null) see(block.expiresAt);
  }
  return { last, next };
}

/** A summary before its account has an id (the writer assigns ids after the checks). */
export type SummaryOfAccount = Omit<AccountSummaryWrite, 'accountId'>;

/**
 * Replay states inside an account's history (migration 0012) are taken every STATE_EVERY_ENTRIES entries, or
 * every as many entries as the state holds blocks where that is more: a past as-of then replays at most that
 * many entries after restoring a state, and an account's states stay proportional to its entries.
 */
export const STATE_EVERY_ENTRIES = 32;

/** The observer that takes an account's states during the replay that checks it (checkByReplay), from `start` on. */
function stateTaker(list: AccountStateWrite[], start: ReplayStart | null): ReplayObserver {
  let firstEntryAt = start?.checkpoint.firstEntryAt ?? 0;
  let last = start?.checkpoint.position ?? 0;
  return {
    restart() {
      list.length = 0;
      last = start?.checkpoint.position ?? 0;
    },
    after(applied, entry, blockCount, replay) {
      if (applied === 1) firstEntryAt = entry.at;
      if (applied - last < Math.max(STATE_EVERY_ENTRIES, blockCount)) return;
      last = applied;
      list.push({
        position: applied,
        validFrom: entry.at,
        lastOrdinal: entry.ordinal,
        state: replay.checkpointText?.(applied, entry.at, firstEntryAt) ?? JSON.stringify(checkpointOf(replay.internals(), applied, entry.at, firstEntryAt)),
      });
    },
  };
}

/** Summaries by index of the checked accounts (TouchedAccounts order), filled by checkByReplay's callback. */
export function summaryCollector(keys: readonly { key: AccountKey }[], now: Instant): {
  collect: (account: number, entries: readonly LedgerEntry[], final: AccountState, start: ReplayStart | null) => void;
  /** The observer for the replay that checks an account of `entryCount` entries, from `start`: takes its replay states (none for a short account). */
  observe: (account: number, entryCount: number, start: ReplayStart | null) => ReplayObserver | undefined;
  /** With the writer's account ids (same order): the rows to write. */
  rows: (accountIds: readonly number[]) => AccountSummaryWrite[];
  /** Per account, the position of the stored state its replay started from (0: its first entry): states up to it stay. */
  keptStates: Int32Array;
} {
  const summaries: (SummaryOfAccount | null)[] = new Array(keys.length).fill(null);
  const keptStates = new Int32Array(keys.length);
  const states: (AccountStateWrite[] | undefined)[] = new Array(keys.length);
  return {
    keptStates,
    collect: (account, entries, final, start) => {
      keptStates[account] = start?.checkpoint.position ?? 0;
      const summary = balanceSummary(keys[account]!.key, entries, final, now, start);
      const list = states[account];
      summaries[account] = summary === null || list === undefined || list.length === 0 ? summary : { ...summary, states: { entryCount: start?.entryCount ?? entries.length, list } };
    },
    observe: (account, entryCount, start) => {
      // No state before the STATE_EVERY_ENTRIES-th entry: a short account's replay is not watched at all.
      if (entryCount < STATE_EVERY_ENTRIES) return undefined;
      const list: AccountStateWrite[] = [];
      states[account] = list;
      return stateTaker(list, start);
    },
    rows: (accountIds) => {
      const rows: AccountSummaryWrite[] = [];
      summaries.forEach((summary, account) => {
        if (summary !== null) rows.push({ accountId: accountIds[account]!, ...summary });
      });
      return rows;
    },
  };
}

/**
 * The summary of an account from its replay with no end (`final`) of `entries`: every entry it holds, or
 * those after `start` (a stored state at or before `now`: checkByReplay resumes only from such); null when
 * it had no entry yet at `now`. Replays a second time, up to `now`, only when something happens after `now`.
 */
export function balanceSummary(
  key: AccountKey,
  entries: readonly LedgerEntry[],
  final: AccountState,
  now: Instant,
  start: ReplayStart | null = null,
): SummaryOfAccount | null {
  if (start !== null && start.checkpoint.validFrom > now) throw new Error(`balanceSummary: a replay state after now (${start.checkpoint.validFrom})`);
  // The entries before the start happened at or before its last one: that instant stands for them all.
  const changes = start === null ? entries : [{ at: start.checkpoint.validFrom }, ...entries];
  const end = changesAround(changes, final, Number.POSITIVE_INFINITY).last;
  if (end <= now) {
    // Nothing happens after now: the state with no end is the state at every instant from `end` on.
    return Number.isFinite(end) ? { validFrom: end, validUntil: null, view: summaryText(key.customerId, accountBalanceView(final)) } : null;
  }
  const state =
    start === null
      ? replayAccount(key, entries, { asOf: now, keepEntries: false })
      : replayFromCheckpoint(key, start.checkpoint, entries, { asOf: now, keepEntries: false });
  if (state.entryCount === 0) return null; // no entry yet at now: balances lists no such account
  const { last, next } = changesAround(changes, state, now);
  if (!Number.isFinite(last)) return null;
  return { validFrom: last, validUntil: Number.isFinite(next) ? next : null, view: summaryText(key.customerId, accountBalanceView(state)) };
}
