// Stripe sync through the real `stripe` SDK against the wire-format server (test/wire/stripe-server.ts).
import { describe, expect, it } from 'vitest';
import { customerBalance } from '../../core/service/ledger-queries.js';
import {
  countPayments,
  countSourceObjects,
  listPayments,
  listStripeCustomers,
  loadPayment,
  loadSyncState,
  paymentHistory,
} from '../../core/store/index.js';
import { syncStripe, type StripeSyncProgress } from '../../core/sync/stripe-sync.js';
import { SyncError } from '../../core/sync/sync-errors.js';
import { creditBalanceTransaction, creditGrant, paymentIntent, refund } from '../wire/stripe-objects.js';
import { startStripeServer, type StripeWireServer } from '../wire/stripe-server.js';
import { dumpDb, onCleanup, stripeApi, tempDb } from './helpers.js';
import { seedAccount } from './stripe-seed.js';

async function server(): Promise<StripeWireServer> {
  const started = await startStripeServer();
  onCleanup(() => started.close());
  return started;
}

function manyIntents(stripe: StripeWireServer, count: number): void {
  const t0 = stripe.clock - 100_000;
  for (let i = 0; i < count; i++) {
    stripe.put(paymentIntent({ id: `pi_many${String(i).padStart(5, '0')}`, created: t0 + i, amount: 100 + i, customer: `cus_${i % 7}` }));
  }
}

const nowOf = (stripe: StripeWireServer): number => stripe.clock * 1000;

describe('Stripe sync: backfill', () => {
  it('pages through every list (1,050 intents, pages of 100) and stores each object once', async () => {
    const stripe = await server();
    manyIntents(stripe, 1050);
    const { db } = tempDb();
    const progress: StripeSyncProgress[] = [];
    const summary = await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe), onProgress: (p) => progress.push(p) });
    expect(summary.byStream.payment_intents).toBe(1050);
    expect(countPayments(db, { kinds: ['payment_intent'] })).toBe(1050);
    // 11 pages, each asked for after the previous page's last id.
    const pages = stripe.requests.filter((r) => r.path === '/v1/payment_intents');
    expect(pages).toHaveLength(11);
    expect(pages[0]!.query).not.toContain('starting_after');
    expect(decodeURIComponent(pages[1]!.query)).toContain('starting_after=pi_many00950');
    expect(decodeURIComponent(pages[0]!.query)).toContain('created[lt]=');
    // Progress: objects so far, per type, growing page by page.
    const intents = progress.filter((p) => p.stream === 'payment_intents');
    expect(intents.map((p) => p.byStream.payment_intents)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1050]);
    expect(loadSyncState(db, 'stripe', 'payment_intents')).toMatchObject({ phase: 'done', cursor: 'pi_many00000', objects: 1050 });
  });

  it('maps every object type; amounts from minor units by the currency exponent', async () => {
    const stripe = await server();
    const seeded = seedAccount(stripe);
    stripe.put(paymentIntent({ id: 'pi_jpy', created: stripe.clock - 5, amount: 500, currency: 'jpy' }));
    stripe.put(paymentIntent({ id: 'pi_kwd', created: stripe.clock - 5, amount: 1234, currency: 'kwd' }));
    const { db } = tempDb();
    const summary = await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    expect(summary.warnings).toEqual([]);
    const byId = new Map(listPayments(db).map((p) => [p.sourceId, p]));
    expect([...byId.keys()].sort()).toEqual(['cbtxn_alpha1', 'ch_alpha', 'cs_alpha', 'dp_alpha', 'in_alpha', 'pi_alpha', 'pi_jpy', 'pi_kwd', 're_alpha']);
    expect(byId.get('pi_alpha')).toMatchObject({ kind: 'payment_intent', customerId: 'cus_alpha', currency: 'USD', status: 'succeeded', chargeId: 'ch_alpha', metadata: { order: 'A-1' } });
    expect(byId.get('pi_alpha')!.amount.toFixed()).toBe('50');
    expect(byId.get('pi_jpy')!.amount.toFixed()).toBe('500');
    expect(byId.get('pi_kwd')!.amount.toFixed()).toBe('1.234');
    expect(byId.get('ch_alpha')).toMatchObject({ kind: 'charge', paymentIntentId: 'pi_alpha' });
    expect(byId.get('cs_alpha')).toMatchObject({ kind: 'checkout_session', status: 'paid', paymentIntentId: 'pi_alpha', checkoutSessionId: 'cs_alpha' });
    expect(byId.get('re_alpha')).toMatchObject({ kind: 'refund', status: 'pending', chargeId: 'ch_alpha' });
    expect(byId.get('dp_alpha')).toMatchObject({ kind: 'dispute', status: 'needs_response' });
    expect(byId.get('in_alpha')).toMatchObject({ kind: 'invoice', status: 'paid', paymentIntentId: 'pi_beta' });
    expect(byId.get('cbtxn_alpha1')).toMatchObject({ kind: 'customer_balance_transaction', status: 'adjustment', balanceEffect: 'credit' });
    expect(byId.get('cbtxn_alpha1')!.amount.toFixed()).toBe('5');
    // Customers (metadata links customers, DESIGN §6) and balance transactions are evidence.
    expect(listStripeCustomers(db)).toEqual([
      expect.objectContaining({ id: seeded.customerId, currency: 'USD', metadata: { ledger_customer: 'acme' } }),
    ]);
    expect(listStripeCustomers(db)[0]!.balance!.toFixed()).toBe('-5');
    expect(countSourceObjects(db, 'stripe', 'balance_transaction')).toBe(1);
    // The raw object is kept beside the record.
    expect(JSON.parse(loadPayment(db, 'pi_alpha')!.raw)).toMatchObject({ id: 'pi_alpha', object: 'payment_intent', amount: 5000 });
  });

  it('credit grants become blocks of their own account; a credit balance transaction draws from the grant it names (L1b), not by L1', async () => {
    const stripe = await server();
    seedAccount(stripe);
    // Between the paid grant (t0 + 50) and the 25 applied to an invoice (t0 + 70).
    const t = stripe.clock - 10_000 + 55;
    stripe.put(creditGrant({ id: 'credgr_promo', created: t, customer: 'cus_alpha', value: 1_000, category: 'promotional', priority: 10 }));
    stripe.put(creditGrant({ id: 'credgr_void', created: t, customer: 'cus_alpha', value: 3_000, category: 'paid', voided_at: t + 100 }));
    stripe.put(creditBalanceTransaction({ id: 'cbtxn_v', created: t + 100, credit_grant: 'credgr_void', type: 'debit', kind: 'credits_voided', value: 3_000 }));
    const { db } = tempDb();
    await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    const view = customerBalance(db, 'cus_alpha', nowOf(stripe));
    expect(view.accounts).toHaveLength(1);
    const account = view.accounts[0]!;
    expect(account.unit).toBe('USD');
    const blocks = new Map(account.blocks.map((b) => [b.id, b]));
    expect(blocks.get('credgr_alpha')).toMatchObject({ initial: '100', cost_basis: '1', priority: 50 });
    expect(blocks.get('credgr_promo')).toMatchObject({ initial: '10', cost_basis: '0', priority: 10 });
    expect(blocks.get('credgr_void')).toMatchObject({ initial: '30', remaining: '0', status: 'voided' });
    // 25 applied to an invoice from credgr_alpha, as the transaction states; L1 would have taken the
    // promotional grant (priority 10) first.
    expect(blocks.get('credgr_promo')!.remaining).toBe('10');
    expect(blocks.get('credgr_alpha')!.remaining).toBe('75');
    expect(account.current).toBe('85');
  });
});

describe('Stripe sync: idempotency, interruption and resume', () => {
  it('a second sync adds nothing and changes nothing', async () => {
    const stripe = await server();
    seedAccount(stripe);
    manyIntents(stripe, 230);
    const { db } = tempDb();
    await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    const before = dumpDb(db);
    const again = await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) + 60_000 });
    expect(again.objects).toBe(0);
    expect(again.counts.payments).toEqual({ inserted: 0, updated: 0, unchanged: 0, stale: 0 });
    expect(again.counts.entries.inserted).toBe(0);
    expect(dumpDb(db)).toBe(before);
  });

  it('cancelled after 3 pages: keeps them, says where it stopped, and resumes after the last committed page', async () => {
    const stripe = await server();
    manyIntents(stripe, 1000);
    const { db } = tempDb();
    const controller = new AbortController();
    let pages = 0;
    const first = await syncStripe({
      db, api: stripeApi(stripe), now: nowOf(stripe), signal: controller.signal, streams: ['payment_intents'],
      onCommit: (stream) => {
        if (stream === 'payment_intents' && ++pages === 3) controller.abort();
      },
    });
    expect(first.cancelled).toBe(true);
    expect(first.stoppedAt).toBe('payment_intents after pi_many00700');
    expect(countPayments(db)).toBe(300);
    const requestsBefore = stripe.requests.length;
    const second = await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe), streams: ['payment_intents'] });
    expect(second.cancelled).toBe(false);
    expect(second.byStream.payment_intents).toBe(700);
    expect(countPayments(db)).toBe(1000);
    const resumed = stripe.requests.slice(requestsBefore).find((r) => r.path === '/v1/payment_intents')!;
    expect(decodeURIComponent(resumed.query)).toContain('starting_after=pi_many00700');
  });

  it('a sync that fails half-way keeps what it committed, names where it stopped, and resumes from there', async () => {
    const stripe = await server();
    manyIntents(stripe, 500);
    const { db } = tempDb();
    // Page 3 onwards fails for longer than the SDK retries.
    stripe.faults.push({ status: 503, times: 50, path: /^\/v1\/payment_intents$/, after: 2 });
    const failed = syncStripe({ db, api: stripeApi(stripe, { maxNetworkRetries: 1 }), now: nowOf(stripe), streams: ['payment_intents'] });
    await expect(failed).rejects.toThrow(SyncError);
    await expect(failed).rejects.toThrow(/stopped at payment_intents after pi_many00300; 200 objects committed/);
    expect(countPayments(db)).toBe(200);
    stripe.faults.length = 0;
    const resumed = await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe), streams: ['payment_intents'] });
    expect(resumed.byStream.payment_intents).toBe(300);
    expect(countPayments(db)).toBe(500);
  });
});

describe('Stripe sync: rate limits and errors', () => {
  it('429 with Retry-After is waited out and retried by our limiter', async () => {
    const stripe = await server();
    manyIntents(stripe, 250);
    stripe.faults.push({ status: 429, headers: { 'Retry-After': '0' }, times: 3, path: /^\/v1\/payment_intents$/, after: 1 });
    const { db } = tempDb();
    const api = stripeApi(stripe);
    const summary = await syncStripe({ db, api, now: nowOf(stripe), streams: ['payment_intents'] });
    expect(summary.rateLimited).toBe(3);
    expect(countPayments(db)).toBe(250);
    expect(stripe.requests.filter((r) => r.status === 429)).toHaveLength(3);
  });

  it('429 with Stripe-Should-Retry: true is retried by the SDK; Stripe-Should-Retry: false stops with a message', async () => {
    const stripe = await server();
    manyIntents(stripe, 50);
    stripe.faults.push({ status: 429, headers: { 'Stripe-Should-Retry': 'true' }, times: 1, path: /^\/v1\/payment_intents$/ });
    const { db } = tempDb();
    const ok = await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe), streams: ['payment_intents'] });
    expect(ok.byStream.payment_intents).toBe(50);
    expect(ok.rateLimited).toBe(0); // never reached us

    const other = tempDb();
    stripe.faults.push({ status: 429, headers: { 'Stripe-Should-Retry': 'false' }, times: 1, path: /^\/v1\/payment_intents$/ });
    await expect(syncStripe({ db: other.db, api: stripeApi(stripe), now: nowOf(stripe), streams: ['payment_intents'] })).rejects.toThrow(/asked not to retry/);
  });

  it('500s are retried by the SDK (maxNetworkRetries)', async () => {
    const stripe = await server();
    manyIntents(stripe, 120);
    stripe.faults.push({ status: 500, times: 2, path: /^\/v1\/payment_intents$/ });
    const { db } = tempDb();
    const summary = await syncStripe({ db, api: stripeApi(stripe, { maxNetworkRetries: 3 }), now: nowOf(stripe), streams: ['payment_intents'] });
    expect(summary.byStream.payment_intents).toBe(120);
    expect(stripe.requests.filter((r) => r.status === 500)).toHaveLength(2);
  });

  it('a rejected key (401) is a clear message, without the key', async () => {
    const stripe = await server();
    const { db } = tempDb();
    const key = 'rk_live_thisIsNotTheRightKey1234';
    const failed = syncStripe({ db, api: stripeApi(stripe, { key }), now: nowOf(stripe) });
    await expect(failed).rejects.toThrow('the Stripe key was rejected (401) — check STRIPE_API_KEY');
    const message = await failed.catch((error: Error) => error.message);
    expect(message).not.toContain('1234');
    expect(message).not.toContain('rk_live');
  });
});

describe('Stripe sync: incremental through the Events API', () => {
  it('a refund and a dispute whose status changes after the first sync are picked up, with their history', async () => {
    const stripe = await server();
    seedAccount(stripe);
    const { db } = tempDb();
    await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    expect(loadPayment(db, 're_alpha')!.record.status).toBe('pending');

    stripe.tick(60);
    stripe.update('refund', 're_alpha', { status: 'succeeded' }, 'charge.refund.updated');
    stripe.tick(60);
    stripe.update('dispute', 'dp_alpha', { status: 'under_review' }, 'charge.dispute.updated');
    stripe.tick(60);
    stripe.update('dispute', 'dp_alpha', { status: 'won' }, 'charge.dispute.closed');
    stripe.tick(5);
    const newRefund = stripe.put(refund({ id: 're_new', created: stripe.clock, amount: 700, charge: 'ch_alpha', status: 'succeeded' }));
    stripe.emit('refund.created', newRefund);

    const requestsBefore = stripe.requests.length;
    const second = await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    // Only events are read (the backfill is done), then the grant holder's credit balance summary and a
    // look for credit events that arrived meanwhile.
    expect(stripe.requests.slice(requestsBefore).map((r) => r.path)).toEqual(['/v1/events', '/v1/billing/credit_balance_summary', '/v1/events']);
    expect(second.counts.payments).toEqual({ inserted: 1, updated: 3, unchanged: 0, stale: 0 });
    expect(loadPayment(db, 're_alpha')!.record.status).toBe('succeeded');
    expect(loadPayment(db, 'dp_alpha')!.record.status).toBe('won');
    expect(loadPayment(db, 're_new')!.record.amount.toFixed()).toBe('7');
    const history = paymentHistory(db, 'dp_alpha');
    expect(history.map((v) => [v.version, v.status])).toEqual([[1, 'needs_response'], [2, 'under_review'], [3, 'won']]);
    expect(JSON.parse(history[0]!.raw).status).toBe('needs_response');
    expect(history[0]!.supersededAt).not.toBeNull();

    const third = await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    expect(third.objects).toBe(0);
  });

  it('an event older than the state the backfill stored is not applied', async () => {
    const stripe = await server();
    seedAccount(stripe);
    const { db } = tempDb();
    // While the backfill runs (after customers), the refund succeeds; the refunds page is read later.
    const summary = await syncStripe({
      db, api: stripeApi(stripe), now: nowOf(stripe),
      onCommit: (stream) => {
        if (stream === 'customers') {
          stripe.tick(10);
          stripe.update('refund', 're_alpha', { status: 'succeeded' }, 'charge.refund.updated');
          stripe.tick(10);
          stripe.update('refund', 're_alpha', { status: 'failed' }, 'charge.refund.updated');
          stripe.tick(10);
        }
      },
    });
    // The backfill saw "failed" (the latest); the two events come after: "succeeded" is older, not applied;
    // "failed" is the same content.
    expect(loadPayment(db, 're_alpha')!.record.status).toBe('failed');
    expect(summary.counts.payments.stale).toBe(1);
    expect(paymentHistory(db, 're_alpha')).toHaveLength(1);
  });

  it('a credit grant created and used after the first sync becomes a block through its events', async () => {
    const stripe = await server();
    seedAccount(stripe);
    const { db } = tempDb();
    await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    stripe.tick(100);
    const grant = stripe.put(creditGrant({ id: 'credgr_late', created: stripe.clock, customer: 'cus_beta', value: 2_000, currency: 'eur' }));
    stripe.emit('billing.credit_grant.created', grant);
    stripe.tick(100);
    const used = stripe.put(creditBalanceTransaction({ id: 'cbtxn_late', created: stripe.clock, credit_grant: 'credgr_late', type: 'debit', kind: 'credits_applied', value: 500, currency: 'eur' }));
    stripe.emit('billing.credit_balance_transaction.created', used);
    await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    const view = customerBalance(db, 'cus_beta', nowOf(stripe));
    expect(view.accounts).toMatchObject([{ unit: 'EUR', current: '15', blocks: [{ id: 'credgr_late', initial: '20', remaining: '15' }] }]);
  });
});

describe('Stripe sync: many events', () => {
  it('events over several pages are applied oldest first, page by page, and resume after the last applied one', async () => {
    const stripe = await server();
    const { db } = tempDb();
    stripe.put(refund({ id: 're_many', created: stripe.clock - 100, amount: 100, charge: 'ch_x', status: 'pending' }));
    await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    // 250 state changes after the first sync: the last one wins, each one a version.
    for (let i = 0; i < 250; i++) {
      stripe.tick(1);
      stripe.update('refund', 're_many', { status: i % 2 === 0 ? 'requires_action' : 'pending', metadata: { step: String(i) } }, 'charge.refund.updated');
    }
    const controller = new AbortController();
    let pages = 0;
    const first = await syncStripe({
      db, api: stripeApi(stripe), now: nowOf(stripe), signal: controller.signal,
      onCommit: (stream) => {
        if (stream === 'events' && ++pages === 2) controller.abort();
      },
    });
    expect(first.cancelled).toBe(true);
    expect(loadPayment(db, 're_many')!.record.metadata).toEqual({ step: '199' });
    const second = await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    expect(second.byStream.events).toBe(50);
    expect(loadPayment(db, 're_many')!.record.metadata).toEqual({ step: '249' });
    expect(paymentHistory(db, 're_many')).toHaveLength(251);
  });
});
