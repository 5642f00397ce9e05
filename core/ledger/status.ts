import type { Instant } from '../time/instant.js';
import type { BlockState, BlockStatus } from './types.js';

/**
 * A block's status at an instant. Precedence, first match wins: pending_payment (created by a
 * pending increment), voided (a void named it and nothing remains), expired (at or after
 * expires_at, whether or not anything was left to expire), scheduled (before effective_at),
 * depleted (nothing remains), active.
 */
export function blockStatus(block: BlockState, asOf: Instant): BlockStatus {
  if (block.pending) return 'pending_payment';
  if (block.voidedOut && block.remaining.isZero()) return 'voided';
  if (block.expiresAt !== null && asOf >= block.expiresAt) return 'expired';
  if (asOf < block.effectiveAt) return 'scheduled';
  if (block.remaining.isZero()) return 'depleted';
  return 'active';
}

/** Drawable at t (L3): posted, effective_at ≤ t < expires_at, something remaining. */
export function isDrawable(block: BlockState, at: Instant): boolean {
  return (
    !block.pending &&
    block.effectiveAt <= at &&
    (block.expiresAt === null || at < block.expiresAt) &&
    !block.remaining.isZero()
  );
}
