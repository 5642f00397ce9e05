// Stripe objects for the wire-format server and the file tests: Stripe's own fixture shapes
// (test/fixtures/stripe/templates.json) with generated ids, amounts, times and links.
// Imported (not read from disk) so the benchmark bundle carries it.
import templateJson from '../fixtures/stripe/templates.json' with { type: 'json' };

export type StripeJson = Record<string, unknown>;

const templates = templateJson as unknown as Record<string, StripeJson>;

function template(type: string): StripeJson {
  const found = templates[type];
  if (found === undefined) throw new Error(`no Stripe template for ${type}`);
  return structuredClone(found);
}

/** Deterministic ids: prefix + zero-padded sequence (sortable, readable in failures). */
export class IdMaker {
  private next = 1;
  make(prefix: string): string {
    return `${prefix}_${String(this.next++).padStart(10, '0')}`;
  }
}

export interface PaymentIntentFields {
  id: string;
  created: number;
  amount: number;
  currency?: string;
  customer?: string | null;
  status?: string;
  latest_charge?: string | null;
  metadata?: Record<string, string>;
}

export function paymentIntent(fields: PaymentIntentFields): StripeJson {
  return {
    ...template('payment_intent'),
    id: fields.id,
    created: fields.created,
    amount: fields.amount,
    amount_received: fields.status === 'succeeded' ? fields.amount : 0,
    currency: fields.currency ?? 'usd',
    customer: fields.customer ?? null,
    status: fields.status ?? 'succeeded',
    latest_charge: fields.latest_charge ?? null,
    canceled_at: null,
    last_payment_error: null,
    client_secret: `${fields.id}_secret_x`,
    metadata: fields.metadata ?? {},
  };
}

export function charge(fields: { id: string; created: number; amount: number; currency?: string; customer?: string | null; payment_intent?: string | null; amount_refunded?: number; status?: string }): StripeJson {
  return {
    ...template('charge'),
    id: fields.id,
    created: fields.created,
    amount: fields.amount,
    amount_captured: fields.amount,
    amount_refunded: fields.amount_refunded ?? 0,
    refunded: (fields.amount_refunded ?? 0) === fields.amount,
    captured: true,
    currency: fields.currency ?? 'usd',
    customer: fields.customer ?? null,
    payment_intent: fields.payment_intent ?? null,
    status: fields.status ?? 'succeeded',
    balance_transaction: null,
    refunds: { object: 'list', data: [], has_more: false, url: `/v1/charges/${fields.id}/refunds` },
  };
}

export function refund(fields: { id: string; created: number; amount: number; charge: string; payment_intent?: string | null; currency?: string; status?: string }): StripeJson {
  return {
    ...template('refund'),
    id: fields.id,
    created: fields.created,
    amount: fields.amount,
    charge: fields.charge,
    payment_intent: fields.payment_intent ?? null,
    currency: fields.currency ?? 'usd',
    status: fields.status ?? 'pending',
  };
}

export function dispute(fields: { id: string; created: number; amount: number; charge: string; payment_intent?: string | null; currency?: string; status?: string }): StripeJson {
  return {
    ...template('dispute'),
    id: fields.id,
    created: fields.created,
    amount: fields.amount,
    charge: fields.charge,
    payment_intent: fields.payment_intent ?? null,
    currency: fields.currency ?? 'usd',
    status: fields.status ?? 'needs_response',
  };
}

export function checkoutSession(fields: { id: string; created: number; amount_total: number | null; currency?: string | null; customer?: string | null; payment_intent?: string | null; status?: string; payment_status?: string }): StripeJson {
  return {
    ...template('checkout.session'),
    id: fields.id,
    created: fields.created,
    amount_total: fields.amount_total,
    amount_subtotal: fields.amount_total,
    currency: fields.currency === undefined ? 'usd' : fields.currency,
    customer: fields.customer ?? null,
    payment_intent: fields.payment_intent ?? null,
    status: fields.status ?? 'complete',
    payment_status: fields.payment_status ?? 'paid',
    currency_conversion: null,
  };
}

export function invoice(fields: { id: string; created: number; amount_due: number; amount_paid: number; customer: string; status?: string; currency?: string; payment_intent?: string }): StripeJson {
  const base = template('invoice');
  const object: StripeJson = {
    ...base,
    id: fields.id,
    created: fields.created,
    amount_due: fields.amount_due,
    amount_paid: fields.amount_paid,
    amount_remaining: fields.amount_due - fields.amount_paid,
    total: fields.amount_due,
    customer: fields.customer,
    status: fields.status ?? 'paid',
    currency: fields.currency ?? 'usd',
    lines: { object: 'list', data: [], has_more: false, url: `/v1/invoices/${fields.id}/lines` },
  };
  if (fields.payment_intent !== undefined) {
    object.payments = {
      object: 'list',
      data: [{ id: `inpay_${fields.id}`, object: 'invoice_payment', status: 'paid', is_default: true, payment: { type: 'payment_intent', payment_intent: fields.payment_intent } }],
      has_more: false,
      url: `/v1/invoice_payments?invoice=${fields.id}`,
    };
  }
  return object;
}

export function customer(fields: { id: string; created: number; balance?: number; currency?: string | null; email?: string | null; metadata?: Record<string, string> }): StripeJson {
  return {
    ...template('customer'),
    id: fields.id,
    created: fields.created,
    balance: fields.balance ?? 0,
    currency: fields.currency === undefined ? 'usd' : fields.currency,
    email: fields.email ?? null,
    metadata: fields.metadata ?? {},
    discount: null,
  };
}

export function customerBalanceTransaction(fields: { id: string; created: number; amount: number; customer: string; type?: string; currency?: string; invoice?: string | null }): StripeJson {
  return {
    ...template('customer_balance_transaction'),
    id: fields.id,
    created: fields.created,
    amount: fields.amount,
    ending_balance: fields.amount,
    customer: fields.customer,
    type: fields.type ?? 'adjustment',
    currency: fields.currency ?? 'usd',
    invoice: fields.invoice ?? null,
  };
}

export function balanceTransaction(fields: { id: string; created: number; amount: number; fee?: number; source?: string | null; type?: string; currency?: string }): StripeJson {
  return {
    ...template('balance_transaction'),
    id: fields.id,
    created: fields.created,
    available_on: fields.created,
    amount: fields.amount,
    fee: fields.fee ?? 0,
    net: fields.amount - (fields.fee ?? 0),
    source: fields.source ?? null,
    type: fields.type ?? 'charge',
    currency: fields.currency ?? 'usd',
  };
}

export function creditGrant(fields: {
  id: string;
  created: number;
  customer: string;
  value: number;
  currency?: string;
  category?: 'paid' | 'promotional';
  effective_at?: number | null;
  expires_at?: number | null;
  voided_at?: number | null;
  priority?: number | null;
  name?: string | null;
}): StripeJson {
  return {
    ...template('billing.credit_grant'),
    id: fields.id,
    created: fields.created,
    updated: fields.created,
    customer: fields.customer,
    amount: { type: 'monetary', monetary: { currency: fields.currency ?? 'usd', value: fields.value } },
    category: fields.category ?? 'paid',
    effective_at: fields.effective_at ?? null,
    expires_at: fields.expires_at ?? null,
    voided_at: fields.voided_at ?? null,
    priority: fields.priority === undefined ? 50 : fields.priority,
    name: fields.name ?? null,
    metadata: {},
  };
}

export function creditBalanceTransaction(fields: {
  id: string;
  created: number;
  credit_grant: string;
  type: 'credit' | 'debit';
  kind: string;
  value: number;
  currency?: string;
  invoice?: string;
  effective_at?: number;
}): StripeJson {
  const amount = { type: 'monetary', monetary: { currency: fields.currency ?? 'usd', value: fields.value } };
  const base = template('billing.credit_balance_transaction');
  return {
    ...base,
    id: fields.id,
    created: fields.created,
    effective_at: fields.effective_at ?? fields.created,
    credit_grant: fields.credit_grant,
    type: fields.type,
    credit:
      fields.type === 'credit'
        ? { amount, type: fields.kind, credits_application_invoice_voided: fields.kind === 'credits_application_invoice_voided' ? { invoice: fields.invoice ?? 'in_x', invoice_line_item: 'il_x' } : null }
        : null,
    debit:
      fields.type === 'debit'
        ? { amount, type: fields.kind, credits_applied: fields.kind === 'credits_applied' ? { invoice: fields.invoice ?? 'in_x', invoice_line_item: 'il_x' } : null }
        : null,
  };
}

export function event(fields: { id: string; created: number; type: string; object: StripeJson }): StripeJson {
  return { ...template('event'), id: fields.id, created: fields.created, type: fields.type, data: { object: structuredClone(fields.object) } };
}
