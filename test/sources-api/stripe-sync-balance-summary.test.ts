// Issue 9 §4 for the API: `sync stripe` asks every customer holding credit grants for Stripe's credit
// balance summary (the real SDK against test/wire/stripe-server.ts), keeps it as evidence and compares
// its ledger balance with the replay's current balance as of the sync; a disagreement is a sync warning
// and the account's disagreement with its source, which the Accounts screens read through the AppService.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSync } from '../../core/cli/sync-command.js';
import { AppService } from '../../core/service/app-service.js';
import { listSourceObjects, loadSourceDisagreement, loadSyncState, type LedgerDb } from '../../core/store/index.js';
import { syncStripe } from '../../core/sync/stripe-sync.js';
import { formatInstant } from '../../core/time/instant.js';
import { creditBalanceTransaction, creditGrant } from '../wire/stripe-objects.js';
import { startStripeServer, type StripeWireServer } from '../wire/stripe-server.js';
import { dumpDb, onCleanup, stripeApi, tempDb, tempDir } from './helpers.js';
import { seedAccount } from './stripe-seed.js';

// seedAccount: cus_alpha holds credgr_alpha (100 USD), of which an invoice applied 25 (cbtxn_g2): 75 left.
const REF = { customer_id: 'cus_alpha', subscription_id: null, unit: 'USD' };
const PAGE = { offset: 0, limit: 50 };
const SUMMARY_PATH = '/v1/billing/credit_balance_summary';

async function server(): Promise<StripeWireServer> {
  const started = await startStripeServer();
  onCleanup(() => started.close());
  return started;
}

const nowOf = (stripe: StripeWireServer): number => stripe.clock * 1000;

function summaryQueries(stripe: StripeWireServer): string[] {
  return stripe.requests.filter((r) => r.path === SUMMARY_PATH).map((r) => decodeURIComponent(r.query));
}

function disagreementLine(stripe: StripeWireServer, stated: string, replayed: string, difference: string, unit = 'USD'): string {
  return (
    `stripe:/v1/billing/credit_balance_summary#cus_alpha: customer cus_alpha (${unit}) disagrees with its source: Stripe's credit balance summary ` +
    `states a balance of ${stated}, the replay gives ${replayed} as of ${formatInstant(nowOf(stripe))} (difference ${difference})`
  );
}

function accountDisagreement(path: string, stripe: StripeWireServer): unknown {
  return new AppService({ dbPath: path, clock: () => nowOf(stripe) }).accountGet({ account: REF }).source_disagreement ?? null;
}

function storedSummaries(db: LedgerDb): [string, unknown][] {
  return listSourceObjects(db, 'stripe', 'billing.credit_balance_summary').map((object) => [object.objectId, JSON.parse(object.raw)]);
}

describe('sync stripe: each grant holder\'s credit balance summary is compared with the replay', () => {
  it('a summary that agrees: no warning, no disagreement, the summary kept as evidence; asked per customer for its metered scope', async () => {
    const stripe = await server();
    seedAccount(stripe);
    const { db, path } = tempDb();
    const summary = await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    expect(summary.warnings).toEqual([]);
    expect(summary.balanceSummaries).toEqual({ customers: 1, compared: 1, disagreeing: 0 });
    expect(summaryQueries(stripe)).toEqual([
      '?customer=cus_alpha&filter[type]=applicability_scope&filter[applicability_scope][price_type]=metered',
    ]);
    const usd = { monetary: { currency: 'usd', value: 7500 }, type: 'monetary' };
    expect(storedSummaries(db)).toEqual([
      ['cus_alpha', { balances: [{ available_balance: usd, ledger_balance: usd }], customer: 'cus_alpha', customer_account: null, livemode: false, object: 'billing.credit_balance_summary' }],
    ]);
    expect(accountDisagreement(path, stripe)).toBeNull();
  });

  it('a summary stating another balance: a warning naming the customer and both numbers, the account\'s disagreement on the Accounts screens; a later agreeing summary clears it', async () => {
    const stripe = await server();
    seedAccount(stripe);
    stripe.statedCreditBalances.set('cus_alpha', { usd: 9000 });
    const { db, path } = tempDb();
    const first = await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    expect(first.warnings).toEqual([disagreementLine(stripe, '90', '75', '15')]);
    expect(first.balanceSummaries).toEqual({ customers: 1, compared: 1, disagreeing: 1 });
    const expected = { entry_id: 'cbtxn_g2', source: 'stripe', ledger_sequence_number: 2, created_at: formatInstant((stripe.clock - 10_000 + 70) * 1000), stated: '90', replayed: '75' };
    expect(accountDisagreement(path, stripe)).toEqual(expected);
    const service = new AppService({ dbPath: path, clock: () => nowOf(stripe) });
    expect(service.accountsList({ ...PAGE, filter: { disagrees_with_source: true } }).rows.map((row) => [row.customer_id, row.source_disagreement])).toEqual([
      ['cus_alpha', expected],
    ]);

    // Stripe now agrees with its transactions: the next sync clears the disagreement.
    stripe.statedCreditBalances.delete('cus_alpha');
    stripe.tick(60);
    const second = await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    expect(second.warnings).toEqual([]);
    expect(second.balanceSummaries).toEqual({ customers: 1, compared: 1, disagreeing: 0 });
    expect(accountDisagreement(path, stripe)).toBeNull();
    expect(new AppService({ dbPath: path, clock: () => nowOf(stripe) }).accountsList({ ...PAGE, filter: { disagrees_with_source: true } }).rows).toEqual([]);
  });

  it('a summary that lists no balance in a currency the grants use states zero there, and is compared as zero', async () => {
    const stripe = await server();
    seedAccount(stripe);
    stripe.statedCreditBalances.set('cus_alpha', {});
    const { db } = tempDb();
    const summary = await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    expect(summary.warnings).toEqual([disagreementLine(stripe, '0', '75', '-75')]);
    expect(loadSourceDisagreement(db, { customerId: 'cus_alpha', subscriptionId: null, unit: 'USD' })).toMatchObject({ stated: '0', replayed: '75' });
  });

  it('a currency the summary states but no grant of the customer uses is a warning, as in a file', async () => {
    const stripe = await server();
    seedAccount(stripe);
    stripe.statedCreditBalances.set('cus_alpha', { usd: 7500, eur: 1000 });
    const { db } = tempDb();
    const summary = await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    expect(summary.warnings).toEqual([
      "stripe:/v1/billing/credit_balance_summary#cus_alpha: Stripe's credit balance summary states a balance of 10 for customer cus_alpha (EUR), which has no credit grants here",
    ]);
    expect(summary.balanceSummaries).toEqual({ customers: 1, compared: 1, disagreeing: 0 });
  });

  it('a customer with a grant scoped to listed prices is asked grant by grant, and the grants\' balances are added up', async () => {
    const stripe = await server();
    seedAccount(stripe);
    const scoped = creditGrant({ id: 'credgr_prices', created: stripe.clock - 100, customer: 'cus_alpha', value: 2_000 });
    stripe.put({ ...scoped, applicability_config: { scope: { prices: [{ id: 'price_api_calls' }] } } });
    const { db } = tempDb();
    const summary = await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    expect(summary.warnings).toEqual([]);
    expect(summaryQueries(stripe)).toEqual([
      '?customer=cus_alpha&filter[type]=credit_grant&filter[credit_grant]=credgr_alpha',
      '?customer=cus_alpha&filter[type]=credit_grant&filter[credit_grant]=credgr_prices',
    ]);
    // Each grant's summary is kept under the grant's id.
    expect(storedSummaries(db).map(([id]) => id)).toEqual(['credgr_alpha', 'credgr_prices']);

    // Stripe now states 80 for each of the two grants: their sum, 160, against the replay's 75 + 20.
    stripe.statedCreditBalances.set('cus_alpha', { usd: 8000 });
    stripe.tick(60);
    const again = await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    expect(again.warnings).toEqual([disagreementLine(stripe, '160', '95', '65')]);
  });

  it('an Accounts v2 grant holder (customer null) is asked by customer_account', async () => {
    const stripe = await server();
    const t = stripe.clock - 1000;
    stripe.put({ ...creditGrant({ id: 'credgr_acct', created: t, customer: 'cus_placeholder', value: 2000 }), customer: null, customer_account: 'acct_9' });
    stripe.put(creditBalanceTransaction({ id: 'cbtxn_acct', created: t + 10, credit_grant: 'credgr_acct', type: 'debit', kind: 'credits_applied', value: 500 }));
    stripe.statedCreditBalances.set('acct_9', { usd: 1600 });
    const { db } = tempDb();
    const summary = await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    expect(summaryQueries(stripe)).toEqual(['?customer_account=acct_9&filter[type]=applicability_scope&filter[applicability_scope][price_type]=metered']);
    expect(summary.warnings).toEqual([
      `stripe:/v1/billing/credit_balance_summary#acct_9: customer acct_9 (USD) disagrees with its source: Stripe's credit balance summary ` +
        `states a balance of 16, the replay gives 15 as of ${formatInstant(nowOf(stripe))} (difference 1)`,
    ]);
  });

  it('a summary that does not map is skipped with a warning naming the field, and not compared', async () => {
    const stripe = await server();
    seedAccount(stripe);
    stripe.statedCreditBalances.set('cus_alpha', { usd: 12.5 });
    const { db } = tempDb();
    const summary = await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    // The wire server states 12.5 as both balances: each field is named.
    expect(summary.warnings).toEqual([
      expect.stringMatching(/^skipped: stripe:\/v1\/billing\/credit_balance_summary#cus_alpha: balances\[0\]\.ledger_balance\.monetary\.value: /),
      expect.stringMatching(/^skipped: stripe:\/v1\/billing\/credit_balance_summary#cus_alpha: balances\[0\]\.available_balance\.monetary\.value: /),
    ]);
    expect(summary.counts.skipped).toBe(1);
    expect(summary.balanceSummaries).toEqual({ customers: 1, compared: 0, disagreeing: 0 });
    expect(storedSummaries(db)).toEqual([]);
  });

  it('no grant holder: the summary endpoint is never asked', async () => {
    const stripe = await server();
    const { db } = tempDb();
    const summary = await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    expect(summaryQueries(stripe)).toEqual([]);
    expect(summary.balanceSummaries).toBeNull();
  });
});

describe('sync stripe: the summary endpoint\'s errors', () => {
  it('429 on the summary endpoint is retried after Retry-After, then compared as usual', async () => {
    const stripe = await server();
    seedAccount(stripe);
    stripe.faults.push({ status: 429, headers: { 'Retry-After': '0' }, times: 2, path: /credit_balance_summary/ });
    const { db } = tempDb();
    const summary = await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    expect(stripe.requests.filter((r) => r.path === SUMMARY_PATH).map((r) => r.status)).toEqual([429, 429, 200]);
    expect(summary.rateLimited).toBe(2);
    expect(summary.warnings).toEqual([]);
    expect(summary.balanceSummaries).toEqual({ customers: 1, compared: 1, disagreeing: 0 });
  });

  it('404 says nothing about the balance: a warning, no comparison, and the stored disagreement stays as it was', async () => {
    const stripe = await server();
    seedAccount(stripe);
    stripe.statedCreditBalances.set('cus_alpha', { usd: 9000 });
    const { db } = tempDb();
    await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    const before = loadSourceDisagreement(db, { customerId: 'cus_alpha', subscriptionId: null, unit: 'USD' });
    expect(before).toMatchObject({ stated: '90', replayed: '75' });

    stripe.statedCreditBalances.delete('cus_alpha');
    stripe.faults.push({ status: 404, error: { type: 'invalid_request_error', code: 'resource_missing', message: "No such customer: 'cus_alpha'" }, times: 1, path: /credit_balance_summary/ });
    const summary = await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    expect(summary.warnings).toEqual([
      "customer cus_alpha: Stripe has no credit balance summary for it (GET billing/credit_balance_summary for cus_alpha: Stripe answered 404 resource_missing: No such customer: 'cus_alpha'); its credit balance was not compared with Stripe's",
    ]);
    expect(summary.balanceSummaries).toEqual({ customers: 1, compared: 0, disagreeing: 0 });
    expect(loadSourceDisagreement(db, { customerId: 'cus_alpha', subscriptionId: null, unit: 'USD' })).toEqual(before);
  });

  it('5xx is retried by the SDK; one that persists stops the sync where it was, and nothing of the summaries is written', async () => {
    const stripe = await server();
    seedAccount(stripe);
    stripe.faults.push({ status: 500, times: 1, path: /credit_balance_summary/ });
    const { db } = tempDb();
    const ok = await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    expect(ok.balanceSummaries).toEqual({ customers: 1, compared: 1, disagreeing: 0 });
    expect(stripe.requests.filter((r) => r.path === SUMMARY_PATH).map((r) => r.status)).toEqual([500, 200]);

    const other = tempDb();
    stripe.faults.push({ status: 503, times: 10, path: /credit_balance_summary/ });
    const failed = syncStripe({ db: other.db, api: stripeApi(stripe, { maxNetworkRetries: 1 }), now: nowOf(stripe) });
    await expect(failed).rejects.toThrow(/GET billing\/credit_balance_summary for cus_alpha: Stripe answered 503.*stopped at credit_balance_summaries at customer cus_alpha/);
    expect(storedSummaries(other.db)).toEqual([]);
    // Everything before the summaries is committed: the next run reads nothing again but the summary.
    expect(loadSyncState(other.db, 'stripe', 'credit_grants')).toMatchObject({ phase: 'done' });
    stripe.faults.length = 0;
    const resumed = await syncStripe({ db: other.db, api: stripeApi(stripe), now: nowOf(stripe) });
    expect(resumed.objects).toBe(0);
    expect(resumed.balanceSummaries).toEqual({ customers: 1, compared: 1, disagreeing: 0 });
    expect(storedSummaries(other.db).map(([id]) => id)).toEqual(['cus_alpha']);
  });

  it('a credit event that arrives while the summaries are read: kept, not compared (the replay would lag Stripe); the next sync compares', async () => {
    const stripe = await server();
    seedAccount(stripe);
    const { db } = tempDb();
    let spent = false;
    stripe.beforeAnswer = (path) => {
      if (path !== SUMMARY_PATH || spent) return;
      // Stripe applies 5 more to an invoice just before it answers: its summary says 70, the replay has 75.
      spent = true;
      stripe.tick(1);
      const txn = stripe.put(creditBalanceTransaction({ id: 'cbtxn_late', created: stripe.clock, credit_grant: 'credgr_alpha', type: 'debit', kind: 'credits_applied', value: 500 }));
      stripe.emit('billing.credit_balance_transaction.created', txn);
    };
    const first = await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    expect(first.warnings).toHaveLength(1);
    expect(first.warnings[0]).toMatch(
      /^Stripe's credit balance summaries were kept but not compared: Stripe recorded billing\.credit_balance_transaction\.created \(evt_\w+\) after this sync read its events; the next sync compares them$/,
    );
    expect(first.balanceSummaries).toEqual({ customers: 1, compared: 0, disagreeing: 0 });
    expect(loadSourceDisagreement(db, { customerId: 'cus_alpha', subscriptionId: null, unit: 'USD' })).toBeNull();

    const second = await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    expect(second.warnings).toEqual([]);
    expect(second.balanceSummaries).toEqual({ customers: 1, compared: 1, disagreeing: 0 });
  });

  it('a sync with nothing new at Stripe writes nothing: the same summary is unchanged evidence', async () => {
    const stripe = await server();
    seedAccount(stripe);
    const { db } = tempDb();
    await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) });
    const before = dumpDb(db);
    const again = await syncStripe({ db, api: stripeApi(stripe), now: nowOf(stripe) + 60_000 });
    expect(again.balanceSummaries).toEqual({ customers: 1, compared: 1, disagreeing: 0 });
    expect(dumpDb(db)).toBe(before);
  });
});

describe('ledgerscope sync stripe: the summary in the CLI', () => {
  const captureIo = (): { io: { out: (t: string) => void; err: (t: string) => void }; out: () => string; err: () => string } => {
    let out = '';
    let err = '';
    return { io: { out: (t) => (out += t), err: (t) => (err += t) }, out: () => out, err: () => err };
  };

  it('prints the disagreement on stderr and the count on stdout; agreement says so', async () => {
    const stripe = await server();
    seedAccount(stripe);
    stripe.statedCreditBalances.set('cus_alpha', { usd: 9000 });
    const db = join(tempDir(), 'l.sqlite');
    const env = { STRIPE_API_KEY: stripe.apiKey };
    const run = captureIo();
    expect(await runSync({ io: run.io, now: nowOf(stripe) }, 'stripe', { db, apiBase: stripe.url }, { env, ratePerSecond: 10_000 })).toBe(0);
    expect(run.err()).toContain(`sync stripe: ${disagreementLine(stripe, '90', '75', '15')}\n`);
    expect(run.out()).toContain('credit balance summaries: 1 customer with credit grants, 1 compared with the replay, 1 account disagreeing with Stripe (see warnings)\n');

    stripe.statedCreditBalances.delete('cus_alpha');
    const again = captureIo();
    expect(await runSync({ io: again.io, now: nowOf(stripe) }, 'stripe', { db, apiBase: stripe.url }, { env, ratePerSecond: 10_000 })).toBe(0);
    expect(again.out()).toContain('credit balance summaries: 1 customer with credit grants, 1 compared with the replay, all agree\n');
    expect(again.err()).not.toContain('disagrees');
  });
});
