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
