// Stripe export files: API objects as list pages / arrays / JSON Lines, and dashboard CSV exports.
// All or nothing: a bad file names file, line (or JSON pointer) and field, and writes nothing.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImportRejected } from '../../core/import/ledger-files.js';
import { customerBalance } from '../../core/service/ledger-queries.js';
import { formatProblem, parseImportFile } from '../../core/sources/index.js';
import { listPayments, listSourceObjects, loadPayment, openLedgerDb, paymentHistory } from '../../core/store/index.js';
import { importStripeFiles } from '../../core/import/stripe-files.js';
import {
  charge,
  creditBalanceTransaction,
  creditGrant,
  customer,
  dispute,
  event,
  paymentIntent,
  refund,
  type StripeJson,
} from '../wire/stripe-objects.js';
import { dumpDb, tempDir } from './helpers.js';

const T0 = 1_736_000_000; // 2025-01-04T14:13:20Z
const NOW = (T0 + 1_000_000) * 1000;

function listPage(objects: StripeJson[]): string {
  return JSON.stringify({ object: 'list', data: objects, has_more: false, url: '/v1/x' }, null, 2);
}

function objects(): StripeJson[] {
  return [
    customer({ id: 'cus_1', created: T0, metadata: { ledger_customer: 'acme' } }),
    paymentIntent({ id: 'pi_1', created: T0 + 10, amount: 5000, customer: 'cus_1', latest_charge: 'ch_1' }),
    charge({ id: 'ch_1', created: T0 + 11, amount: 5000, customer: 'cus_1', payment_intent: 'pi_1', amount_refunded: 1000 }),
    refund({ id: 're_1', created: T0 + 20, amount: 1000, charge: 'ch_1', payment_intent: 'pi_1', status: 'succeeded' }),
    dispute({ id: 'dp_1', created: T0 + 30, amount: 4000, charge: 'ch_1', status: 'needs_response' }),
    creditGrant({ id: 'credgr_1', created: T0 + 40, customer: 'cus_1', value: 5000 }),
    creditBalanceTransaction({ id: 'cbtxn_1', created: T0 + 50, credit_grant: 'credgr_1', type: 'debit', kind: 'credits_applied', value: 1500 }),
  ];
}

function write(dir: string, name: string, text: string): { path: string; text: string } {
  const path = join(dir, name);
  writeFileSync(path, text);
  return { path: name, text };
}

function rejected(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ImportRejected) return error.problems.map(formatProblem);
    throw error;
  }
  throw new Error('expected the import to be rejected');
}

const UNIFIED_HEADER =
  'id,Description,Created date (UTC),Amount,Amount Refunded,Currency,Status,Customer ID,PaymentIntent ID,Disputed Amount,Dispute Status,order_id (metadata),channel (metadata)';

describe('Stripe API objects in files', () => {
  it('a list page: payments, the grant as a block, evidence; a second import changes nothing', () => {
    const dir = tempDir();
    const db = join(dir, 'l.sqlite');
    const file = write(dir, 'stripe.json', listPage(objects()));
    const summary = importStripeFiles(db, [file], { now: NOW });
    expect(summary.files).toEqual([{ path: 'stripe.json', format: 'stripe', records: 7 }]);
    expect(summary.payments).toEqual({ inserted: 4, updated: 0, unchanged: 0, stale: 0 });
    expect(summary.entries).toEqual({ inserted: 2, unchanged: 0 });
    const open = openLedgerDb(db, { create: false });
    try {
      expect(listPayments(open).map((p) => p.sourceId)).toEqual(['pi_1', 'ch_1', 're_1', 'dp_1']);
      expect(loadPayment(open, 'ch_1')!.record.amountRefunded!.toFixed()).toBe('10');
      expect(loadPayment(open, 'pi_1')!.origin).toEqual({ file: 'stripe.json', line: null, pointer: '/data/1' });
      expect(customerBalance(open, 'cus_1', NOW).accounts[0]).toMatchObject({ unit: 'USD', current: '35' });
      const before = dumpDb(open);
      open.close();
      const again = importStripeFiles(db, [file], { now: NOW + 1 });
      expect(again.payments).toEqual({ inserted: 0, updated: 0, unchanged: 4, stale: 0 });
      expect(again.entries).toEqual({ inserted: 0, unchanged: 2 });
      const reopened = openLedgerDb(db, { create: false });
      expect(dumpDb(reopened)).toBe(before);
      reopened.close();
    } finally {
      if (open.open) open.close();
    }
  });

  it('JSON Lines of objects, list pages and events; an event carries the object', () => {
    const dir = tempDir();
    const [cus, pi, ch, re] = objects();
    const lines = [
      JSON.stringify(cus),
      JSON.stringify({ object: 'list', data: [pi, ch], has_more: false, url: '/v1/x' }),
      JSON.stringify(event({ id: 'evt_1', created: T0 + 99, type: 'refund.updated', object: re! })),
    ].join('\n');
    const summary = importStripeFiles(join(dir, 'l.sqlite'), [write(dir, 'stripe.jsonl', `${lines}\n`)], { now: NOW });
    expect(summary.files[0]!.format).toBe('stripe');
    expect(summary.payments.inserted).toBe(3);
    expect(summary.objects.inserted).toBe(1);
  });

  it('a voided grant with no credits_voided transaction voids what remained of its block', () => {
    const dir = tempDir();
    const grant = creditGrant({ id: 'credgr_v', created: T0, customer: 'cus_v', value: 3000, voided_at: T0 + 100 });
    const used = creditBalanceTransaction({ id: 'cbtxn_u', created: T0 + 50, credit_grant: 'credgr_v', type: 'debit', kind: 'credits_applied', value: 1000 });
    const db = join(dir, 'l.sqlite');
    importStripeFiles(db, [write(dir, 'grants.json', JSON.stringify([grant, used]))], { now: NOW });
    const open = openLedgerDb(db, { create: false });
    const [account] = customerBalance(open, 'cus_v', NOW).accounts;
    expect(account).toMatchObject({ current: '0', blocks: [{ id: 'credgr_v', initial: '30', remaining: '0', status: 'voided' }] });
    open.close();
  });

  it('a file with a changed status is a new version; a changed amount of a charge is a conflict and nothing is written', () => {
    const dir = tempDir();
    const db = join(dir, 'l.sqlite');
    importStripeFiles(db, [write(dir, 'a.json', listPage(objects()))], { now: NOW });
    const later = objects().map((o) => (o.id === 'dp_1' ? { ...o, status: 'lost' } : o));
    const summary = importStripeFiles(db, [write(dir, 'b.json', listPage(later))], { now: NOW + 1 });
    expect(summary.payments).toEqual({ inserted: 0, updated: 1, unchanged: 3, stale: 0 });
    // The earlier export again: an earlier version, nothing new.
    expect(importStripeFiles(db, [write(dir, 'a2.json', listPage(objects()))], { now: NOW + 2 }).payments.updated).toBe(0);
    const open = openLedgerDb(db, { create: false });
    expect(paymentHistory(open, 'dp_1').map((v) => v.status)).toEqual(['needs_response', 'lost']);
    const before = dumpDb(open);
    open.close();
    const wrong = objects().map((o) => (o.id === 'ch_1' ? { ...o, amount: 500 } : o));
    expect(rejected(() => importStripeFiles(db, [write(dir, 'c.json', listPage(wrong))], { now: NOW + 3 }))).toEqual([
      'c.json#/data/2: -: stripe id "ch_1" conflicts with the payment stored from a.json (version 1): amount was 50, found 5',
    ]);
    const reopened = openLedgerDb(db, { create: false });
    expect(dumpDb(reopened)).toBe(before);
    reopened.close();
  });

  it('a credit balance transaction whose grant is nowhere is a problem naming the grant', () => {
    const dir = tempDir();
    const db = join(dir, 'l.sqlite');
    const orphan = creditBalanceTransaction({ id: 'cbtxn_x', created: T0, credit_grant: 'credgr_missing', type: 'debit', kind: 'credits_applied', value: 100 });
    expect(rejected(() => importStripeFiles(db, [write(dir, 'o.json', JSON.stringify([orphan]))], { now: NOW }))).toEqual([
      'o.json#/0: credit_grant: credit grant "credgr_missing" is neither in this import nor in the database: import the credit grants too',
    ]);
    expect(existsSync(db)).toBe(false);
  });
});

describe('Stripe dashboard CSV exports', () => {
  it('unified payments: major units, dashboard statuses as the API says them, metadata columns kept', () => {
    const dir = tempDir();
    const csv = [
      UNIFIED_HEADER,
      'ch_a,Pack 100,2025-01-10 14:03:00,100.00,25.00,usd,Partially Refunded,cus_1,pi_a,0.00,,A-1,web',
      'py_b,,2025-01-11 09:00,5000,0,jpy,Paid,cus_2,,5000,Needs Response,,',
      'ch_c,"Pack, large",2025-01-12 00:00:00,12.50,0.00,eur,Failed,,,,,B-2,',
    ].join('\r\n');
    const db = join(dir, 'l.sqlite');
    const summary = importStripeFiles(db, [write(dir, 'payments.csv', csv)], { now: NOW });
    expect(summary.files).toEqual([{ path: 'payments.csv', format: 'stripe-csv', records: 3 }]);
    const open = openLedgerDb(db, { create: false });
    const [a, b, c] = listPayments(open);
    expect(a).toMatchObject({ sourceId: 'ch_a', kind: 'charge', status: 'succeeded', currency: 'USD', customerId: 'cus_1', paymentIntentId: 'pi_a', chargeId: 'ch_a', metadata: { order_id: 'A-1', channel: 'web' } });
    expect(a!.amount.toFixed()).toBe('100');
    expect(a!.amountRefunded!.toFixed()).toBe('25');
    expect(b).toMatchObject({ sourceId: 'py_b', currency: 'JPY', status: 'succeeded', disputeStatus: 'needs_response', metadata: {} });
    expect(b!.disputedAmount!.toFixed()).toBe('5000');
    expect(c).toMatchObject({ sourceId: 'ch_c', status: 'failed', description: 'Pack, large' });
    expect(c!.at).toBe(Date.UTC(2025, 0, 12));
    expect(JSON.parse(loadPayment(open, 'ch_a')!.raw)).toMatchObject({ id: 'ch_a', 'order_id (metadata)': 'A-1' });
    open.close();
  });

  it('a CSV row after an API object keeps the fields the row does not carry', () => {
    const dir = tempDir();
    const db = join(dir, 'l.sqlite');
    importStripeFiles(db, [write(dir, 'api.json', listPage([charge({ id: 'ch_a', created: 1_736_517_780, amount: 10000, customer: 'cus_1', payment_intent: 'pi_a' })]))], { now: NOW });
    const csv = ['id,Created date (UTC),Amount,Amount Refunded,Currency,Status', 'ch_a,2025-01-10 14:03:00,100.00,100.00,usd,Refunded'].join('\n');
    const summary = importStripeFiles(db, [write(dir, 'later.csv', csv)], { now: NOW + 1 });
    expect(summary.payments.updated).toBe(1);
    const open = openLedgerDb(db, { create: false });
    expect(loadPayment(open, 'ch_a')!.record).toMatchObject({ customerId: 'cus_1', paymentIntentId: 'pi_a', status: 'succeeded' });
    expect(loadPayment(open, 'ch_a')!.record.amountRefunded!.toFixed()).toBe('100');
    open.close();
  });

  it('balance history rows are kept as evidence', () => {
    const dir = tempDir();
    const csv = [
      'id,Type,Source,Amount,Fee,Net,Currency,Created (UTC),Available On (UTC),Description,invoice (metadata)',
      'txn_1,charge,ch_a,100.00,3.20,96.80,usd,2025-01-10 14:03,2025-01-12 00:00,Pack,in_1',
      'txn_2,refund,re_a,-25.00,0.00,-25.00,usd,2025-01-11 10:00,2025-01-11 10:00,,',
    ].join('\n');
    const db = join(dir, 'l.sqlite');
    const summary = importStripeFiles(db, [write(dir, 'balance.csv', csv)], { now: NOW });
    expect(summary.objects.inserted).toBe(2);
    const open = openLedgerDb(db, { create: false });
    expect(listSourceObjects(open, 'stripe', 'balance_history_row').map((o) => o.objectId)).toEqual(['txn_1', 'txn_2']);
    open.close();
  });
});

describe('Stripe files: bad input names file, line and field, and writes nothing', () => {
  const cases: [string, string, string, string[]][] = [
    [
      'a misspelt required column (the unknown one is ignored, the required one is missing)',
      'p.csv',
      `${UNIFIED_HEADER.replace('Status', 'Stauts')}\nch_a,,2025-01-10 14:03:00,1.00,0,usd,Paid,,,,,,`,
      ['p.csv:1: Status: required column of a Stripe unified payments export is missing'],
    ],
    ['missing required column', 'p.csv', 'id,Created (UTC),Amount,Status\nch_a,2025-01-10 14:03,1.00,Paid', ['p.csv:1: Currency: required column of a Stripe unified payments export is missing']],
    [
      'an amount that is not a number',
      'p.csv',
      `id,Created (UTC),Amount,Currency,Status\nch_a,2025-01-10 14:03,1.00,usd,Paid\nch_b,2025-01-10 14:04,"1,50",usd,Paid`,
      ['p.csv:3: Amount: expected a decimal number like "12.50" (no exponent, no thousands separator), found "1,50"'],
    ],
    [
      'a currency the amount cannot have',
      'p.csv',
      'id,Created (UTC),Amount,Currency,Status\nch_a,2025-01-10 14:03,100.50,jpy,Paid',
      ['p.csv:2: Amount: 100.50 JPY has more decimals than Stripe\'s 0-digit minor unit for it: a JPY amount cannot be "100.50"'],
    ],
    [
      'a currency that does not exist',
      'p.csv',
      'id,Created (UTC),Amount,Currency,Status\nch_a,2025-01-10 14:03,1.00,usx,Paid',
      ['p.csv:2: Currency: expected an ISO 4217 currency code like "usd", found "usx"'],
    ],
    [
      'a time without its date',
      'p.csv',
      'id,Created (UTC),Amount,Currency,Status\nch_a,14:03,1.00,usd,Paid',
      ['p.csv:2: Created (UTC): expected an ISO 8601 instant like "2025-01-10T00:00:00Z", found "14:03"'],
    ],
    [
      'a truncated JSON file',
      's.json',
      listPage(objects()).slice(0, 900),
      [expect.stringMatching(/^s\.json:\d+: -: not valid JSON \(line \d+, column \d+\)/) as unknown as string],
    ],
    [
      'a minor-unit amount that is not an integer',
      's.json',
      JSON.stringify([{ ...paymentIntent({ id: 'pi_x', created: T0, amount: 1 }), amount: 10.5 }]),
      ['s.json#/0: amount: expected an integer amount in the currency\'s minor unit (like 1050 for 10.50), found 10.5'],
    ],
    [
      'an object type Ledgerscope does not read',
      's.jsonl',
      '{"object":"plan","id":"plan_1"}\n',
      [expect.stringMatching(/^s\.jsonl:1: object: expected one of "payment_intent", .*found "plan"$/) as unknown as string],
    ],
  ];

  it.each(cases)('%s', (_name, fileName, text, expected) => {
    const dir = tempDir();
    const db = join(dir, 'l.sqlite');
    const problems = rejected(() => importStripeFiles(db, [write(dir, fileName, text)], { now: NOW }));
    expect(problems).toEqual(expected);
    expect(existsSync(db)).toBe(false);
  });

  it('a bad file among good ones writes nothing at all (an existing database is left as it was)', () => {
    const dir = tempDir();
    const db = join(dir, 'l.sqlite');
    importStripeFiles(db, [write(dir, 'a.json', listPage(objects().slice(0, 2)))], { now: NOW });
    const open = openLedgerDb(db, { create: false });
    const before = dumpDb(open);
    open.close();
    const good = write(dir, 'b.json', listPage(objects()));
    const bad = write(dir, 'c.csv', 'id,Created (UTC),Amount,Currency,Status\nch_z,2025-01-10 14:03,abc,usd,Paid');
    expect(rejected(() => importStripeFiles(db, [good, bad], { now: NOW }))).toHaveLength(1);
    const reopened = openLedgerDb(db, { create: false });
    expect(dumpDb(reopened)).toBe(before);
    reopened.close();
  });

  it('detection routes to the Stripe parsers; --source stripe-csv on JSON says what to use', () => {
    expect(parseImportFile('x.json', listPage(objects())).format).toBe('stripe');
    expect(parseImportFile('x.csv', 'id,Created (UTC),Amount,Currency,Status\nch_a,2025-01-10 14:03,1.00,usd,Paid').format).toBe('stripe-csv');
    expect(parseImportFile('x.json', listPage(objects()), { source: 'stripe-csv' }).problems.map(formatProblem)).toEqual([
      'x.json: -: a Stripe dashboard export is CSV; for Stripe API objects (JSON) use --source stripe',
    ]);
  });
});
