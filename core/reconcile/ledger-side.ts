import { Decimal } from '../money/decimal.js';
import { isIsoCurrency } from '../money/units.js';
import { replayAccount } from '../ledger/replay.js';
import type { AccountKey, LedgerEntry } from '../ledger/types.js';
import type { Instant } from '../time/instant.js';
import { ADJUSTMENT_METADATA } from './references.js';
import type { AdjustmentRef, EntryExtras, EntryRef, LedgerAccountInput, Provider } from './types.js';

/*
 * The ledger side: each account replayed as of the run's instant (the engine decides what was posted,
 * pending, and what each block holds), then its entries sorted into the roles reconciliation needs.
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
  provider: Provider | null;
  /** Cost basis of the account's latest paid block (1 when none): converts money to credits. */
  referenceRate: Decimal;
  blockRemaining: Map<string, Decimal>;
  blockRate: Map<string, Decimal>;
  blockExpiresAt: Map<string, Instant | null>;
  /** Orb external customer ids seen on its entries. */
  externalIds: Set<string>;
  /** It had an entry at or before asOf. */
  existed: boolean;
}

export interface AdjustmentEntry {
  account: number;
  entry: LedgerEntry;
  ref: EntryRef;
  adjustment: AdjustmentRef;
  /** Credits it added (+) or took (−). */
  signedAmount: Decimal;
  /** A second entry carrying a key already seen (a local adjustment and its re-imported provider copy). */
  copy: boolean;
}

export interface LedgerSide {
  accounts: LedgerAccountInfo[];
  candidates: LedgerCandidate[];
  adjustments: AdjustmentEntry[];
  /** Paid credits (role credit), for stats. */
  credits: number;
}

const ONE = new Decimal(1);

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
  const keyInMetadata = metadata?.[ADJUSTMENT_METADATA.idempotencyKey];
  const key = typeof keyInMetadata === 'string' ? keyInMetadata : entry.sourceId;
  const known = byKey.get(key);
  if (known !== undefined) return known;
  // A Ledgerscope entry whose run's record was lost still says which item it settles.
  const itemId = metadata?.[ADJUSTMENT_METADATA.itemId];
  const runId = metadata?.[ADJUSTMENT_METADATA.runId];
  if (typeof itemId === 'string' && typeof runId === 'string' && typeof keyInMetadata === 'string') {
    return { idempotencyKey: keyInMetadata, itemId, runId };
  }
  return null;
}

function signed(entry: LedgerEntry, amount: Decimal): Decimal {
  return entry.kind === 'increment' || entry.kind === 'amendment' ? amount : amount.neg();
}

/** Replays every account as of `asOf` and sorts its entries into roles (accounts keep their input order). */
export function collectLedgerSide(
  ledger: readonly LedgerAccountInput[],
  asOf: Instant,
  adjustmentRefs: readonly AdjustmentRef[],
): LedgerSide {
  const byKey = new Map(adjustmentRefs.map((ref) => [ref.idempotencyKey, ref]));
  const seenKeys = new Set<string>();
  const accounts: LedgerAccountInfo[] = [];
  const candidates: LedgerCandidate[] = [];
  const adjustments: AdjustmentEntry[] = [];
  let credits = 0;

  for (const input of ledger) {
    const accountIndex = accounts.length;
    const state = replayAccount(input.key, input.entries, { asOf });
    const extrasOf = extrasLookup(input);
    const currencyKey = isIsoCurrency(input.key.unit) ? input.key.unit : '*';
    const info: LedgerAccountInfo = {
      index: accountIndex,
      key: input.key,
      provider: null,
      referenceRate: ONE,
      blockRemaining: new Map(),
      blockRate: new Map(),
      blockExpiresAt: new Map(),
      externalIds: new Set(),
      existed: false,
    };
    for (const block of state.blocks) {
      info.blockRemaining.set(block.id, block.remaining);
      info.blockRate.set(block.id, block.costBasis !== null && block.costBasis.gt(0) ? block.costBasis : ONE);
      info.blockExpiresAt.set(block.id, block.expiresAt);
    }
    const sources = new Map<Provider, number>();
    for (const replayed of state.entries) {
      if (replayed.generated) continue;
      const entry = replayed.entry;
      info.existed = true;
      const extras = extrasOf(entry);
      if (extras?.externalCustomerId) info.externalIds.add(extras.externalCustomerId);
      const provider = providerOf(entry.source);
      if (provider !== null) sources.set(provider, (sources.get(provider) ?? 0) + 1);
      const metadata = extras?.metadata ?? null;
      const ref: EntryRef = { source: entry.source, sourceId: entry.sourceId };
      const adjustment = adjustmentOf(entry, metadata, byKey);
      if (adjustment !== null && entry.kind !== 'expiry' && entry.kind !== 'expiration_change') {
        const copy = seenKeys.has(adjustment.idempotencyKey);
        seenKeys.add(adjustment.idempotencyKey);
        const amount = entry.status === 'posted' ? replayed.appliedAmount : entry.amount;
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
          rate = entry.costBasis ?? ONE;
          blockId = entry.blockId ?? entry.sourceId;
          if (entry.status === 'posted' && entry.costBasis !== null) info.referenceRate = entry.costBasis;
          credits++;
          break;
        case 'void':
        case 'decrement':
          role = 'reversal';
          rate = (blockId === null ? undefined : info.blockRate.get(blockId)) ?? info.referenceRate;
          break;
        case 'amendment':
          role = 'amendment';
          rate = (blockId === null ? undefined : info.blockRate.get(blockId)) ?? info.referenceRate;
          break;
        default:
          continue;
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
        value: rate.eq(ONE) ? entry.amount : entry.amount.times(rate),
        currencyKey,
        pending: entry.status === 'pending',
        blockId,
        metadata,
        item: -1,
      });
    }
    let best: Provider | null = null;
    for (const [provider, count] of sources) if (best === null || count > (sources.get(best) ?? 0)) best = provider;
    info.provider = best;
    accounts.push(info);
  }
  return { accounts, candidates, adjustments, credits };
}

function extrasLookup(input: LedgerAccountInput): (entry: LedgerEntry) => EntryExtras | null {
  const records = input.records;
  if (records === undefined) return () => null;
  const position = new Map<LedgerEntry, number>();
  input.entries.forEach((entry, i) => position.set(entry, i));
  return (entry) => {
    const i = position.get(entry);
    return i === undefined ? null : (records[i] ?? null);
  };
}
