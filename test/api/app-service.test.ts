import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../core/api/errors.js';
import { AppService } from '../../core/service/app-service.js';
import { importAnyFiles } from '../../core/import/index.js';
import { importFiles } from '../../core/import/ledger-files.js';
import { charge, customer, paymentIntent, refund } from '../wire/stripe-objects.js';
import { moesifJsonl, NOW, seededDb, tempDir } from './fixtures.js';

function service(dbPath: string, now = NOW): AppService {
  return new AppService({ dbPath, clock: () => now });
}

const page = { offset: 0, limit: 50 };
const accountA = { customer_id: 'cus_A', subscription_id: null, unit: 'USD' };

describe('accounts.list (every account at an instant, searched, sorted, filtered, paged by the service)', () => {
  it('lists every account with balances, next expiry and amount expiring', () => {
    const { dbPath } = seededDb();
    const result = service(dbPath).accountsList(page);
    expect(result.as_of).toBe('2025-03-01T00:00:00.000Z');
    expect(result.total_accounts).toBe(3);
    expect(result.rows.map((row) => [row.customer_id, row.subscription_id, row.current, row.pending, row.available, row.deficit])).toEqual([
      ['cus_A', null, '100', '0', '100', '0'],
      ['cus_B', null, '-30', '0', '-30', '30'],
      ['cus_C', 'sub_1', '10', '-4', '6', '0'],
    ]);
    expect(result.rows[0]).toMatchObject({ next_expiry_at: '2025-06-01T00:00:00.000Z', amount_expiring: '100', entry_count: 4 });
  });

  it('L9: answers as the ledger stood at as_of', () => {
    const { dbPath } = seededDb();
    const result = service(dbPath).accountsList({ ...page, as_of: '2025-01-06T00:00:00Z' });
    // cus_A before its debit: 100 + 20; its promotion expires first.
    expect(result.rows[0]).toMatchObject({ customer_id: 'cus_A', current: '120', next_expiry_at: '2025-02-01T00:00:00.000Z', amount_expiring: '20' });
    // Before 2025-01-02 only cus_A existed.
    expect(service(dbPath).accountsList({ ...page, as_of: '2025-01-01' }).total_accounts).toBe(1);
  });

  it('searches, filters (deficit, low balance, expiring within N days) and sorts by amount exactly', () => {
    const { dbPath } = seededDb();
    const s = service(dbPath);
    expect(s.accountsList({ ...page, search: 'SUB_' }).rows.map((r) => r.customer_id)).toEqual(['cus_C']);
    expect(s.accountsList({ ...page, filter: { in_deficit: true } }).rows.map((r) => r.customer_id)).toEqual(['cus_B']);
    expect(s.accountsList({ ...page, filter: { low_balance_below: '6.01' } }).rows.map((r) => r.customer_id)).toEqual(['cus_B', 'cus_C']);
    expect(s.accountsList({ ...page, filter: { low_balance_below: '6' } }).rows.map((r) => r.customer_id)).toEqual(['cus_B']);
    expect(s.accountsList({ ...page, filter: { expiring_within_days: 91 } }).total).toBe(0);
    expect(s.accountsList({ ...page, filter: { expiring_within_days: 92 } }).rows.map((r) => r.customer_id)).toEqual(['cus_A']);
    const byAvailable = s.accountsList({ ...page, sort: { key: 'available', direction: 'desc' } });
    expect(byAvailable.rows.map((r) => r.available)).toEqual(['100', '6', '-30']);
    const second = s.accountsList({ offset: 1, limit: 1, sort: { key: 'available', direction: 'asc' } });
    expect(second).toMatchObject({ total: 3, offset: 1, rows: [{ customer_id: 'cus_C' }] });
  });

  it('reuses one replay for every instant until the ledger can next change, and notices an import', () => {
    const { dbPath } = seededDb();
    let now = NOW;
    const s = new AppService({ dbPath, clock: () => now });
    expect(s.accountsList(page).rows[0]!.current).toBe('100');
    now += 60_000;
    expect(s.accountsList(page).as_of).toBe(new Date(now).toISOString());
    importFiles(dbPath, [{ path: 'more.jsonl', text: moesifJsonl([{ company_id: 'cus_A', transaction_id: 'a-2', type: 'credit', amount: '5', created_at: '2025-02-20T00:00:00Z' }]) }], { now });
    expect(s.accountsList(page).rows[0]!.current).toBe('105');
  });

  it('has no accounts before the first import', () => {
    const dir = tempDir();
    const s = service(join(dir, 'missing.sqlite'));
    expect(s.accountsList(page)).toMatchObject({ total_accounts: 0, rows: [] });
    expect(s.databaseInfo()).toEqual({ name: 'missing.sqlite', path: join(dir, 'missing.sqlite'), exists: false, entry_count: 0, account_count: 0 });
  });
});

describe('account.get, entries.list, entries.evidence', () => {
  it('gives blocks and balances at as_of', () => {
    const { dbPath } = seededDb();
    const detail = service(dbPath).accountGet({ account: accountA });
    expect(detail.account).toMatchObject({ current: '100', deficit: '0' });
    expect(detail.blocks.map((b) => [b.id, b.remaining, b.status])).toEqual([
      ['a-credit', '100', 'active'],
      ['a-promo', '0', 'expired'],
    ]);
    expect(detail.entry_count).toBe(4); // three imported and the generated expiry
    const before = service(dbPath).accountGet({ account: accountA, as_of: '2025-01-07T00:00:00Z' });
    expect(before.blocks.map((b) => [b.id, b.remaining, b.status])).toEqual([
      ['a-credit', '100', 'active'],
      ['a-promo', '20', 'active'],
    ]);
  });

  it('pages entries newest first by default, filters by kind and status, and chains balances (L8)', () => {
    const { dbPath } = seededDb();
    const s = service(dbPath);
    const all = s.entriesList({ account: accountA, offset: 0, limit: 10 });
    expect(all.total).toBe(4);
    expect(all.rows.map((r) => [r.ledger_sequence_number, r.kind, r.starting_balance, r.ending_balance])).toEqual([
      [4, 'expiry', '110', '100'],
      [3, 'decrement', '120', '110'],
      [2, 'increment', '100', '120'],
      [1, 'increment', '0', '100'],
    ]);
    const increments = s.entriesList({ account: accountA, offset: 0, limit: 10, kinds: ['increment'], order: 'asc' });
    expect(increments.rows.map((r) => r.id)).toEqual(['a-credit', 'a-promo']);
    expect(increments.total_unfiltered).toBe(4);
    const pending = s.entriesList({ account: { customer_id: 'cus_C', subscription_id: 'sub_1', unit: 'USD' }, offset: 0, limit: 10, statuses: ['pending'] });
    expect(pending.rows.map((r) => r.id)).toEqual(['c-debit']);
    const page2 = s.entriesList({ account: accountA, offset: 3, limit: 2 });
    expect(page2.rows.map((r) => r.id)).toEqual(['a-credit']);
  });

  it('returns the raw record, and says why a generated expiry has none', () => {
    const { dbPath } = seededDb();
    const s = service(dbPath);
    const evidence = s.entriesEvidence({ source: 'moesif', id: 'a-debit' });
    expect(evidence).toMatchObject({ source: 'moesif', id: 'a-debit', file: 'ledger.jsonl', line: 3 });
    expect(JSON.parse(evidence.raw)).toMatchObject({ transaction_id: 'a-debit', amount: -10 });
    expect(() => s.entriesEvidence({ source: 'ledgerscope', id: 'x' })).toThrow(ApiError);
    expect(() => s.entriesEvidence({ source: 'moesif', id: 'nope' })).toThrow(/no moesif entry/);
  });

  it('refuses an unknown account and a bad instant as values the user can act on', () => {
    const { dbPath } = seededDb();
    const s = service(dbPath);
    expect(() => s.accountGet({ account: { ...accountA, unit: 'EUR' } })).toThrow(/no account for customer "cus_A"/);
    expect(() => s.accountGet({ account: accountA, as_of: '2025-02-30' })).toThrow(/as_of: not a calendar date/);
  });
});

describe('timeline.get and customer.timeline (series computed by core)', () => {
  it('gives the balance steps, purchases, expiries and upcoming expirations after as_of', () => {
    const { dbPath } = seededDb();
    const timeline = service(dbPath).timelineGet({ account: accountA });
    expect(timeline.series.map((p) => [p.at, p.balance])).toEqual([
      ['2025-01-01T00:00:00.000Z', '100'],
      ['2025-01-05T00:00:00.000Z', '120'],
      ['2025-01-10T00:00:00.000Z', '110'],
      ['2025-02-01T00:00:00.000Z', '100'],
    ]);
    expect(timeline.purchases.map((m) => [m.block_id, m.amount])).toEqual([['a-credit', '100'], ['a-promo', '20']]);
    expect(timeline.expiries.map((m) => [m.at, m.amount, m.balance])).toEqual([['2025-02-01T00:00:00.000Z', '10', '100']]);
    expect(timeline.upcoming.map((m) => [m.at, m.amount, m.block_id])).toEqual([['2025-06-01T00:00:00.000Z', '100', 'a-credit']]);
    expect(timeline.projected.map((p) => [p.at, p.balance])).toEqual([
      ['2025-03-01T00:00:00.000Z', '100'],
      ['2025-06-01T00:00:00.000Z', '0'],
    ]);
  });

  it('thins a long series but keeps every extreme', () => {
    const dir = tempDir();
    const dbPath = join(dir, 'long.sqlite');
    const lines = [{ company_id: 'cus_L', transaction_id: 'l-0', type: 'credit', amount: '100000', created_at: '2024-01-01T00:00:00Z' }];
    for (let i = 1; i <= 2000; i++) {
      const at = new Date(Date.parse('2024-01-01T00:00:00Z') + i * 60_000).toISOString();
      // One credit spike among the debits: the highest balance of the series.
      lines.push(i === 1234
        ? { company_id: 'cus_L', transaction_id: `l-${i}`, type: 'credit', amount: '5000', created_at: at }
        : { company_id: 'cus_L', transaction_id: `l-${i}`, type: 'debit', amount: '-1', created_at: at });
    }
    importFiles(dbPath, [{ path: 'long.jsonl', text: moesifJsonl(lines) }], { now: NOW });
    const timeline = service(dbPath).timelineGet({ account: { customer_id: 'cus_L', subscription_id: null, unit: 'USD' }, max_points: 100 });
    expect(timeline.thinned).toBe(true);
    expect(timeline.series.length).toBeLessThanOrEqual(100);
    expect(timeline.series[0]!.balance).toBe('100000');
    expect(timeline.series[timeline.series.length - 1]!.balance).toBe('103001');
    // The peak right after the spike survives thinning.
    expect(timeline.series.some((p) => p.balance === '103767')).toBe(true);
  });

  it('merges a customer\'s accounts on one time axis with the balance after each entry', () => {
    const dir = tempDir();
    const dbPath = join(dir, 'two.sqlite');
    importFiles(dbPath, [{
      path: 'two.jsonl',
      text: moesifJsonl([
        { company_id: 'cus_T', transaction_id: 't1', type: 'credit', amount: '10', created_at: '2025-01-01T00:00:00Z' },
        { company_id: 'cus_T', transaction_id: 't2', type: 'credit', amount: '7', created_at: '2025-01-02T00:00:00Z', currency: 'EUR' },
        { company_id: 'cus_T', transaction_id: 't3', type: 'debit', amount: '-3', created_at: '2025-01-03T00:00:00Z' },
      ]),
    }], { now: NOW });
    const timeline = service(dbPath).customerTimeline({ customer_id: 'cus_T', offset: 0, limit: 10 });
    expect(timeline.total).toBe(3);
    expect(timeline.items.map((item) => item.type === 'ledger_entry' && [item.entry.id, item.account.unit, item.balance_after])).toEqual([
      ['t1', 'USD', '10'],
      ['t2', 'EUR', '7'],
      ['t3', 'USD', '7'],
    ]);
    expect(timeline.accounts.map((a) => [a.unit, a.current])).toEqual([['EUR', '7'], ['USD', '7']]);
    expect(() => service(dbPath).customerTimeline({ customer_id: 'nobody', offset: 0, limit: 10 })).toThrow(/nobody/);
  });
});

describe('customer.timeline with Stripe money', () => {
  it('shows each linked payment once, its refund, and the balance of the account in that currency then', () => {
    const dbPath = join(tempDir(), 'money.sqlite');
    importFiles(dbPath, [{
      path: 'ledger.jsonl',
      text: moesifJsonl([
        { company_id: 'cus_T', transaction_id: 't1', type: 'credit', amount: '10', created_at: '2025-01-01T00:10:00Z' },
        { company_id: 'cus_T', transaction_id: 't2', type: 'credit', amount: '7', created_at: '2025-01-02T00:10:00Z', currency: 'EUR' },
        { company_id: 'cus_T', transaction_id: 't3', type: 'debit', amount: '-3', created_at: '2025-01-03T00:00:00Z' },
      ]),
    }], { now: NOW });
    const at = (iso: string): number => Date.parse(iso) / 1000;
    const objects = [
      // One payment as two objects (the intent and its charge): shown once, as the intent.
      paymentIntent({ id: 'pi_T1', created: at('2025-01-01T00:00:00Z'), amount: 1000, customer: 'cus_T', latest_charge: 'ch_T1' }),
      charge({ id: 'ch_T1', created: at('2025-01-01T00:00:01Z'), amount: 1000, customer: 'cus_T', payment_intent: 'pi_T1' }),
      // A refund names only its charge: it is the customer's through the payment.
      refund({ id: 're_T1', created: at('2025-01-02T12:00:00Z'), amount: 250, charge: 'ch_T1', payment_intent: 'pi_T1', status: 'succeeded' }),
      // Another Stripe customer whose metadata names cus_T (DESIGN §6 rule 2), in EUR.
      customer({ id: 'cus_stripe_T', created: at('2024-12-01T00:00:00Z'), metadata: { ledger_customer: 'cus_T' } }),
      paymentIntent({ id: 'pi_T2', created: at('2025-01-02T00:00:00Z'), amount: 700, currency: 'eur', customer: 'cus_stripe_T' }),
      // Someone else's money, and money after as_of: not shown.
      paymentIntent({ id: 'pi_X', created: at('2025-01-01T06:00:00Z'), amount: 500, customer: 'cus_X' }),
      paymentIntent({ id: 'pi_T_late', created: at('2025-04-01T00:00:00Z'), amount: 900, customer: 'cus_T' }),
    ];
    importAnyFiles(dbPath, [{ path: 'stripe.jsonl', text: objects.map((o) => JSON.stringify(o)).join('\n') }], { now: NOW });
    const timeline = service(dbPath).customerTimeline({ customer_id: 'cus_T', offset: 0, limit: 20 });
    const rows = timeline.items.map((item) =>
      item.type === 'ledger_entry'
        ? ['entry', item.entry.id, item.account.unit, item.balance_after]
        : [item.type, item.id, item.amount, item.currency, item.status, item.account?.unit ?? null, item.balance_after],
    );
    expect(rows).toEqual([
      ['payment', 'pi_T1', '10', 'USD', 'succeeded', 'USD', '0'],
      ['entry', 't1', 'USD', '10'],
      ['payment', 'pi_T2', '7', 'EUR', 'succeeded', 'EUR', '0'],
      ['entry', 't2', 'EUR', '7'],
      ['refund', 're_T1', '2.5', 'USD', 'succeeded', 'USD', '10'],
      ['entry', 't3', 'USD', '7'],
    ]);
    expect(timeline.total).toBe(6);
    // Paging reads the same merged order.
    const second = service(dbPath).customerTimeline({ customer_id: 'cus_T', offset: 4, limit: 2 });
    expect(second.items.map((item) => (item.type === 'ledger_entry' ? item.entry.id : item.id))).toEqual(['re_T1', 't3']);
  });
});

describe('export.balances', () => {
  it('writes every account at as_of as RFC 4180 CSV with decimal strings', () => {
    const { dbPath } = seededDb();
    const file = service(dbPath).exportBalances({ format: 'csv' });
    expect(file.file_name).toBe('ledger-balances-2025-03-01T00-00-00-000Z.csv');
    expect(file.text.split('\r\n')).toEqual([
      'customer_id,subscription_id,unit,current,pending,available,deficit,next_expiry_at,amount_expiring,scheduled,as_of',
      'cus_A,,USD,100,0,100,0,2025-06-01T00:00:00.000Z,100,0,2025-03-01T00:00:00.000Z',
      'cus_B,,USD,-30,0,-30,30,,0,0,2025-03-01T00:00:00.000Z',
      'cus_C,sub_1,USD,10,-4,6,0,,0,0,2025-03-01T00:00:00.000Z',
      '',
    ]);
  });
});
