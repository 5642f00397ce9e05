// Builders for reconciliation tests: Stripe records and ledger accounts, explicit instants, no floats.
import { Decimal, toCanonical } from '../../core/money/decimal.js';
import type { AccountKey, LedgerEntry } from '../../core/ledger/types.js';
import type { PaymentKind, PaymentRecord } from '../../core/payments/types.js';
import {
  DEFAULT_SETTINGS,
  reconcile,
  type AdjustmentRef,
  type EntryExtras,
  type LedgerAccountInput,
  type ReconcileResult,
  type ReconcileSettings,
  type StripeCustomer,
  type CustomerMapping,
} from '../../core/reconcile/index.js';
import { parseInstant, type Instant } from '../../core/time/instant.js';

export const DAY = 86_400_000;
export const T0 = parseInstant('2025-03-01T00:00:00Z');

export function at(days: number): Instant {
  return T0 + days * DAY;
}

export interface PaymentOptions {
  kind?: PaymentKind;
  status?: string;
  currency?: string;
  paymentIntentId?: string | null;
  chargeId?: string | null;
  invoiceId?: string | null;
  checkoutSessionId?: string | null;
  amountRefunded?: string | null;
  customerId?: string | null;
}

export function payment(id: string, customer: string | null, amount: string, when: Instant, options: PaymentOptions = {}): PaymentRecord {
  return {
    source: 'stripe',
    sourceId: id,
    kind: options.kind ?? 'payment_intent',
    customerId: options.customerId !== undefined ? options.customerId : customer,
    amount: new Decimal(amount),
    currency: options.currency ?? 'USD',
    status: options.status ?? 'succeeded',
    at: when,
    paymentIntentId: options.paymentIntentId ?? null,
    chargeId: options.chargeId ?? null,
    invoiceId: options.invoiceId ?? null,
    checkoutSessionId: options.checkoutSessionId ?? null,
    amountRefunded: options.amountRefunded === undefined || options.amountRefunded === null ? null : new Decimal(options.amountRefunded),
    description: null,
    metadata: {},
  };
}

export function refund(id: string, paymentId: string, amount: string, when: Instant, status = 'succeeded', customer: string | null = null): PaymentRecord {
  return payment(id, customer, amount, when, { kind: 'refund', status, paymentIntentId: paymentId });
}

export function dispute(id: string, paymentId: string, amount: string, when: Instant, status: string, customer: string | null = null): PaymentRecord {
  return payment(id, customer, amount, when, { kind: 'dispute', status, paymentIntentId: paymentId });
}

let ordinal = 0;

export interface EntryOptions {
  source?: 'moesif' | 'orb' | 'ledgerscope';
  status?: 'posted' | 'pending';
  costBasis?: string | null;
  blockId?: string | null;
  voidReason?: string | null;
  description?: string | null;
  metadata?: Record<string, unknown> | null;
}

/** One ledger account and its entries, with stored metadata beside them. */
export class AccountBuilder {
  readonly entries: LedgerEntry[] = [];
  readonly records: EntryExtras[] = [];

  constructor(readonly key: AccountKey) {}

  private add(kind: LedgerEntry['kind'], id: string, amount: string, when: Instant, options: EntryOptions): this {
    this.entries.push({
      source: options.source ?? 'moesif',
      sourceId: id,
      customerId: this.key.customerId,
      subscriptionId: this.key.subscriptionId,
      unit: this.key.unit,
      kind,
      status: options.status ?? 'posted',
      amount: new Decimal(amount),
      at: when,
      ordinal: ++ordinal,
      blockId: kind === 'increment' ? (options.blockId ?? id) : (options.blockId ?? null),
      effectiveAt: null,
      expiresAt: null,
      costBasis: kind === 'increment' ? (options.costBasis === undefined ? new Decimal(1) : options.costBasis === null ? null : new Decimal(options.costBasis)) : null,
      priority: null,
      targetExpiresAt: null,
      sourceExpiresAt: null,
      voidReason: options.voidReason ?? null,
      description: options.description ?? null,
    });
    this.records.push({ metadata: options.metadata ?? null, externalCustomerId: null });
    return this;
  }

  credit(id: string, amount: string, when: Instant, options: EntryOptions = {}): this {
    return this.add('increment', id, amount, when, options);
  }

  debit(id: string, amount: string, when: Instant, options: EntryOptions = {}): this {
    return this.add('decrement', id, amount, when, options);
  }

  void(id: string, blockId: string, amount: string, when: Instant, options: EntryOptions = {}): this {
    return this.add('void', id, amount, when, { ...options, blockId });
  }

  amend(id: string, blockId: string, amount: string, when: Instant, options: EntryOptions = {}): this {
    return this.add('amendment', id, amount, when, { ...options, blockId });
  }

  input(): LedgerAccountInput {
    return { key: this.key, entries: this.entries, records: this.records };
  }
}

export function account(customer: string, unit = 'USD', subscription: string | null = null): AccountBuilder {
  return new AccountBuilder({ customerId: customer, subscriptionId: subscription, unit });
}

export interface RunOptions {
  asOf?: Instant;
  settings?: Partial<ReconcileSettings>;
  mappings?: CustomerMapping[];
  stripeCustomers?: StripeCustomer[];
  adjustments?: AdjustmentRef[];
  runId?: string;
}

export function run(payments: PaymentRecord[], accounts: AccountBuilder[], options: RunOptions = {}): ReconcileResult {
  return reconcile({
    payments,
    ledger: accounts.map((builder) => builder.input()),
    customerLinks: { mappings: options.mappings ?? [], stripeCustomers: options.stripeCustomers ?? [] },
    settings: { ...DEFAULT_SETTINGS, ...options.settings },
    asOf: options.asOf ?? at(365),
    runId: options.runId ?? 'run-test',
    adjustments: options.adjustments ?? [],
  });
}

/** Items as compact tuples: [category, payment ids, entry ids, expected, actual]. */
export function summary(result: ReconcileResult): [string, string[], string[], string, string][] {
  return result.items.map((item) => [
    item.settled ? 'settled' : item.category,
    item.paymentIds,
    item.entries.map((entry) => entry.sourceId),
    toCanonical(item.expected),
    toCanonical(item.actual),
  ]);
}

/** Only the items that are not plain `matched`. */
export function differences(result: ReconcileResult): [string, string[], string[], string, string][] {
  return summary(result).filter(([category]) => category !== 'matched');
}
