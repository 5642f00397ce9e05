import { compareAccountKeys } from '../ledger/account-key.js';
import { allocationWarningText } from '../ledger/allocation-text.js';
import { replayFromCheckpoint, type ReplayCheckpoint } from '../ledger/checkpoint.js';
import { compareReplayOrder, replayAccount, type ReplayObserver } from '../ledger/replay.js';
import { firstStatedDisagreement, type StatedDisagreement } from '../ledger/stated-balance.js';
import { expiryStatesAmount } from '../ledger/stated-expiry.js';
import { LedgerRuleError, type AccountKey, type AccountState, type AllocationWarning, type EntrySource, type LedgerEntry } from '../ledger/types.js';
import { Decimal, toCanonical } from '../money/decimal.js';
import { entryFingerprint, type ImportProblem, type RecordOrigin } from '../sources/index.js';
import {
  accountIdOf,
  allocationNotes,
  DecimalInterner,
  forEachStoredEntry,
  loadAccountEntries,
  loadAccountStateBefore,
  loadEntryEvidence,
  sourcesWithEntries,
  storedDisagreement,
  writeAllocationNotes,
  writeSourceDisagreement,
  type LedgerDb,
} from '../store/index.js';
import { formatInstant, type Instant } from '../time/instant.js';
import { CONFLICT, DUPLICATE, INSERT, SourceIdIndex, UNCHANGED, type ImportBatch } from './batch.js';

/*
 * The checks between parsing and writing: L5 identity (within the batch, then against the store) and
 * validation by replay of every account the import touches. They only read; problems come back as
 * values naming file, line and field (STYLE habit 8).
 */

export function where(origin: RecordOrigin): string {
  return `${origin.file}${origin.line === null ? '' : `:${origin.line}`}${origin.pointer === null ? '' : `#${origin.pointer}`}`;
}

function problemAt(origin: RecordOrigin, field: string, message: string): ImportProblem {
  return { file: origin.file, line: origin.line, pointer: origin.pointer, field, message };
}

type FieldText = string | null;

function instantText(value: number | null): FieldText {
  return value === null ? null : formatInstant(value);
}

/** The content fields L5 compares, in the fingerprint's order, as the user reads them. */
const CONTENT_FIELDS: readonly [string, (e: LedgerEntry) => FieldText][] = [
  ['kind', (e) => e.kind],
  ['status', (e) => e.status],
  ['customer_id', (e) => e.customerId],
  ['subscription_id', (e) => e.subscriptionId],
  ['unit', (e) => e.unit],
  ['amount', (e) => toCanonical(e.amount)],
  ['created_at', (e) => instantText(e.at)],
  ['block_id', (e) => e.blockId],
  ['effective_at', (e) => instantText(e.effectiveAt)],
  ['expires_at', (e) => instantText(e.expiresAt)],
  ['cost_basis', (e) => (e.costBasis === null ? null : toCanonical(e.costBasis))],
  ['priority', (e) => (e.priority === null ? null : String(e.priority))],
  ['target_expires_at', (e) => instantText(e.targetExpiresAt)],
  ['source_expires_at', (e) => instantText(e.sourceExpiresAt)],
  ['void_reason', (e) => e.voidReason],
  ['description', (e) => e.description],
];

/** The first content field two entries differ in, with both values; field "-" when none does. */
function difference(before: LedgerEntry, after: LedgerEntry): { field: string; detail: string } {
  for (const [field, read] of CONTENT_FIELDS) {
    const was = read(before);
    const now = read(after);
    if (was !== now) return { field, detail: `${field} was ${JSON.stringify(was)}, found ${JSON.stringify(now)}` };
  }
  return { field: '-', detail: 'the content differs' };
}

/**
 * L5 within the batch: the same (source, source id) twice with the same fingerprint is one entry (the
 * later ones are marked DUPLICATE); with different content it is a conflict: a problem, or, when
 * `conflicts` is given (a sync), the later one is skipped and reported there. Returns the index of
 * source ids the store check reuses.
 */
export function checkBatchIdentity(batch: ImportBatch, problems: ImportProblem[], conflicts?: ImportProblem[]): SourceIdIndex {
  const { entries, status } = batch;
  const index = new SourceIdIndex(entries, entries.length);
  for (let i = 0; i < entries.length; i++) {
    const first = index.addOrFind(i);
    if (first < 0) continue;
    const earlier = entries[first]!;
    const later = entries[i]!;
    if (earlier.fingerprint === later.fingerprint) {
      status[i] = DUPLICATE;
      continue;
    }
    const { field, detail } = difference(earlier.entry, later.entry);
    const message =
      `${later.entry.source} id "${later.entry.sourceId}" appears again in this import with different content ` +
      `(first at ${where(earlier.origin)}): ${detail}`;
    if (conflicts === undefined) problems.push(problemAt(later.origin, field, message));
    else {
      conflicts.push(problemAt(later.origin, field, `${message}; the first is kept`));
      status[i] = CONFLICT;
    }
  }
  return index;
}

/**
 * L5 against the store: an id already stored with the same content is UNCHANGED; with different
 * content it is a conflict naming where and when the stored one was imported: a problem, or, when
 * `conflicts` is given (a sync), the new entry is skipped and reported there. Ids are looked up in
 * chunks, and only for sources that have stored entries at all.
 */
export function checkStoredIdentity(db: LedgerDb, batch: ImportBatch, index: SourceIdIndex, problems: ImportProblem[], conflicts?: ImportProblem[]): void {
  const stored = sourcesWithEntries(db);
  if (stored.size === 0) return;
  const { entries, status } = batch;
  const idsBySource = new Map<EntrySource, string[]>();
  for (let i = 0; i < entries.length; i++) {
    if (status[i] !== INSERT) continue;
    const entry = entries[i]!.entry;
    if (!stored.has(entry.source)) continue;
    let ids = idsBySource.get(entry.source);
    if (ids === undefined) idsBySource.set(entry.source, (ids = []));
    ids.push(entry.sourceId);
  }
  for (const [source, ids] of idsBySource) {
    forEachStoredEntry(db, source, ids, (found) => {
      const position = index.find(source, found.entry.sourceId);
      if (position < 0) throw new Error(`store returned ${source} id "${found.entry.sourceId}", which the import does not hold`);
      const incoming = entries[position]!;
      if (entryFingerprint(found.entry) === incoming.fingerprint) {
        status[position] = UNCHANGED;
        return;
      }
      const { field, detail } = difference(found.entry, incoming.entry);
      const message =
        `${source} id "${found.entry.sourceId}" conflicts with the entry imported from ${where(found.origin)} ` +
        `on ${formatInstant(found.importedAt)}: ${detail}`;
      if (conflicts === undefined) problems.push(problemAt(incoming.origin, field, message));
      else {
        conflicts.push(problemAt(incoming.origin, field, `${message}; the stored entry is kept`));
        status[position] = CONFLICT;
      }
    });
  }
}

/** An account the batch inserts into, with its new entries' batch positions in batch order. */
export interface TouchedAccount {
  key: AccountKey;
  positions: number[];
}

export interface TouchedAccounts {
  /** Sorted by compareAccountKeys. */
  accounts: TouchedAccount[];
  /** Per batch position: the index in `accounts` of the entry's account, or -1 when it is not inserted. */
  accountOf: Int32Array;
}

export function touchedAccounts(batch: ImportBatch): TouchedAccounts {
  // Keyed by customer, then a short scan of that customer's accounts: no key string built per entry.
  const byCustomer = new Map<string, number[]>();
  const found: TouchedAccount[] = [];
  const { entries, status } = batch;
  const accountOf = new Int32Array(entries.length).fill(-1);
  for (let i = 0; i < entries.length; i++) {
    if (status[i] !== INSERT) continue;
    const entry = entries[i]!.entry;
    let indexes = byCustomer.get(entry.customerId);
    if (indexes === undefined) byCustomer.set(entry.customerId, (indexes = []));
    let index = -1;
    for (const candidate of indexes) {
      const key = found[candidate]!.key;
      if (key.subscriptionId === entry.subscriptionId && key.unit === entry.unit) {
        index = candidate;
        break;
      }
    }
    if (index < 0) {
      index = found.length;
      indexes.push(index);
      found.push({ key: { customerId: entry.customerId, subscriptionId: entry.subscriptionId, unit: entry.unit }, positions: [] });
    }
    found[index]!.positions.push(i);
    accountOf[i] = index;
  }
  // Sort the accounts (deterministic order for replay problems and the catalog), then renumber.
  const order = found.map((_, index) => index).sort((a, b) => compareAccountKeys(found[a]!.key, found[b]!.key));
  const renumbered = new Int32Array(found.length);
  order.forEach((oldIndex, newIndex) => (renumbered[oldIndex] = newIndex));
  for (let i = 0; i < accountOf.length; i++) if (accountOf[i]! >= 0) accountOf[i] = renumbered[accountOf[i]!]!;
  return { accounts: order.map((oldIndex) => found[oldIndex]!), accountOf };
}

/**
 * What the replay of one touched account noticed about what the source states (core/store/replay-notes.ts):
 * decrements whose named block could not cover them (L1b), and the first entry whose stated balance the
 * replay does not reach.
 */
export interface AccountReplayNotes {
  /**
   * Every replayed entry of the account (stored and new) whose named block fell short; null: no replayed
   * decrement names a block, nothing to write.
   */
  allocations: AllocationWarning[] | null;
  /**
   * Where the replay started (ReplayStart): the notes of entries before it stand as stored, since an
   * entry's allocation depends only on the entries before it. null: from the account's first entry.
   */
  after: { at: number; ordinal: number } | null;
  /** The import states balances for this account: `disagreement` then replaces what is stored. */
  statedChecked: boolean;
  disagreement: StatedDisagreement | null;
}

/**
 * Where the check's replay of an account starts: a replay state stored inside its history (migration 0012)
 * at `checkpoint.position`, whose entries are not loaded again; null where it starts from the first entry.
 */
export interface ReplayStart {
  checkpoint: ReplayCheckpoint;
  /** The ordinal of the state's last entry. */
  lastOrdinal: number;
  /** The account's entries once the import is written: the state's position, the stored ones after it and the new ones. */
  entryCount: number;
}

/**
 * The stored replay state to check `incoming` from, with the stored entries after it; null to replay the
 * account from its first entry. An import adds a month to accounts of years: replaying each from its
 * first entry made the second import of a million-entry database cost more than the first. Not from a
 * state when the import's `now` is before it (its balance summary then needs the earlier entries), or
 * when a new entry expires a block the state did not know the source expires (that changes whether the
 * replay generates the block's expiry, from its first entry on).
 */
function replayStart(db: LedgerDb, key: AccountKey, incoming: readonly LedgerEntry[], now: Instant, decimals: DecimalInterner): { start: ReplayStart; tail: LedgerEntry[] } | null {
  const accountId = accountIdOf(db, key);
  if (accountId === undefined) return null;
  let from = Number.POSITIVE_INFINITY;
  for (const entry of incoming) if (entry.at < from) from = entry.at;
  const stored = loadAccountStateBefore(db, accountId, key, from, decimals);
  if (stored === null || stored.checkpoint.validFrom > now) return null;
  const knownExpired = new Set(stored.checkpoint.sourceExpiredBlocks);
  for (const entry of incoming) if (entry.kind === 'expiry' && entry.blockId !== null && !knownExpired.has(entry.blockId)) return null;
  return { start: { checkpoint: stored.checkpoint, lastOrdinal: stored.lastOrdinal, entryCount: stored.checkpoint.position + stored.tail.length + incoming.length }, tail: stored.tail };
}

/**
 * Replays every touched account with its stored entries (none when `db` is null: a new database) and the
 * new ones, from the latest stored replay state before the new ones where there is one (replayStart), and
 * turns each LedgerRuleError into a problem at the offending entry's origin. One problem per account at
 * most: replay stops at the first rule an account breaks. Returns, per account (null where it broke a
 * rule), what the replay noticed about the source's statements; `replayed` gets the entries replayed (from
 * the start on), the final state and the start; `observe`, when given, sees that replay entry by entry (the
 * replay states stored with the summaries): it is told the account's entry count once written, and returns
 * no observer where it would take nothing.
 */
export function checkByReplay(
  db: LedgerDb | null,
  batch: ImportBatch,
  accounts: readonly TouchedAccount[],
  now: Instant,
  problems: ImportProblem[],
  replayed?: (account: number, entries: readonly LedgerEntry[], state: AccountState, start: ReplayStart | null) => void,
  observe?: (account: number, entryCount: number, start: ReplayStart | null) => ReplayObserver | undefined,
): (AccountReplayNotes | null)[] {
  const entries = batch.entries;
  const found: { position: number; problem: ImportProblem }[] = [];
  const notes: (AccountReplayNotes | null)[] = [];
  const decimals = new DecimalInterner();
  for (let index = 0; index < accounts.length; index++) {
    const account = accounts[index]!;
    const positions = account.positions;
    const incoming = new Array<LedgerEntry>(positions.length);
    // Stated over derived: the new entries' stated ending balances, compared with the replay's (only these are at hand).
    let stated: Map<LedgerEntry, Decimal> | null = null;
    let namesBlocks = false;
    for (let k = 0; k < positions.length; k++) {
      const parsed = entries[positions[k]!]!;
      const entry = (incoming[k] = parsed.entry);
      if (!namesBlocks) namesBlocks = namesABlock(entry);
      const text = parsed.stated?.endingBalance;
      if (text !== null && text !== undefined) (stated ??= new Map()).set(entry, new Decimal(text));
    }
    const resumed = db === null ? null : replayStart(db, account.key, incoming, now, decimals);
    const start = resumed?.start ?? null;
    const stored = db === null ? [] : resumed !== null ? resumed.tail : loadAccountEntries(db, account.key);
    if (!namesBlocks) namesBlocks = stored.some(namesABlock);
    let all = stored.length === 0 ? incoming : stored.concat(incoming);
    try {
      const options = { keepEntries: stated !== null, observer: observe?.(index, start?.entryCount ?? all.length, start) };
      let state: AccountState;
      if (start === null) state = replayAccount(account.key, all, options);
      else {
        if (!isInReplayOrder(all)) all = [...all].sort(compareReplayOrder);
        state = replayFromCheckpoint(account.key, start.checkpoint, all, options);
      }
      replayed?.(index, all, state, start);
      const statedEndings = stated;
      notes.push({
        allocations: namesBlocks ? state.allocationWarnings : null,
        after: start === null ? null : { at: start.checkpoint.validFrom, ordinal: start.lastOrdinal },
        statedChecked: statedEndings !== null,
        disagreement: statedEndings === null ? null : firstStatedDisagreement(state.entries, (entry) => statedEndings.get(entry) ?? null),
      });
    } catch (error) {
      if (!(error instanceof LedgerRuleError)) throw error;
      found.push(ruleProblem(db, batch, account, stored, error));
      notes.push(null);
    }
  }
  found.sort((a, b) => a.position - b.position);
  for (const item of found) problems.push(item.problem);
  return notes;
}

function isInReplayOrder(entries: readonly LedgerEntry[]): boolean {
  for (let i = 1; i < entries.length; i++) if (compareReplayOrder(entries[i - 1]!, entries[i]!) > 0) return false;
  return true;
}

/** An entry whose replay may word an allocation warning: a decrement naming its block, or an expiry stating its amount. */
function namesABlock(entry: LedgerEntry): boolean {
  return (entry.kind === 'decrement' && entry.blockId !== null) || expiryStatesAmount(entry);
}

/** Allocation warnings listed one by one in a summary; more are counted. */
const LISTED_ALLOCATION_WARNINGS = 20;

export function accountName(key: AccountKey): string {
  return `customer ${key.customerId}${key.subscriptionId === null ? '' : `, subscription ${key.subscriptionId}`} (${key.unit})`;
}

/**
 * The import summary's lines for what the replay noticed: each new entry whose named block fell short
 * (at its file and line), and per account the first entry where the source's stated balance and the
 * replay's part. A disagreement is never silent (issue 9 §4).
 */
export function replayNoteWarnings(batch: ImportBatch, accounts: readonly TouchedAccount[], notes: readonly (AccountReplayNotes | null)[]): string[] {
  // The common import (nothing named, nothing stated) builds nothing.
  if (!notes.some((note) => note !== null && ((note.allocations?.length ?? 0) > 0 || note.disagreement !== null))) return [];
  const originOf = new Map<LedgerEntry, RecordOrigin>();
  for (const account of accounts) for (const position of account.positions) originOf.set(batch.entries[position]!.entry, batch.entries[position]!.origin);
  const allocations: string[] = [];
  let allocationCount = 0;
  const disagreements: string[] = [];
  notes.forEach((note, index) => {
    if (note === null) return;
    for (const warning of note.allocations ?? []) {
      const origin = originOf.get(warning.entry);
      if (origin === undefined) continue; // stored by an earlier import, reported then
      allocationCount++;
      if (allocations.length < LISTED_ALLOCATION_WARNINGS) allocations.push(`${where(origin)}: ${allocationWarningText(warning)}`);
    }
    const found = note.disagreement;
    if (found === null) return;
    const origin = originOf.get(found.entry);
    disagreements.push(
      `${origin === undefined ? '' : `${where(origin)}: `}${accountName(accounts[index]!.key)} disagrees with its source: after entry ${found.entry.sourceId} ` +
        `(${formatInstant(found.entry.at)}) the source states a balance of ${toCanonical(found.stated)}, the replay gives ${toCanonical(found.replayed)} ` +
        `(difference ${toCanonical(found.stated.minus(found.replayed))}); later entries of this account were not compared`,
    );
  });
  if (allocationCount > allocations.length) {
    const more = allocationCount - allocations.length;
    allocations.push(`and ${more} more ${more === 1 ? 'entry names a block' : 'entries name a block'} that could not cover it (see each entry's evidence)`);
  }
  return [...disagreements, ...allocations];
}

/** Writes the notes beside the entries, in the import's transaction; `accountIds[i]` is accounts.id of touched account i. */
export function writeReplayNotes(db: LedgerDb, accountIds: ArrayLike<number>, notes: readonly (AccountReplayNotes | null)[]): void {
  notes.forEach((note, index) => {
    if (note === null) return;
    const id = accountIds[index]!;
    if (note.allocations !== null) writeAllocationNotes(db, id, allocationNotes(note.allocations), note.after);
    if (note.statedChecked) writeSourceDisagreement(db, id, note.disagreement === null ? null : storedDisagreement(note.disagreement));
  });
}

/** The same entry: the very object, or the same L5 identity (should replay ever copy entries). */
function sameEntry(a: LedgerEntry, b: LedgerEntry): boolean {
  return a === b || (a.source === b.source && a.sourceId === b.sourceId && a.ordinal === b.ordinal);
}

function ruleProblem(
  db: LedgerDb | null,
  batch: ImportBatch,
  account: TouchedAccount,
  stored: readonly LedgerEntry[],
  error: LedgerRuleError,
): { position: number; problem: ImportProblem } {
  const message = `${error.rule}: ${error.message}`;
  for (const position of account.positions) {
    const parsed = batch.entries[position]!;
    if (sameEntry(parsed.entry, error.entry)) return { position, problem: problemAt(parsed.origin, error.field, message) };
  }
  const firstPosition = account.positions[0]!;
  const first = batch.entries[firstPosition]!;
  if (db !== null && stored.some((entry) => sameEntry(entry, error.entry))) {
    const evidence = loadEntryEvidence(db, error.entry.source, error.entry.sourceId);
    if (evidence !== null) {
      return {
        position: firstPosition,
        problem: problemAt(
          evidence.origin,
          error.field,
          `${message} (an entry stored by an earlier import, on ${formatInstant(evidence.importedAt)}: ` +
            `with this import's entries, starting at ${where(first.origin)}, it no longer replays)`,
        ),
      };
    }
  }
  // An entry the engine generated (an expiry): name the account and the import's first entry in it.
  return {
    position: firstPosition,
    problem: problemAt(
      first.origin,
      error.field,
      `${message} (account ${JSON.stringify(account.key.customerId)}, ${error.entry.kind} ${JSON.stringify(error.entry.sourceId)})`,
    ),
  };
}
