// `stripe_sync_objects_per_s`: sync N payment intents from the local Stripe wire-format server through the
// real `stripe` SDK, with the rate limiter at Stripe's live budget (100 requests/s) and pages of 100, into a
// fresh SQLite file. The limiter should be the only bound: 100 pages/s is 10,000 objects/s at most.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countPayments, openLedgerDb } from '../core/store/index.js';
import { RateLimiter } from '../core/sync/rate-limiter.js';
import { StripeApi } from '../core/sync/stripe-client.js';
import { syncStripe } from '../core/sync/stripe-sync.js';
import { StripeWireServer } from '../test/wire/stripe-server.js';
import { creditBalanceTransaction, creditGrant, customer, customerBalanceTransaction } from '../test/wire/stripe-objects.js';
import { DEFAULT_SYNC_CONCURRENCY } from '../core/sync/in-order.js';

export interface StripeSyncBenchOptions {
  objects: number;
  /** Requests per second the limiter allows (default 100, Stripe's live-mode budget). */
  ratePerSecond?: number;
}

/** Objects per second, end to end (first request to last commit). */
export async function measureStripeSync(options: StripeSyncBenchOptions): Promise<number> {
  const server = new StripeWireServer();
  server.logRequests = false;
  server.generatePaymentIntents(options.objects);
  await server.start();
  const dir = mkdtempSync(join(tmpdir(), 'ledgerscope-stripe-bench-'));
  const db = openLedgerDb(join(dir, 'sync.sqlite'), { create: true, now: server.clock * 1000 });
  try {
    const api = new StripeApi({
      apiKey: server.apiKey,
      apiBase: server.url,
      limiter: new RateLimiter({ ratePerSecond: options.ratePerSecond ?? 100 }),
    });
    const started = performance.now();
    const summary = await syncStripe({ db, api, now: server.clock * 1000, streams: ['payment_intents'], pageSize: 100 });
    const seconds = (performance.now() - started) / 1000;
    const stored = countPayments(db);
    if (summary.objects !== options.objects || stored !== options.objects) {
      throw new Error(`stripe sync bench: fetched ${summary.objects}, stored ${stored}, expected ${options.objects}`);
    }
    return options.objects / seconds;
  } finally {
    db.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface CustomerSyncBenchOptions {
  customers: number;
  /** Milliseconds the wire server waits before each answer: a network round trip to Stripe. */
  latencyMs: number;
  concurrency: number;
}

/**
 * `stripe_sync_customers_s`: a sync of `customers` customers, each with a balance transaction and a credit
 * grant (so one request per customer for its balance transactions, its grant's transactions and its credit
 * balance summary), against a server that answers after `latencyMs`, with the limiter at Stripe's live
 * budget. One at a time the round trips add up; with requests in flight the limiter is the bound.
 */
export async function measureStripeCustomerSync(options: CustomerSyncBenchOptions): Promise<number> {
  const server = new StripeWireServer();
  server.logRequests = false;
  const t0 = server.clock - 100_000;
  for (let c = 0; c < options.customers; c++) {
    const id = `cus_${String(c).padStart(6, '0')}`;
    server.put(customer({ id, created: t0 + c }));
    server.put(customerBalanceTransaction({ id: `cbtxn_${id}`, created: t0 + 20_000 + c, amount: -100, customer: id }));
    server.put(creditGrant({ id: `credgr_${id}`, created: t0 + 40_000 + c, customer: id, value: 1_000, category: 'paid' }));
    server.put(creditBalanceTransaction({ id: `cbtxn_g_${id}`, created: t0 + 60_000 + c, credit_grant: `credgr_${id}`, type: 'credit', kind: 'credits_granted', value: 1_000 }));
  }
  await server.start();
  server.latencyMs = options.latencyMs;
  const dir = mkdtempSync(join(tmpdir(), 'ledgerscope-stripe-bench-'));
  const db = openLedgerDb(join(dir, 'sync.sqlite'), { create: true, now: server.clock * 1000 });
  try {
    const api = new StripeApi({ apiKey: server.apiKey, apiBase: server.url, limiter: new RateLimiter({ ratePerSecond: 100 }) });
    const started = performance.now();
    const summary = await syncStripe({ db, api, now: server.clock * 1000, pageSize: 100, concurrency: options.concurrency });
    const seconds = (performance.now() - started) / 1000;
    if (summary.balanceSummaries?.compared !== options.customers || summary.warnings.length > 0) {
      throw new Error(`stripe customer sync bench: compared ${summary.balanceSummaries?.compared ?? 0} of ${options.customers}; ${summary.warnings.slice(0, 3).join('; ')}`);
    }
    return seconds;
  } finally {
    db.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
