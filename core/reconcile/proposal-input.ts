import { z } from 'zod';
import { amountLimitProblem, Decimal, isDecimalLiteral } from '../money/decimal.js';
import { parseInstant } from '../time/instant.js';
import { idempotencyKey, withBody } from './proposals.js';
import type { Proposal } from './types.js';
import type { ProposalView } from './view.js';

/*
 * A proposal as the user sends it back, possibly edited (amount, kind, block, description, expiry).
 * Validated as `unknown`; the body is rebuilt from the fields, and the idempotency key must be the one
 * the run and item determine, so an edited proposal still posts at most once.
 */

const text = (max: number) => z.string().min(1).max(max);
const decimal = z
  .string()
  .max(64)
  .refine(isDecimalLiteral, 'expected a decimal number like "12.50"')
  .superRefine((text, ctx) => {
    const beyond = amountLimitProblem(text);
    if (beyond !== null) ctx.addIssue({ code: 'custom', message: beyond });
  });

export const proposalViewSchema = z.strictObject({
  provider: z.enum(['orb', 'moesif']),
  customer_id: text(512),
  subscription_id: text(512).nullable(),
  unit: text(64),
  kind: z.enum(['increment', 'decrement', 'void', 'amendment']),
  amount: decimal,
  block_id: text(512).nullable(),
  void_reason: text(64).nullable(),
  cost_basis: decimal.nullable(),
  expires_at: z.string().max(40).nullable(),
  moesif_type: z.enum(['credit', 'adjustment', 'debit']).nullable(),
  description: z.string().max(255),
  idempotency_key: text(128),
  run_id: text(128),
  item_id: text(1024),
  /** Ignored: the body is always derived from the fields. */
  body: z.unknown().optional(),
});

export class ProposalInputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'ProposalInputError';
  }
}

export function proposalFromView(input: unknown): Proposal {
  const parsed = proposalViewSchema.safeParse(input);
  if (!parsed.success) {
    throw new ProposalInputError(parsed.error.issues.map((issue) => `proposal.${issue.path.join('.') || '-'}: ${issue.message}`));
  }
  const view = parsed.data;
  const problems: string[] = [];
  const amount = new Decimal(view.amount);
  if (!amount.gt(0)) problems.push(`proposal.amount: must be greater than zero (the kind gives the direction), found "${view.amount}"`);
  const costBasis = view.cost_basis === null ? null : new Decimal(view.cost_basis);
  if (costBasis !== null && costBasis.lt(0)) problems.push(`proposal.cost_basis: must not be negative, found "${view.cost_basis}"`);
  if ((view.kind === 'void' || view.kind === 'amendment') && view.block_id === null) {
    problems.push(`proposal.block_id: required for ${view.kind === 'void' ? 'a void' : 'an amendment'} (it names the block)`);
  }
  if (view.provider === 'moesif') {
    if (view.kind !== 'increment' && view.kind !== 'decrement') problems.push(`proposal.kind: Moesif takes credit or adjustment transactions (increment or decrement), found "${view.kind}"`);
    if (view.kind === 'increment' && view.moesif_type === 'debit') problems.push('proposal.moesif_type: a debit cannot add credit');
    if (view.kind === 'decrement' && view.moesif_type === 'credit') problems.push('proposal.moesif_type: a credit cannot take credit away');
  }
  let expiresAt: number | null = null;
  if (view.expires_at !== null) {
    try {
      expiresAt = parseInstant(view.expires_at);
    } catch (error) {
      problems.push(`proposal.expires_at: ${(error as Error).message}`);
    }
  }
  const expectedKey = idempotencyKey(view.run_id, view.item_id);
  if (view.idempotency_key !== expectedKey) {
    problems.push(`proposal.idempotency_key: must be the key of run ${view.run_id} and item ${view.item_id} ("${expectedKey}"), found "${view.idempotency_key}"`);
  }
  if (problems.length > 0) throw new ProposalInputError(problems);
  return withBody({
    provider: view.provider,
    account: { customerId: view.customer_id, subscriptionId: view.subscription_id, unit: view.unit },
    kind: view.kind,
    amount,
    blockId: view.kind === 'increment' || view.kind === 'decrement' ? null : view.block_id,
    voidReason: view.kind === 'void' ? view.void_reason : null,
    costBasis: view.kind === 'increment' ? costBasis : null,
    expiresAt: view.kind === 'increment' ? expiresAt : null,
    moesifType: view.provider === 'moesif' ? (view.moesif_type ?? 'adjustment') : null,
    description: view.description,
    idempotencyKey: view.idempotency_key,
    runId: view.run_id,
    itemId: view.item_id,
  });
}

export type { ProposalView };
