import { ZERO } from '../money/decimal.js';
import type { BlockState } from './types.js';

/**
 * L1 deduction order: priority ascending (absent = lowest precedence), then expires_at ascending
 * (no expiry last), then cost basis ascending (absent = 0, so free credits go first), then
 * effective_at ascending, then the creating entry's ledger sequence ascending.
 */
export function compareDeductionOrder(a: BlockState, b: BlockState): number {
  if (a.priority !== b.priority) {
    if (a.priority === null) return 1;
    if (b.priority === null) return -1;
    return a.priority - b.priority;
  }
  if (a.expiresAt !== b.expiresAt) {
    if (a.expiresAt === null) return 1;
    if (b.expiresAt === null) return -1;
    return a.expiresAt - b.expiresAt;
  }
  if (a.costBasis !== b.costBasis) {
    const byCost = (a.costBasis ?? ZERO).comparedTo(b.costBasis ?? ZERO);
    if (byCost !== 0) return byCost;
  }
  if (a.effectiveAt !== b.effectiveAt) return a.effectiveAt - b.effectiveAt;
  return a.createdSequence - b.createdSequence;
}

/** A block reduced to numbers for L1 (the audit's fast check of Orb exports, which state no priorities). */
export interface RankedBlock {
  /** +Infinity: never expires. */
  expiresAt: number;
  /** The cost basis's rank among the account's (no cost basis ranks as 0). */
  rank: number;
  effectiveAt: number;
  created: number;
}

/** compareDeductionOrder(a, b) < 0 for blocks without priorities, on numbers: the same L1 rule. */
export function isAheadInDeductionOrder(a: RankedBlock, b: RankedBlock): boolean {
  if (a.expiresAt !== b.expiresAt) return a.expiresAt < b.expiresAt;
  if (a.rank !== b.rank) return a.rank < b.rank;
  if (a.effectiveAt !== b.effectiveAt) return a.effectiveAt < b.effectiveAt;
  return a.created < b.created;
}

/** Blocks a decrement may draw from, kept sorted in L1 order; small per account, so a sorted array. */
export class DrawableBlocks {
  readonly ordered: BlockState[] = [];

  insert(block: BlockState): void {
    const list = this.ordered;
    let low = 0;
    let high = list.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareDeductionOrder(list[mid]!, block) <= 0) low = mid + 1;
      else high = mid;
    }
    list.splice(low, 0, block);
  }

  remove(block: BlockState): void {
    const index = this.ordered.indexOf(block);
    if (index >= 0) this.ordered.splice(index, 1);
  }

  has(block: BlockState): boolean {
    return this.ordered.includes(block);
  }
}
