// `ledgerscope sync stripe|orb|moesif`: keys from the environment, never echoed; progress on stderr,
// summary on stdout; exit 2 on a rejected key.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSync } from '../../core/cli/sync-command.js';
import { countPayments, openLedgerDb } from '../../core/store/index.js';
import { OrbExport } from '../audit/orb-export-builder.js';
import { MoesifWireServer } from '../wire/moesif-server.js';
import { startOrbServer } from '../wire/orb-server.js';
import { startStripeServer } from '../wire/stripe-server.js';
import { onCleanup, tempDir } from './helpers.js';
import { seedAccount } from './stripe-seed.js';

function captureIo(): { io: { out: (t: string) => void; err: (t: string) => void }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { out: (t) => (out += t), err: (t) => (err += t) }, out: () => out, err: () => err };
}

const FAST = { ratePerSecond: 10_000 };

describe('ledgerscope sync', () => {
  it('stripe: progress on stderr, summary on stdout, exit 0; a second run adds nothing', async () => {
    const stripe = await startStripeServer({ apiKey: 'rk_test_cli_key_abcdefgh' });
    onCleanup(() => stripe.close());
    seedAccount(stripe);
    const db = join(tempDir(), 'l.sqlite');
    const env = { STRIPE_API_KEY: stripe.apiKey };
    const run = captureIo();
    const code = await runSync({ io: run.io, now: stripe.clock * 1000 }, 'stripe', { db, apiBase: stripe.url }, { env, ...FAST });
    expect(code).toBe(0);
    expect(run.err()).toContain('sync stripe: customers, 1 object so far');
    expect(run.out()).toContain(`synced stripe into ${db}: 12 objects fetched (customers 1, customer_balance_transactions 1, credit_grants 3, payment_intents 1`);
    expect(run.out()).toContain('payments: 7 new, 0 updated (new version), 0 unchanged');
    expect(run.out()).toContain('ledger entries (credit grants): 2 new');
    expect(run.out() + run.err()).not.toContain('abcdefgh');
    const again = captureIo();
    expect(await runSync({ io: again.io, now: stripe.clock * 1000 }, 'stripe', { db, apiBase: stripe.url }, { env, ...FAST })).toBe(0);
    expect(again.out()).toContain('0 objects fetched (nothing new)');
    const open = openLedgerDb(db, { create: false });
    expect(countPayments(open)).toBe(7);
    open.close();
  });

  it('stripe: a rejected key exits 2 with a clear message and no key', async () => {
    const stripe = await startStripeServer();
    onCleanup(() => stripe.close());
    const run = captureIo();
    const key = 'rk_live_wrongwrongwrong9876';
    const code = await runSync({ io: run.io, now: 0 }, 'stripe', { db: join(tempDir(), 'l.sqlite'), apiBase: stripe.url }, { env: { STRIPE_API_KEY: key }, ...FAST });
    expect(code).toBe(2);
    expect(run.err()).toBe('sync stripe: the Stripe key was rejected (401) — check STRIPE_API_KEY\n');
    expect(run.out()).toBe('');
  });

  it('stripe: a key that is not restricted read-only gets a warning, not a refusal', async () => {
    const stripe = await startStripeServer({ apiKey: 'sk_test_secretsecret5555' });
    onCleanup(() => stripe.close());
    const run = captureIo();
    const code = await runSync({ io: run.io, now: stripe.clock * 1000 }, 'stripe', { db: join(tempDir(), 'l.sqlite'), apiBase: stripe.url }, { env: { STRIPE_API_KEY: stripe.apiKey }, ...FAST });
    expect(code).toBe(0);
    expect(run.err()).toContain('warning: STRIPE_API_KEY is a secret key (sk_…)');
    expect(run.err()).not.toContain('5555');
  });

  it('no key, or an unknown provider: exit 2 saying what to do', async () => {
    const missing = captureIo();
    expect(await runSync({ io: missing.io, now: 0 }, 'stripe', { db: join(tempDir(), 'l.sqlite') }, { env: {} })).toBe(2);
    expect(missing.err()).toContain('STRIPE_API_KEY is not set');
    const unknown = captureIo();
    expect(await runSync({ io: unknown.io, now: 0 }, 'paypal', { db: 'x' }, { env: {} })).toBe(2);
    expect(unknown.err()).toBe('sync: expected one of stripe, orb, moesif, found "paypal"\n');
  });

  it('moesif: pulls balance transactions through GET /~/billing/reports; no token exits 2 naming it and its scope', async () => {
    const missing = captureIo();
    expect(await runSync({ io: missing.io, now: 0 }, 'moesif', { db: join(tempDir(), 'l.sqlite') }, { env: {} })).toBe(2);
    expect(missing.err()).toContain('MOESIF_MANAGEMENT_TOKEN is not set; create a management API token with the read:billing_reports scope');
    const moesif = await new MoesifWireServer().start();
    onCleanup(() => moesif.close());
    moesif.reports.push(
      { _id: 'r1', org_id: 'o', type: 'balance_transaction', company_id: 'co_1', transaction_id: 't1', amount: 40, created_at: '2025-01-01T00:00:00Z' },
      { _id: 'r2', org_id: 'o', type: 'balance_transaction', company_id: 'co_1', transaction_id: 't2', amount: -15, created_at: '2025-01-02T00:00:00Z' },
    );
    const db = join(tempDir(), 'l.sqlite');
    const run = captureIo();
    const code = await runSync({ io: run.io, now: Date.parse('2025-02-01T00:00:00Z') }, 'moesif', { db, apiBase: moesif.url }, { env: { MOESIF_MANAGEMENT_TOKEN: moesif.token } });
    expect(code).toBe(0);
    expect(run.out()).toContain('ledger entries: 2 new, ');
    expect(run.err()).not.toContain(moesif.token);
  });

  it('orb: syncs customers and their ledgers; a rejected key exits 2', async () => {
    const orb = await startOrbServer();
    onCleanup(() => orb.close());
    orb.addCustomer('orb_c1');
    const ledger = new OrbExport('orb_c1');
    ledger.increment('e1', '100', '2025-01-01T00:00:00+00:00');
    ledger.decrement('e2', '30', '2025-01-02T00:00:00+00:00', 'e1');
    orb.addLedger('orb_c1', ledger.records);
    const db = join(tempDir(), 'l.sqlite');
    const run = captureIo();
    expect(await runSync({ io: run.io, now: Date.UTC(2025, 1, 1) }, 'orb', { db, apiBase: orb.url }, { env: { ORB_API_KEY: orb.apiKey }, ...FAST })).toBe(0);
    expect(run.out()).toContain('1 customer, 2 ledger entries fetched');
    expect(run.out()).toContain('ledger entries: 2 new');
    const bad = captureIo();
    expect(await runSync({ io: bad.io, now: 0 }, 'orb', { db, apiBase: orb.url }, { env: { ORB_API_KEY: 'nope-nope-nope' }, ...FAST })).toBe(2);
    expect(bad.err()).toBe('sync orb: the Orb key was rejected (401) — check ORB_API_KEY\n');
  });
});
