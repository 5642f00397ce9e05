import { toCanonical } from '../money/decimal.js';
import { formatInstant, formatOptionalInstant } from '../time/instant.js';
import type { AccountDrift, ItemCategory, Proposal, ProviderBody, ReconcileItem, ReconcileResult } from './types.js';

/*
 * Boundary views: amounts as canonical decimal strings, instants ISO 8601 UTC, snake_case keys.
 * `reconcileJsonView` is exactly DESIGN §7's `reconcile --json`; the item and proposal views carry what
 * the UI needs beyond it (item id, note, the proposal's editable fields).
 */

/** An item as `reconcile --json` prints it; a difference settled by posted adjustments shows as "settled". */
export interface ReconcileJsonItem {
  category: ItemCategory | 'settled';
  customer_id: string | null;
  unit: string;
  payment_ids: string[];
  entry_ids: string[];
  expected: string;
  actual: string;
  difference: string;
  proposal: ProviderBody | null;
}

export interface ReconcileJsonAccount {
  customer_id: string | null;
  subscription_id: string | null;
  unit: string;
  expected: string;
  actual: string;
  difference: string;
}

export interface ReconcileJson {
  run_id: string;
  as_of: string;
  items: ReconcileJsonItem[];
  accounts: ReconcileJsonAccount[];
}

export function reconcileJsonView(result: ReconcileResult): ReconcileJson {
  return {
    run_id: result.runId,
    as_of: formatInstant(result.asOf),
    items: result.items.map(jsonItem),
    accounts: result.accounts.map(accountView),
  };
}

export function jsonItem(item: ReconcileItem): ReconcileJsonItem {
  return {
    category: item.settled ? 'settled' : item.category,
    customer_id: item.account.customerId,
    unit: item.account.unit,
    payment_ids: item.paymentIds,
    entry_ids: item.entries.map((entry) => entry.sourceId),
    expected: toCanonical(item.expected),
    actual: toCanonical(item.actual),
    difference: toCanonical(item.difference),
    proposal: item.proposal === null ? null : item.proposal.body,
  };
}

export function accountView(line: AccountDrift): ReconcileJsonAccount {
  return {
    customer_id: line.account.customerId,
    subscription_id: line.account.subscriptionId,
    unit: line.account.unit,
    expected: toCanonical(line.expected),
    actual: toCanonical(line.actual),
    difference: toCanonical(line.difference),
  };
}

/** A proposal with its editable fields (what the UI shows, edits and sends back to preview or post). */
export interface ProposalView {
  provider: 'orb' | 'moesif';
  customer_id: string;
  subscription_id: string | null;
  unit: string;
  kind: 'increment' | 'decrement' | 'void' | 'amendment';
  amount: string;
  block_id: string | null;
  void_reason: string | null;
  cost_basis: string | null;
  expires_at: string | null;
  moesif_type: 'credit' | 'adjustment' | 'debit' | null;
  description: string;
  idempotency_key: string;
  run_id: string;
  item_id: string;
  /** Derived from the fields above: the provider's request body. */
  body: ProviderBody;
}

export function proposalView(proposal: Proposal): ProposalView {
  return {
    provider: proposal.provider,
    customer_id: proposal.account.customerId,
    subscription_id: proposal.account.subscriptionId,
    unit: proposal.account.unit,
    kind: proposal.kind,
    amount: toCanonical(proposal.amount),
    block_id: proposal.blockId,
    void_reason: proposal.voidReason,
    cost_basis: proposal.costBasis === null ? null : toCanonical(proposal.costBasis),
    expires_at: formatOptionalInstant(proposal.expiresAt),
    moesif_type: proposal.moesifType,
    description: proposal.description,
    idempotency_key: proposal.idempotencyKey,
    run_id: proposal.runId,
    item_id: proposal.itemId,
    body: proposal.body,
  };
}

/** An item as the UI and the run store see it: DESIGN §7's keys plus its id, account, note and state. */
export interface ItemView extends Omit<ReconcileJsonItem, 'proposal' | 'category'> {
  item_id: string;
  category: ItemCategory;
  /** A difference that posted adjustments settle (the CLI shows its category as "settled"). */
  settled: boolean;
  subscription_id: string | null;
  at: string;
  note: string;
  /** Entry ids of the posted adjustments counted in `actual`. */
  adjustment_ids: string[];
  proposal: ProposalView | null;
}

export function itemView(item: ReconcileItem): ItemView {
  const json = jsonItem(item);
  return {
    item_id: item.id,
    ...json,
    category: item.category,
    settled: item.settled,
    subscription_id: item.account.subscriptionId,
    at: formatInstant(item.at),
    note: item.note,
    adjustment_ids: item.adjustments.map((entry) => entry.sourceId),
    proposal: item.proposal === null ? null : proposalView(item.proposal),
  };
}

/** The §7 item of a stored ItemView (the CLI prints stored runs the same way as fresh ones). */
export function jsonItemOfView(view: ItemView): ReconcileJsonItem {
  return {
    category: view.settled ? 'settled' : view.category,
    customer_id: view.customer_id,
    unit: view.unit,
    payment_ids: view.payment_ids,
    entry_ids: view.entry_ids,
    expected: view.expected,
    actual: view.actual,
    difference: view.difference,
    proposal: view.proposal === null ? null : view.proposal.body,
  };
}
