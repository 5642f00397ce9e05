import { amountLimitProblem, Decimal, toCanonical } from '../../money/decimal.js';
import { normalizeUnit } from '../../money/units.js';
import type { LedgerEntry } from '../../ledger/types.js';
import type { PaymentKind, PaymentRecord } from '../../payments/types.js';
import type { Instant } from '../../time/instant.js';
import { describeValue, isRecord, readInteger, readObject, readString, type JsonRecord } from '../fields.js';
import { isLosslessNumber } from '../lossless-json.js';
import { ParsedRecord } from '../parsed-entry.js';
import type { RecordScope } from '../problems.js';
import { readCurrency, readIdOrObject, readMetadata, readMinorAmount, readUnixSeconds } from './read.js';
import type { CreditTransactionKind, StripeParsed } from './types.js';

/*
 * Stripe API objects → canonical records (DESIGN §5). Payments become PaymentRecords, billing credit
 * grants become ledger increments of their own account, credit balance transactions become the
 * entries that change those blocks, and customers and balance transactions are kept as evidence.
 * One mapper for the API sync and for files, so both produce the same records.
 */

/** The `object` values Ledgerscope reads, for messages. */
export const STRIPE_OBJECT_TYPES = [
  'payment_intent',
  'charge',
  'refund',
  'dispute',
  'checkout.session',
  'invoice',
  'customer',
  'customer_balance_transaction',
  'balance_transaction',
  'billing.credit_grant',
  'billing.credit_balance_transaction',
  'billing.credit_balance_summary',
  'event',
] as const;

const PAYMENT_KIND_OF: Readonly<Record<string, PaymentKind>> = {
  payment_intent: 'payment_intent',
  charge: 'charge',
  refund: 'refund',
  dispute: 'dispute',
  'checkout.session': 'checkout_session',
  invoice: 'invoice',
  customer_balance_transaction: 'customer_balance_transaction',
};

/** Where a mapped object goes; `observedAt` is Stripe's clock for API data, null for files. */
export interface MapContext {
  scope: RecordScope;
  raw: string;
  observedAt: Instant | null;
  out: StripeParsed;
}

/** Maps one Stripe object; problems go to the scope (the object then yields nothing). */
export function mapStripeObject(value: unknown, ctx: MapContext): void {
  const { scope } = ctx;
  if (!isRecord(value)) {
    scope.fail('-', `expected a Stripe object (JSON object with "object" and "id"), found ${describeValue(value)}`);
    return;
  }
  const object = readString(scope, value, 'object', true);
  if (object === null) return;
  if (object === 'event') {
    mapEvent(value, ctx);
    return;
  }
  const paymentKind = PAYMENT_KIND_OF[object];
  if (paymentKind !== undefined) {
    mapPayment(value, paymentKind, ctx);
    return;
  }
  switch (object) {
    case 'billing.credit_grant':
      mapGrant(value, ctx);
      return;
    case 'billing.credit_balance_transaction':
      mapCreditTransaction(value, ctx);
      return;
    case 'billing.credit_balance_summary':
      mapBalanceSummary(value, ctx);
      return;
    case 'customer':
      mapCustomer(value, ctx);
      return;
    case 'balance_transaction':
      mapBalanceTransaction(value, ctx);
      return;
    default:
      scope.fail('object', `expected one of ${STRIPE_OBJECT_TYPES.map((t) => JSON.stringify(t)).join(', ')}, found ${describeValue(object)}`);
  }
}

/** An event carries the object's state right after it: mapped like the object, observed at `created`. */
function mapEvent(value: JsonRecord, ctx: MapContext): void {
  const { scope } = ctx;
  const created = readUnixSeconds(scope, value, 'created', true);
  const data = readObject(scope, value, 'data', true);
  const object = data === null ? null : readObject(scope, data, 'object', true, 'data.object');
  if (object === null || created === null || scope.failed) return;
  const type = typeof object.object === 'string' ? object.object : null;
  // Events about objects Ledgerscope does not read (plans, products...) carry nothing for it.
  if (type === null || !(STRIPE_OBJECT_TYPES as readonly string[]).includes(type) || type === 'event') return;
  mapStripeObject(object, { ...ctx, raw: JSON.stringify(object), observedAt: created });
}

function link(scope: RecordScope, record: JsonRecord, key: string): string | null {
  return readIdOrObject(scope, record, key, false);
}

/**
 * The customer an object belongs to: `customer` (an id, or the expanded customer), else, for Stripe's
 * Accounts v2 where `customer` is null, the `customer_account` id (acct_...), which then is the customer.
 */
function ownerOf(scope: RecordScope, record: JsonRecord, required: boolean): string | null {
  const customer = readIdOrObject(scope, record, 'customer', false);
  if (customer !== null) return customer;
  const account = readString(scope, record, 'customer_account', false);
  if (account === null && required && !scope.failed) scope.fail('customer', 'required field is missing (or "customer_account", for Accounts v2)');
  return account;
}

/** Invoices of API versions from 2025 name their payments in `payments.data[].payment`. */
function invoicePaymentLinks(record: JsonRecord): { paymentIntentId: string | null; chargeId: string | null } {
  const payments = record.payments;
  let paymentIntentId: string | null = null;
  let chargeId: string | null = null;
  if (isRecord(payments) && Array.isArray(payments.data)) {
    for (const item of payments.data) {
      if (!isRecord(item) || !isRecord(item.payment)) continue;
      const payment = item.payment;
      const pi = typeof payment.payment_intent === 'string' ? payment.payment_intent : isRecord(payment.payment_intent) ? payment.payment_intent.id : null;
      const ch = typeof payment.charge === 'string' ? payment.charge : isRecord(payment.charge) ? payment.charge.id : null;
      if (paymentIntentId === null && typeof pi === 'string') paymentIntentId = pi;
      if (chargeId === null && typeof ch === 'string') chargeId = ch;
    }
  }
  return { paymentIntentId, chargeId };
}

function mapPayment(record: JsonRecord, kind: PaymentKind, ctx: MapContext): void {
  const { scope } = ctx;
  const id = readString(scope, record, 'id', true);
  const at = readUnixSeconds(scope, record, 'created', true);
  const currencyKey = 'currency';
  // A checkout session without an amount (setup mode, or not yet priced) moves no money: evidence only.
  if (kind === 'checkout_session' && (record.amount_total === null || record.amount_total === undefined || record.currency === null)) {
    if (id !== null && !scope.failed) {
      ctx.out.objects.push({
        provider: 'stripe', objectType: 'checkout.session', objectId: id, customerId: link(scope, record, 'customer'), at,
        origin: scope.origin(), raw: ctx.raw, observedAt: ctx.observedAt,
      });
    }
    return;
  }
  const currency = readCurrency(scope, record, currencyKey, true);
  let amount: Decimal | null = null;
  let status: string | null = null;
  let amountRefunded: Decimal | null = null;
  let balanceEffect: 'credit' | 'debit' | null = null;
  let paymentIntentId: string | null = null;
  let chargeId: string | null = null;
  let invoiceId: string | null = null;
  let checkoutSessionId: string | null = null;
  let customerId: string | null = ownerOf(scope, record, false);
  let description = readString(scope, record, 'description', false);
  switch (kind) {
    case 'payment_intent':
      amount = readMinorAmount(scope, record, 'amount', currency, true);
      status = readString(scope, record, 'status', true);
      paymentIntentId = id;
      chargeId = link(scope, record, 'latest_charge');
      invoiceId = link(scope, record, 'invoice');
      if (isRecord(record.latest_charge)) {
        amountRefunded = readMinorAmount(scope, record.latest_charge, 'amount_refunded', currency, false, { label: 'latest_charge.amount_refunded' });
      }
      break;
    case 'charge':
      amount = readMinorAmount(scope, record, 'amount', currency, true);
      status = readString(scope, record, 'status', true);
      paymentIntentId = link(scope, record, 'payment_intent');
      chargeId = id;
      invoiceId = link(scope, record, 'invoice');
      amountRefunded = readMinorAmount(scope, record, 'amount_refunded', currency, false);
      break;
    // Refunds and disputes take money back from a charge and name it the same way.
    case 'refund':
    case 'dispute':
      amount = readMinorAmount(scope, record, 'amount', currency, true);
      status = readString(scope, record, 'status', true);
      paymentIntentId = link(scope, record, 'payment_intent');
      chargeId = link(scope, record, 'charge');
      if (description === null) description = readString(scope, record, 'reason', false);
      break;
    case 'checkout_session': {
      amount = readMinorAmount(scope, record, 'amount_total', currency, true);
      const sessionStatus = readString(scope, record, 'status', true);
      const paymentStatus = readString(scope, record, 'payment_status', false);
      // A complete session's money is its payment_status (paid, unpaid for delayed methods,
      // no_payment_required); an open or expired one is its status (DESIGN §6: pending, or failed).
      status = sessionStatus === 'complete' && paymentStatus !== null ? paymentStatus : sessionStatus;
      paymentIntentId = link(scope, record, 'payment_intent');
      invoiceId = link(scope, record, 'invoice');
      checkoutSessionId = id;
      break;
    }
    case 'invoice': {
      status = readString(scope, record, 'status', true);
      // What the customer paid once paid, else what they owe.
      amount = readMinorAmount(scope, record, status === 'paid' ? 'amount_paid' : 'amount_due', currency, true);
      invoiceId = id;
      paymentIntentId = link(scope, record, 'payment_intent');
      chargeId = link(scope, record, 'charge');
      const links = invoicePaymentLinks(record);
      paymentIntentId ??= links.paymentIntentId;
      chargeId ??= links.chargeId;
      break;
    }
    case 'customer_balance_transaction': {
      const signed = readMinorAmount(scope, record, 'amount', currency, true, { signed: true });
      if (signed !== null) {
        amount = signed.abs();
        balanceEffect = signed.isNegative() ? 'credit' : 'debit';
      }
      status = readString(scope, record, 'type', true);
      invoiceId = link(scope, record, 'invoice');
      checkoutSessionId = link(scope, record, 'checkout_session');
      customerId = readIdOrObject(scope, record, 'customer', true);
      break;
    }
  }
  const metadata = readMetadata(scope, record);
  if (scope.failed || id === null || at === null || currency === null || amount === null || status === null) return;
  const payment: PaymentRecord = {
    source: 'stripe',
    sourceId: id,
    kind,
    customerId,
    amount,
    currency,
    status,
    at,
    paymentIntentId,
    chargeId,
    invoiceId,
    checkoutSessionId,
    amountRefunded,
    description,
    metadata,
  };
  if (balanceEffect !== null) payment.balanceEffect = balanceEffect;
  ctx.out.payments.push({ record: payment, origin: scope.origin(), raw: ctx.raw, observedAt: ctx.observedAt });
}

/** A grant's or credit transaction's amount: {type: monetary, monetary: {currency, value}} or a custom pricing unit. */
function readCreditAmount(scope: RecordScope, record: JsonRecord, key: string): { amount: Decimal; unit: string } | null {
  const amount = readObject(scope, record, key, true);
  if (amount === null) return null;
  const type = readString(scope, amount, 'type', true, `${key}.type`);
  if (type === 'monetary') {
    const monetary = readObject(scope, amount, 'monetary', true, `${key}.monetary`);
    if (monetary === null) return null;
    const currency = readCurrency(scope, monetary, 'currency', true, `${key}.monetary.currency`);
    const value = readMinorAmount(scope, monetary, 'value', currency, true, { label: `${key}.monetary.value` });
    return value === null || currency === null ? null : { amount: value, unit: currency };
  }
  if (type === 'custom_pricing_unit') {
    // Custom pricing units are decimal counts of the unit (a string, or a JSON number read exactly).
    const custom = readObject(scope, amount, 'custom_pricing_unit', true, `${key}.custom_pricing_unit`);
    if (custom === null) return null;
    const unitId = readString(scope, custom, 'id', true, `${key}.custom_pricing_unit.id`);
    const raw = custom.value;
    const text = typeof raw === 'string' ? raw : typeof raw === 'number' ? String(raw) : isLosslessNumber(raw) ? raw.value : null;
    if (text === null || !/^\d+(\.\d+)?$/.test(text)) {
      scope.fail(`${key}.custom_pricing_unit.value`, `expected a decimal amount like "100.5", found ${describeValue(raw)}`);
      return null;
    }
    const beyond = amountLimitProblem(text);
    if (beyond !== null) {
      scope.fail(`${key}.custom_pricing_unit.value`, beyond);
      return null;
    }
    return unitId === null ? null : { amount: new Decimal(text), unit: normalizeUnit(unitId) };
  }
  if (type !== null) scope.fail(`${key}.type`, `expected "monetary" or "custom_pricing_unit", found ${describeValue(type)}`);
  return null;
}

const COST_BASIS_OF_CATEGORY: Readonly<Record<string, string>> = { paid: '1', promotional: '0' };

function mapGrant(record: JsonRecord, ctx: MapContext): void {
  const { scope } = ctx;
  const id = readString(scope, record, 'id', true);
  const customerId = ownerOf(scope, record, true);
  const credit = readCreditAmount(scope, record, 'amount');
  const at = readUnixSeconds(scope, record, 'created', true);
  const effectiveAt = readUnixSeconds(scope, record, 'effective_at', false);
  const expiresAt = readUnixSeconds(scope, record, 'expires_at', false);
  const voidedAt = readUnixSeconds(scope, record, 'voided_at', false);
  const priority = readInteger(scope, record, 'priority', false);
  const category = readString(scope, record, 'category', false);
  const name = readString(scope, record, 'name', false);
  const metadata = readMetadata(scope, record);
  if (credit !== null && !credit.amount.gt(0)) scope.fail('amount', `a credit grant's amount must be greater than zero, found ${toCanonical(credit.amount)}`);
  if (scope.failed || id === null || customerId === null || credit === null || at === null) return;
  const costBasisText = category === null ? null : (COST_BASIS_OF_CATEGORY[category] ?? null);
  const amountCanonical = toCanonical(credit.amount);
  const entry: LedgerEntry = {
    source: 'stripe',
    sourceId: id,
    customerId,
    subscriptionId: null,
    unit: credit.unit,
    kind: 'increment',
    status: 'posted',
    amount: credit.amount,
    at,
    ordinal: 0,
    blockId: id,
    effectiveAt,
    expiresAt,
    costBasis: costBasisText === null ? null : new Decimal(costBasisText),
    priority,
    targetExpiresAt: null,
    sourceExpiresAt: null,
    voidReason: null,
    description: name,
  };
  const withCategory: Record<string, unknown> = { ...metadata };
  if (category !== null) withCategory.stripe_credit_grant_category = category;
  ctx.out.grants.push({
    parsed: new ParsedRecord(entry, scope.origin(), ctx.raw, withCategory, null, amountCanonical, costBasisText),
    voidedAt,
  });
}

const CREDIT_KINDS: ReadonlySet<string> = new Set(['credits_granted', 'credits_application_invoice_voided']);
const DEBIT_KINDS: ReadonlySet<string> = new Set(['credits_applied', 'credits_voided', 'credits_expired']);

function mapCreditTransaction(record: JsonRecord, ctx: MapContext): void {
  const { scope } = ctx;
  const id = readString(scope, record, 'id', true);
  const grantId = readIdOrObject(scope, record, 'credit_grant', true);
  const created = readUnixSeconds(scope, record, 'created', true);
  const effectiveAt = readUnixSeconds(scope, record, 'effective_at', false);
  const type = readString(scope, record, 'type', false);
  // `type` may be null in Stripe's fixtures: the side that is present says it.
  const side = type === 'credit' || type === 'debit' ? type : record.debit !== null && record.debit !== undefined ? 'debit' : 'credit';
  const detail = readObject(scope, record, side, true);
  let kind: CreditTransactionKind | null = null;
  let credit: { amount: Decimal; unit: string } | null = null;
  let invoiceId: string | null = null;
  if (detail !== null) {
    const subtype = readString(scope, detail, 'type', true, `${side}.type`);
    const allowed = side === 'debit' ? DEBIT_KINDS : CREDIT_KINDS;
    if (subtype !== null && !allowed.has(subtype)) {
      scope.fail(`${side}.type`, `expected one of ${[...allowed].map((k) => JSON.stringify(k)).join(', ')}, found ${describeValue(subtype)}`);
    } else if (subtype !== null) {
      kind = subtype as CreditTransactionKind;
    }
    credit = readCreditAmount(scope, detail, 'amount');
    const applied = detail.credits_applied ?? detail.credits_application_invoice_voided;
    if (isRecord(applied)) invoiceId = readIdOrObject(scope, applied, 'invoice', false, `${side}.invoice`);
  }
  if (credit !== null && !credit.amount.gt(0)) scope.fail(`${side}.amount`, `must be greater than zero, found ${toCanonical(credit.amount)}`);
  if (scope.failed || id === null || grantId === null || created === null || kind === null || credit === null) return;
  ctx.out.creditTransactions.push({
    id,
    grantId,
    kind,
    amount: credit.amount,
    unit: credit.unit,
    at: effectiveAt ?? created,
    invoiceId,
    origin: scope.origin(),
    raw: ctx.raw,
  });
}

function mapCustomer(record: JsonRecord, ctx: MapContext): void {
  const { scope } = ctx;
  const id = readString(scope, record, 'id', true);
  const deleted = record.deleted === true;
  const at = deleted ? null : readUnixSeconds(scope, record, 'created', true);
  if (!deleted) {
    // The balance is validated so a bad file is caught here; it is read back from the evidence.
    const currency = record.currency === null || record.currency === undefined ? null : readCurrency(scope, record, 'currency', false);
    if (currency !== null) readMinorAmount(scope, record, 'balance', currency, false, { signed: true });
    else if (record.balance !== undefined && record.balance !== null && typeof record.balance !== 'number' && !isLosslessNumber(record.balance)) {
      scope.fail('balance', `expected an integer amount, found ${describeValue(record.balance)}`);
    }
    readMetadata(scope, record);
  }
  if (scope.failed || id === null) return;
  ctx.out.objects.push({
    provider: 'stripe', objectType: 'customer', objectId: id, customerId: id, at, origin: scope.origin(), raw: ctx.raw, observedAt: ctx.observedAt,
  });
}

/**
 * A billing.credit_balance_summary: the customer's credit balance per currency, as Stripe states it. Kept
 * as evidence (one per customer, newer versions kept) and compared with the replay by the import. A
 * balance whose `monetary` is null states nothing.
 */
function mapBalanceSummary(record: JsonRecord, ctx: MapContext): void {
  const { scope } = ctx;
  const customerId = ownerOf(scope, record, true);
  const balances = record.balances;
  if (!Array.isArray(balances)) {
    scope.fail('balances', balances === undefined || balances === null ? 'required field is missing' : `expected an array, found ${describeValue(balances)}`);
    return;
  }
  const found: { unit: string; ledger: Decimal; available: Decimal | null }[] = [];
  balances.forEach((item: unknown, index) => {
    const label = `balances[${index}]`;
    if (!isRecord(item)) {
      scope.fail(label, `expected an object, found ${describeValue(item)}`);
      return;
    }
    const money = (key: 'ledger_balance' | 'available_balance'): { unit: string; value: Decimal } | null => {
      const holder = readObject(scope, item, key, true, `${label}.${key}`);
      if (holder === null || holder.monetary === null || holder.monetary === undefined) return null;
      const monetary = readObject(scope, holder, 'monetary', true, `${label}.${key}.monetary`);
      if (monetary === null) return null;
      const unit = readCurrency(scope, monetary, 'currency', true, `${label}.${key}.monetary.currency`);
      const value = readMinorAmount(scope, monetary, 'value', unit, true, { signed: true, label: `${label}.${key}.monetary.value` });
      return unit === null || value === null ? null : { unit, value };
    };
    const ledger = money('ledger_balance');
    const available = money('available_balance');
    if (ledger === null) return;
    if (available !== null && available.unit !== ledger.unit) {
      scope.fail(`${label}.available_balance.monetary.currency`, `expected ${ledger.unit.toLowerCase()} like the ledger balance, found ${available.unit.toLowerCase()}`);
      return;
    }
    found.push({ unit: ledger.unit, ledger: ledger.value, available: available?.value ?? null });
  });
  if (scope.failed || customerId === null) return;
  const origin = scope.origin();
  for (const balance of found) {
    ctx.out.balanceSummaries.push({ customerId, unit: balance.unit, ledgerBalance: balance.ledger, availableBalance: balance.available, origin });
  }
  ctx.out.objects.push({
    provider: 'stripe', objectType: 'billing.credit_balance_summary', objectId: customerId, customerId, at: null, origin, raw: ctx.raw, observedAt: ctx.observedAt,
  });
}

function mapBalanceTransaction(record: JsonRecord, ctx: MapContext): void {
  const { scope } = ctx;
  const id = readString(scope, record, 'id', true);
  const at = readUnixSeconds(scope, record, 'created', true);
  const currency = readCurrency(scope, record, 'currency', true);
  readMinorAmount(scope, record, 'amount', currency, true, { signed: true });
  readMinorAmount(scope, record, 'fee', currency, false, { signed: true });
  readMinorAmount(scope, record, 'net', currency, false, { signed: true });
  readString(scope, record, 'type', true);
  if (scope.failed || id === null) return;
  ctx.out.objects.push({
    provider: 'stripe', objectType: 'balance_transaction', objectId: id, customerId: null, at, origin: scope.origin(), raw: ctx.raw, observedAt: ctx.observedAt,
  });
}
