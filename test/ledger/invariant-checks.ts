// Independent checks of I1, I2 and L8 on an engine AccountState: recomputed from the blocks and from
// the replayed entries, never through core/ledger/invariants.ts. Each throws an Error naming what broke.
import { Decimal, ZERO, toCanonical } from '../../core/money/decimal.js';
import type { Instant } from '../../core/time/instant.js';
import type { AccountState, ReplayedEntry } from '../../core/ledger/types.js';

function fail(message: string): never {
  throw new Error(message);
}

function same(label: string, actual: Decimal, expected: Decimal): void {
  if (!actual.eq(expected)) fail(`${label}: expected ${toCanonical(expected)}, found ${toCanonical(actual)}`);
}

function entryLabel(replayed: ReplayedEntry): string {
  const entry = replayed.entry;
  return `#${replayed.sequence} ${entry.kind}${replayed.generated ? ' (generated)' : ''} ${entry.sourceId}`;
}

/** Signed contribution of a posted entry to the balance (I1, per account). */
export function postedBalanceDelta(replayed: ReplayedEntry): Decimal {
  const applied = replayed.appliedAmount;
  switch (replayed.entry.kind) {
    case 'increment':
    case 'amendment':
      return applied;
    case 'decrement':
    case 'void':
    case 'expiry':
      return applied.negated();
    case 'expiration_change':
      return ZERO;
  }
}

/** What a pending entry adds to the pending balance (L4); a pending block's expiry removes what it applied. */
export function pendingDelta(replayed: ReplayedEntry): Decimal {
  const entry = replayed.entry;
  switch (entry.kind) {
    case 'increment':
    case 'amendment':
      return entry.amount;
    case 'decrement':
    case 'void':
      return entry.amount.negated();
    case 'expiration_change':
      return ZERO;
    case 'expiry':
      return replayed.appliedAmount.negated();
  }
}

/** I1 per block from its own fields, and I2's bounds: 0 ≤ remaining ≤ initial. */
export function checkBlocks(state: AccountState): void {
  for (const block of state.blocks) {
    const rhs = block.remaining
      .plus(block.consumed)
      .plus(block.expired)
      .plus(block.voided)
      .plus(block.movedOut)
      .minus(block.amended);
    same(`I1 block ${block.id}: initial vs remaining+consumed+expired+voided+movedOut−amended`, rhs, block.initial);
    if (block.remaining.lt(ZERO)) fail(`I2 block ${block.id}: remaining ${toCanonical(block.remaining)} < 0`);
    if (block.remaining.gt(block.initial)) {
      fail(`I2 block ${block.id}: remaining ${toCanonical(block.remaining)} > initial ${toCanonical(block.initial)}`);
    }
    for (const [name, value] of [
      ['consumed', block.consumed],
      ['expired', block.expired],
      ['voided', block.voided],
      ['movedOut', block.movedOut],
      ['amended', block.amended],
    ] as const) {
      if (value.lt(ZERO)) fail(`block ${block.id}: ${name} ${toCanonical(value)} < 0`);
    }
  }
}

/**
 * I1 per account, two ways: from the blocks (current = Σ remaining of posted blocks effective by as-of −
 * deficit; scheduled = Σ remaining of posted blocks effective later, L3) and from the entries
 * (current + scheduled = Σ signed appliedAmount of posted entries). Also pending and available (L4).
 */
export function checkAccount(state: AccountState): void {
  let fromBlocks = ZERO;
  let scheduled = ZERO;
  for (const block of state.blocks) {
    if (block.pending) continue;
    if (block.effectiveAt > state.asOf) scheduled = scheduled.plus(block.remaining);
    else fromBlocks = fromBlocks.plus(block.remaining);
  }
  same('I1 current vs Σ remaining of posted, effective blocks − deficit', state.current, fromBlocks.minus(state.deficit));
  same('L3 scheduled vs Σ remaining of posted blocks not yet effective', state.scheduled, scheduled);
  let fromEntries = ZERO;
  let pending = ZERO;
  const pendingBlocks = pendingBlockIds(state);
  for (const replayed of state.entries) {
    if (replayed.entry.status === 'posted') fromEntries = fromEntries.plus(postedBalanceDelta(replayed));
    pending = pending.plus(pendingMove(replayed, pendingBlocks));
  }
  same('I1 current + scheduled vs Σ increments − decrements − expiries − voids + amendments (posted, applied)', state.current.plus(state.scheduled), fromEntries);
  same('L4 pending vs Σ pending effects (pending entries, and posted entries on pending blocks)', state.pending, pending);
  same('L4 available vs current + pending', state.available, state.current.plus(state.pending));
  if (state.deficit.lt(ZERO)) fail(`I2 deficit ${toCanonical(state.deficit)} < 0`);
}

/** I2: a deficit only while no block is drawable at `at` (posted, effective ≤ at < expires, remaining > 0). */
export function checkDeficitOnlyWhenNothingDrawable(state: AccountState, at: Instant): void {
  if (!state.deficit.gt(ZERO)) return;
  for (const block of state.blocks) {
    const drawable =
      !block.pending &&
      block.effectiveAt <= at &&
      (block.expiresAt === null || at < block.expiresAt) &&
      block.remaining.gt(ZERO);
    if (drawable) {
      fail(`I2 deficit ${toCanonical(state.deficit)} while block ${block.id} is drawable with ${toCanonical(block.remaining)}`);
    }
  }
}

function pendingBlockIds(state: AccountState): Set<string> {
  return new Set(state.blocks.filter((block) => block.pending).map((block) => block.id));
}

/**
 * How an entry moves the pending balance: a pending entry by its own delta; a posted void,
 * amendment or expiry of a block still pending payment by its effects on that block.
 */
function pendingMove(replayed: ReplayedEntry, pendingBlocks: Set<string>): Decimal {
  if (replayed.entry.status === 'pending') return pendingDelta(replayed);
  let move = ZERO;
  for (const effect of replayed.effects) {
    if (effect.blockId === null || !pendingBlocks.has(effect.blockId)) continue;
    if (effect.type === 'void' || effect.type === 'expire') move = move.minus(effect.amount);
    if (effect.type === 'amend') move = move.plus(effect.amount);
  }
  return move;
}

/** L8: sequence 1..n in order, time order, balances chain from 0, pending entries leave the balance alone. */
export function checkSequence(state: AccountState): void {
  const pendingBlocks = pendingBlockIds(state);
  let balance = ZERO;
  let pending = ZERO;
  let previousAt = Number.NEGATIVE_INFINITY;
  state.entries.forEach((replayed, index) => {
    const label = entryLabel(replayed);
    if (replayed.sequence !== index + 1) fail(`L8 ${label}: sequence ${replayed.sequence} at position ${index + 1}`);
    if (replayed.entry.at < previousAt) fail(`L8 ${label}: at ${replayed.entry.at} before the previous entry's ${previousAt}`);
    previousAt = replayed.entry.at;
    same(`L8 ${label}: startingBalance vs previous endingBalance`, replayed.startingBalance, balance);
    if (replayed.entry.status === 'posted') {
      same(`L8 ${label}: ending − starting vs signed appliedAmount`, replayed.endingBalance.minus(replayed.startingBalance), postedBalanceDelta(replayed));
    } else {
      same(`L4 ${label}: pending entry's ending vs starting balance`, replayed.endingBalance, replayed.startingBalance);
    }
    pending = pending.plus(pendingMove(replayed, pendingBlocks));
    same(`L4 ${label}: pendingBalance`, replayed.pendingBalance, pending);
    balance = replayed.endingBalance;
  });
  same('L8 current + scheduled vs last endingBalance', state.current.plus(state.scheduled), balance);
}

/** L1/L2/L6: effects are positive, and a decrement's or void's effects add up to its amount. */
export function checkEffects(state: AccountState): void {
  const pendingBlocks = pendingBlockIds(state);
  for (const replayed of state.entries) {
    const label = entryLabel(replayed);
    for (const effect of replayed.effects) {
      if (!effect.amount.gt(ZERO)) fail(`${label}: ${effect.type} effect of ${toCanonical(effect.amount)} (effects move > 0)`);
    }
    if (replayed.entry.status !== 'posted') continue;
    const total = (types: string[]): Decimal =>
      replayed.effects.filter((effect) => types.includes(effect.type)).reduce((acc, effect) => acc.plus(effect.amount), ZERO);
    // appliedAmount counts what moved the posted balance; effects on blocks pending payment do not.
    const postedTotal = (types: string[]): Decimal =>
      replayed.effects
        .filter((effect) => types.includes(effect.type) && (effect.blockId === null || !pendingBlocks.has(effect.blockId)))
        .reduce((acc, effect) => acc.plus(effect.amount), ZERO);
    const blocksTouched = replayed.effects.filter((effect) => effect.blockId !== null).map((effect) => `${effect.type}:${effect.blockId}`);
    if (new Set(blocksTouched).size !== blocksTouched.length) fail(`L1 ${label}: more than one effect of a type on one block: ${blocksTouched.join(', ')}`);
    switch (replayed.entry.kind) {
      case 'decrement':
        same(`L1/L2 ${label}: Σ consume + deficit effects`, total(['consume', 'deficit']), replayed.entry.amount);
        if (replayed.effects.some((effect) => effect.type !== 'consume' && effect.type !== 'deficit')) {
          fail(`L1 ${label}: unexpected effect types ${replayed.effects.map((effect) => effect.type).join(', ')}`);
        }
        break;
      case 'void':
        same(`L6 ${label}: Σ void + deficit effects`, total(['void', 'deficit']), replayed.entry.amount);
        break;
      case 'increment':
        same(`${label}: credit effect`, total(['credit']), replayed.entry.amount);
        break;
      case 'expiry':
        same(`L3 ${label}: expire effect vs appliedAmount`, postedTotal(['expire']), replayed.appliedAmount);
        break;
      case 'expiration_change':
        same(`L7 ${label}: move_out`, total(['move_out']), replayed.entry.amount);
        same(`L7 ${label}: move_in`, total(['move_in']), replayed.entry.amount);
        break;
      case 'amendment': {
        // The split between 'amend' and 'repay' when a deficit is repaid is the engine's choice.
        const amended = postedTotal(['amend']);
        const viaRepay = amended.plus(postedTotal(['repay']));
        if (!amended.eq(replayed.appliedAmount) && !viaRepay.eq(replayed.appliedAmount)) {
          fail(`L6 ${label}: amend (+ repay) effects ${toCanonical(amended)} / ${toCanonical(viaRepay)} vs appliedAmount ${toCanonical(replayed.appliedAmount)}`);
        }
        break;
      }
    }
  }
}

export function checkAll(state: AccountState, at: Instant): void {
  checkBlocks(state);
  checkAccount(state);
  checkDeficitOnlyWhenNothingDrawable(state, at);
  checkSequence(state);
  checkEffects(state);
}
