import { ZERO, type Decimal } from '../money/decimal.js';
import type { BlockState } from './types.js';

/** The terms a block is created with: when it is drawable, until when, at what cost, in what order. */
export type BlockTerms = Pick<BlockState, 'effectiveAt' | 'expiresAt' | 'costBasis' | 'priority' | 'pending'>;

/**
 * A block as its creating entry leaves it: everything remaining, nothing drawn, expired or voided. The
 * engine, its integer fast path and the audit's stated-block check all start a block from here.
 */
export function newBlockState(id: string, createdBy: string, createdSequence: number, amount: Decimal, terms: BlockTerms, activated: boolean): BlockState {
  return {
    id,
    createdBy,
    createdSequence,
    initial: amount,
    remaining: amount,
    consumed: ZERO,
    expired: ZERO,
    voided: ZERO,
    movedOut: ZERO,
    amended: ZERO,
    ...terms,
    voidedOut: false,
    expiredOut: false,
    activated,
  };
}
