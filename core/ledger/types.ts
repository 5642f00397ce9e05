import type { Decimal } from '../money/decimal.js';
import type { Instant } from '../time/instant.js';

/** Canonical entry kinds (DESIGN §4): one model for every source. */
export const ENTRY_KINDS = ['increment', 'decrement', 'expiration_change', 'void', 'amendment', 'expiry'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export type EntryStatus = 'posted' | 'pending';

export const BLOCK_STATUSES = ['scheduled', 'active', 'depleted', 'expired', 'voided', 'pending_payment'] as const;
export type BlockStatus = (typeof BLOCK_STATUSES)[number];

/** Where a ledger entry came from; `ledgerscope` marks generated expiries and local adjustments. */
export type EntrySource = 'moesif' | 'orb' | 'stripe' | 'ledgerscope';

/** An account is (customer, subscription or none, unit); balances never mix units. */
export interface AccountKey {
  customerId: string;
  subscriptionId: string | null;
  unit: string;
}

/**
 * One canonical ledger entry as the engine sees it. Amounts are magnitudes (> 0, except an
 * imported `expiry`, whose stated amount is informational unless its source states it: stated-expiry.ts);
 * the kind says the direction.
 */
export interface LedgerEntry {
  source: EntrySource;
  /** Orb entry id, Moesif transaction_id, Stripe object id; unique per source (L5). */
  sourceId: string;
  customerId: string;
  subscriptionId: string | null;
  unit: string;
  kind: EntryKind;
  status: EntryStatus;
  amount: Decimal;
  /** When the entry happened (created_at). */
  at: Instant;
  /** Tie-break among entries at the same instant: ingestion order (ledger sequence for Orb exports). */
  ordinal: number;
  /**
   * increment: id of the block it creates (defaults to sourceId);
   * void, amendment, expiration_change, expiry: the block it names;
   * decrement: the block the source says it drew from (L1b: an Orb export's credit_block, a Stripe
   * credit balance transaction's grant), null where the source names none (L1 then decides).
   */
  blockId: string | null;
  /** increment: when the block becomes drawable (default: `at`). */
  effectiveAt: Instant | null;
  /** increment: when the block expires (null: never). */
  expiresAt: Instant | null;
  /** increment: price paid per unit of credit (null: unknown, ordered as 0 by L1). */
  costBasis: Decimal | null;
  /** increment: L1 priority, lower draws first (null: lowest precedence). */
  priority: number | null;
  /** expiration_change: the new block's expiry (null: never expires). */
  targetExpiresAt: Instant | null;
  /** expiration_change without blockId: the source block is the one whose expires_at is this instant. */
  sourceExpiresAt: Instant | null;
  /** void: "refund" or another reason the source gives. */
  voidReason: string | null;
  description: string | null;
}

/** Why a unit of credit left (or returned to) a block or the deficit. */
export type EffectType =
  | 'credit' // increment: the new block's initial amount
  | 'consume' // decrement drew from the block
  | 'deficit' // decrement (or void excess) not covered by any block: the deficit grows
  | 'repay' // a newly active block (or an amendment) repays the deficit
  | 'void' // void removed credit from the block
  | 'expire' // expiry removed the block's remaining amount
  | 'move_out' // expiration_change: out of the source block
  | 'move_in' // expiration_change: into the new block
  | 'amend' // amendment returned credit to the block
  | 'pending'; // a pending entry's contribution to the pending balance

/** One effect per block touched (L1); blockId null means the account's deficit. */
export interface Effect {
  type: EffectType;
  blockId: string | null;
  /** Magnitude moved (> 0). */
  amount: Decimal;
}

/** One entry after replay: its place in the account's sequence and what it did. */
export interface ReplayedEntry {
  entry: LedgerEntry;
  /** Gap-free per-account ledger sequence number, from 1 (L8). */
  sequence: number;
  /**
   * Posted balance before and after this entry, scheduled credit included (current + scheduled, L3), so
   * they chain (L8) across activations; equal to `current` whenever nothing is scheduled.
   */
  startingBalance: Decimal;
  endingBalance: Decimal;
  /** Pending balance after this entry. */
  pendingBalance: Decimal;
  /** What actually changed the balance: capped amendments and expiries can differ from entry.amount. */
  appliedAmount: Decimal;
  effects: Effect[];
  /** True for expiries the engine generated at a block's expires_at (L3). */
  generated: boolean;
}

export interface BlockState {
  id: string;
  /** sourceId of the entry that created it (increment, or expiration_change for a moved block). */
  createdBy: string;
  /** Sequence number of the creating entry: the last L1 tie-break. */
  createdSequence: number;
  initial: Decimal;
  remaining: Decimal;
  /** Drawn by decrements, and deficit repaid from this block. */
  consumed: Decimal;
  expired: Decimal;
  voided: Decimal;
  movedOut: Decimal;
  amended: Decimal;
  effectiveAt: Instant;
  expiresAt: Instant | null;
  costBasis: Decimal | null;
  priority: number | null;
  /** Created by a pending increment: not drawable, counted in pending. */
  pending: boolean;
  /** A void named this block and left nothing remaining. */
  voidedOut: boolean;
  /** Its expiry has been processed. */
  expiredOut: boolean;
  /** Activation processed (effectiveAt reached). */
  activated: boolean;
}

export interface AccountState {
  key: AccountKey;
  /** The instant the state is as of: entries and events at or before it are applied (L9). */
  asOf: Instant;
  /** Blocks in creation order. */
  blocks: BlockState[];
  /** Posted usable balance: Σ remaining of posted, effective blocks − deficit (scheduled blocks excluded, L3). */
  current: Decimal;
  /** Sum of pending effects (a pending debit is negative). */
  pending: Decimal;
  /** current + pending. */
  available: Decimal;
  /** Usage not covered by any block (≥ 0). */
  deficit: Decimal;
  /** Entries applied (imported and generated): the last ledger sequence number, 0 before the first. */
  entryCount: number;
  /** The applied entries with their sequence, balances and effects; empty when replayed without them. */
  entries: ReplayedEntry[];
  /**
   * L3: Σ remaining of posted blocks not yet effective (before effective_at). Shown, not in `current`:
   * at effective_at it repays any deficit, then counts in current. Not part of `available`.
   */
  scheduled: Decimal;
  /** L1b: decrements whose named block could not cover them, in replay order (since the checkpoint, when resumed). */
  allocationWarnings: AllocationWarning[];
}

/**
 * Why a decrement's named block (L1b) did not cover it: the rest followed L1, then the deficit.
 * `expiry_differs`: an expiry that states its amount (stated-expiry.ts) named a block holding another amount.
 */
export type AllocationShortfall = 'unknown' | 'empty' | 'expired' | 'scheduled' | 'pending' | 'short' | 'expiry_differs';

/**
 * L1b: a decrement named a block that could not cover its amount (or a stated expiry differs from what
 * its block held). Kept per entry: an import reports it
 * as a warning and keeps it with the entry's evidence.
 */
export interface AllocationWarning {
  entry: LedgerEntry;
  blockId: string;
  reason: AllocationShortfall;
  /** What the named block did cover (0 unless `short`); for `expiry_differs`, what the block held. */
  covered: Decimal;
}

/** A rule the entries break (unknown block, expiration change larger than its block...). */
export class LedgerRuleError extends Error {
  constructor(
    readonly rule: string,
    readonly entry: LedgerEntry,
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'LedgerRuleError';
  }
}
