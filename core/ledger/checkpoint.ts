import { Decimal, ZERO, toCanonical } from '../money/decimal.js';
import type { Instant } from '../time/instant.js';
import { ACTIVATED, CHECKPOINT_VERSION, EXPIRED_OUT, PENDING, VOIDED_OUT, type BlockTuple, type ReplayCheckpoint } from './checkpoint-format.js';
import { ACTIVATION, EXPIRY, type BlockEvent } from './event-queue.js';
import { assertBlockInvariants } from './invariants.js';
import { replayFrom, replayPrefix, type ReplayInternals, type ReplayOptions } from './replay.js';
import type { AccountKey, AccountState, BlockState, LedgerEntry } from './types.js';

/*
 * A replay checkpoint: an account's replay state right after one of its entries, as plain JSON (amounts
 * as canonical decimal strings), so a long account is answered by replaying only the entries after it.
 * Replaying from a checkpoint gives exactly what replaying every entry gives (I3), for any as-of at or
 * after the checkpoint's last entry (`validFrom`); earlier instants need the full replay.
 */

export { CHECKPOINT_VERSION, type BlockTuple, type ReplayCheckpoint } from './checkpoint-format.js';

/**
 * The checkpoint after the first `position` of the account's entries (all of them given, sorted). Events
 * run only up to an entry's own instant, so the last thing it replayed happened at `validFrom`.
 */
export function checkpointAfter(key: AccountKey, entries: readonly LedgerEntry[], position: number): ReplayCheckpoint {
  if (position < 1) throw new Error('checkpointAfter: a checkpoint includes at least one entry');
  return checkpointOf(replayPrefix(key, entries, position), position, entries[position - 1]!.at, entries[0]!.at);
}

/**
 * The checkpoint of `internals`, the replay's state right after its `position`-th entry (replayPrefix's, or
 * what a ReplayObserver sees), whose instant is `validFrom`; amounts are copied out as text, so the replay
 * may go on changing its blocks afterwards.
 */
export function checkpointOf(internals: ReplayInternals, position: number, validFrom: Instant, firstEntryAt: Instant): ReplayCheckpoint {
  if (!(Number.isSafeInteger(position) && position >= 1)) throw new Error(`checkpointOf: position ${position}`);
  const indexes = new Map(internals.blocks.map((block, index) => [block, index]));
  const indexOf = (block: BlockState): number => {
    const index = indexes.get(block);
    if (index === undefined) throw new Error(`checkpointOf: block ${block.id} is not in the account's block list`);
    return index;
  };
  return {
    version: CHECKPOINT_VERSION,
    position,
    validFrom,
    firstEntryAt,
    sequence: internals.sequence,
    current: toCanonical(internals.current),
    pending: toCanonical(internals.pending),
    deficit: toCanonical(internals.deficit),
    blocks: internals.blocks.map(blockToTuple),
    drawable: internals.drawable.map(indexOf),
    events: internals.events.map((event) => [event.at, event.type === EXPIRY ? EXPIRY : ACTIVATION, indexOf(event.block)]),
    sourceExpiredBlocks: internals.sourceExpiredBlocks,
    expiryCounts: internals.expiryCounts,
    scheduled: toCanonical(internals.scheduled),
  };
}

/**
 * The account as of `options.asOf` (≥ checkpoint.validFrom), replaying only `tail`: the entries after the
 * checkpoint, in replay order. The state's `entries` are the tail's replayed entries (sequence numbers
 * continue the checkpoint's); everything else is the whole account's.
 */
export function replayFromCheckpoint(key: AccountKey, checkpoint: ReplayCheckpoint, tail: readonly LedgerEntry[], options: ReplayOptions = {}): AccountState {
  const asOf = options.asOf ?? Number.POSITIVE_INFINITY;
  if (asOf < checkpoint.validFrom) throw new Error(`replayFromCheckpoint: as-of ${asOf} is before the checkpoint (${checkpoint.validFrom})`);
  if (tail.length > 0 && tail[0]!.at < checkpoint.validFrom) throw new Error('replayFromCheckpoint: the tail starts before the checkpoint');
  return replayFrom(key, internalsOf(key, checkpoint), tail, options, checkpoint.position);
}

function internalsOf(key: AccountKey, checkpoint: ReplayCheckpoint): ReplayInternals {
  if (checkpoint.version !== CHECKPOINT_VERSION) throw new Error(`replay checkpoint version ${String(checkpoint.version)}, expected ${CHECKPOINT_VERSION}`);
  // A long account's blocks hold a few hundred distinct amounts; a Decimal is immutable, so blocks share them.
  const decimals = new Map<string, Decimal>([['0', ZERO]]);
  const decimal = (text: string): Decimal => {
    let value = decimals.get(text);
    if (value === undefined) {
      value = new Decimal(text);
      decimals.set(text, value);
    }
    return value;
  };
  const blocks = checkpoint.blocks.map((tuple) => {
    const block = blockFromTuple(tuple, decimal);
    // Asserted right after reading; the replay's final check then skips the blocks it did not change.
    if (!invariantsEvidentlyHold(tuple)) assertBlockInvariants(key, block);
    return block;
  });
  const block = (index: number): BlockState => {
    const found = blocks[index];
    if (found === undefined) throw new Error(`replay checkpoint names block ${index}, which it does not hold`);
    return found;
  };
  return {
    blocks,
    drawable: checkpoint.drawable.map(block),
    events: checkpoint.events.map(([at, type, index]): BlockEvent => ({ at, type: type === EXPIRY ? EXPIRY : ACTIVATION, block: block(index) })),
    sourceExpiredBlocks: checkpoint.sourceExpiredBlocks,
    expiryCounts: checkpoint.expiryCounts,
    current: decimal(checkpoint.current),
    pending: decimal(checkpoint.pending),
    deficit: decimal(checkpoint.deficit),
    sequence: checkpoint.sequence,
    checkedBlocks: blocks.length,
    scheduled: decimal(checkpoint.scheduled),
  };
}

/**
 * I1 and I2 read off the canonical amounts of a block with one kind of amount besides its initial (untouched,
 * or wholly consumed, expired, voided or moved): that one equals the initial. Equal canonical strings are
 * equal amounts; a false answer only means "check with arithmetic".
 */
function invariantsEvidentlyHold(tuple: BlockTuple): boolean {
  const initial = tuple[3];
  if (tuple[9] !== '0' || initial.startsWith('-')) return false; // amended
  let nonZero: string | null = null;
  // remaining, consumed, expired, voided, movedOut
  for (let field = 4; field <= 8; field++) {
    const amount = tuple[field] as string;
    if (amount === '0') continue;
    if (nonZero !== null) return false;
    nonZero = amount;
  }
  return nonZero === null ? initial === '0' : nonZero === initial;
}

function blockToTuple(block: BlockState): BlockTuple {
  const flags = (block.pending ? PENDING : 0) | (block.voidedOut ? VOIDED_OUT : 0) | (block.expiredOut ? EXPIRED_OUT : 0) | (block.activated ? ACTIVATED : 0);
  return [
    block.id,
    block.createdBy === block.id ? null : block.createdBy,
    block.createdSequence,
    toCanonical(block.initial),
    toCanonical(block.remaining),
    toCanonical(block.consumed),
    toCanonical(block.expired),
    toCanonical(block.voided),
    toCanonical(block.movedOut),
    toCanonical(block.amended),
    block.effectiveAt,
    block.expiresAt,
    block.costBasis === null ? null : toCanonical(block.costBasis),
    block.priority,
    flags,
  ];
}

/** Keys in the order the replay creates them (createBlock), so a restored state serialises identically (I3). */
function blockFromTuple(tuple: BlockTuple, decimal: (text: string) => Decimal): BlockState {
  if (tuple.length !== 15) throw new Error(`replay checkpoint block with ${tuple.length} fields, expected 15`);
  const [id, createdBy, createdSequence, initial, remaining, consumed, expired, voided, movedOut, amended, effectiveAt, expiresAt, costBasis, priority, flags] = tuple;
  return {
    id,
    createdBy: createdBy ?? id,
    createdSequence,
    initial: decimal(initial),
    remaining: decimal(remaining),
    consumed: decimal(consumed),
    expired: decimal(expired),
    voided: decimal(voided),
    movedOut: decimal(movedOut),
    amended: decimal(amended),
    effectiveAt,
    expiresAt,
    costBasis: costBasis === null ? null : decimal(costBasis),
    priority,
    pending: (flags & PENDING) !== 0,
    voidedOut: (flags & VOIDED_OUT) !== 0,
    expiredOut: (flags & EXPIRED_OUT) !== 0,
    activated: (flags & ACTIVATED) !== 0,
  };
}
