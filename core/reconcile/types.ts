import type { Decimal } from '../money/decimal.js';
import type { AccountKey, EntryKind, EntrySource, LedgerEntry } from '../ledger/types.js';
import type { PaymentRecord } from '../payments/types.js';
import type { Instant } from '../time/instant.js';

/*
 * Reconciliation (DESIGN §6): Stripe money against ledger credits. Every payment record and every paid
 * credit ends in exactly one item, and every item in exactly one category. Amounts on items and drift
 * lines are in the account's unit (credits for a custom unit: money ÷ the credit's cost basis).
 */

export const ITEM_CATEGORIES = [
  'matched',
  'matched_fuzzy',
  'matched_grouped',
  'missing_in_ledger',
  'missing_in_stripe',
  'amount_mismatch',
  'currency_mismatch',
  'unit_error',
  'duplicate_credit',
  'credited_but_payment_failed',
  'refund_not_reversed',
  'dispute_not_reversed',
  'dispute_won_not_restored',
  'pending',
] as const;
export type ItemCategory = (typeof ITEM_CATEGORIES)[number];

/** Categories that are agreement, not a difference (matched_fuzzy still deserves a look). */
export const MATCH_CATEGORIES: ReadonlySet<ItemCategory> = new Set(['matched', 'matched_fuzzy', 'matched_grouped']);

/** A difference: needs a balancing entry. Pending is shown, never drift. */
export function isDifference(category: ItemCategory): boolean {
  return !MATCH_CATEGORIES.has(category) && category !== 'pending';
}

export interface ReconcileSettings {
  /** Payments match credits within ± this many days (DESIGN §6 default 3). */
  dateWindowDays: number;
  /** Largest difference, in the account's unit, still counted as equal. */
  amountTolerance: Decimal;
}

/** An account of an item: a ledger account, or the (customer, currency) a payment would belong to. */
export interface ItemAccount {
  /** Ledger customer id; null for a payment that names no customer. */
  customerId: string | null;
  subscriptionId: string | null;
  unit: string;
}

/** A ledger entry as reconciliation names it (L5 identity). */
export interface EntryRef {
  source: EntrySource;
  sourceId: string;
}

/** A Stripe customer as the sources read it: its id and metadata (linking by metadata, DESIGN §6). */
export interface StripeCustomer {
  id: string;
  metadata: Record<string, string>;
}

/** A user-imported or edited mapping row: ledger customer id ↔ Stripe customer id. */
export interface CustomerMapping {
  ledgerCustomerId: string;
  stripeCustomerId: string;
}

export interface CustomerLinkInput {
  /** User mappings win over everything else. */
  mappings: readonly CustomerMapping[];
  /** Stripe customers whose metadata may name a ledger customer id. */
  stripeCustomers: readonly StripeCustomer[];
}

/** Per-entry stored extras (core/store listEntryRecords), aligned with the account's entries. */
export interface EntryExtras {
  metadata: Record<string, unknown> | null;
  /** Orb: customer.external_customer_id. */
  externalCustomerId: string | null;
}

export interface LedgerAccountInput {
  key: AccountKey;
  entries: readonly LedgerEntry[];
  /** Aligned with `entries` (same index); absent: no metadata is known. */
  records?: readonly (EntryExtras | null | undefined)[];
}

/** A posted balancing entry, as the adjustments store records it. */
export interface AdjustmentRef {
  idempotencyKey: string;
  runId: string;
  /** The item (stable id) it settles. */
  itemId: string;
  /** The provider entry that replaced the local one (core/store/adjustment-copies.ts): it is the adjustment now. */
  replacedBy?: { source: 'orb' | 'moesif'; sourceId: string };
}

export interface ReconcileInput {
  payments: readonly PaymentRecord[];
  ledger: readonly LedgerAccountInput[];
  customerLinks: CustomerLinkInput;
  settings: ReconcileSettings;
  /** Payments and entries at or before this instant take part; balances as of it (L9). */
  asOf: Instant;
  /** Names the proposals' idempotency keys; "unsaved" for a run that is not stored. */
  runId?: string;
  /** Posted adjustments: they settle items instead of being matched. */
  adjustments?: readonly AdjustmentRef[];
}

export const PROVIDERS = ['orb', 'moesif'] as const;
export type Provider = (typeof PROVIDERS)[number];

export type ProposalKind = Extract<EntryKind, 'increment' | 'decrement' | 'void' | 'amendment'>;

/** A JSON request body in the provider's own language; amounts are decimal strings. */
export type ProviderBody = Record<string, string | number | null | Record<string, string>>;

/**
 * A balancing entry for one item: what to post locally (kind, amount, block...) and the provider's
 * request body that says the same thing. `body` is always derived from the other fields.
 */
export interface Proposal {
  provider: Provider;
  account: AccountKey;
  kind: ProposalKind;
  /** Magnitude in the account's unit (> 0); the kind gives the direction. */
  amount: Decimal;
  blockId: string | null;
  voidReason: string | null;
  /** increment: per-unit cost basis (null: unknown). */
  costBasis: Decimal | null;
  expiresAt: Instant | null;
  /** Moesif's transaction type for this body: credit (paid), adjustment (±) or debit. */
  moesifType: 'credit' | 'adjustment' | 'debit' | null;
  description: string;
  idempotencyKey: string;
  runId: string;
  itemId: string;
  body: ProviderBody;
}

export interface ReconcileItem {
  /** Stable across runs: "payment:<stripe id>" or "entry:<source>:<source id>". */
  id: string;
  category: ItemCategory;
  account: ItemAccount;
  /** Stripe object ids, in the order: subject first, then linked objects. */
  paymentIds: string[];
  entries: EntryRef[];
  expected: Decimal;
  actual: Decimal;
  /** actual − expected. */
  difference: Decimal;
  /** Time of the item's subject (payment, or entry): sorts items. */
  at: Instant;
  /** Why it landed in its category, in words (the reference, the window, the factor). */
  note: string;
  /** Posted adjustments counted in `actual` (their entries are in `entries` too). */
  adjustments: EntryRef[];
  /** A difference item whose adjustments bring the difference within tolerance. */
  settled: boolean;
  proposal: Proposal | null;
}

export interface AccountDrift {
  account: ItemAccount;
  expected: Decimal;
  actual: Decimal;
  difference: Decimal;
}

export interface ReconcileStats {
  payments: number;
  credits: number;
  byCategory: Record<ItemCategory, number>;
  settled: number;
  /** Grouped search nodes visited (bounded, see match-grouped.ts). */
  groupedSearchNodes: number;
}

export interface ReconcileResult {
  runId: string;
  asOf: Instant;
  settings: ReconcileSettings;
  /** Sorted: customer, subscription, unit, time, id. */
  items: ReconcileItem[];
  /** One line per account (ledger accounts that existed at asOf, and accounts payments point to). */
  accounts: AccountDrift[];
  stats: ReconcileStats;
}
