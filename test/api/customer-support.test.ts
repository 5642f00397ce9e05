import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CustomerMoneyItem, CustomerTimelinePage } from '../../core/api/types.js';
import { AppService } from '../../core/service/app-service.js';
import { importAnyFiles } from '../../core/import/index.js';
import { runReconciliation } from '../../core/service/reconcile-service.js';
import { timelineRow } from '../../core/service/timeline-rows.js';
import { openLedgerDb, upsertSourceObject } from '../../core/store/index.js';
import { PAYMENTS_NAMING_ID_SQL } from '../../core/store/payments.js';
import { checkoutSession, customer } from '../wire/stripe-objects.js';
import { writeSupportDesk } from '../support/support-desk.js';
import { NOW, tempDir } from './fixtures.js';

/*
 * Support's customer timeline (issue 14) through the real import path, a real SQLite file and a real
 * reconciliation run: statuses in words, money received, what reconciliation says per row, customer
 * search by every kind of id, names and emails, and a payment's raw evidence.
 */

function supportDb(options: { reconcile: boolean }): string {
  const dir = tempDir();
  const dbPath = join(dir, 'support.sqlite');
  const files = writeSupportDesk(dir);
  importAnyFiles(dbPath, [{ path: 'moesif.jsonl', text: readFileSync(files.ledgerFile, 'utf8') }], { now: NOW });
  importAnyFiles(dbPath, [{ path: 'stripe.jsonl', text: readFileSync(files.stripeFile, 'utf8') }], { now: NOW });
  if (options.reconcile) {
    const db = openLedgerDb(dbPath, { create: false });
    try {
      runReconciliation(db, { asOf: NOW, now: NOW });
    } finally {
      db.close();
    }
  }
  return dbPath;
}

function service(dbPath: string): AppService {
  return new AppService({ dbPath, clock: () => NOW });
}

function money(page: CustomerTimelinePage): CustomerMoneyItem[] {
  return page.items.filter((item): item is CustomerMoneyItem => item.type !== 'ledger_entry');
}

describe('customer timeline: Stripe statuses and money received', () => {
  it('says what each payment, refund and dispute did; failed and processing payments are not money received', () => {
    const page = service(supportDb({ reconcile: false })).customerTimeline({ customer_id: 'cus_ada', offset: 0, limit: 50 });
    expect(money(page).map((item) => [item.id, item.type, item.status, item.money_status, item.signed_amount, item.received, item.received_after])).toEqual([
      ['pi_ok', 'payment', 'succeeded', 'partially_refunded', '100', '100', '100'],
      ['pi_declined', 'payment', 'requires_payment_method', 'failed', '500', '0', '100'],
      ['pi_ach', 'payment', 'processing', 'processing', '200', '0', '100'],
      ['re_ok', 'refund', 'succeeded', 'refunded', '-25', '-25', '75'],
      ['pi_disp', 'payment', 'succeeded', 'disputed_lost', '40', '40', '115'],
      ['dp_lost', 'dispute', 'lost', 'disputed_lost', '-40', '-40', '75'],
    ]);
    expect(page.money_received).toEqual([{ currency: 'USD', amount: '75' }]);
    // One payment is one row: the intent, its charge and its invoice are the same money.
    expect(money(page).find((item) => item.id === 'pi_ok')!.object_ids).toEqual(['pi_ok', 'in_ok', 'ch_ok']);
  });

  it('a checkout that needed no payment says no money moved, and adds nothing', () => {
    const dbPath = supportDb({ reconcile: false });
    const free = checkoutSession({ id: 'cs_free', created: Date.parse('2025-01-09T00:00:00Z') / 1000, amount_total: 0, customer: 'cus_ada', payment_status: 'no_payment_required' });
    importAnyFiles(dbPath, [{ path: 'free.jsonl', text: JSON.stringify(free) + '\n' }], { now: NOW });
    const page = service(dbPath).customerTimeline({ customer_id: 'cus_ada', offset: 0, limit: 50 });
    expect(money(page).filter((item) => item.id === 'cs_free').map((item) => [item.money_status, item.received, item.received_after])).toEqual([['no_payment', '0', '75']]);
    expect(page.money_received).toEqual([{ currency: 'USD', amount: '75' }]);
  });

  it('money rows never move the ledger balance: each shows the balance of the entry before it', () => {
    const page = service(supportDb({ reconcile: false })).customerTimeline({ customer_id: 'cus_ada', offset: 0, limit: 50 });
    let ledgerBalance = '0';
    for (const item of page.items) {
      if (item.type === 'ledger_entry') ledgerBalance = item.balance_after;
      else expect([item.id, item.balance_after]).toEqual([item.id, ledgerBalance]);
    }
    expect(ledgerBalance).toBe('610');
  });

  it('timeline rows (the CLI\'s) sign ledger entries by direction and Stripe money by kind', () => {
    const page = service(supportDb({ reconcile: false })).customerTimeline({ customer_id: 'cus_ada', offset: 0, limit: 50 });
    expect(page.items.map(timelineRow).map((row) => [row.source, row.kind, row.status, row.amount, row.balance_after, row.received_after, row.id])).toEqual([
      ['stripe', 'payment', 'partially_refunded', '100', '0', '100', 'pi_ok'],
      ['moesif', 'increment', 'posted', '100', '100', null, 'ada-credit-1'],
      ['stripe', 'payment', 'failed', '500', '100', '100', 'pi_declined'],
      ['moesif', 'increment', 'posted', '500', '600', null, 'ada-credit-2'],
      ['stripe', 'payment', 'processing', '200', '600', '100', 'pi_ach'],
      ['moesif', 'decrement', 'posted', '-30', '570', null, 'ada-usage-1'],
      ['stripe', 'refund', 'refunded', '-25', '570', '75', 're_ok'],
      ['stripe', 'payment', 'disputed_lost', '40', '570', '115', 'pi_disp'],
      ['moesif', 'increment', 'posted', '40', '610', null, 'ada-credit-3'],
      ['stripe', 'dispute', 'disputed_lost', '-40', '610', '75', 'dp_lost'],
    ]);
  });
});

describe('customer timeline: what reconciliation says about each row', () => {
  it('names nothing before any run, then the latest run\'s item: matched to an entry, credited though failed, pending, refund and dispute not reversed', () => {
    const dbPath = supportDb({ reconcile: false });
    expect(money(service(dbPath).customerTimeline({ customer_id: 'cus_ada', offset: 0, limit: 50 })).map((item) => item.reconciliation)).toEqual([null, null, null, null, null, null]);
    const db = openLedgerDb(dbPath, { create: false });
    const runId = runReconciliation(db, { asOf: NOW, now: NOW }).run.run_id;
    db.close();
    const rows = money(service(dbPath).customerTimeline({ customer_id: 'cus_ada', offset: 0, limit: 50 }));
    expect(rows.map((item) => [item.id, item.reconciliation?.run_id, item.reconciliation?.item_id, item.reconciliation?.category, item.reconciliation?.summary])).toEqual([
      ['pi_ok', runId, 'payment:pi_ok', 'matched', 'matched to entry ada-credit-1'],
      ['pi_declined', runId, 'payment:pi_declined', 'credited_but_payment_failed', 'credited although the payment did not succeed (entry ada-credit-2)'],
      ['pi_ach', runId, 'payment:pi_ach', 'pending', 'pending at Stripe: not expected in the ledger yet'],
      ['re_ok', runId, 'payment:re_ok', 'refund_not_reversed', 'refund not reversed in the ledger'],
      ['pi_disp', runId, 'payment:pi_disp', 'matched', 'matched to entry ada-credit-3'],
      ['dp_lost', runId, 'payment:dp_lost', 'dispute_not_reversed', 'lost dispute not reversed in the ledger'],
    ]);
    // The link lands on that item: reconcile.get filtered to it.
    const item = service(dbPath).reconcileGet({ run_id: runId, item_ids: ['payment:re_ok'], offset: 0, limit: 10 });
    expect(item.rows.map((row) => [row.item_id, row.category])).toEqual([['payment:re_ok', 'refund_not_reversed']]);
  });
});

describe('customers.search', () => {
  it('finds a customer by ledger id, Stripe customer id, email, name, and a payment, charge, invoice or refund id', () => {
    const api = service(supportDb({ reconcile: false }));
    const cases: [string, string, string][] = [
      ['cus_ada', 'cus_ada', 'ledger_id'],
      ['acme-grace', 'acme-grace', 'ledger_id'],
      ['cus_grace', 'acme-grace', 'stripe_customer'],
      ['ADA@example.com', 'cus_ada', 'email'],
      ['grace hopper', 'acme-grace', 'name'],
      ['pi_declined', 'cus_ada', 'payment'],
      ['ch_disp', 'cus_ada', 'payment'],
      ['in_ok', 'cus_ada', 'payment'],
      ['re_ok', 'cus_ada', 'payment'],
      ['pi_grace', 'acme-grace', 'payment'],
    ];
    for (const [query, customerId, matchedBy] of cases) {
      const result = api.customersSearch({ query });
      expect([query, result.exact]).toEqual([query, { customer_id: customerId, matched_by: matchedBy }]);
      expect([query, result.suggestions[0]?.customer_id]).toEqual([query, customerId]);
    }
  });

  it('a lookup by a payment, charge, invoice or session id reads indexes, never every payment (customer search at 100,000 payments)', () => {
    const db = openLedgerDb(supportDb({ reconcile: false }), { create: false });
    try {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${PAYMENTS_NAMING_ID_SQL}`).all({ id: 'ch_disp' }) as { detail: string }[]).map((row) => row.detail);
      // Neither a scan nor a walk of every Stripe payment through the unique index's first column.
      expect(plan.filter((detail) => /^SCAN payments|\(source=\?\)/.test(detail))).toEqual([]);
      for (const index of ['payments_by_source_id', 'payments_by_payment_intent', 'payments_by_charge', 'payments_by_invoice', 'payments_by_checkout_session']) {
        expect([index, plan.some((detail) => detail.includes(index))]).toEqual([index, true]);
      }
    } finally {
      db.close();
    }
  });

  it('customer.timeline takes any of those names and answers with the ledger customer it means', () => {
    const api = service(supportDb({ reconcile: false }));
    for (const query of ['ada@example.com', 'cus_ada', 'in_ok', 'Ada Lovelace']) {
      expect([query, api.customerTimeline({ customer_id: query, offset: 0, limit: 1 }).customer_id]).toEqual([query, 'cus_ada']);
    }
    expect(() => api.customerTimeline({ customer_id: 'nobody', offset: 0, limit: 1 })).toThrow(/no customer matches "nobody"/);
  });

  it('suggests as the user types: a part of a name, an email or an id, with the name and email to choose by', () => {
    const api = service(supportDb({ reconcile: false }));
    const lovelace = api.customersSearch({ query: 'lovel' });
    expect(lovelace.exact).toBeNull();
    expect(lovelace.suggestions.map((s) => [s.customer_id, s.name, s.email, s.matched_by])).toEqual([['cus_ada', 'Ada Lovelace', 'ada@example.com', 'name']]);
    expect(api.customersSearch({ query: 'example.com' }).suggestions.map((s) => s.customer_id)).toEqual(['acme-grace', 'cus_ada']);
    // Stored Stripe ids starting with the text, each under its customer, one suggestion per customer.
    expect(api.customersSearch({ query: 'pi_' }).suggestions.map((s) => [s.customer_id, s.matched_by])).toEqual([
      ['acme-grace', 'payment'],
      ['cus_ada', 'payment'],
    ]);
    expect(api.customersSearch({ query: 'nobody-here' })).toMatchObject({ exact: null, suggestions: [] });
    expect(api.customersSearch({ query: 'nobody-here' }).problem).toContain('no customer matches');
  });

  it('an email two ledger customers share is a question back, never a guess', () => {
    const dir = tempDir();
    const dbPath = supportDb({ reconcile: false });
    const twin = join(dir, 'twin.jsonl');
    const shared = { ...customer({ id: 'cus_twin', created: 1735689600, email: 'ada@example.com', metadata: { ledger_customer: 'acme-grace' } }), name: 'Ada Twin' };
    importAnyFiles(dbPath, [{ path: twin, text: JSON.stringify(shared) + '\n' }], { now: NOW });
    const result = service(dbPath).customersSearch({ query: 'ada@example.com' });
    expect(result.exact).toBeNull();
    expect(result.problem).toBe('ada@example.com is the email of several customers (acme-grace, cus_ada): name one by its id');
    expect(result.suggestions.map((s) => s.customer_id).sort()).toEqual(['acme-grace', 'cus_ada']);
  });
});

describe('customer names and emails', () => {
  it('show in the timeline, the accounts list (searchable by them) and the account header; Orb customers name theirs', () => {
    const dbPath = supportDb({ reconcile: false });
    // What an Orb sync stores for a customer (core/sync/orb-sync.ts), for a ledger customer with no Stripe customer.
    importAnyFiles(dbPath, [{ path: 'orb-ledger.jsonl', text: JSON.stringify({ company_id: 'orb-cust-1', transaction_id: 'orb-credit', type: 'credit', amount: 5, created_at: '2025-01-09T00:00:00Z' }) + '\n' }], { now: NOW });
    const db = openLedgerDb(dbPath, { create: false });
    db.transaction(() =>
      upsertSourceObject(db, {
        provider: 'orb', objectType: 'customer', objectId: 'orb-cust-1', customerId: 'orb-cust-1', at: null,
        origin: { file: 'orb:/customers', line: null, pointer: null }, raw: JSON.stringify({ id: 'orb-cust-1', name: 'Hedy Lamarr', email: 'hedy@example.org', external_customer_id: null }), observedAt: null,
      }, NOW),
    ).immediate();
    db.close();
    const api = service(dbPath);
    expect(api.customerTimeline({ customer_id: 'acme-grace', offset: 0, limit: 10 }).customer).toEqual({ name: 'Grace Hopper', email: 'grace@example.com', stripe_customer_ids: ['cus_grace'] });
    const listed = (search: string) => api.accountsList({ search, offset: 0, limit: 10 }).rows.map((row) => [row.customer_id, row.customer_name, row.customer_email]);
    expect(listed('hopper')).toEqual([['acme-grace', 'Grace Hopper', 'grace@example.com']]);
    expect(listed('ada@')).toEqual([['cus_ada', 'Ada Lovelace', 'ada@example.com']]);
    expect(listed('hedy')).toEqual([['orb-cust-1', 'Hedy Lamarr', 'hedy@example.org']]);
    expect(api.accountGet({ account: { customer_id: 'orb-cust-1', subscription_id: null, unit: 'USD' } }).customer).toEqual({ name: 'Hedy Lamarr', email: 'hedy@example.org', stripe_customer_ids: [] });
  });
});

describe('payments.evidence', () => {
  it('opens a payment as its raw Stripe objects (intent, invoice, charge, then its refund) and its customer', () => {
    const api = service(supportDb({ reconcile: true }));
    for (const id of ['pi_ok', 'ch_ok', 'in_ok']) {
      const evidence = api.paymentsEvidence({ id });
      expect(evidence).toMatchObject({ id: 'pi_ok', kind: 'payment', currency: 'USD', amount: '100', money_status: 'partially_refunded' });
      expect(evidence.objects.map((object) => [object.id, object.kind, object.file])).toEqual([
        ['pi_ok', 'payment_intent', 'stripe.jsonl'],
        ['in_ok', 'invoice', 'stripe.jsonl'],
        ['ch_ok', 'charge', 'stripe.jsonl'],
        ['re_ok', 'refund', 'stripe.jsonl'],
      ]);
      expect((JSON.parse(evidence.objects[0]!.raw) as { id: string; amount: number }).amount).toBe(10000);
      expect((JSON.parse(evidence.customer!.raw) as { name: string }).name).toBe('Ada Lovelace');
      expect(evidence.reconciliation?.summary).toBe('matched to entry ada-credit-1');
    }
    const declined = api.paymentsEvidence({ id: 'pi_declined' });
    expect([declined.money_status, declined.reconciliation?.category]).toEqual(['failed', 'credited_but_payment_failed']);
    const lost = api.paymentsEvidence({ id: 'dp_lost' });
    expect([lost.kind, lost.money_status, lost.objects.map((object) => object.id)]).toEqual(['dispute', 'disputed_lost', ['dp_lost', 'pi_disp', 'ch_disp']]);
    expect(() => api.paymentsEvidence({ id: 'pi_nowhere' })).toThrow(/no Stripe payment, refund or dispute "pi_nowhere"/);
  });
});
