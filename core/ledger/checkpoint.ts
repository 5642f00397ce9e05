import { Decimal, toCanonical } from '../money/decimal.js';
import type { Instant } from '../time/instant.js';
import { ACTIVATION, EXPIRY, type BlockEvent } from './event-queue.js';
import { replayFrom, replayPrefix, type ReplayInternals, type ReplayOptions } from './replay.js';
import type { AccountKey, AccountState, BlockState, LedgerEntry } from './types.js';

/*
 * A replay checkpoint: an account's replay state right after one of its entries, as plain JSON (amounts
 * as canonical decimal strings), so a long account is answered by replaying only the entries after it.
 * Replaying from a checkpoint gives exactly what replaying every entry gives (I3), for any as-of at or
 * after the checkpoint's last entry (`validFrom`); earlier instants need the full replay.
 */

export const CHECKPOINT_VERSION = 1;

interface BlockJson {
  id: string;
  createdBy: string;
  createdSequence: number;
  initial: string;
  remaining: string;
  consumed: string;
  expired: string;
  voided: string;
  movedOut: string;
  amended: string;
  effectiveAt: Instant;
  expiresAt: Instant | null;
  costBasis: string | null;
  priority: number | null;
  pending: boolean;
  voidedOut: boolean;
  expiredOut: boolean;
  activated: boolean;
}

export interface ReplayCheckpoint {
  version: typeof CHECKPOINT_VERSION;
  /** Entries the checkpoint includes: the first `position` in replay order. */
  position: number;
  /** The last included entry's instant: the checkpoint answers as-of instants at or after it. */
  validFrom: Instant;
  /** The account's first entry's instant. */
  firstEntryAt: Instant;
  sequence: number;
  current: string;
  pending: string;
  deficit: string;
  /** Creation order. */
  blocks: BlockJson[];
  /** Block ids in L1 order. */
  drawable: string[];
  events: { at: Instant; type: 'expiry' | 'activation'; block: string }[];
  sourceExpiredBlocks: string[];
  expiryCounts: [string, number][];
}

/**
 * The checkpoint after the first `position` of the account's entries (all of them given, sorted). Events
 * run only up to an entry's own instant, so the last thing it replayed happened at `validFrom`.
 */
export function checkpointAfter(key: AccountKey, entries: readonly LedgerEntry[], position: number): ReplayCheckpoint {
  if (position < 1) throw new Error('checkpointAfter: a checkpoint includes at least one entry');
  const internals = replayPrefix(key, entries, position);
  const last = entries[position - 1]!.at;
  return {
    version: CHECKPOINT_VERSION,
    position,
    validFrom: last,
    firstEntryAt: entries[0]!.at,
    sequence: internals.sequence,
    current: toCanonical(internals.current),
    pending: toCanonical(internals.pending),
    deficit: toCanonical(internals.deficit),
    blocks: internals.blocks.map(blockToJson),
    drawable: internals.drawable.map((block) => block.id),
    events: internals.events.map((event) => ({ at: event.at, type: event.type === EXPIRY ? 'expiry' : 'activation', block: event.block.id })),
    sourceExpiredBlocks: internals.sourceExpiredBlocks,
    expiryCounts: internals.expiryCounts,
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
  return replayFrom(key, internalsOf(checkpoint), tail, options);
}

function internalsOf(checkpoint: ReplayCheckpoint): ReplayInternals {
  if (checkpoint.version !== CHECKPOINT_VERSION) throw new Error(`replay checkpoint version ${String(checkpoint.version)}, expected ${CHECKPOINT_VERSION}`);
  const blocks = checkpoint.blocks.map(blockFromJson);
  const byId = new Map(blocks.map((block) => [block.id, block]));
  const block = (id: string): BlockState => {
    const found = byId.get(id);
    if (found === undefined) throw new Error(`replay checkpoint names block ${id}, which it does not hold`);
    return found;
  };
  return {
    blocks,
    drawable: checkpoint.drawable.map(block),
    events: checkpoint.events.map((event): BlockEvent => ({ at: event.at, type: event.type === 'expiry' ? EXPIRY : ACTIVATION, block: block(event.block) })),
    sourceExpiredBlocks: checkpoint.sourceExpiredBlocks,
    expiryCounts: checkpoint.expiryCounts,
    current: new Decimal(checkpoint.current),
    pending: new Decimal(checkpoint.pending),
    deficit: new Decimal(checkpoint.deficit),
    sequence: checkpoint.sequence,
  };
}

function blockToJson(block: BlockState): BlockJson {
  return {
    id: block.id,
    createdBy: block.createdBy,
    createdSequence: block.createdSequence,
    initial: toCanonical(block.initial),
    remaining: toCanonical(block.remaining),
    consumed: toCanonical(block.consumed),
    expired: toCanonical(block.expired),
    voided: toCanonical(block.voided),
    movedOut: toCanonical(block.movedOut),
    amended: toCanonical(block.amended),
    effectiveAt: block.effectiveAt,
    expiresAt: block.expiresAt,
    costBasis: block.costBasis === null ? null : toCanonical(block.costBasis),
    priority: block.priority,
    pending: block.pending,
    voidedOut: block.voidedOut,
    expiredOut: block.expiredOut,
    activated: block.activated,
  };
}

function blockFromJson(json: BlockJson): BlockState {
  return {
    ...json,
    initial: new Decimal(json.initial),
    remaining: new Decimal(json.remaining),
    consumed: new Decimal(json.consumed),
    expired: new Decimal(json.expired),
    voided: new Decimal(json.voided),
    movedOut: new Decimal(json.movedOut),
    amended: new Decimal(json.amended),
    costBasis: json.costBasis === null ? null : new Decimal(json.costBasis),
  };
}
