import type { CustomerTimelineItem, MoneyReconciliation } from '../api/types.js';
import { Decimal, toCanonical } from '../money/decimal.js';

/*
 * The customer timeline as flat rows (the CLI's `timeline`): time, source, kind, status, a signed amount
 * and the balance after. Ledger entries are signed by their direction (credits in, burns and expiries
 * out); Stripe payments are positive, refunds and disputes negative. A payment does not move the ledger
 * balance, so its balance after is the account's balance then; `received_after` is the money actually
 * received so far (failed and processing payments add nothing).
 */

export interface TimelineRow {
  at: string;
  source: string;
  kind: string;
  status: string;
  /** Signed: what the row adds to (or takes from) the ledger balance or the money received. */
  amount: string;
  unit: string;
  /** The account's posted balance right after the row (null: no single account in the money's currency). */
  balance_after: string | null;
  /** Stripe rows: money received from this customer in this currency up to and including the row; null for ledger rows. */
  received_after: string | null;
  subscription_id: string | null;
  id: string;
  description: string | null;
  reconciliation: MoneyReconciliation | null;
}

/** How each entry kind moves the balance: +1 adds, -1 takes away, 0 moves credit between blocks. */
const DIRECTION: Record<string, 1 | -1 | 0> = { increment: 1, amendment: 1, decrement: -1, void: -1, expiry: -1, expiration_change: 0 };

export function timelineRow(item: CustomerTimelineItem): TimelineRow {
  if (item.type === 'ledger_entry') {
    const entry = item.entry;
    const direction = DIRECTION[entry.kind] ?? 0;
    const applied = new Decimal(entry.applied_amount);
    return {
      at: item.at,
      source: entry.generated ? 'engine' : entry.source,
      kind: entry.kind,
      status: entry.status,
      amount: toCanonical(direction === 0 ? applied.times(0) : direction === 1 ? applied : applied.negated()),
      unit: item.account.unit,
      balance_after: item.balance_after,
      received_after: null,
      subscription_id: item.account.subscription_id,
      id: entry.id,
      description: entry.description,
      reconciliation: null,
    };
  }
  return {
    at: item.at,
    source: 'stripe',
    kind: item.type,
    status: item.money_status,
    amount: item.signed_amount,
    unit: item.currency,
    balance_after: item.balance_after,
    received_after: item.received_after,
    subscription_id: item.account?.subscription_id ?? null,
    id: item.id,
    description: item.description,
    reconciliation: item.reconciliation,
  };
}
