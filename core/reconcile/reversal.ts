import { createHash } from 'node:crypto';
import { withBody } from './proposals.js';
import type { Proposal, ProposalKind } from './types.js';

/*
 * Reversing a posted adjustment (issue 13): never delete it, post its opposite, linked to it. Decisions:
 * - Orb: an increment is undone by a void of the block it created; a void by an amendment of the same
 *   block; a decrement by an increment (no cost basis: the credit comes back, not a purchase); an
 *   amendment by a void of its block. Moesif: credit ↔ adjustment of the opposite sign.
 * - The reversal settles the same run and item as the original (the item is open again), and has its own
 *   idempotency key derived from the original's, so reversing twice reverses once.
 */

/** Deterministic from the original's key: the same reversal posted twice is one entry (L5). */
export function reversalKey(originalKey: string): string {
  return `lsrev_${createHash('sha256').update(`reversal\u0000${originalKey}`).digest('hex').slice(0, 32)}`;
}

const OPPOSITE_ORB: Record<ProposalKind, ProposalKind> = { increment: 'void', void: 'amendment', decrement: 'increment', amendment: 'void' };

/**
 * The reversal of `original`. `createdBlockId` is the block an increment created (the local entry's key,
 * or the provider copy's block once its copy replaced it).
 */
export function reversalProposal(original: Proposal, createdBlockId: string): Proposal {
  const moesif = original.provider === 'moesif';
  const kind: ProposalKind = moesif ? (original.kind === 'increment' ? 'decrement' : 'increment') : OPPOSITE_ORB[original.kind];
  let blockId: string | null = null;
  if (!moesif && kind !== 'increment') blockId = original.kind === 'increment' ? createdBlockId : original.blockId;
  return withBody({
    provider: original.provider,
    account: original.account,
    kind,
    amount: original.amount,
    blockId,
    voidReason: null,
    costBasis: null,
    expiresAt: null,
    moesifType: moesif ? 'adjustment' : null,
    description: `Ledgerscope reversal of ${original.idempotencyKey}`.slice(0, 255),
    idempotencyKey: reversalKey(original.idempotencyKey),
    runId: original.runId,
    itemId: original.itemId,
  });
}
