// Orb sync through the real `orb-billing` SDK against the wire-format server (test/wire/orb-server.ts).
import { describe, expect, it } from 'vitest';
import { customerBalance } from '../../core/service/ledger-queries.js';
import { parseImportFile } from '../../core/sources/index.js';
import { listEntryRecords, listSourceObjects, loadAccountEntries, type LedgerDb } from '../../core/store/index.js';
import { OrbApi } from '../../core/sync/orb-client.js';
import { syncOrb } from '../../core/sync/orb-sync.js';
import { RateLimiter } from '../../core/sync/rate-limiter.js';
import { cleanExport, OrbExport } from '../audit/orb-export-builder.js';
import { orbInvoice, startOrbServer, type OrbWireServer } from '../wire/orb-server.js';
import { dumpDb, onCleanup, tempDb } from './helpers.js';

const NOW = Date.UTC(2025, 2, 1);

async function server(): Promise<OrbWireServer> {
  const orb = await startOrbServer();
  onCleanup(() => orb.close());
  return orb;
}

function api(orb: OrbWireServer, key = orb.apiKey): OrbApi {
  return new OrbApi({ apiKey: key, apiBase: orb.url, limiter: new RateLimiter({ ratePerSecond: 10_000, burst: 100 }), maxRetries: 2 });
}

function entryIds(db: LedgerDb, customerId: string, unit = 'credits'): string[] {
  return loadAccountEntries(db, { customerId, subscriptionId: null, unit }).map((e) => e.sourceId);
}

describe('Orb sync', () => {
  it('customers and their ledgers over many pages (newest first) give the entries an Orb export gives', async () => {
    const orb = await server();
    const ledger = cleanExport(); // customer cus_orb_1, 11 entries of every type
    orb.addCustomer('cus_orb_1', 'cus_stripe_1');
    orb.addLedger('cus_orb_1', ledger.records.map((r) => ({ ...r, customer: { id: 'cus_orb_1', external_customer_id: 'cus_stripe_1' } })));
    for (let c = 2; c <= 5; c++) {
      orb.addCustomer(`cus_orb_${c}`);
      const other = new OrbExport(`cus_orb_${c}`);
      other.increment(`c${c}_inc`, '10', '2025-01-01T00:00:00Z');
      other.decrement(`c${c}_dec`, '4', '2025-01-02T00:00:00Z', `c${c}_inc`);
      orb.addLedger(`cus_orb_${c}`, other.records);
    }
    const { db } = tempDb();
    const summary = await syncOrb({ db, api: api(orb), now: NOW, pageSize: 3 });
    expect(summary.warnings).toEqual([]);
    expect(summary.customers).toBe(5);
    expect(summary.entries.inserted).toBe(11 + 4 * 2);
    // 4 ledger pages of 3 for the first customer (a void on page 1 names a block created on page 4).
    expect(orb.count('/customers/cus_orb_1/credits/ledger')).toBe(4);
    // The same entries, in the same replay order, as the export parser reads from the same records.
    const fromExport = parseImportFile('export.jsonl', ledger.jsonl()).entries.map((p) => p.entry.sourceId);
    expect(entryIds(db, 'cus_orb_1')).toEqual(fromExport);
    expect(customerBalance(db, 'cus_orb_1', NOW).accounts[0]!.current).toBe(customerBalanceOfExport(ledger));
    // External customer id kept for customer linking; credit balance and customers kept as evidence.
    expect(listEntryRecords(db, { customerId: 'cus_orb_1', subscriptionId: null, unit: 'credits' })[0]!.externalCustomerId).toBe('cus_stripe_1');
    expect(listSourceObjects(db, 'orb', 'customer')).toHaveLength(5);
    expect(listSourceObjects(db, 'orb', 'credit_balance')).toHaveLength(5);
  });

  it('an increment links to the Stripe payment of the invoice it created (payment_provider_id), also when paid later', async () => {
    const orb = await server();
    orb.addCustomer('cus_orb_1');
    const ledger = new OrbExport('cus_orb_1', 'USD');
    const paid = ledger.increment('inc_paid', '100', '2025-01-02T00:00:00Z', { cost: '1' });
    paid.created_invoices = [orbInvoice({ id: 'inv_1', customerId: 'cus_orb_1', amount: '100.00' })];
    const later = ledger.increment('inc_later', '50', '2025-01-03T00:00:00Z', { cost: '1' });
    later.created_invoices = [orbInvoice({ id: 'inv_2', customerId: 'cus_orb_1', amount: '50.00' })];
    orb.addLedger('cus_orb_1', ledger.records);
    orb.invoices.push(orbInvoice({ id: 'inv_1', customerId: 'cus_orb_1', amount: '100.00', stripePayment: 'pi_paid' }));
    orb.invoices.push(orbInvoice({ id: 'inv_2', customerId: 'cus_orb_1', amount: '50.00', succeeded: false }));
    const { db } = tempDb();
    await syncOrb({ db, api: api(orb), now: NOW });
    const metadata = (): Record<string, unknown>[] =>
      listEntryRecords(db, { customerId: 'cus_orb_1', subscriptionId: null, unit: 'USD' }).map((r) => r.metadata ?? {});
    expect(metadata()).toEqual([
      { orb_invoice_id: 'inv_1', payment_provider_id: 'pi_paid' },
      { orb_invoice_id: 'inv_2' },
    ]);
    // inv_2 gets paid through Stripe after the first sync.
    orb.invoices[1] = orbInvoice({ id: 'inv_2', customerId: 'cus_orb_1', amount: '50.00', stripePayment: 'pi_later' });
    const second = await syncOrb({ db, api: api(orb), now: NOW });
    expect(second.linksAdded).toBe(1);
    expect(metadata()[1]).toEqual({ orb_invoice_id: 'inv_2', payment_provider_id: 'pi_later' });
    expect(listSourceObjects(db, 'orb', 'invoice').map((o) => o.objectId)).toEqual(['inv_1', 'inv_2']);
  });

  it('a second sync adds nothing; a later one reads only the new pages', async () => {
    const orb = await server();
    orb.addCustomer('cus_orb_1');
    const ledger = new OrbExport('cus_orb_1');
    for (let i = 0; i < 10; i++) ledger.increment(`inc_${i}`, '10', `2025-01-${String(i + 1).padStart(2, '0')}T00:00:00Z`);
    orb.addLedger('cus_orb_1', ledger.records);
    const { db } = tempDb();
    await syncOrb({ db, api: api(orb), now: NOW, pageSize: 3 });
    const before = dumpDb(db);
    const again = await syncOrb({ db, api: api(orb), now: NOW, pageSize: 3 });
    expect(again.entries.inserted).toBe(0);
    expect(dumpDb(db)).toBe(before);

    const more = new OrbExport('cus_orb_1');
    more.increment('inc_new', '5', '2025-02-01T00:00:00Z');
    orb.addLedger('cus_orb_1', [{ ...more.records[0]!, ledger_sequence_number: 11, starting_balance: '100', ending_balance: '105' }]);
    const pagesBefore = orb.count('/credits/ledger');
    const third = await syncOrb({ db, api: api(orb), now: NOW, pageSize: 3 });
    expect(third.entries.inserted).toBe(1);
    expect(orb.count('/credits/ledger') - pagesBefore).toBe(1); // the page with the new entry and the cursor
    expect(customerBalance(db, 'cus_orb_1', NOW).accounts[0]!.current).toBe('105');
  });

  it('429 and 500 are retried by the SDK; cancelling keeps what was committed and resumes', async () => {
    const orb = await server();
    for (let c = 1; c <= 3; c++) {
      orb.addCustomer(`cus_${c}`);
      const ledger = new OrbExport(`cus_${c}`);
      ledger.increment(`inc_${c}`, '10', '2025-01-01T00:00:00Z');
      orb.addLedger(`cus_${c}`, ledger.records);
    }
    orb.faults.push({ status: 429, headers: { 'Retry-After': '0' }, times: 1, path: /ledger/ });
    orb.faults.push({ status: 500, headers: { 'Retry-After': '0' }, times: 1, path: /invoices/ });
    const { db } = tempDb();
    const controller = new AbortController();
    const first = await syncOrb({
      db, api: api(orb), now: NOW, signal: controller.signal,
      onCommit: (stream) => {
        if (stream === 'ledger:cus_1') controller.abort();
      },
    });
    expect(first.cancelled).toBe(true);
    expect(first.stoppedAt).toBe('customer cus_2');
    expect(orb.requests.filter((r) => r.status === 429 || r.status === 500)).toHaveLength(2);
    expect(entryIds(db, 'cus_1')).toEqual(['inc_1']);
    expect(entryIds(db, 'cus_2')).toEqual([]);
    const second = await syncOrb({ db, api: api(orb), now: NOW });
    expect(second.entries).toEqual({ inserted: 2, unchanged: 1, conflicts: 0 });
  });

  it('a rejected key is a clear message', async () => {
    const orb = await server();
    const { db } = tempDb();
    await expect(syncOrb({ db, api: api(orb, 'wrong-key-1234'), now: NOW })).rejects.toThrow('the Orb key was rejected (401) — check ORB_API_KEY');
  });
});

function customerBalanceOfExport(ledger: OrbExport): string {
  // The export states its own balances; the last one is what the ledger ends at.
  const last = ledger.records.at(-1)!;
  return String(Number(last.ending_balance));
}
