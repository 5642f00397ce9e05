// Several per-customer requests in flight (core/sync/in-order.ts): the syncs of Orb and Stripe through the
// real SDKs against wire servers that answer after a network-like delay. In flight at once, committed in
// order: the database a sync leaves is the one it left asking one customer at a time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listSourceObjects, loadSyncState } from '../../core/store/index.js';
import { fetchInOrder } from '../../core/sync/in-order.js';
import { OrbApi } from '../../core/sync/orb-client.js';
import { syncOrb } from '../../core/sync/orb-sync.js';
import { RateLimiter } from '../../core/sync/rate-limiter.js';
import { syncStripe } from '../../core/sync/stripe-sync.js';
import { OrbExport } from '../audit/orb-export-builder.js';
import { startOrbServer, type OrbWireServer } from '../wire/orb-server.js';
import { creditBalanceTransaction, creditGrant, customer, customerBalanceTransaction } from '../wire/stripe-objects.js';
import { startStripeServer, type StripeWireServer } from '../wire/stripe-server.js';
import { dumpDb, onCleanup, stripeApi, tempDb } from './helpers.js';

/** The tables whose rows differ between two dumps, each with its first differing row from both (readable on failure). */
function differences(a: string, b: string): Record<string, unknown> {
  const left = JSON.parse(a) as Record<string, unknown[]>;
  const right = JSON.parse(b) as Record<string, unknown[]>;
  const out: Record<string, unknown> = {};
  for (const table of new Set([...Object.keys(left), ...Object.keys(right)])) {
    if (table === 'reconcile_meta') continue; // each database's own random id, not synced data
    const l = left[table] ?? [];
    const r = right[table] ?? [];
    const at = l.findIndex((row, i) => JSON.stringify(row) !== JSON.stringify(r[i]));
    if (at >= 0 || l.length !== r.length) out[table] = { rows: [l.length, r.length], first: at < 0 ? null : [l[at], r[at]] };
  }
  return out;
}

const NOW = Date.UTC(2025, 2, 1);

describe('fetchInOrder', () => {
  it('consumes exactly the items before the first failure, in order, with never more than `width` fetches outstanding, whatever order the answers come in', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 1, max: 6 }),
        fc.option(fc.nat({ max: 30 }), { nil: null }),
        fc.infiniteStream(fc.nat()),
        async (count, width, failAt, picks) => {
          const items = Array.from({ length: count }, (_, i) => i);
          const waiting: { item: number; settle: () => void }[] = [];
          const consumed: number[] = [];
          const turns: number[] = [];
          let outstanding = 0;
          let most = 0;
          const fetch = (item: number): Promise<string> =>
            new Promise((resolve, reject) => {
              outstanding++;
              most = Math.max(most, outstanding);
              waiting.push({
                item,
                settle: () => {
                  outstanding--;
                  if (item === failAt) reject(new Error(`item ${item} failed`));
                  else resolve(`answer ${item}`);
                },
              });
            });
          const run = fetchInOrder(items, width, fetch, (item, answer) => {
            expect(answer).toBe(`answer ${item}`);
            consumed.push(item);
          }, (item) => turns.push(item));
          let outcome: Error | null = null;
          run.catch((error: Error) => (outcome = error));
          const iterator = picks[Symbol.iterator]();
          // Answer the outstanding fetches in an arbitrary order until the run ends.
          for (let guard = 0; guard < 1000; guard++) {
            await new Promise((resolve) => setImmediate(resolve));
            if (waiting.length === 0) break;
            const [next] = waiting.splice(iterator.next().value % waiting.length, 1);
            next!.settle();
          }
          await run.catch(() => {});
          const failing = failAt !== null && failAt < count;
          const expected = failing ? items.slice(0, failAt) : items;
          expect(consumed).toEqual(expected);
          expect(turns).toEqual(failing ? items.slice(0, failAt + 1) : items);
          expect(most).toBeLessThanOrEqual(width);
          expect(outcome === null ? null : (outcome as Error).message).toBe(failing ? `item ${failAt} failed` : null);
        },
      ),
      { numRuns: 150 },
    );
  });
});

function orbApi(orb: OrbWireServer): OrbApi {
  return new OrbApi({ apiKey: orb.apiKey, apiBase: orb.url, limiter: new RateLimiter({ ratePerSecond: 10_000, burst: 100 }), maxRetries: 2 });
}

async function orbServer(customers: number): Promise<OrbWireServer> {
  const orb = await startOrbServer();
  onCleanup(() => orb.close());
  for (let c = 1; c <= customers; c++) {
    const id = `cus_orb_${String(c).padStart(2, '0')}`;
    orb.addCustomer(id);
    const ledger = new OrbExport(id);
    ledger.increment(`${id}_inc`, String(10 * c), '2025-01-01T00:00:00Z');
    ledger.decrement(`${id}_dec`, String(c), '2025-01-02T00:00:00Z', `${id}_inc`);
    orb.addLedger(id, ledger.records);
  }
  orb.latencyMs = 15;
  return orb;
}

describe('Orb sync with several customers in flight', () => {
  it('asks several customers at once and leaves the database that asking one at a time leaves', async () => {
    const orb = await orbServer(12);
    const one = tempDb();
    const serial = await syncOrb({ db: one.db, api: orbApi(orb), now: NOW, concurrency: 1 });
    expect(orb.maxInFlight).toBe(1);
    orb.maxInFlight = 0;
    const many = tempDb();
    const parallel = await syncOrb({ db: many.db, api: orbApi(orb), now: NOW, concurrency: 6 });
    expect(orb.maxInFlight).toBeGreaterThan(1);
    expect(orb.maxInFlight).toBeLessThanOrEqual(6);
    expect(parallel).toEqual(serial);
    expect(differences(dumpDb(many.db), dumpDb(one.db))).toEqual({});
  });

  it('a cancel commits a prefix of the customers, in order, and the next run finishes to the same database', async () => {
    const orb = await orbServer(12);
    const controller = new AbortController();
    const { db } = tempDb();
    let ledgersCommitted = 0;
    const first = await syncOrb({
      db, api: orbApi(orb), now: NOW, concurrency: 6, signal: controller.signal,
      onCommit: (stream) => {
        if (stream.startsWith('ledger:') && ++ledgersCommitted === 4) controller.abort();
      },
    });
    expect(first.cancelled).toBe(true);
    const done = listSourceObjects(db, 'orb', 'customer').map((c) => c.objectId).filter((id) => loadSyncState(db, 'orb', `ledger:${id}`) !== null);
    expect(done).toEqual(['cus_orb_01', 'cus_orb_02', 'cus_orb_03', 'cus_orb_04']);
    expect(first.stoppedAt).toBe('customer cus_orb_05');
    await syncOrb({ db, api: orbApi(orb), now: NOW, concurrency: 6 });
    const straight = tempDb();
    await syncOrb({ db: straight.db, api: orbApi(orb), now: NOW, concurrency: 1 });
    const withoutSyncBookkeeping = (text: string): unknown => {
      const rows = JSON.parse(text) as Record<string, unknown[]>;
      // Imports are numbered per run: the cancelled run's and the resumed run's rows are the same entries in two imports.
      return { entries: (rows.entries as unknown[][]).map((row) => row.slice(1, 9)), accounts: rows.accounts };
    };
    expect(withoutSyncBookkeeping(dumpDb(db))).toEqual(withoutSyncBookkeeping(dumpDb(straight.db)));
  });
});

async function stripeServer(customers: number): Promise<StripeWireServer> {
  const stripe = await startStripeServer();
  onCleanup(() => stripe.close());
  const t0 = stripe.clock - 10_000;
  for (let c = 1; c <= customers; c++) {
    const id = `cus_${String(c).padStart(2, '0')}`;
    stripe.put(customer({ id, created: t0 + c }));
    stripe.put(customerBalanceTransaction({ id: `cbtxn_${id}`, created: t0 + 100 + c, amount: -100 * c, customer: id }));
    stripe.put(creditGrant({ id: `credgr_${id}`, created: t0 + 200 + c, customer: id, value: 1_000 * c, category: 'paid' }));
    stripe.put(creditBalanceTransaction({ id: `cbtxn_g_${id}`, created: t0 + 300 + c, credit_grant: `credgr_${id}`, type: 'credit', kind: 'credits_granted', value: 1_000 * c }));
  }
  stripe.latencyMs = 15;
  return stripe;
}

describe('Stripe sync with several customers in flight', () => {
  it('customer balance transactions, grant transactions and credit balance summaries: several at once, the same database as one at a time', async () => {
    const stripe = await stripeServer(10);
    const one = tempDb();
    const serial = await syncStripe({ db: one.db, api: stripeApi(stripe), now: stripe.clock * 1000, concurrency: 1 });
    expect(stripe.maxInFlight).toBe(1);
    expect(serial.warnings).toEqual([]);
    expect(serial.balanceSummaries).toEqual({ customers: 10, compared: 10, disagreeing: 0 });
    stripe.maxInFlight = 0;
    const many = tempDb();
    const parallel = await syncStripe({ db: many.db, api: stripeApi(stripe), now: stripe.clock * 1000, concurrency: 5 });
    expect(stripe.maxInFlight).toBeGreaterThan(1);
    expect(stripe.maxInFlight).toBeLessThanOrEqual(5);
    expect({ ...parallel, requests: 0 }).toEqual({ ...serial, requests: 0 });
    expect(differences(dumpDb(many.db), dumpDb(one.db))).toEqual({});
  });
});
