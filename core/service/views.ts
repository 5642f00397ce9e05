import { toCanonical } from '../money/decimal.js';
import { blockStatus } from '../ledger/status.js';
import type { AccountState, BlockState, BlockStatus } from '../ledger/types.js';
import { formatInstant, formatOptionalInstant, type Instant } from '../time/instant.js';

/*
 * Boundary views: what the CLI prints as JSON and what the UI receives. Amounts are canonical
 * decimal strings, instants ISO 8601 UTC with milliseconds; snake_case keys as DESIGN §7 writes them.
 */

/** A block as `balance --json` shows it (exactly DESIGN §7's keys). */
export interface BlockView {
  id: string;
  initial: string;
  remaining: string;
  effective_at: string;
  expires_at: string | null;
  cost_basis: string | null;
  priority: number | null;
  status: BlockStatus;
}

/** A block with its full history (the `blocks` command and the account screen). */
export interface BlockDetailView extends BlockView {
  subscription_id: string | null;
  unit: string;
  consumed: string;
  expired: string;
  voided: string;
  moved_out: string;
  amended: string;
}

export interface AccountBalanceView {
  subscription_id: string | null;
  unit: string;
  current: string;
  pending: string;
  available: string;
  deficit: string;
  /** L3: posted credit in blocks not yet effective: shown, not in current. */
  scheduled: string;
  blocks: BlockView[];
}

export interface CustomerAccountBalanceView extends AccountBalanceView {
  customer_id: string;
}

export { entryView, type EffectView, type EntryView } from '../ledger/entry-view.js';

export function blockView(block: BlockState, asOf: Instant): BlockView {
  return {
    id: block.id,
    initial: toCanonical(block.initial),
    remaining: toCanonical(block.remaining),
    effective_at: formatInstant(block.effectiveAt),
    expires_at: formatOptionalInstant(block.expiresAt),
    cost_basis: block.costBasis === null ? null : toCanonical(block.costBasis),
    priority: block.priority,
    status: blockStatus(block, asOf),
  };
}

/** One literal, not blockView spread into another: account.get builds thousands for a long account. */
export function blockDetailView(state: AccountState, block: BlockState): BlockDetailView {
  return {
    id: block.id,
    subscription_id: state.key.subscriptionId,
    unit: state.key.unit,
    initial: toCanonical(block.initial),
    remaining: toCanonical(block.remaining),
    effective_at: formatInstant(block.effectiveAt),
    expires_at: formatOptionalInstant(block.expiresAt),
    cost_basis: block.costBasis === null ? null : toCanonical(block.costBasis),
    priority: block.priority,
    status: blockStatus(block, state.asOf),
    consumed: toCanonical(block.consumed),
    expired: toCanonical(block.expired),
    voided: toCanonical(block.voided),
    moved_out: toCanonical(block.movedOut),
    amended: toCanonical(block.amended),
  };
}

export function accountBalanceView(state: AccountState): AccountBalanceView {
  return {
    subscription_id: state.key.subscriptionId,
    unit: state.key.unit,
    current: toCanonical(state.current),
    pending: toCanonical(state.pending),
    available: toCanonical(state.available),
    deficit: toCanonical(state.deficit),
    scheduled: toCanonical(state.scheduled),
    blocks: state.blocks.map((block) => blockView(block, state.asOf)),
  };
}
