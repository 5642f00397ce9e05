import { Decimal } from '../money/decimal.js';
import type { AccountKey, LedgerEntry } from '../ledger/types.js';
import type { PaymentRecord } from '../payments/types.js';
import type { Instant } from '../time/instant.js';
import { DEFAULT_SETTINGS } from './settings.js';
import type { EntryExtras, LedgerAccountInput, ReconcileInput } from './types.js';

/**
 * A deterministic reconciliation workload for the benchmark (`reconcile_s`) and tests: `payments`
 * succeeded payment intents, each credited once in a Moesif USD account — most by reference (the
 * transaction id, or metadata), one in seven only by customer + amount a few hours later — plus usage
 * debits between them, which reconciliation must leave alone. Every item should come out matched.
 */
export interface GenerateReconcileOptions {
  payments: number;
  /** Default: payments / 10. */
  customers?: number;
  /** Usage debits per credit (default 1). */
  debitsPerCredit?: number;
  seed: number;
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Whole cents as a two-decimal literal, never through a float: 12345 → "123.45". */
function centsLiteral(cents: number): string {
  const fraction = cents % 100;
  return `${(cents - fraction) / 100}.${fraction < 10 ? '0' : ''}${fraction}`;
}

const PACKS_CENTS = [1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000];
const START_MS = Date.UTC(2024, 0, 1);
const HOUR_MS = 3_600_000;

export function generateReconcileInput(options: GenerateReconcileOptions): ReconcileInput {
  const count = options.payments;
  if (!Number.isSafeInteger(count) || count < 0) throw new Error(`payments must be a non-negative integer, found ${count}`);
  const customers = Math.max(1, options.customers ?? Math.ceil(count / 10));
  const debits = options.debitsPerCredit ?? 1;
  const random = seededRandom(options.seed);
  const pick = (n: number) => Math.floor(random() * n);
  const payments: PaymentRecord[] = new Array<PaymentRecord>(count);
  const accounts: { key: AccountKey; entries: LedgerEntry[]; records: EntryExtras[] }[] = [];
  for (let c = 0; c < customers; c++) {
    accounts.push({ key: { customerId: `cus_${c.toString(36).padStart(5, '0')}`, subscriptionId: null, unit: 'USD' }, entries: [], records: [] });
  }
  const decimals = new Map<string, Decimal>();
  const decimal = (text: string) => {
    let value = decimals.get(text);
    if (value === undefined) decimals.set(text, (value = new Decimal(text)));
    return value;
  };
  let now = START_MS;
  let ordinal = 0;
  for (let i = 0; i < count; i++) {
    now += 1 + pick(60_000);
    const account = accounts[pick(customers)]!;
    const id = `pi_${options.seed.toString(36)}_${i.toString(36)}`;
    const cents = random() < 0.5 ? PACKS_CENTS[pick(PACKS_CENTS.length)]! : 500 + pick(200_000);
    const amount = decimal(centsLiteral(cents));
    payments[i] = {
      source: 'stripe', sourceId: id, kind: 'payment_intent', customerId: account.key.customerId, amount, currency: 'USD',
      status: 'succeeded', at: now, paymentIntentId: null, chargeId: null, invoiceId: null, checkoutSessionId: null,
      amountRefunded: null, description: null, metadata: {},
    };
    const how = random();
    const creditAt: Instant = how < 6 / 7 ? now : now + 1 + pick(6 * HOUR_MS);
    const sourceId = how < 4 / 7 ? id : `txn_${i.toString(36)}`;
    const metadata = how >= 4 / 7 && how < 6 / 7 ? { stripe_payment_intent: id } : null;
    account.entries.push(entry(account.key, sourceId, 'increment', amount, creditAt, ++ordinal, decimal('1')));
    account.records.push({ metadata, externalCustomerId: null });
    for (let d = 0; d < debits; d++) {
      account.entries.push(entry(account.key, `use_${i.toString(36)}_${d}`, 'decrement', decimal(centsLiteral(1 + pick(500))), creditAt + 1 + d, ++ordinal, null));
      account.records.push({ metadata: null, externalCustomerId: null });
    }
  }
  for (const account of accounts) sortByTime(account);
  const ledger: LedgerAccountInput[] = accounts.filter((account) => account.entries.length > 0);
  return {
    payments,
    ledger,
    customerLinks: { mappings: [], stripeCustomers: [] },
    settings: DEFAULT_SETTINGS,
    asOf: now + 7 * 24 * HOUR_MS,
    runId: 'bench',
  };
}

function entry(key: AccountKey, sourceId: string, kind: 'increment' | 'decrement', amount: Decimal, at: Instant, ordinal: number, costBasis: Decimal | null): LedgerEntry {
  return {
    source: 'moesif', sourceId, customerId: key.customerId, subscriptionId: null, unit: key.unit, kind, status: 'posted', amount, at, ordinal,
    blockId: kind === 'increment' ? sourceId : null, effectiveAt: null, expiresAt: null, costBasis, priority: null,
    targetExpiresAt: null, sourceExpiresAt: null, voidReason: null, description: null,
  };
}

/** Fuzzy credits land a little later than their payment: restore replay order, keeping records aligned. */
function sortByTime(account: { entries: LedgerEntry[]; records: EntryExtras[] }): void {
  const order = account.entries.map((_, i) => i).sort((a, b) => account.entries[a]!.at - account.entries[b]!.at || account.entries[a]!.ordinal - account.entries[b]!.ordinal);
  const entries = order.map((i) => account.entries[i]!);
  const records = order.map((i) => account.records[i]!);
  account.entries.splice(0, entries.length, ...entries);
  account.records.splice(0, records.length, ...records);
}
