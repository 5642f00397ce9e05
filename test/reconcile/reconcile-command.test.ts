// `ledgerscope reconcile` through its command function: DESIGN §7's JSON exactly, and its exit codes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runReconcile } from '../../core/cli/reconcile-command.js';
import { importFiles } from '../../core/import/ledger-files.js';
import { setDefaultStripeMoneyReader, storedStripeMoney } from '../../core/service/reconcile-service.js';
import type { PaymentRecord } from '../../core/payments/types.js';
import { insertPaymentIfNew, openLedgerDb } from '../../core/store/index.js';
import { at, payment } from './fixtures.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) }, now: at(30), out, err };
}

function useStripe(payments: PaymentRecord[]): void {
  setDefaultStripeMoneyReader({ name: 'test', listPayments: () => payments, listStripeCustomers: () => [] });
}

let dir = '';
let db = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ledgerscope-reconcile-cli-'));
  db = join(dir, 'ledger.sqlite');
  const records = [
    { company_id: 'co_A', transaction_id: 'pi_1', type: 'credit', amount: 100, created_at: '2025-03-01T00:00:00Z' },
    { company_id: 'co_A', transaction_id: 'use-1', type: 'debit', amount: -30, created_at: '2025-03-03T00:00:00Z' },
    { company_id: 'co_B', transaction_id: 'tx-9', type: 'credit', amount: 12.5, created_at: '2025-03-04T00:00:00Z', metadata: { payment_intent: 'pi_9' } },
  ];
  importFiles(db, [{ path: 'moesif.jsonl', text: records.map((r) => JSON.stringify(r)).join('\n') + '\n' }], { now: at(10) });
});
afterEach(() => void setDefaultStripeMoneyReader(storedStripeMoney));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ledgerscope reconcile', () => {
  it('everything matched: exit 0, and --json prints exactly DESIGN §7', () => {
    useStripe([payment('pi_1', 'co_A', '100', at(0)), payment('pi_9', 'co_B', '12.5', at(3))]);
    const ctx = capture();
    expect(runReconcile(ctx, { db, json: true })).toBe(0);
    const json = JSON.parse(ctx.out.join(''));
    expect(Object.keys(json)).toEqual(['run_id', 'as_of', 'items', 'accounts']);
    expect(json.run_id).toMatch(/^R\d+-[0-9a-f]{8}$/);
    expect(json.as_of).toBe('2025-03-31T00:00:00.000Z');
    expect(json.items).toEqual([
      { category: 'matched', customer_id: 'co_A', unit: 'USD', payment_ids: ['pi_1'], entry_ids: ['pi_1'], expected: '100', actual: '100', difference: '0', proposal: null },
      { category: 'matched', customer_id: 'co_B', unit: 'USD', payment_ids: ['pi_9'], entry_ids: ['tx-9'], expected: '12.5', actual: '12.5', difference: '0', proposal: null },
    ]);
    expect(json.accounts).toEqual([
      { customer_id: 'co_A', subscription_id: null, unit: 'USD', expected: '100', actual: '100', difference: '0' },
      { customer_id: 'co_B', subscription_id: null, unit: 'USD', expected: '12.5', actual: '12.5', difference: '0' },
    ]);
  });

  it('differences: exit 1; each item has its proposal body; --as-of decides what counts', () => {
    useStripe([payment('pi_1', 'co_A', '100', at(0)), payment('pi_2', 'co_A', '40', at(20))]);
    const ctx = capture();
    expect(runReconcile(ctx, { db, asOf: '2025-03-25T00:00:00Z', json: true })).toBe(1);
    const json = JSON.parse(ctx.out.join(''));
    expect(json.items.map((i: { category: string; payment_ids: string[]; entry_ids: string[] }) => [i.category, i.payment_ids, i.entry_ids])).toEqual([
      ['matched', ['pi_1'], ['pi_1']],
      ['missing_in_ledger', ['pi_2'], []],
      ['missing_in_stripe', [], ['tx-9']],
    ]);
    const missing = json.items[1];
    expect(missing.proposal).toEqual({ company_id: 'co_A', transaction_id: missing.proposal.transaction_id, type: 'credit', amount: '40', description: `Ledgerscope ${json.run_id}: missing_in_ledger pi_2` });
    expect(json.accounts.map((a: { difference: string }) => a.difference)).toEqual(['-40', '12.5']);
    const earlier = capture();
    expect(runReconcile(earlier, { db, asOf: '2025-03-10', json: true })).toBe(1);
    expect(JSON.parse(earlier.out.join('')).items.map((i: { category: string }) => i.category)).toEqual(['matched', 'missing_in_stripe']);
  });

  it('the text report lists the differences and the drifting accounts', () => {
    useStripe([payment('pi_1', 'co_A', '100', at(0))]);
    const ctx = capture();
    expect(runReconcile(ctx, { db, json: false })).toBe(1);
    const text = ctx.out.join('');
    expect(text).toMatch(/^reconciliation R\d+-[0-9a-f]{8} as of 2025-03-31T00:00:00.000Z: 2 items/);
    expect(text).toContain('missing_in_stripe');
    expect(text).toContain('balance drift (1 account)');
    expect(text).toContain('1 difference to balance');
  });

  it('by default a run reads the Stripe money the import and sync stored', () => {
    const path = join(dir, 'stored.sqlite');
    const records = [{ company_id: 'co_A', transaction_id: 'tx-1', type: 'credit', amount: 25, created_at: '2025-03-01T00:00:00Z', metadata: { checkout: 'cs_1' } }];
    importFiles(path, [{ path: 'moesif.jsonl', text: records.map((r) => JSON.stringify(r)).join('\n') + '\n' }], { now: at(10) });
    const db = openLedgerDb(path, { create: false });
    const stored = [
      payment('pi_1', 'co_A', '25', at(0)),
      payment('cs_1', 'co_A', '25', at(0), { kind: 'checkout_session', status: 'complete', paymentIntentId: 'pi_1' }),
    ];
    for (const record of stored) insertPaymentIfNew(db, { record, raw: '{}', origin: { file: 'stripe.json', line: null, pointer: null }, observedAt: null }, at(10));
    db.close();
    const ctx = capture();
    expect(runReconcile(ctx, { db: path, json: true })).toBe(0);
    expect(JSON.parse(ctx.out.join('')).items).toEqual([
      { category: 'matched', customer_id: 'co_A', unit: 'USD', payment_ids: ['pi_1', 'cs_1'], entry_ids: ['tx-1'], expected: '25', actual: '25', difference: '0', proposal: null },
    ]);
  });

  it('bad input: exit 2 with one line per problem on stderr', () => {
    const badInstant = capture();
    expect(runReconcile(badInstant, { db, asOf: '2025-03-10T00:00:00', json: true })).toBe(2);
    expect(badInstant.err.join('')).toMatch(/^--as-of: a date-time needs a zone/);
    expect(badInstant.out).toEqual([]);
    const missing = capture();
    expect(runReconcile(missing, { db: join(dir, 'nope.sqlite'), json: true })).toBe(2);
    expect(missing.err.join('')).toMatch(/no such ledger database/);
  });
});
