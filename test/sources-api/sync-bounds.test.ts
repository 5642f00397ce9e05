// Issue 10 §5: no unbounded loop and no silent stall. A list whose cursor does not advance stops with a
// clear error after the repeat; a Retry-After of an hour is waited at most 60 s, the wait is announced
// with its length, and a cancel (the AbortSignal behind Ctrl-C and Cancel) ends it at once. Every test
// ends on its own: the repeat is caught on the second page, and each wait is cancelled when announced.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSync } from '../../core/cli/sync-command.js';
import { countPayments } from '../../core/store/index.js';
import { syncMoesif } from '../../core/sync/moesif-sync.js';
import { OrbApi } from '../../core/sync/orb-client.js';
import { syncOrb } from '../../core/sync/orb-sync.js';
import { RateLimiter } from '../../core/sync/rate-limiter.js';
import { MAX_RETRY_WAIT_MS, type RetryWait } from '../../core/sync/retry-wait.js';
import { StripeApi } from '../../core/sync/stripe-client.js';
import { syncStripe } from '../../core/sync/stripe-sync.js';
import { SyncError } from '../../core/sync/sync-errors.js';
import { MoesifWireServer } from '../wire/moesif-server.js';
import { startOrbServer } from '../wire/orb-server.js';
import { paymentIntent } from '../wire/stripe-objects.js';
import { startStripeServer, type StripeWireServer } from '../wire/stripe-server.js';
import { onCleanup, stripeApi, tempDb, tempDir } from './helpers.js';

async function stripeWithIntents(count: number): Promise<StripeWireServer> {
  const stripe = await startStripeServer();
  onCleanup(() => stripe.close());
  const t0 = stripe.clock - 100_000;
  for (let i = 0; i < count; i++) stripe.put(paymentIntent({ id: `pi_b${String(i).padStart(4, '0')}`, created: t0 + i, amount: 100 + i, customer: 'cus_1' }));
  return stripe;
}

/** Cancels the sync the moment a wait is announced, and keeps what was announced. */
function cancelOnWait(): { controller: AbortController; waits: RetryWait[]; onWait: (wait: RetryWait) => void } {
  const controller = new AbortController();
  const waits: RetryWait[] = [];
  return { controller, waits, onWait: (wait) => {
    waits.push(wait);
    controller.abort();
  } };
}

describe('a list whose cursor does not advance stops with a clear error', () => {
  it('Stripe backfill: a starting_after the server ignores is caught on the repeat, after two pages', async () => {
    const stripe = await stripeWithIntents(30);
    stripe.ignoreStartingAfter = /^\/v1\/payment_intents$/;
    const { db } = tempDb();
    const error = await syncStripe({ db, api: stripeApi(stripe), now: stripe.clock * 1000, pageSize: 10, streams: ['payment_intents'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncError);
    expect((error as Error).message).toMatch(/^payment_intents \(starting_after\): Stripe answered with the cursor pi_b\d{4} again, so the list does not advance; the sync stops here/);
    expect(stripe.requests.filter((r) => r.path === '/v1/payment_intents')).toHaveLength(2);
    // The first page was committed; the repeat was not read as new objects.
    expect(countPayments(db)).toBe(10);
  });

  it('Orb: a next_cursor that leads back to the same page stops the sync', async () => {
    const orb = await startOrbServer();
    onCleanup(() => orb.close());
    for (let c = 1; c <= 5; c++) orb.addCustomer(`cus_orb_${c}`);
    orb.stuckCursor = /^\/customers$/;
    const { db } = tempDb();
    const api = new OrbApi({ apiKey: orb.apiKey, apiBase: orb.url, limiter: new RateLimiter({ ratePerSecond: 10_000, burst: 100 }), maxRetries: 0 });
    await expect(syncOrb({ db, api, now: Date.UTC(2025, 2, 1), pageSize: 2 })).rejects.toThrow(/GET \/customers: Orb answered with the cursor \S+ again, so the list does not advance/);
    expect(orb.count('/customers')).toBe(2);
  });
});

describe('Retry-After is capped at a minute, announced, and a cancel ends the wait', () => {
  it('Stripe: a 429 asking for 3600 s is announced as a 60 s wait, and cancelling ends the sync as cancelled', async () => {
    const stripe = await stripeWithIntents(5);
    stripe.faults.push({ status: 429, headers: { 'Retry-After': '3600' }, times: 1, path: /^\/v1\/payment_intents$/ });
    const { db } = tempDb();
    const cancel = cancelOnWait();
    const api = new StripeApi({ apiKey: stripe.apiKey, apiBase: stripe.url, limiter: new RateLimiter({ ratePerSecond: 10_000, burst: 100 }), maxNetworkRetries: 0, onWait: cancel.onWait });
    const summary = await syncStripe({ db, api, now: stripe.clock * 1000, streams: ['payment_intents'], signal: cancel.controller.signal });
    expect(cancel.waits).toEqual([{ provider: 'stripe', waitMs: MAX_RETRY_WAIT_MS, askedMs: 3_600_000, reason: 'GET payment_intents: Stripe answered 429 (rate limited)' }]);
    expect(summary.cancelled).toBe(true);
    expect(countPayments(db)).toBe(0);
  });

  it('Orb: the same through our retry (the SDK no longer sleeps on its own)', async () => {
    const orb = await startOrbServer();
    onCleanup(() => orb.close());
    orb.addCustomer('cus_orb_1');
    orb.faults.push({ status: 429, headers: { 'Retry-After': '3600' }, times: 1, path: /^\/customers$/ });
    const { db } = tempDb();
    const cancel = cancelOnWait();
    const api = new OrbApi({ apiKey: orb.apiKey, apiBase: orb.url, limiter: new RateLimiter({ ratePerSecond: 10_000, burst: 100 }), maxRetries: 3, onWait: cancel.onWait });
    const summary = await syncOrb({ db, api, now: Date.UTC(2025, 2, 1), signal: cancel.controller.signal });
    expect(cancel.waits).toEqual([{ provider: 'orb', waitMs: MAX_RETRY_WAIT_MS, askedMs: 3_600_000, reason: 'GET /customers: Orb answered 429' }]);
    expect(summary.cancelled).toBe(true);
    expect(orb.count('/customers')).toBe(1);
  });

  it('Moesif: the same for the reports GET', async () => {
    const moesif = await new MoesifWireServer().start();
    onCleanup(() => moesif.close());
    moesif.retryAfterSeconds = 3600;
    moesif.failNextGets.push(429);
    const { db } = tempDb();
    const cancel = cancelOnWait();
    const summary = await syncMoesif({ db, client: { token: moesif.token, apiBase: moesif.url, onWait: cancel.onWait }, now: Date.UTC(2025, 2, 1), signal: cancel.controller.signal });
    expect(cancel.waits).toEqual([{ provider: 'moesif', waitMs: MAX_RETRY_WAIT_MS, askedMs: 3_600_000, reason: 'Moesif answered 429 (rate limited)' }]);
    expect(summary).toMatchObject({ cancelled: true, stoppedAt: '1970-01-01T00:00:00.000Z' });
    expect(moesif.gets).toHaveLength(1);
  });

  it('ledgerscope sync says on stderr that it waits and for how long; Ctrl-C (the signal) exits 130', async () => {
    const stripe = await stripeWithIntents(5);
    stripe.faults.push({ status: 429, headers: { 'Retry-After': '3600' }, times: 1, path: /^\/v1\/payment_intents$/ });
    const controller = new AbortController();
    let err = '';
    const io = { out: () => {}, err: (text: string) => {
      err += text;
      if (text.includes('waiting')) controller.abort();
    } };
    const code = await runSync({ io, now: stripe.clock * 1000 }, 'stripe', { db: join(tempDir(), 'l.sqlite'), apiBase: stripe.url }, { env: { STRIPE_API_KEY: stripe.apiKey }, signal: controller.signal, ratePerSecond: 10_000 });
    expect(code).toBe(130);
    expect(err).toContain(
      'sync stripe: GET payment_intents: Stripe answered 429 (rate limited): waiting 60 s before retrying; it asked for 3600 s, more than the 60 s Ledgerscope waits at most (Ctrl-C stops the sync; what was committed is kept)\n',
    );
    expect(err).toContain('sync stripe: cancelled at payment_intents');
  });
});
