import { toCanonical } from '../money/decimal.js';
import { replayAccount } from '../ledger/replay.js';
import { blockStatus } from '../ledger/status.js';
import type { AccountKey, AccountState, BlockStatus, LedgerEntry } from '../ledger/types.js';
import { formatInstant, formatOptionalInstant, type Instant } from '../time/instant.js';

/*
 * Balance preview of a balancing entry (like Moesif's Balance Preview): the account replayed by the
 * engine without and with the entry, as of the same instant. No balance arithmetic here: both states
 * come from core/ledger; this only lays them side by side.
 */

export interface BalancesView {
  current: string;
  pending: string;
  available: string;
  deficit: string;
  /** L3: posted credit not yet effective. */
  scheduled: string;
}

export interface PreviewBlockState {
  initial: string;
  remaining: string;
  status: BlockStatus;
  expires_at: string | null;
}

export interface BalancePreview {
  customer_id: string;
  subscription_id: string | null;
  unit: string;
  as_of: string;
  entry: { id: string; kind: string; amount: string; block_id: string | null; created_at: string };
  before: BalancesView;
  after: BalancesView;
  /** What the entry did, one effect per block touched (block_id null: the deficit). */
  effects: { type: string; block_id: string | null; amount: string }[];
  /** Every block whose state differs, and the blocks the entry touched; before is null for a new block. */
  blocks: { id: string; before: PreviewBlockState | null; after: PreviewBlockState }[];
}

function balances(state: AccountState): BalancesView {
  return {
    current: toCanonical(state.current),
    pending: toCanonical(state.pending),
    available: toCanonical(state.available),
    deficit: toCanonical(state.deficit),
    scheduled: toCanonical(state.scheduled),
  };
}

/** Replays `entries` as of `asOf` without and with `added` (which must be at or before asOf to count). */
export function previewEntry(key: AccountKey, entries: readonly LedgerEntry[], added: LedgerEntry, asOf: Instant): BalancePreview {
  const before = replayAccount(key, entries, { asOf });
  const after = replayAccount(key, [...entries, added], { asOf });
  const replayed = after.entries.find((candidate) => candidate.entry === added);
  const touched = new Set<string>();
  for (const effect of replayed?.effects ?? []) if (effect.blockId !== null) touched.add(effect.blockId);
  const beforeBlocks = new Map(before.blocks.map((block) => [block.id, block]));
  const state = (block: AccountState['blocks'][number]): PreviewBlockState => ({
    initial: toCanonical(block.initial),
    remaining: toCanonical(block.remaining),
    status: blockStatus(block, asOf),
    expires_at: formatOptionalInstant(block.expiresAt),
  });
  const blocks: BalancePreview['blocks'] = [];
  for (const block of after.blocks) {
    const old = beforeBlocks.get(block.id);
    const now = state(block);
    const was = old === undefined ? null : state(old);
    if (touched.has(block.id) || was === null || JSON.stringify(was) !== JSON.stringify(now)) blocks.push({ id: block.id, before: was, after: now });
  }
  return {
    customer_id: key.customerId,
    subscription_id: key.subscriptionId,
    unit: key.unit,
    as_of: formatInstant(asOf),
    entry: {
      id: added.sourceId,
      kind: added.kind,
      amount: toCanonical(added.amount),
      block_id: added.kind === 'increment' ? (added.blockId ?? added.sourceId) : added.blockId,
      created_at: formatInstant(added.at),
    },
    before: balances(before),
    after: balances(after),
    effects: (replayed?.effects ?? []).map((effect) => ({ type: effect.type, block_id: effect.blockId, amount: toCanonical(effect.amount) })),
    blocks,
  };
}
