import { Decimal, ZERO, minDecimal, toCanonical } from '../money/decimal.js';
import { newBlockState } from '../ledger/block-state.js';
import { compareDeductionOrder } from '../ledger/deduction-order.js';
import type { BlockState, LedgerEntry } from '../ledger/types.js';
import { formatInstant, type Instant } from '../time/instant.js';
import type { AccountFindings } from './account-findings.js';
import { drawnBlock, type DrawnBlock } from './drawn-block.js';
import { where } from './load.js';
import type { AuditedEntry } from './types.js';

/**
 * The blocks as the export's own entries describe them: every entry that names a block (an Orb decrement
 * names the block it drew from in `credit_block`) moves that block's stated remaining. Checked:
 * - L3: a decrement drawn from a block before its effective_at or at or after its expires_at;
 * - L1 (warning): a decrement drawn from a block while a block earlier in deduction order was drawable with
 *   credit left (the provider may apply filters our engine does not know of);
 * - I2: a draw that takes the block below zero, an amendment that returns it above its initial amount.
 * Reported with the replayed remaining of the same block after the same entry, from `replayedRemaining`.
 * A draw already reported under L3 is not counted again under L1 or I2. Pending entries (L4) do not move
 * posted blocks. A decrement naming a block no increment in the export created is only checked for L3
 * against the expiry its own credit_block states. Where some posted draw names no block (Orb create-entry
 * bodies, Moesif), remaining amounts are unknown and only L3 is checked; likewise after entries found
 * missing (an L8 gap). L1 is reported once per pair of blocks.
 */

/** The replayed remaining of a block right after the entry at `index`, or null when unknown. */
export type ReplayedRemaining = (index: number, blockId: string) => Decimal | null;

interface StatedBlock extends BlockState {
  /** I2 already reported for this block: one finding per block and direction. */
  reportedBelow: boolean;
  reportedAbove: boolean;
}

export function checkStatedBlocks(entries: readonly AuditedEntry[], findings: AccountFindings, replayedRemaining: ReplayedRemaining): void {
  // Terms first: a draw dated before the increment that creates its block is still recognised (L3).
  const terms = new Map<string, { effectiveAt: Instant; expiresAt: Instant | null; createdBy: string }>();
  const drawnFrom: (DrawnBlock | null)[] = new Array(entries.length).fill(null);
  /** Remaining amounts are known only when every posted draw names its block (Orb exports do; bodies and Moesif do not). */
  let remainingKnown = true;
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index]!.parsed.entry;
    if (entry.kind === 'decrement') {
      const drawn = drawnBlock(entries[index]!.parsed);
      drawnFrom[index] = drawn;
      if (drawn === null && entry.status === 'posted') remainingKnown = false;
      continue;
    }
    if (entry.kind !== 'increment') continue;
    const id = entry.blockId ?? entry.sourceId;
    if (!terms.has(id)) terms.set(id, { effectiveAt: entry.effectiveAt ?? entry.at, expiresAt: entry.expiresAt, createdBy: entry.sourceId });
  }
  const blocks = new Map<string, StatedBlock>();
  /** Posted blocks that may still hold credit, for the L1 scan; compacted as blocks run empty. */
  const live: StatedBlock[] = [];
  /** After entries found missing (L8) what remains in each block is unknown. */
  const remainingKnownBefore = findings.entriesMissingFrom ?? entries.length;
  /** L1 is reported once per (drawn block, block ahead): a provider filter repeats the same pattern. */
  const reportedOrder = new Set<string>();

  for (let index = 0; index < entries.length; index++) {
    const item = entries[index]!;
    const entry = item.parsed.entry;
    const posted = entry.status === 'posted';
    switch (entry.kind) {
      case 'increment': {
        const id = entry.blockId ?? entry.sourceId;
        if (blocks.has(id)) break; // a block id used twice: the replay reports it (L5)
        const block = newBlock(id, entry, index, entry.amount, entry.effectiveAt ?? entry.at, entry.expiresAt, entry.costBasis, entry.priority);
        blocks.set(id, block);
        if (posted) live.push(block);
        break;
      }
      case 'decrement': {
        const drawn = drawnFrom[index] ?? null;
        if (drawn === null) break;
        const block = blocks.get(drawn.id);
        if (drawOutsideTerms(item, index, drawn, terms.get(drawn.id), findings)) break;
        if (!posted || !remainingKnown || index >= remainingKnownBefore || block === undefined || block.pending) break;
        compact(live);
        const ahead = firstAhead(live, block, entry.at);
        const pair = ahead === undefined ? '' : `${block.id}\u001f${ahead.id}`;
        if (ahead !== undefined && !reportedOrder.has(pair)) {
          reportedOrder.add(pair);
          findings.add(index, 'L1', 'warning', entry.sourceId,
            `${where(item.parsed)}: decrement of ${toCanonical(entry.amount)} drew from block ${block.id}, but block ${ahead.id} comes first in deduction order ` +
              `(${orderReason(ahead, block)}) and had ${toCanonical(ahead.remaining)} left; the provider may apply filters ` +
              `(later draws from ${block.id} ahead of ${ahead.id} are not reported again)`);
        }
        const before = block.remaining;
        block.remaining = block.remaining.minus(entry.amount);
        if (block.remaining.isNegative() && isStatedOverdraft(item)) {
          // Orb's documented overdraft: the draw past zero is the account's deficit, not the block's (L2).
          block.remaining = ZERO;
        } else if (block.remaining.isNegative() && !block.reportedBelow) {
          block.reportedBelow = true;
          findings.add(index, 'I2', 'error', entry.sourceId,
            `${where(item.parsed)}: decrement of ${toCanonical(entry.amount)} drew from block ${block.id}, which had ${toCanonical(before)} left ` +
              `(initial ${toCanonical(block.initial)}): stated remaining ${toCanonical(block.remaining)}${replayedNote(replayedRemaining(index, block.id))}`);
        }
        break;
      }
      case 'void': {
        const block = entry.blockId === null ? undefined : blocks.get(entry.blockId);
        // L6: a void takes at most what remains; any excess comes from other blocks.
        if (posted && block !== undefined && block.remaining.gt(0)) block.remaining = block.remaining.minus(minDecimal(entry.amount, block.remaining));
        break;
      }
      case 'amendment': {
        const block = entry.blockId === null ? undefined : blocks.get(entry.blockId);
        if (!posted || !remainingKnown || index >= remainingKnownBefore || block === undefined) break;
        const before = block.remaining;
        block.remaining = block.remaining.plus(entry.amount);
        if (block.remaining.gt(block.initial) && !block.reportedAbove) {
          block.reportedAbove = true;
          findings.add(index, 'I2', 'error', entry.sourceId,
            `${where(item.parsed)}: amendment of ${toCanonical(entry.amount)} returned credit to block ${block.id}, which had ${toCanonical(before)} left ` +
              `of its initial ${toCanonical(block.initial)}: stated remaining ${toCanonical(block.remaining)} is above the initial amount` +
              `${replayedNote(replayedRemaining(index, block.id))}`);
        }
        if (!live.includes(block) && block.remaining.gt(0)) live.push(block);
        break;
      }
      case 'expiration_change': {
        const source = entry.blockId === null ? undefined : blocks.get(entry.blockId);
        if (!posted || source === undefined) break; // a missing or too small block: the replay reports it (L7)
        source.remaining = source.remaining.minus(entry.amount);
        if (blocks.has(entry.sourceId)) break;
        const moved = newBlock(entry.sourceId, entry, index, entry.amount, source.effectiveAt, entry.targetExpiresAt, source.costBasis, source.priority);
        blocks.set(moved.id, moved);
        live.push(moved);
        break;
      }
      case 'expiry': {
        const block = entry.blockId === null ? undefined : blocks.get(entry.blockId);
        if (block !== undefined && posted) block.remaining = ZERO;
        break;
      }
    }
  }
}

function newBlock(
  id: string,
  entry: LedgerEntry,
  index: number,
  amount: Decimal,
  effectiveAt: Instant,
  expiresAt: Instant | null,
  costBasis: Decimal | null,
  priority: number | null,
): StatedBlock {
  const terms = { effectiveAt, expiresAt, costBasis, priority, pending: entry.status === 'pending' };
  return { ...newBlockState(id, entry.sourceId, index, amount, terms, true), reportedBelow: false, reportedAbove: false };
}

/** L3: true (and reported) when the draw falls outside the block's drawable window. */
function drawOutsideTerms(
  item: AuditedEntry,
  index: number,
  drawn: DrawnBlock,
  known: { effectiveAt: Instant; expiresAt: Instant | null; createdBy: string } | undefined,
  findings: AccountFindings,
): boolean {
  const entry = item.parsed.entry;
  const at = entry.at;
  const drew = () => `${where(item.parsed)}: decrement of ${toCanonical(entry.amount)} at ${formatInstant(at)} drew from block ${drawn.id}`;
  if (known !== undefined && at < known.effectiveAt) {
    findings.add(index, 'L3', 'error', entry.sourceId, `${drew()}, which becomes effective only at ${formatInstant(known.effectiveAt)} (created by entry ${known.createdBy})`);
    return true;
  }
  if (known !== undefined && (known.expiresAt === null || at < known.expiresAt)) return false;
  const expiresAt = known === undefined ? drawn.expiresAt() : known.expiresAt;
  if (expiresAt !== null && at >= expiresAt) {
    findings.add(index, 'L3', 'error', entry.sourceId, `${drew()}, which expired at ${formatInstant(expiresAt)}`);
    return true;
  }
  return false;
}

/**
 * A decrement past zero that the source states as such: its stated balances chain (ending = starting −
 * amount) and the ending balance is negative. Orb documents this overdraft (repaid by the next
 * increment); it is the account's deficit, not a block below zero.
 */
function isStatedOverdraft(item: AuditedEntry): boolean {
  const stated = item.parsed.stated;
  if (stated === null || stated.startingBalance === null || stated.endingBalance === null) return false;
  const starting = new Decimal(stated.startingBalance);
  const ending = new Decimal(stated.endingBalance);
  return ending.isNegative() && starting.minus(item.parsed.entry.amount).eq(ending);
}

/** Drops blocks with nothing left, in place. */
function compact(live: StatedBlock[]): void {
  let kept = 0;
  for (const block of live) if (block.remaining.gt(0)) live[kept++] = block;
  live.length = kept;
}

/** The first posted block drawable at `at` with credit left that L1 puts before `block`. */
function firstAhead(live: readonly StatedBlock[], block: StatedBlock, at: Instant): StatedBlock | undefined {
  let first: StatedBlock | undefined;
  for (const candidate of live) {
    if (candidate === block || candidate.pending || !candidate.remaining.gt(0)) continue;
    if (candidate.effectiveAt > at || (candidate.expiresAt !== null && at >= candidate.expiresAt)) continue;
    if (compareDeductionOrder(candidate, block) >= 0) continue;
    if (first === undefined || compareDeductionOrder(candidate, first) < 0) first = candidate;
  }
  return first;
}

/** Which L1 criterion puts `ahead` before `block`. */
function orderReason(ahead: BlockState, block: BlockState): string {
  if (ahead.priority !== block.priority) return `priority ${ahead.priority ?? 'none'} before ${block.priority ?? 'none'}`;
  if (ahead.expiresAt !== block.expiresAt) {
    return `expires ${ahead.expiresAt === null ? 'never' : formatInstant(ahead.expiresAt)}, before ${block.expiresAt === null ? 'never' : formatInstant(block.expiresAt)}`;
  }
  const aheadCost = ahead.costBasis ?? ZERO;
  const blockCost = block.costBasis ?? ZERO;
  if (!aheadCost.eq(blockCost)) return `cost basis ${toCanonical(aheadCost)} before ${toCanonical(blockCost)}`;
  if (ahead.effectiveAt !== block.effectiveAt) return `effective ${formatInstant(ahead.effectiveAt)}, before ${formatInstant(block.effectiveAt)}`;
  return 'created earlier';
}

function replayedNote(remaining: Decimal | null): string {
  return remaining === null ? '' : `; our replay keeps it at ${toCanonical(remaining)}`;
}
