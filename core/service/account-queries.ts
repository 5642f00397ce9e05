import type { AccountDetail, AccountRef, EntriesPage, EntryEvidence } from '../api/types.js';
import { ApiError } from '../api/errors.js';
import { accountKeyString } from '../ledger/account-key.js';
import { replayFromCheckpoint } from '../ledger/checkpoint.js';
import { replayAccount } from '../ledger/replay.js';
import type { AccountKey, AccountState, EntryKind, EntrySource, EntryStatus, LedgerEntry } from '../ledger/types.js';
import { toCanonical } from '../money/decimal.js';
import {
  accountIdOf,
  countEntriesThrough,
  DecimalInterner,
  loadAccountEntries,
  loadAccountStateAt,
  loadAccountStateThrough,
  loadCheckpoint,
  loadEntryEvidence,
  loadRecentEntries,
  loadSourceDisagreement,
  type LedgerDb,
} from '../store/index.js';
import { sourceDisagreementView } from './disagreement-view.js';
import { formatInstant, formatOptionalInstant, type Instant } from '../time/instant.js';
import { blockDetailView, entryView } from './views.js';

/*
 * One account at an instant, for the account screen: replayed once and kept, so paging through a
 * 100,000-entry account, its blocks and its chart share one replay (L9: every answer as of an instant).
 * Opening a long account does not wait for that replay: its stored checkpoint (core/store/checkpoints.ts)
 * plus the newest entries answer the balances, the blocks and the newest pages of entries. The very first
 * pages (newest first, unfiltered) need not even that: the rows stored with the checkpoint
 * (core/store/recent-entries.ts, migration 0006) answer them as they are.
 */

export function accountKeyOf(ref: AccountRef): AccountKey {
  return { customerId: ref.customer_id, subscriptionId: ref.subscription_id, unit: ref.unit };
}

export function accountRefOf(key: AccountKey): AccountRef {
  return { customer_id: key.customerId, subscription_id: key.subscriptionId, unit: key.unit };
}

/** A replay at `asOf` answers for every instant in [asOf, validUntil): nothing happens in between. */
export interface CachedState {
  state: AccountState;
  validUntil: Instant;
}

/** The first instant after `asOf` at which the account can change: its next entry or block event. */
export function nextChangeAfter(entries: readonly LedgerEntry[], state: AccountState, asOf: Instant): Instant {
  let next = Number.POSITIVE_INFINITY;
  // Entries are in replay order (at, ordinal): binary search for the first one after asOf.
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (entries[middle]!.at <= asOf) low = middle + 1;
    else high = middle;
  }
  if (low < entries.length) next = entries[low]!.at;
  for (const block of state.blocks) {
    if (block.effectiveAt > asOf && block.effectiveAt < next) next = block.effectiveAt;
    if (block.expiresAt !== null && block.expiresAt > asOf && block.expiresAt < next) next = block.expiresAt;
  }
  return next;
}

/** Number of entries at or before `asOf` (entries in replay order). */
export function countThrough(entries: readonly LedgerEntry[], asOf: Instant): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (entries[middle]!.at <= asOf) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The account from its checkpoint: the whole account's balances and blocks, but `state.entries` holds
 * only the entries replayed after the checkpoint (the newest), numbered in the account's sequence.
 */
export interface RecentState {
  state: AccountState;
  firstEntryAt: Instant;
  /** The instant of the last entry or generated expiry replayed up to as-of. */
  lastEntryAt: Instant;
}

interface FilteredOrder {
  state: AccountState;
  filter: string;
  /** Positions in state.entries, in the order asked. */
  positions: Int32Array;
}

/**
 * Bounded caches of loaded entries and replayed states, a few accounts at a time. Cleared whenever the
 * database changes (AppService watches it).
 */
export class AccountReplays {
  private readonly entries = new Map<string, LedgerEntry[]>();
  private readonly states = new Map<string, CachedState[]>();
  private readonly projections = new Map<string, AccountState>();
  private readonly recent = new Map<string, { recent: RecentState; validUntil: Instant }>();
  private filtered: FilteredOrder | null = null;

  constructor(private readonly maxAccounts = 4) {}

  clear(): void {
    this.entries.clear();
    this.states.clear();
    this.projections.clear();
    this.recent.clear();
    this.filtered = null;
  }

  /** True when the account has stored entries (one indexed lookup; loads nothing). */
  exists(db: LedgerDb, key: AccountKey): boolean {
    return this.entries.has(accountKeyString(key)) || accountIdOf(db, key) !== undefined;
  }

  /** The full replay at `asOf` if one is cached already; never replays. */
  cachedStateAt(key: AccountKey, asOf: Instant): AccountState | null {
    for (const candidate of this.states.get(accountKeyString(key)) ?? []) {
      if (candidate.state.asOf <= asOf && asOf < candidate.validUntil) {
        return candidate.state.asOf === asOf ? candidate.state : { ...candidate.state, asOf };
      }
    }
    return null;
  }

  /**
   * The account at `asOf` from its stored checkpoint and the entries after it, or null when it has no
   * checkpoint or `asOf` is before it (then only the full replay answers).
   */
  recentAt(db: LedgerDb, key: AccountKey, asOf: Instant): RecentState | null {
    const id = accountKeyString(key);
    const cached = this.recent.get(id);
    if (cached !== undefined && cached.recent.state.asOf <= asOf && asOf < cached.validUntil) {
      return cached.recent.state.asOf === asOf ? cached.recent : { ...cached.recent, state: { ...cached.recent.state, asOf } };
    }
    const stored = loadCheckpoint(db, key);
    if (stored === null || asOf < stored.checkpoint.validFrom) return null;
    const state = replayFromCheckpoint(key, stored.checkpoint, stored.tail, { asOf });
    const last = state.entries[state.entries.length - 1];
    const recent = { state, firstEntryAt: stored.checkpoint.firstEntryAt, lastEntryAt: last?.entry.at ?? stored.checkpoint.validFrom };
    // Entries before the checkpoint are all at or before asOf: only the tail and block events can come next.
    remember(this.recent, id, { recent, validUntil: nextChangeAfter(stored.tail, state, asOf) }, this.maxAccounts);
    return recent;
  }

  /**
   * The account at `asOf` from its latest stored replay state (migration 0012) with at least `rows` of its
   * entries at or before `asOf` after it, replaying those: a page of entries.list at a past instant needs
   * its rows' balances, not the whole history's. null when it has no such state. Not cached.
   */
  storedStateWithRows(db: LedgerDb, key: AccountKey, asOf: Instant, rows: number): RecentState | null {
    const accountId = accountIdOf(db, key);
    if (accountId === undefined) return null;
    const position = countEntriesThrough(db, accountId, asOf) - rows;
    if (position < 1) return null;
    const stored = loadAccountStateThrough(db, accountId, key, position, new DecimalInterner(), asOf);
    if (stored === null) return null;
    const state = replayFromCheckpoint(key, stored.checkpoint, stored.tail, { asOf });
    const last = state.entries[state.entries.length - 1];
    return { state, firstEntryAt: stored.checkpoint.firstEntryAt, lastEntryAt: last?.entry.at ?? stored.checkpoint.validFrom };
  }

  /**
   * The account at `asOf` from its latest stored replay state at or before `asOf` (migration 0012) and its
   * entries after that state up to `asOf`, or null when it has none (then only the full replay answers).
   * Not cached: it replays at most a few dozen entries (a state every 32 or so).
   */
  storedStateAt(db: LedgerDb, key: AccountKey, asOf: Instant): RecentState | null {
    const accountId = accountIdOf(db, key);
    if (accountId === undefined) return null;
    const stored = loadAccountStateAt(db, accountId, key, asOf, new DecimalInterner());
    if (stored === null) return null;
    const state = replayFromCheckpoint(key, stored.checkpoint, stored.tail, { asOf });
    const last = state.entries[state.entries.length - 1];
    // Nothing was replayed after the state: its last entry, at validFrom, is the last one up to asOf.
    return { state, firstEntryAt: stored.checkpoint.firstEntryAt, lastEntryAt: last?.entry.at ?? stored.checkpoint.validFrom };
  }

  /** The account's stored entries in replay order; [] for an account with none. */
  entriesOf(db: LedgerDb, key: AccountKey): LedgerEntry[] {
    const id = accountKeyString(key);
    let list = this.entries.get(id);
    if (list === undefined) {
      list = loadAccountEntries(db, key);
      remember(this.entries, id, list, this.maxAccounts);
    } else {
      touch(this.entries, id, list);
    }
    return list;
  }

  /** The account as it stood at `asOf`: a cached replay when one answers for that instant. */
  stateAt(db: LedgerDb, key: AccountKey, asOf: Instant): AccountState {
    const id = accountKeyString(key);
    const entries = this.entriesOf(db, key);
    const cached = this.states.get(id) ?? [];
    for (const candidate of cached) {
      if (candidate.state.asOf <= asOf && asOf < candidate.validUntil) {
        return candidate.state.asOf === asOf ? candidate.state : { ...candidate.state, asOf };
      }
    }
    const state = replayAccount(key, entries, { asOf });
    // At most four instants per account (the as-of control moving back and forth).
    const kept = [{ state, validUntil: nextChangeAfter(entries, state, asOf) }, ...cached].slice(0, 4);
    remember(this.states, id, kept, this.maxAccounts);
    return state;
  }

  /**
   * The account's entries up to `asOf` replayed with no end: the expiries still scheduled then appear as
   * generated entries after asOf (what would happen if nothing else did).
   */
  projectionAt(db: LedgerDb, key: AccountKey, asOf: Instant): AccountState {
    const entries = this.entriesOf(db, key);
    const count = countThrough(entries, asOf);
    const id = `${accountKeyString(key)}\u001e${count}`;
    let state = this.projections.get(id);
    if (state === undefined) {
      state = projectionFromCheckpoint(db, key, count) ?? replayAccount(key, count === entries.length ? entries : entries.slice(0, count));
      remember(this.projections, id, state, 2);
    }
    return state;
  }

  /** Positions of the entries matching the filter, in the order asked; cached for the last filter. */
  filteredOrder(state: AccountState, kinds: readonly string[] | undefined, statuses: readonly string[] | undefined, order: 'asc' | 'desc'): Int32Array {
    const filter = `${kinds?.join(',') ?? '*'}|${statuses?.join(',') ?? '*'}|${order}`;
    if (this.filtered !== null && this.filtered.state === state && this.filtered.filter === filter) return this.filtered.positions;
    const kindSet = kinds === undefined || kinds.length === 0 ? null : new Set<string>(kinds);
    const statusSet = statuses === undefined || statuses.length === 0 ? null : new Set<string>(statuses);
    const all = state.entries;
    const positions = new Int32Array(all.length);
    let count = 0;
    for (let step = 0; step < all.length; step++) {
      const index = order === 'asc' ? step : all.length - 1 - step;
      const entry = all[index]!.entry;
      if (kindSet !== null && !kindSet.has(entry.kind)) continue;
      if (statusSet !== null && !statusSet.has(entry.status)) continue;
      positions[count++] = index;
    }
    const result = positions.subarray(0, count);
    this.filtered = { state, filter, positions: result };
    return result;
  }
}

function remember<T>(map: Map<string, T>, id: string, value: T, capacity: number): void {
  map.delete(id);
  map.set(id, value);
  while (map.size > capacity) map.delete(map.keys().next().value as string);
}

/**
 * The first `count` entries replayed with no end, from the stored checkpoint when it includes no entry
 * beyond them (its `entries` then hold only the tail and what follows: the timeline reads only the
 * expiries generated after as-of); null when the full replay must answer.
 */
function projectionFromCheckpoint(db: LedgerDb, key: AccountKey, count: number): AccountState | null {
  const stored = loadCheckpoint(db, key);
  if (stored === null || count < stored.checkpoint.position) return null;
  return replayFromCheckpoint(key, stored.checkpoint, stored.tail.slice(0, count - stored.checkpoint.position));
}

function touch<T>(map: Map<string, T>, id: string, value: T): void {
  map.delete(id);
  map.set(id, value);
}

function requireEntries(replays: AccountReplays, db: LedgerDb, key: AccountKey): void {
  if (!replays.exists(db, key)) {
    const sub = key.subscriptionId === null ? 'no subscription' : `subscription ${JSON.stringify(key.subscriptionId)}`;
    throw new ApiError('not_found', `no account for customer ${JSON.stringify(key.customerId)}, ${sub}, unit ${key.unit} in this database`);
  }
}

export function accountDetail(replays: AccountReplays, db: LedgerDb, ref: AccountRef, asOf: Instant): AccountDetail {
  const key = accountKeyOf(ref);
  requireEntries(replays, db, key);
  const full = replays.cachedStateAt(key, asOf);
  // A past as-of before the checkpoint: the stored replay state nearest before it, else the full replay.
  const recent = full === null ? (replays.recentAt(db, key, asOf) ?? replays.storedStateAt(db, key, asOf)) : null;
  const state = full ?? recent?.state ?? replays.stateAt(db, key, asOf);
  const entries = state.entries;
  return {
    as_of: formatInstant(asOf),
    account: {
      ...accountRefOf(key),
      current: toCanonical(state.current),
      pending: toCanonical(state.pending),
      available: toCanonical(state.available),
      deficit: toCanonical(state.deficit),
      scheduled: toCanonical(state.scheduled),
    },
    blocks: state.blocks.map((block) => blockDetailView(state, block)),
    entry_count: state.entryCount,
    first_entry_at: recent !== null ? formatInstant(recent.firstEntryAt) : formatOptionalInstant(entries[0]?.entry.at),
    last_entry_at: recent !== null ? formatInstant(recent.lastEntryAt) : formatOptionalInstant(entries[entries.length - 1]?.entry.at),
    source_disagreement: sourceDisagreementView(loadSourceDisagreement(db, key)),
  };
}

export interface EntriesQuery {
  account: AccountRef;
  kinds?: EntryKind[] | undefined;
  statuses?: EntryStatus[] | undefined;
  order?: 'asc' | 'desc' | undefined;
  /** Only the entries with these source ids. */
  ids?: string[] | undefined;
  offset: number;
  limit: number;
}

export function entriesPage(replays: AccountReplays, db: LedgerDb, query: EntriesQuery, asOf: Instant): EntriesPage {
  const key = accountKeyOf(query.account);
  requireEntries(replays, db, key);
  const stored = storedPage(db, key, query, asOf);
  if (stored !== null) return stored;
  const recent = recentPage(replays, db, key, query, asOf);
  if (recent !== null) return recent;
  const state = replays.stateAt(db, key, asOf);
  let positions = replays.filteredOrder(state, query.kinds, query.statuses, query.order ?? 'desc');
  if (query.ids !== undefined) {
    const wanted = new Set(query.ids);
    positions = positions.filter((position) => wanted.has(state.entries[position]!.entry.sourceId));
  }
  const end = Math.min(positions.length, query.offset + query.limit);
  const rows = [];
  for (let i = query.offset; i < end; i++) rows.push(entryView(state.entries[positions[i]!]!));
  return { as_of: formatInstant(asOf), total: positions.length, total_unfiltered: state.entries.length, offset: query.offset, rows };
}

function isUnfiltered(query: EntriesQuery): boolean {
  return (query.kinds === undefined || query.kinds.length === 0) && (query.statuses === undefined || query.statuses.length === 0) && query.ids === undefined;
}

/**
 * The newest entries, unfiltered, as stored with the account's checkpoint (migration 0006: no replay);
 * null when the stored rows do not cover the page at that instant.
 */
function storedPage(db: LedgerDb, key: AccountKey, query: EntriesQuery, asOf: Instant): EntriesPage | null {
  if (!isUnfiltered(query) || (query.order ?? 'desc') !== 'desc') return null;
  const page = loadRecentEntries(db, key, asOf, query.offset, query.limit);
  if (page === null) return null;
  return { as_of: formatInstant(asOf), total: page.total, total_unfiltered: page.total, offset: query.offset, rows: page.rows };
}

/**
 * The newest entries, unfiltered, from the checkpoint's replay, or a stored replay state's, when the page
 * lies within the entries replayed after it; null otherwise (the full replay answers).
 */
function recentPage(replays: AccountReplays, db: LedgerDb, key: AccountKey, query: EntriesQuery, asOf: Instant): EntriesPage | null {
  if (!isUnfiltered(query) || (query.order ?? 'desc') !== 'desc' || replays.cachedStateAt(key, asOf) !== null) return null;
  // The checkpoint's tail (as of its validFrom or later), else a stored state far enough back for the page.
  const recent = replays.recentAt(db, key, asOf) ?? replays.storedStateWithRows(db, key, asOf, query.offset + query.limit);
  if (recent === null) return null;
  const { state } = recent;
  const replayed = state.entries;
  const end = query.offset + query.limit;
  // The page must lie in the tail: older entries' balances are the full replay's.
  if (end > replayed.length) return null;
  const rows = [];
  for (let i = query.offset; i < end; i++) rows.push(entryView(replayed[replayed.length - 1 - i]!));
  return { as_of: formatInstant(asOf), total: state.entryCount, total_unfiltered: state.entryCount, offset: query.offset, rows };
}

export function entryEvidence(db: LedgerDb, source: EntrySource, sourceId: string): EntryEvidence {
  if (source === 'ledgerscope') {
    throw new ApiError('not_found', `entry ${JSON.stringify(sourceId)} was recorded by the ledger engine (an expiry at its block's expires_at); it has no imported record`);
  }
  const evidence = loadEntryEvidence(db, source, sourceId);
  if (evidence === null) throw new ApiError('not_found', `no ${source} entry ${JSON.stringify(sourceId)} in this database`);
  return {
    source: evidence.source,
    id: evidence.sourceId,
    raw: evidence.raw,
    file: evidence.origin.file,
    line: evidence.origin.line,
    pointer: evidence.origin.pointer,
    imported_at: formatInstant(evidence.importedAt),
    metadata: evidence.metadata,
    stated:
      evidence.stated === null
        ? null
        : { sequence: evidence.stated.sequence, starting_balance: evidence.stated.startingBalance, ending_balance: evidence.stated.endingBalance },
    external_customer_id: evidence.externalCustomerId,
    allocation_warning: evidence.allocationWarning,
  };
}
