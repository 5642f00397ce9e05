import { ZERO, type Decimal } from '../money/decimal.js';
import type { Instant } from '../time/instant.js';
import { isDrawable } from './status.js';
import type { AccountKey, BlockState } from './types.js';

/** A broken invariant is a programmer error in the engine, never bad input: crash loudly. */
export class InvariantViolation extends Error {
  constructor(invariant: string, key: AccountKey, detail: string) {
    super(`${invariant} violated for customer ${key.customerId} (${key.unit}): ${detail}`);
    this.name = 'InvariantViolation';
  }
}

/** I1 for one block: initial = remaining + consumed + expired + voided + moved out − amended. */
export function blockConservationHolds(block: BlockState): boolean {
  // Most terms of most blocks are zero (a spent block: initial = consumed): adding only the others keeps
  // this check cheap over a long account's thousands of blocks.
  const added = plusNonZero(plusNonZero(plusNonZero(plusNonZero(plusNonZero(null, block.remaining), block.consumed), block.expired), block.voided), block.movedOut);
  const total = block.amended.isZero() ? (added ?? ZERO) : (added ?? ZERO).minus(block.amended);
  return total.eq(block.initial);
}

/** total + term, without an addition when either is zero (null: nothing added yet). */
function plusNonZero(total: Decimal | null, term: Decimal): Decimal | null {
  if (term.isZero()) return total;
  return total === null ? term : total.plus(term);
}

/** I2 and I1 for one block. */
export function assertBlockInvariants(key: AccountKey, block: BlockState): void {
  if (block.remaining.isNegative() || block.remaining.gt(block.initial)) {
    throw new InvariantViolation('I2', key, `block ${block.id} remaining ${block.remaining.toFixed()} outside 0..${block.initial.toFixed()}`);
  }
  if (!blockConservationHolds(block)) {
    throw new InvariantViolation('I1', key, `block ${block.id} does not conserve its initial ${block.initial.toFixed()}`);
  }
}

/**
 * I1 and I2 over an account's state at instant `at`: every block conserves its credit and stays
 * within 0 ≤ remaining ≤ initial; the deficit is ≥ 0 and only positive when nothing is drawable;
 * the posted balance is exactly Σ remaining of posted, effective blocks − deficit, and `scheduled` is
 * Σ remaining of posted blocks not yet effective (L3).
 */
export function assertAccountInvariants(
  key: AccountKey,
  blocks: readonly BlockState[],
  current: Decimal,
  deficit: Decimal,
  drawable: readonly BlockState[],
  at: Instant,
  /** Blocks whose I1 and I2 were checked already and that have not changed since (a restored checkpoint's). */
  checked?: (block: BlockState, index: number) => boolean,
  /** L3: Σ remaining of posted blocks not yet activated, which `current` leaves out. */
  scheduled: Decimal = ZERO,
): void {
  let postedRemaining = ZERO;
  let scheduledRemaining = ZERO;
  for (let index = 0; index < blocks.length; index++) {
    const block = blocks[index]!;
    if (checked === undefined || !checked(block, index)) assertBlockInvariants(key, block);
    if (block.pending || block.remaining.isZero()) continue;
    if (block.activated) postedRemaining = postedRemaining.plus(block.remaining);
    else scheduledRemaining = scheduledRemaining.plus(block.remaining);
  }
  if (!scheduledRemaining.eq(scheduled)) {
    throw new InvariantViolation('I1', key, `scheduled ${scheduled.toFixed()} ≠ Σ remaining of blocks not yet effective ${scheduledRemaining.toFixed()}`);
  }
  if (deficit.isNegative()) throw new InvariantViolation('I2', key, `deficit ${deficit.toFixed()} is negative`);
  if (!deficit.isZero()) {
    const drawableBlock = blocks.find((block) => block.activated && isDrawable(block, at));
    if (drawableBlock) {
      throw new InvariantViolation('I2', key, `deficit ${deficit.toFixed()} while block ${drawableBlock.id} is drawable`);
    }
  }
  if (!postedRemaining.minus(deficit).eq(current)) {
    throw new InvariantViolation('I1', key, `balance ${current.toFixed()} ≠ Σ remaining ${postedRemaining.toFixed()} − deficit ${deficit.toFixed()}`);
  }
  for (const block of drawable) {
    if (block.remaining.isZero()) throw new InvariantViolation('L1', key, `depleted block ${block.id} left in the deduction list`);
  }
}
