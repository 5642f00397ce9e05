import { Decimal } from '../money/decimal.js';
import { isIsoCurrency } from '../money/units.js';
import { compareReplayOrder, replayAccount } from '../ledger/replay.js';
import type { AccountKey, LedgerEntry } from '../ledger/types.js';
import type { Instant } from '../time/instant.js';
import { ADJUSTMENT_METADATA } from './references.js';
import type { AdjustmentRef, EntryRef, ItemAccount, LedgerAccountInput, Provider } from './types.js';

/*
 * The ledger side: each account's entries as of the run's instant, sorted into the roles reconciliation
 * needs.
 *   credit     a paid increment (cost basis > 0, or unknown); promotional credit (cost basis 0) is left out
 *   reversal   a void or a decrement: what may take credit back for a refund or a dispute
 *   amendment  gives credit back to a block: may restore a won dispute
 *   adjustment a balancing entry Ledgerscope posted (or its copy at the provider): it settles an item
 */

export type CandidateRole = 'credit' | 'reversal' | 'amendment';

export interface LedgerCandidate {
  index: number;
  role: CandidateRole;
  account: number;
  entry: LedgerEntry;
  ref: EntryRef;
  at: Instant;
  /** Credits moved, a magnitude in the account's unit. */
  amount: Decimal;
  /** Money per unit of credit: the block's cost basis (unknown: 1). */
  rate: Decimal;
  /** amount × rate: what it is worth in money, compared with Stripe amounts. */
  value: Decimal;
  /** The ISO currency of the unit, or "*" for a custom unit (any currency). */
  currencyKey: string;
  pending: boolean;
  /** increment: the block it creates; void and amendment: the block they name. */
  blockId: string | null;
  metadata: Record<string, unknown> | null;
  /** Index of the item it ended in; -1 while free. */
  item: number;
}

export interface LedgerAccountInfo {
  index: number;
  key: AccountKey;
  /** The account's entries as given (replayed only when a proposal needs what a block still holds). */
  entries: readonly LedgerEntry[];
  provider: Provider | null;
  /** Cost basis of the account's latest paid block (1 when none): converts money to credits. */
  referenceRate: Decimal;
  /** The account as items name it (one object per account). */
  itemAccount: ItemAccount;
  /** Money per credit of its blocks, once any block's is not 1 (null: every block's is 1). */
  blockRate: Map<string, Decimal> | null;
  /** Orb external customer ids seen on its entries. */
  externalIds: Set<string>;
  /** It had an entry at or before asOf. */
  existed: boolean;
  /** What each block holds as of asOf, from the engine's replay; filled on first use (see blockRemaining). */
  remaining: Map<string, Decimal> | null;
}

/** What `blockId` still holds as of `asOf` (the engine replays the account once, on first use). */
export function blockRemaining(account: LedgerAccountInfo, blockId: string, asOf: Instant): Decimal | undefined {
  if (account.remaining === null) {
    const state = replayAccount(account.key, account.entries, { asOf, keepEntries: false });
    account.remaining = new Map(state.blocks.map((block) => [block.id, block.remaining]));
  }
  return account.remaining.get(blockId);
}

export interface AdjustmentEntry {
  account: number;
  entry: LedgerEntry;
  ref: EntryRef;
  adjustment: AdjustmentRef;
  /** Credits it added (+) or took (−). */
  signedAmount: Decimal;
  /**
   * A second entry carrying an adjustment's key: not the entry that represents it (the provider copy that
   * replaced the local one, else the first in replay order). E.g. two provider entries with one key.
   */
  copy: boolean;
}

export interface LedgerSide {
  accounts: LedgerAccountInfo[];
  candidates: LedgerCandidate[];
  adjustments: AdjustmentEntry[];
  /** Paid credits (role credit), for stats. */
  credits: number;
}

/** The one instance every rate of 1 is (identity checks are cheaper than decimal comparisons). */
export const ONE = new Decimal(1);

function providerOf(source: string): Provider | null {
  if (source === 'moesif') return 'moesif';
  if (source === 'orb' || source === 'stripe') return 'orb';
  return null;
}

function adjustmentOf(
  entry: LedgerEntry,
  metadata: Record<string, unknown> | null,
  byKey: ReadonlyMap<string, AdjustmentRef>,
): AdjustmentRef | null {
  if (metadata === null) return byKey.size === 0 ? null : (byKey.get(entry.sourceId) ?? null);
  const keyInMetadata = metadata[ADJUSTMENT_METADATA.idempotencyKey];
  const key = typeof keyInMetadata === 'string' ? keyInMetadata : entry.sourceId;
  const known = byKey.get(key);
  if (known !== undefined) return known;
  // A Ledgerscope entry whose run's record was lost still says which item it settles.
  const itemId = metadata[ADJUSTMENT_METADATA.itemId];
  const runId = metadata[ADJUSTMENT_METADATA.runId];
  if (typeof itemId === 'string' && typeof runId === 'string' && typeof keyInMetadata === 'string') {
    return { idempotencyKey: keyInMetadata, itemId, runId };
  }
  return null;
}

function signed(entry: LedgerEntry, amount: Decimal): Decimal {
  return entry.kind === 'increment' || entry.kind === 'amendment' ? amount : amount.neg();
}

/**
 * Sorts every account's entries at or before `asOf` into roles (accounts keep their input order, entries
 * their replay order). Reading amounts, statuses and cost bases needs no replay; an account is replayed
 * only when it holds adjustments (their applied amount is the engine's: a capped amendment adds less).
 */
export function collectLedgerSide(
  ledger: readonly LedgerAccountInput[],
  asOf: Instant,
  adjustmentRefs: readonly AdjustmentRef[],
  /** Keep decrements (usage) as possible reversals: only needed when Stripe took money back. */
  withDecrements: boolean,
): LedgerSide {
  const byKey = new Map(adjustmentRefs.map((ref) => [ref.idempotencyKey, ref]));
  // The provider copies that replaced local entries (core/store/adjustment-copies.ts): each IS its adjustment.
  const byReplacement = new Map<string, AdjustmentRef>();
  for (const ref of adjustmentRefs) if (ref.replacedBy !== undefined) byReplacement.set(`${ref.replacedBy.source}\u0000${ref.replacedBy.sourceId}`, ref);
  const seenKeys = new Set<string>();
  const accounts: LedgerAccountInfo[] = [];
  const candidates: LedgerCandidate[] = [];
  const adjustments: AdjustmentEntry[] = [];
  let credits = 0;

  for (const input of ledger) {
    const accountIndex = accounts.length;
    const order = replayOrder(input.entries);
    const currencyKey = isIsoCurrency(input.key.unit) ? input.key.unit : '*';
    const info: LedgerAccountInfo = {
      index: accountIndex,
      key: input.key,
      entries: input.entries,
      provider: null,
      referenceRate: ONE,
      itemAccount: { customerId: input.key.customerId, subscriptionId: input.key.subscriptionId, unit: input.key.unit },
      blockRate: null,
      externalIds: new Set(),
      existed: false,
      remaining: null,
    };
    let orbEntries = 0;
    let moesifEntries = 0;
    let applied: Map<LedgerEntry, Decimal> | null = null;
    for (let k = 0; k < input.entries.length; k++) {
      const position = order === IN_ORDER ? k : order[k]!;
      const entry = input.entries[position]!;
      const extras = input.records?.[position] ?? null;
      if (entry.at > asOf) break;
      info.existed = true;
      if (extras?.externalCustomerId) info.externalIds.add(extras.externalCustomerId);
      const provider = providerOf(entry.source);
      if (provider === 'orb') orbEntries++;
      else if (provider === 'moesif') moesifEntries++;
      const metadata = extras?.metadata ?? null;
      // A LedgerEntry is its own EntryRef (source, sourceId): no copy per entry.
      const ref: EntryRef = entry;
      if (entry.kind === 'expiration_change') {
        // The moved credit keeps its block's cost basis.
        if (info.blockRate !== null && entry.blockId !== null) info.blockRate.set(entry.sourceId, rateOfBlock(info, entry.blockId));
        continue;
      }
      if (entry.kind === 'expiry') continue;
      if (entry.kind === 'increment') {
        const paid = entry.costBasis !== null && !entry.costBasis.isZero() && entry.costBasis.isPositive();
        const rate = paid ? rateOf(entry.costBasis!) : ONE;
        if (rate !== ONE) info.blockRate ??= new Map();
        info.blockRate?.set(entry.blockId ?? entry.sourceId, rate);
        if (paid && entry.status === 'posted') info.referenceRate = rate;
      }
      const replacing = byReplacement.size === 0 ? undefined : byReplacement.get(`${entry.source}\u0000${entry.sourceId}`);
      const adjustment = replacing ?? adjustmentOf(entry, metadata, byKey);
      if (adjustment !== null) {
        const copy = adjustment.replacedBy === undefined ? seenKeys.has(adjustment.idempotencyKey) : replacing === undefined;
        seenKeys.add(adjustment.idempotencyKey);
        applied ??= appliedAmounts(input, asOf);
        const amount = entry.status === 'posted' ? (applied.get(entry) ?? entry.amount) : entry.amount;
        adjustments.push({ account: accountIndex, entry, ref, adjustment, signedAmount: signed(entry, amount), copy });
        continue;
      }
      let role: CandidateRole;
      let rate: Decimal;
      let blockId: string | null = entry.blockId;
      switch (entry.kind) {
        case 'increment':
          if (entry.costBasis !== null && entry.costBasis.isZero()) continue; // promotional: excluded (DESIGN §6)
          role = 'credit';
          rate = entry.costBasis === null ? ONE : rateOf(entry.costBasis);
          blockId = entry.blockId ?? entry.sourceId;
          credits++;
          break;
        case 'decrement':
          if (!withDecrements) continue;
          role = 'reversal';
          rate = blockId === null ? info.referenceRate : rateOfBlock(info, blockId);
          break;
        case 'void':
          role = 'reversal';
          rate = blockId === null ? info.referenceRate : rateOfBlock(info, blockId);
          break;
        default: // amendment
          role = 'amendment';
          rate = blockId === null ? info.referenceRate : rateOfBlock(info, blockId);
          break;
      }
      candidates.push({
        index: candidates.length,
        role,
        account: accountIndex,
        entry,
        ref,
        at: entry.at,
        amount: entry.amount,
        rate,
        value: rate === ONE ? entry.amount : entry.amount.times(rate),
        currencyKey,
        pending: entry.status === 'pending',
        blockId,
        metadata,
        item: -1,
      });
    }
    // The account speaks the language of most of its entries (a tie: Orb's).
    info.provider = orbEntries === 0 && moesifEntries === 0 ? null : moesifEntries > orbEntries ? 'moesif' : 'orb';
    accounts.push(info);
  }
  return { accounts, candidates, adjustments, credits };
}

/** The engine's applied amount of each posted entry as of `asOf`. */
function appliedAmounts(input: LedgerAccountInput, asOf: Instant): Map<LedgerEntry, Decimal> {
  const state = replayAccount(input.key, input.entries, { asOf });
  const applied = new Map<LedgerEntry, Decimal>();
  for (const replayed of state.entries) if (!replayed.generated) applied.set(replayed.entry, replayed.appliedAmount);
  return applied;
}

const IN_ORDER: number[] = [];

/** IN_ORDER when the entries are already in replay order (the store reads them so), else the sorted positions. */
function replayOrder(entries: readonly LedgerEntry[]): readonly number[] {
  for (let i = 1; i < entries.length; i++) {
    if (compareReplayOrder(entries[i - 1]!, entries[i]!) > 0) {
      return entries.map((_, k) => k).sort((a, b) => compareReplayOrder(entries[a]!, entries[b]!) || a - b);
    }
  }
  return IN_ORDER;
}

/** Money per credit of a block: its cost basis; 1 when every block of the account costs 1 or the block is unknown. */
function rateOfBlock(info: LedgerAccountInfo, blockId: string): Decimal {
  return info.blockRate?.get(blockId) ?? ONE;
}

/** The shared ONE for a cost basis of 1, so later checks are an identity test, not a decimal comparison. */
function rateOf(costBasis: Decimal): Decimal {
  return costBasis === ONE || costBasis.eq(ONE) ? ONE : costBasis;
}
