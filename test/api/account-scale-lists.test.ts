// Lists of many accounts (issue 14, "one format everywhere, with the account's scale"): accounts.list rows,
// customer.timeline's accounts and report.liability's accounts each carry their account's scale, the same
// number account.get gives, so a list pads an account's amounts as the account's own screen does.
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { amountScale } from '../../core/api/schemas.js';
import { AppService } from '../../core/service/app-service.js';
import { importFiles } from '../../core/import/ledger-files.js';
import { accountScale, accountScales, openLedgerDb } from '../../core/store/index.js';
import { moesifJsonl, NOW, tempDir } from './fixtures.js';

const CREDITS: Record<string, string>[] = [
  { company_id: 'cus_K', transaction_id: 'k-1', type: 'credit', amount: '100', created_at: '2025-01-01T00:00:00Z' },
  { company_id: 'cus_K', transaction_id: 'k-2', type: 'debit', amount: '-2.5', created_at: '2025-01-02T00:00:00Z' },
  { company_id: 'cus_K', transaction_id: 'k-3', type: 'debit', amount: '-0.125', created_at: '2025-01-03T00:00:00Z' },
  { company_id: 'cus_K', subscription_id: 'sub_1', transaction_id: 'ks-1', type: 'credit', amount: '3.25', created_at: '2025-01-04T00:00:00Z' },
  { company_id: 'cus_L', transaction_id: 'l-1', type: 'credit', amount: '7', created_at: '2025-01-01T00:00:00Z' },
  { company_id: 'cus_M', transaction_id: 'm-1', type: 'credit', amount: '1.5', created_at: '2025-01-01T00:00:00Z' },
];
const DOLLARS: Record<string, string>[] = [{ company_id: 'cus_K', transaction_id: 'ku-1', type: 'credit', amount: '10', created_at: '2025-01-05T00:00:00Z' }];

/** customer / subscription / unit → the scale each list must say. */
const EXPECTED: Record<string, number> = {
  'cus_K//credits': 3,
  'cus_K/sub_1/credits': 2,
  'cus_K//USD': 0,
  'cus_L//credits': 0,
  'cus_M//credits': 1,
};

function ledger(): { dbPath: string; service: AppService } {
  const dbPath = join(tempDir(), 'ledger.sqlite');
  importFiles(dbPath, [{ path: 'credits.jsonl', text: moesifJsonl(CREDITS) }], { now: NOW, unit: 'credits' });
  importFiles(dbPath, [{ path: 'usd.jsonl', text: moesifJsonl(DOLLARS) }], { now: NOW, unit: 'USD' });
  return { dbPath, service: new AppService({ dbPath, clock: () => NOW }) };
}

const label = (row: { customer_id: string; subscription_id: string | null; unit: string }): string => `${row.customer_id}/${row.subscription_id ?? ''}/${row.unit}`;

describe('lists carry each account\'s scale, as account.get gives it', () => {
  it('accounts.list: every row has its own account\'s scale, on every page and sort, valid by the contract\'s schema', () => {
    const { service } = ledger();
    const all = service.accountsList({ offset: 0, limit: 50 }).rows;
    expect(Object.fromEntries(all.map((row) => [label(row), row.scale]))).toEqual(EXPECTED);
    for (const row of all) {
      expect(amountScale.safeParse(row.scale).success).toBe(true);
      expect(row.scale).toBe(service.accountGet({ account: row }).scale);
    }
    // Pages of two, sorted by available: the same scale follows each account.
    const sorted = [0, 2, 4].flatMap((offset) => service.accountsList({ offset, limit: 2, sort: { key: 'available', direction: 'desc' } }).rows);
    expect(sorted).toHaveLength(5);
    for (const row of sorted) expect(row.scale).toBe(EXPECTED[label(row)]);
    // The totals per unit: the most of the listed rows' scales in the unit (the rows they sit above).
    expect(Object.fromEntries(service.accountsList({ offset: 0, limit: 50 }).totals.map((t) => [t.unit, t.scale]))).toEqual({ USD: 0, credits: 3 });
    expect(service.accountsList({ offset: 0, limit: 50, search: 'cus_M' }).totals.map((t) => [t.unit, t.scale])).toEqual([['credits', 1]]);
    service.close();
  });

  it('customer.timeline: each account of the customer has its scale; report.liability: each account its own, each unit the most of its accounts\'', () => {
    const { service } = ledger();
    const timeline = service.customerTimeline({ customer_id: 'cus_K', offset: 0, limit: 50 });
    expect(Object.fromEntries(timeline.accounts.map((account) => [label(account), account.scale]))).toEqual({
      'cus_K//credits': 3,
      'cus_K/sub_1/credits': 2,
      'cus_K//USD': 0,
    });

    const liability = service.reportLiability({ from: '2025-01-01', to: '2025-02-01' });
    expect(Object.fromEntries(liability.accounts.map((account) => [label(account), account.scale]))).toEqual(EXPECTED);
    expect(Object.fromEntries(liability.totals.map((total) => [total.unit, total.scale]))).toEqual({ credits: 3, USD: 0 });
    service.close();
  });

  it('follows an import: a more precise amount raises the listed scale', () => {
    const { dbPath, service } = ledger();
    expect(service.accountsList({ offset: 0, limit: 50, search: 'cus_L' }).rows.map((row) => row.scale)).toEqual([0]);
    importFiles(dbPath, [{ path: 'more.jsonl', text: moesifJsonl([{ company_id: 'cus_L', transaction_id: 'l-2', type: 'debit', amount: '-0.0001', created_at: '2025-01-06T00:00:00Z' }]) }], {
      now: NOW,
      unit: 'credits',
    });
    expect(service.accountsList({ offset: 0, limit: 50, search: 'cus_L' }).rows.map((row) => row.scale)).toEqual([4]);
    expect(service.customerTimeline({ customer_id: 'cus_L', offset: 0, limit: 50 }).accounts.map((account) => account.scale)).toEqual([4]);
    service.close();
  });
});

describe('accountScales (one query for a list) agrees with accountScale (one account)', () => {
  it('for random stated amounts: each is the most digits after the point among the account\'s amounts; 0 for an unknown account', () => {
    const digits = fc.stringMatching(/^\d{0,6}$/).map((text) => text.replace(/0+$/, ''));
    const amount = fc.tuple(fc.integer({ min: 1, max: 99_999 }), digits).map(([whole, fraction]) => (fraction === '' ? String(whole) : `${whole}.${fraction}`));
    fc.assert(
      fc.property(fc.array(fc.array(amount, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }), (accounts) => {
        const dbPath = join(tempDir(), 'ledger.sqlite');
        const lines = accounts.flatMap((amounts, a) =>
          amounts.map((value, i) => ({ company_id: `cus_${a}`, transaction_id: `t-${a}-${i}`, type: 'credit', amount: value, created_at: `2025-01-0${1 + (i % 9)}T00:00:00Z` })),
        );
        importFiles(dbPath, [{ path: 'random.jsonl', text: moesifJsonl(lines) }], { now: NOW, unit: 'credits' });
        const db = openLedgerDb(dbPath, { create: false, readOnly: true });
        try {
          const keys = [...accounts.map((_, a) => ({ customerId: `cus_${a}`, subscriptionId: null, unit: 'credits' })), { customerId: 'nobody', subscriptionId: null, unit: 'credits' }];
          const expected = [...accounts.map((amounts) => Math.max(...amounts.map((value) => (value.split('.')[1] ?? '').length))), 0];
          expect(accountScales(db, keys)).toEqual(expected);
          expect(keys.map((key) => accountScale(db, key))).toEqual(expected);
        } finally {
          db.close();
        }
      }),
      { numRuns: 12 },
    );
  });
});
