// Stripe dashboard exports with the headers Stripe writes (test/fixtures/stripe-csv/README.md says where
// each header list comes from): every column accepted, unknown ones named once as ignored, incomplete
// rows skipped and counted, each export detected from its header, dates as each export writes them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReconcile } from '../../core/cli/reconcile-command.js';
import { importAnyFiles } from '../../core/import/index.js';
import { ImportRejected } from '../../core/import/ledger-files.js';
import { formatProblem, parseImportFile } from '../../core/sources/index.js';
import { stripeCsvKind } from '../../core/sources/stripe/index.js';
import { listPayments, listSourceObjects, openLedgerDb } from '../../core/store/index.js';
import { importStripeFiles } from '../../core/import/stripe-files.js';
import { charge } from '../wire/stripe-objects.js';
import { tempDir } from './helpers.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/stripe-csv');
const NOW = Date.UTC(2025, 1, 1);

function fixture(name: string): { path: string; text: string } {
  return { path: name, text: readFileSync(join(FIXTURES, name), 'utf8') };
}

function header(name: string): string[] {
  return fixture(name).text.split(/\r?\n/, 1)[0]!.split(',');
}

/** The fields reconciliation reads, per payment, as plain strings. */
function paymentFacts(dbPath: string): string[][] {
  const db = openLedgerDb(dbPath, { create: false });
  try {
    return listPayments(db).map((p) => [p.sourceId, p.kind, p.customerId ?? '-', p.currency, p.amount.toFixed(), p.status, p.amountRefunded?.toFixed() ?? '-', new Date(p.at).toISOString(), p.paymentIntentId ?? '-']);
  } finally {
    db.close();
  }
}

const EXPECTED_PAYMENTS = [
  ['ch_3A1', 'charge', 'cus_A', 'USD', '100', 'succeeded', '0', '2025-01-10T17:40:02.000Z', 'pi_3A1'],
  ['ch_3B1', 'charge', 'cus_B', 'USD', '50', 'succeeded', '20', '2025-01-11T09:00:00.000Z', 'pi_3B1'],
  ['ch_3C1', 'charge', 'cus_C', 'USD', '30', 'failed', '0', '2025-01-12T12:30:00.000Z', 'pi_3C1'],
  ['ch_3D1', 'charge', 'cus_D', 'ISK', '100', 'succeeded', '0', '2025-01-13T08:15:00.000Z', 'pi_3D1'],
];

describe('unified payments export, current and legacy headers', () => {
  it('every column of the current export is accepted; the unknown one is named once as ignored; 3 incomplete rows skipped', () => {
    const dir = tempDir();
    const db = join(dir, 'l.sqlite');
    const summary = importAnyFiles(db, [fixture('unified-payments-current.csv')], { now: NOW });
    expect(summary.files).toEqual([{ path: 'unified-payments-current.csv', format: 'stripe-csv', records: 4 }]);
    expect(summary.warnings).toEqual([
      'unified-payments-current.csv: 1 column of the Stripe unified payments export ignored (kept in the evidence): "Ship By (UTC)"',
      'unified-payments-current.csv: 3 incomplete rows without an id skipped',
    ]);
    expect(paymentFacts(db)).toEqual(EXPECTED_PAYMENTS);
    const open = openLedgerDb(db, { create: false });
    const first = listPayments(open)[0]!;
    expect(first.metadata).toEqual({ order_id: 'A-1' });
    open.close();
  });

  it('the legacy export (Created (UTC), minutes, "+0000") gives the same payments', () => {
    const dir = tempDir();
    const db = join(dir, 'l.sqlite');
    const summary = importAnyFiles(db, [fixture('unified-payments-legacy.csv')], { now: NOW });
    expect(summary.warnings).toEqual([]);
    expect(paymentFacts(db)).toEqual(EXPECTED_PAYMENTS.map((p) => [...p.slice(0, 7), p[7]!.replace(/:\d\d\.000Z$/, ':00.000Z'), p[8]!]));
  });

  it('a bad value in a column Ledgerscope reads is an error naming file, line and field; in an ignored column it is not', () => {
    const { text } = fixture('unified-payments-current.csv');
    const lines = text.split('\r\n');
    const badAmount = [lines[0], lines[1]!.replace(',100.00,0.00,usd,', ',1e2,0.00,usd,')].join('\r\n');
    expect(parseImportFile('p.csv', badAmount).problems.map(formatProblem)).toEqual([
      'p.csv:2: Amount: expected a decimal number like "12.50" (no exponent, no thousands separator), found "1e2"',
    ]);
    const badIgnored = [lines[0], lines[1]!.replace('2025-01-12 00:00:00', 'not a date')].join('\r\n');
    expect(parseImportFile('p.csv', badIgnored).problems).toEqual([]);
  });

  it('a missing required column is an error and writes nothing', () => {
    const dir = tempDir();
    const { text } = fixture('unified-payments-current.csv');
    const withoutCurrency = text.split('\r\n').map((line) => line.split(',').filter((_, i) => i !== 4).join(',')).join('\r\n');
    try {
      importStripeFiles(join(dir, 'l.sqlite'), [{ path: 'p.csv', text: withoutCurrency }], { now: NOW });
      expect.unreachable('the import must be rejected');
    } catch (error) {
      expect((error as ImportRejected).problems.map(formatProblem)).toEqual(['p.csv:1: Currency: required column of a Stripe unified payments export is missing']);
    }
  });
});

describe('balance exports, detected from their headers', () => {
  it.each([
    ['balance-history-legacy.csv', 'balance-history'],
    ['balance-history-current.csv', 'balance-history'],
    ['balance-change-itemized.csv', 'balance-change-itemized'],
    ['unified-payments-current.csv', 'payments'],
    ['unified-payments-legacy.csv', 'payments'],
  ])('%s is a %s export', (name, kind) => {
    expect(parseImportFile(name, fixture(name).text).format).toBe('stripe-csv');
    expect(stripeCsvKind(header(name))).toBe(kind);
  });

  it('balance history, legacy and current headers: each row kept as evidence, nothing ignored', () => {
    const customers = { 'balance-history-legacy.csv': [null, null, null], 'balance-history-current.csv': ['cus_A', 'cus_B', null] };
    for (const [name, customerIds] of Object.entries(customers)) {
      const dir = tempDir();
      const db = join(dir, 'l.sqlite');
      const summary = importAnyFiles(db, [fixture(name)], { now: NOW });
      expect(summary.warnings).toEqual([]);
      const open = openLedgerDb(db, { create: false });
      const rows = listSourceObjects(open, 'stripe', 'balance_history_row');
      expect(rows.map((o) => o.objectId)).toEqual(['txn_3A1', 'txn_3B2', 'txn_3P1']);
      expect(rows.map((o) => o.customerId)).toEqual(customerIds); // the legacy export has no Customer ID column
      open.close();
    }
  });

  it('the itemized "Balance change from activity" report: rows kept as evidence at created_utc, "+0000" read as UTC', () => {
    const dir = tempDir();
    const db = join(dir, 'l.sqlite');
    const summary = importAnyFiles(db, [fixture('balance-change-itemized.csv')], { now: NOW });
    expect(summary.warnings).toEqual([
      'balance-change-itemized.csv: 1 column of the Stripe "Balance change from activity" itemized report ignored (kept in the evidence): "new_column_stripe_added"',
    ]);
    const open = openLedgerDb(db, { create: false });
    const rows = listSourceObjects(open, 'stripe', 'balance_change_row');
    expect(rows.map((o) => [o.objectId, o.customerId, new Date(o.at!).toISOString()])).toEqual([
      ['txn_3A1', 'cus_A', '2025-01-10T17:40:02.000Z'],
      ['txn_3B2', 'cus_B', '2025-01-12T10:00:00.000Z'],
    ]);
    expect(JSON.parse(rows[0]!.raw)).toMatchObject({ 'payment_metadata[order_id]': 'A-1', new_column_stripe_added: '' });
    open.close();
  });

  it('an itemized report without gross is an error naming the column', () => {
    const text = 'balance_transaction_id,created_utc,currency,reporting_category\ntxn_1,2025-01-10 17:40:02,usd,charge';
    expect(parseImportFile('r.csv', text).problems.map(formatProblem)).toEqual([
      'r.csv:1: gross: required column of a Stripe "Balance change from activity" itemized report is missing',
    ]);
  });
});

describe('reconciliation over real-header files', () => {
  function reconcileCategories(stripeFile: { path: string; text: string }): string[][] {
    const dir = tempDir();
    const db = join(dir, 'l.sqlite');
    importAnyFiles(db, [fixture('moesif-credits.jsonl')], { now: NOW });
    importAnyFiles(db, [stripeFile], { now: NOW });
    const out: string[] = [];
    runReconcile({ io: { out: (s) => void out.push(s), err: () => {} }, now: NOW }, { db, json: true });
    const json = JSON.parse(out.join('')) as { items: { category: string; customer_id: string; payment_ids: string[]; entry_ids: string[] }[] };
    return json.items.map((item) => [item.category, item.customer_id, item.payment_ids.join(' '), item.entry_ids.join(' ')]);
  }

  it('the current and legacy exports give the same categories as the same payments as API objects', () => {
    const t = (iso: string): number => Date.parse(iso) / 1000;
    const api = [
      charge({ id: 'ch_3A1', created: t('2025-01-10T17:40:02Z'), amount: 10000, customer: 'cus_A', payment_intent: 'pi_3A1' }),
      charge({ id: 'ch_3B1', created: t('2025-01-11T09:00:00Z'), amount: 5000, customer: 'cus_B', payment_intent: 'pi_3B1', amount_refunded: 2000 }),
      charge({ id: 'ch_3C1', created: t('2025-01-12T12:30:00Z'), amount: 3000, customer: 'cus_C', payment_intent: 'pi_3C1', status: 'failed' }),
      charge({ id: 'ch_3D1', created: t('2025-01-13T08:15:00Z'), amount: 10000, currency: 'isk', customer: 'cus_D', payment_intent: 'pi_3D1' }),
    ];
    const fromApi = reconcileCategories({ path: 'charges.json', text: JSON.stringify({ object: 'list', data: api, has_more: false, url: '/v1/charges' }) });
    // Hand-written: A paid and credited; B paid and credited, then refunded 20 that the ledger kept;
    // C credited though the payment failed; D (100 ISK, 10000 in Stripe's minor units) never credited.
    expect(fromApi.map((item) => item.slice(0, 2))).toEqual([
      ['matched', 'cus_A'],
      ['matched', 'cus_B'],
      ['refund_not_reversed', 'cus_B'],
      ['credited_but_payment_failed', 'cus_C'],
      ['missing_in_ledger', 'cus_D'],
    ]);
    expect(reconcileCategories(fixture('unified-payments-current.csv'))).toEqual(fromApi);
    expect(reconcileCategories(fixture('unified-payments-legacy.csv'))).toEqual(fromApi);
  });
});
