import { createHash } from 'node:crypto';
import { Decimal, toCanonical } from '../money/decimal.js';
import type { AccountKey, LedgerEntry } from '../ledger/types.js';
import { formatInstant, type Instant } from '../time/instant.js';
import { ADJUSTMENT_METADATA } from './references.js';
import type { ItemAccount, ItemCategory, Proposal, ProposalKind, Provider, ProviderBody } from './types.js';
import { ONE } from './ledger-side.js';

/*
 * Balancing entries in the ledger's own language (DESIGN §6).
 *   Orb: a body of Create ledger entry (POST /customers/{customer_id}/credits/ledger_entry): increment,
 *        decrement, void or amendment; `customer_id` is the path parameter, written beside the body as in
 *        DESIGN §5's Orb create-entry bodies. Ledgerscope's ids ride in `metadata`; the idempotency key
 *        also goes in the Idempotency-Key header when pushed.
 *   Moesif: a body of POST /~/billing/reports/balance_transactions: `credit` for a payment never credited,
 *        else `adjustment` (signed); `transaction_id` is the idempotency key (Moesif dedupes on it).
 * Direction: difference = actual − expected. Positive: the ledger holds too much → take it away (a void
 * of the credit's block when that block still holds it, else a decrement). Negative: too little → give it
 * (an amendment of the block a reversal took from, else an increment at the item's cost basis).
 */

const DESCRIPTION_MAX = 255;
/** Categories whose shortfall is credit the customer paid for. */
const PAID_SHORTFALL: ReadonlySet<ItemCategory> = new Set(['missing_in_ledger', 'amount_mismatch', 'unit_error']);

/** Deterministic from the run and the item: the same proposal posted twice is the same entry (L5). */
export function idempotencyKey(runId: string, itemId: string): string {
  return `lsadj_${createHash('sha256').update(`${runId}\u0000${itemId}`).digest('hex').slice(0, 32)}`;
}

export interface ProposalContext {
  runId: string;
  itemId: string;
  category: ItemCategory;
  account: ItemAccount;
  provider: Provider;
  /** actual − expected, in the account's unit. */
  difference: Decimal;
  tolerance: Decimal;
  rate: Decimal;
  removeFromBlock: string | null;
  restoreToBlock: string | null;
  voidReason: string | null;
  /** What the block still holds as of the run (a void cannot take more than that at the provider). */
  blockRemaining: (blockId: string) => Decimal | undefined;
  paymentIds: readonly string[];
  note: string;
}

/** The balancing entry for a difference item, or null when none can be posted (no customer, within tolerance). */
export function proposeBalancingEntry(context: ProposalContext): Proposal | null {
  const { account } = context;
  if (account.customerId === null || context.difference.abs().lte(context.tolerance) || context.difference.isZero()) return null;
  const key: AccountKey = { customerId: account.customerId, subscriptionId: account.subscriptionId, unit: account.unit };
  const amount = context.difference.abs();
  const remove = context.difference.gt(0);
  let kind: ProposalKind;
  let blockId: string | null = null;
  let moesifType: Proposal['moesifType'] = null;
  if (context.provider === 'moesif') {
    kind = remove ? 'decrement' : 'increment';
    // Credit paid for and not (fully) given is a Moesif `credit` (paid 1:1); anything else is an adjustment.
    const paidFor = context.restoreToBlock === null && PAID_SHORTFALL.has(context.category);
    moesifType = remove ? 'adjustment' : paidFor ? 'credit' : 'adjustment';
  } else if (remove) {
    const remaining = context.removeFromBlock === null ? undefined : context.blockRemaining(context.removeFromBlock);
    kind = remaining !== undefined && remaining.gte(amount) ? 'void' : 'decrement';
    blockId = kind === 'void' ? context.removeFromBlock : null;
  } else {
    kind = context.restoreToBlock !== null ? 'amendment' : 'increment';
    blockId = context.restoreToBlock;
  }
  const subject = context.paymentIds.length > 0 ? context.paymentIds.slice(0, 3).join(', ') : context.itemId;
  const description = `Ledgerscope ${context.runId}: ${context.category} ${subject}`.slice(0, DESCRIPTION_MAX);
  return withBody({
    provider: context.provider,
    account: key,
    kind,
    amount,
    blockId,
    voidReason: kind === 'void' ? context.voidReason : null,
    costBasis: kind === 'increment' && context.provider === 'orb' ? context.rate : null,
    expiresAt: null,
    moesifType,
    description,
    idempotencyKey: idempotencyKey(context.runId, context.itemId),
    runId: context.runId,
    itemId: context.itemId,
  });
}

/** Derives the provider body from the proposal's fields (after an edit too: the body never disagrees). */
export function withBody(fields: Omit<Proposal, 'body'>): Proposal {
  return { ...fields, body: providerBody(fields) };
}

function providerBody(p: Omit<Proposal, 'body'>): ProviderBody {
  if (p.provider === 'moesif') {
    const negative = p.kind === 'decrement' || p.kind === 'void';
    const body: ProviderBody = { company_id: p.account.customerId };
    if (p.account.subscriptionId !== null) body.subscription_id = p.account.subscriptionId;
    body.transaction_id = p.idempotencyKey;
    body.type = p.moesifType ?? (negative ? 'adjustment' : 'credit');
    body.amount = toCanonical(negative ? p.amount.neg() : p.amount);
    body.description = p.description;
    if (p.expiresAt !== null) body.expire_at = formatInstant(p.expiresAt);
    return body;
  }
  const body: ProviderBody = {
    customer_id: p.account.customerId,
    entry_type: p.kind,
    amount: toCanonical(p.amount),
    currency: p.account.unit,
    description: p.description,
  };
  if (p.blockId !== null) body.block_id = p.blockId;
  if (p.kind === 'void' && p.voidReason !== null) body.void_reason = p.voidReason;
  if (p.kind === 'increment' && p.costBasis !== null) body.per_unit_cost_basis = toCanonical(p.costBasis);
  if (p.kind === 'increment' && p.expiresAt !== null) body.expiry_date = formatInstant(p.expiresAt);
  body.metadata = {
    [ADJUSTMENT_METADATA.idempotencyKey]: p.idempotencyKey,
    [ADJUSTMENT_METADATA.runId]: p.runId,
    [ADJUSTMENT_METADATA.itemId]: p.itemId,
  };
  return body;
}

/** The canonical ledger entry a proposal posts: source "ledgerscope", source id = the idempotency key. */
export function proposalEntry(proposal: Proposal, at: Instant, ordinal: number): LedgerEntry {
  const increment = proposal.kind === 'increment';
  let costBasis: Decimal | null = null;
  // The same cost basis the provider's copy will carry (Moesif: a credit is paid 1:1, an adjustment unknown).
  if (increment) costBasis = proposal.provider === 'moesif' ? (proposal.moesifType === 'credit' ? ONE : null) : proposal.costBasis;
  return {
    source: 'ledgerscope',
    sourceId: proposal.idempotencyKey,
    customerId: proposal.account.customerId,
    subscriptionId: proposal.account.subscriptionId,
    unit: proposal.account.unit,
    kind: proposal.kind,
    status: 'posted',
    amount: proposal.amount,
    at,
    ordinal,
    blockId: increment ? proposal.idempotencyKey : proposal.blockId,
    effectiveAt: null,
    expiresAt: increment ? proposal.expiresAt : null,
    costBasis,
    priority: null,
    targetExpiresAt: null,
    sourceExpiresAt: null,
    voidReason: proposal.kind === 'void' ? proposal.voidReason : null,
    description: proposal.description,
  };
}

/** The metadata stored beside a posted adjustment (and sent to Orb): which run and item it settles. */
export function adjustmentMetadata(proposal: Proposal): Record<string, string> {
  return {
    [ADJUSTMENT_METADATA.idempotencyKey]: proposal.idempotencyKey,
    [ADJUSTMENT_METADATA.runId]: proposal.runId,
    [ADJUSTMENT_METADATA.itemId]: proposal.itemId,
  };
}
