import type { Instant } from '../time/instant.js';

/*
 * The stored form of a replay checkpoint (checkpoint.ts): its version, block tuples and flags. Apart, so
 * that the integer fast path (replay-fast.ts) writes the same form without importing the engine.
 */

/**
 * 2: blocks as tuples, blocks named by their index; 3: `scheduled` (L3: blocks not yet effective are not in
 * `current`). A row of another version is read as no checkpoint.
 */
export const CHECKPOINT_VERSION = 3;

/** Block flags, one bit each (BlockState's booleans). */
export const PENDING = 1;
export const VOIDED_OUT = 2;
export const EXPIRED_OUT = 4;
export const ACTIVATED = 8;

/**
 * One block as a tuple: a long account has thousands, and keys repeated in every object were half the
 * JSON. `createdBy` is null when it equals the id (every increment's block).
 */
export type BlockTuple = [
  id: string,
  createdBy: string | null,
  createdSequence: number,
  initial: string,
  remaining: string,
  consumed: string,
  expired: string,
  voided: string,
  movedOut: string,
  amended: string,
  effectiveAt: Instant,
  expiresAt: Instant | null,
  costBasis: string | null,
  priority: number | null,
  flags: number,
];

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
  blocks: BlockTuple[];
  /** Indexes into `blocks`, in L1 order. */
  drawable: number[];
  /** [at, EXPIRY or ACTIVATION, index into `blocks`]. */
  events: [at: Instant, type: 0 | 1, block: number][];
  sourceExpiredBlocks: string[];
  expiryCounts: [string, number][];
  /** L3: Σ remaining of posted blocks not yet effective. */
  scheduled: string;
}
