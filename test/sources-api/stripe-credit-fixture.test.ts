// Stripe credit grants and credit balance transactions in the shapes of Stripe's own OpenAPI fixtures
// (test/fixtures/stripe/credit-ledger.jsonl, built from /work/shared/data/stripe/fixtures3.json): each debit
// draws from the grant it names (L1b), and the balances are the ones written by hand from the transactions'
// own amounts (see test/fixtures/stripe/README.md).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AppService } from '../../core/service/app-service.js';
import { importAnyFiles } from '../../core/import/index.js';
import { listSourceObjects, openLedgerDb } from '../../core/store/index.js';
import { tempDir } from '../api/fixtures.js';

const text = readFileSync(join(import.meta.dirname, '../fixtures/stripe/credit-ledger.jsonl'), 'utf8');
const NOW = Date.UTC(2025, 2, 1);
const REF = { customer_id: 'cus_stripe_l1b', subscription_id: null, unit: 'USD' };

describe('Stripe credit balance transactions from Stripe\'s fixture shapes', () => {
  it('L1b each debit draws from the grant it names; the balances are the transactions\' own amounts', () => {
    const dbPath = join(tempDir(), 'ledger.sqlite');
    const summary = importAnyFiles(dbPath, [{ path: 'credit-ledger.jsonl', text }], { now: NOW });
    expect(summary.warnings).toEqual([]);
    const detail = new AppService({ dbPath, clock: () => NOW }).accountGet({ account: REF });
    const blocks = new Map(detail.blocks.map((block) => [block.id, block]));
    expect(blocks.get('credgr_paid')).toMatchObject({ initial: '100', consumed: '15', remaining: '85' });
    expect(blocks.get('credgr_promo')).toMatchObject({ initial: '20', consumed: '5', expired: '15', remaining: '0', status: 'expired' });
    expect(detail.account).toMatchObject({ current: '85', deficit: '0', scheduled: '0' });
  });
});

describe('Stripe credit balance transactions: a named grant that cannot cover its debit', () => {
  it('L1b the import says so (the rest is drawn by L1), and the entry evidence keeps the warning', () => {
    const dbPath = join(tempDir(), 'ledger.sqlite');
    // The promotional grant holds 20.00; a debit of 25.00 names it.
    const lines = text.trim().split('\n').slice(0, 2);
    const debit = JSON.parse(text.trim().split('\n')[3]!) as Record<string, unknown> & { debit: { amount: { monetary: { value: number } } } };
    debit.debit.amount.monetary.value = 2500;
    const summary = importAnyFiles(dbPath, [{ path: 'short.jsonl', text: [...lines, JSON.stringify(debit)].join('\n') + '\n' }], { now: NOW });
    const expected = 'decrement cbtxn_applied_2 of 25 names block credgr_promo, which held only 20; the other 5 was drawn from the other blocks in deduction order, and what they could not cover became deficit';
    expect(summary.warnings).toEqual([`short.jsonl:3: ${expected}`]);
    const s = new AppService({ dbPath, clock: () => NOW });
    expect(s.entriesEvidence({ source: 'stripe', id: 'cbtxn_applied_2' }).allocation_warning).toBe(expected);
    expect(s.accountGet({ account: REF }).account.current).toBe('95');
  });
});

describe('Stripe credits_expired: the expiry takes the amount it states', () => {
  // The fixture's promotional grant holds 20.00, 5.00 is applied from it, and it expires on 2025-01-31.
  const withExpired = (value: number): string => {
    const lines = text.trim().split('\n');
    const expired = JSON.parse(lines[4]!) as { debit: { amount: { monetary: { value: number } } } };
    expired.debit.amount.monetary.value = value;
    return [...lines.slice(0, 4), JSON.stringify(expired)].join('\n') + '\n';
  };

  it('a stated expiry below what the grant held removes only the stated amount; the rest expires beside it, with a warning', () => {
    const dbPath = join(tempDir(), 'ledger.sqlite');
    const summary = importAnyFiles(dbPath, [{ path: 'expired.jsonl', text: withExpired(1000) }], { now: NOW });
    const expected = 'expiry cbtxn_expired states that 10 of block credgr_promo expired, but the block held 15; the other 5 expired with it';
    expect(summary.warnings).toEqual([`expired.jsonl:5: ${expected}`]);
    const s = new AppService({ dbPath, clock: () => NOW });
    expect(s.entriesEvidence({ source: 'stripe', id: 'cbtxn_expired' }).allocation_warning).toBe(expected);
    const detail = s.accountGet({ account: REF });
    expect(detail.blocks.find((block) => block.id === 'credgr_promo')).toMatchObject({ expired: '15', remaining: '0', status: 'expired' });
    expect(detail.account).toMatchObject({ current: '85', deficit: '0' });
    // The ledger: 100 + 20 − 15 − 5 = 100, then the stated 10 (→ 90), then the engine's 5 (→ 85).
    const rows = s.entriesList({ account: REF, order: 'asc', offset: 0, limit: 10 }).rows.map((row) => [row.kind, row.applied_amount, row.ending_balance]);
    expect(rows.slice(-2)).toEqual([['expiry', '10', '90'], ['expiry', '5', '85']]);
  });

  it('a stated expiry above what the grant held removes what it held, never more, with a warning', () => {
    const dbPath = join(tempDir(), 'ledger.sqlite');
    const summary = importAnyFiles(dbPath, [{ path: 'expired.jsonl', text: withExpired(2000) }], { now: NOW });
    expect(summary.warnings).toEqual([
      'expired.jsonl:5: expiry cbtxn_expired states that 20 of block credgr_promo expired, but the block held only 15; 15 expired',
    ]);
    const detail = new AppService({ dbPath, clock: () => NOW }).accountGet({ account: REF });
    expect(detail.blocks.find((block) => block.id === 'credgr_promo')).toMatchObject({ expired: '15', remaining: '0' });
    expect(detail.account).toMatchObject({ current: '85', deficit: '0' });
  });
});

describe('Stripe credit balance summaries: a disagreement with the source is never silent', () => {
  const summaryText = readFileSync(join(import.meta.dirname, '../fixtures/stripe/credit-balance-summary.json'), 'utf8');
  const summaryWithLedger = (value: number): string => {
    const summary = JSON.parse(summaryText) as { balances: { ledger_balance: { monetary: { value: number } } }[] };
    summary.balances[0]!.ledger_balance.monetary.value = value;
    return JSON.stringify(summary);
  };
  const page = { offset: 0, limit: 50 };

  it('a summary whose ledger balance is the replay\'s current balance agrees: no warning, no disagreement, kept as evidence', () => {
    const dbPath = join(tempDir(), 'ledger.sqlite');
    const summary = importAnyFiles(dbPath, [{ path: 'credit-ledger.jsonl', text }, { path: 'summary.json', text: summaryText }], { now: NOW });
    expect(summary.warnings).toEqual([]);
    const s = new AppService({ dbPath, clock: () => NOW });
    expect(s.accountGet({ account: REF }).source_disagreement ?? null).toBeNull();
    expect(s.accountsList({ ...page, filter: { disagrees_with_source: true } }).rows).toEqual([]);
    const db = openLedgerDb(dbPath, { create: false, now: NOW });
    try {
      expect(listSourceObjects(db, 'stripe', 'billing.credit_balance_summary').map((object) => [object.objectId, object.raw])).toEqual([['cus_stripe_l1b', summaryText.trim()]]);
    } finally {
      db.close();
    }
  });

  it('a summary stating another balance is an import warning and the account\'s disagreement with its source, both numbers kept', () => {
    const dbPath = join(tempDir(), 'ledger.sqlite');
    importAnyFiles(dbPath, [{ path: 'credit-ledger.jsonl', text }], { now: NOW });
    // Stripe states 90.00; the ledger leaves 100 + 20 − 15 − 5 − 15 = 85.
    const summary = importAnyFiles(dbPath, [{ path: 'summary.json', text: summaryWithLedger(9000) }], { now: NOW });
    expect(summary.warnings).toEqual([
      'summary.json:1: customer cus_stripe_l1b (USD) disagrees with its source: Stripe\'s credit balance summary states a balance of 90, ' +
        'the replay gives 85 as of 2025-03-01T00:00:00.000Z (difference 5)',
    ]);
    const s = new AppService({ dbPath, clock: () => NOW });
    const expected = { entry_id: 'cbtxn_expired', source: 'stripe', ledger_sequence_number: 5, created_at: '2025-01-31T00:00:00.000Z', stated: '90', replayed: '85' };
    expect(s.accountGet({ account: REF }).source_disagreement).toEqual(expected);
    const filtered = s.accountsList({ ...page, filter: { disagrees_with_source: true } });
    expect(filtered.rows.map((row) => [row.customer_id, row.source_disagreement])).toEqual([['cus_stripe_l1b', expected]]);

    // A later summary that agrees replaces the disagreement with none.
    expect(importAnyFiles(dbPath, [{ path: 'summary.json', text: summaryText }], { now: NOW }).warnings).toEqual([]);
    expect(new AppService({ dbPath, clock: () => NOW }).accountGet({ account: REF }).source_disagreement ?? null).toBeNull();
  });

  it('a summary stating a balance for a customer without credit grants is an import warning', () => {
    const dbPath = join(tempDir(), 'ledger.sqlite');
    const summary = importAnyFiles(dbPath, [{ path: 'summary.json', text: summaryText }], { now: NOW });
    expect(summary.warnings).toEqual([
      'summary.json:1: Stripe\'s credit balance summary states a balance of 85 for customer cus_stripe_l1b (USD), which has no credit grants here',
    ]);
  });

  it('a summary whose balance is not an integer amount is refused with its file and field, and nothing is written', () => {
    const dbPath = join(tempDir(), 'ledger.sqlite');
    const bad = summaryText.replace('"value":8500', '"value":"85.00"');
    expect(() => importAnyFiles(dbPath, [{ path: 'credit-ledger.jsonl', text }, { path: 'summary.json', text: bad }], { now: NOW })).toThrow(
      /summary\.json.*balances\[0\]\.ledger_balance\.monetary\.value/,
    );
    expect(existsSync(dbPath)).toBe(false);
  });
});

describe('migration 0011 on a database stored before Stripe expiries took their stated amount', () => {
  it('rebuilds the notes of an account holding a Stripe expiry, so the difference is kept with the entry', () => {
    const dbPath = join(tempDir(), 'ledger.sqlite');
    // The grants and the expiry only (no debit names a grant): the promotional grant holds 20, Stripe states 10 expired.
    const lines = text.trim().split('\n');
    const expired = JSON.parse(lines[4]!) as { debit: { amount: { monetary: { value: number } } } };
    expired.debit.amount.monetary.value = 1000;
    importAnyFiles(dbPath, [{ path: 'expired.jsonl', text: [lines[0], lines[1], JSON.stringify(expired)].join('\n') + '\n' }], { now: NOW });
    const expected = 'expiry cbtxn_expired states that 10 of block credgr_promo expired, but the block held 20; the other 10 expired with it';
    expect(new AppService({ dbPath, clock: () => NOW }).entriesEvidence({ source: 'stripe', id: 'cbtxn_expired' }).allocation_warning).toBe(expected);
    // As 0010 left it: no note on the expiry, migration 0011 not applied.
    const raw = new Database(dbPath);
    raw.exec(`
      UPDATE entries SET allocation_warning = NULL;
      DROP TABLE account_states;
      DROP INDEX payments_by_payment_intent; DROP INDEX payments_by_charge; DROP INDEX payments_by_invoice; DROP INDEX payments_by_checkout_session;
      DELETE FROM schema_migrations WHERE id IN ('0011-stated-expiry', '0012-account-states', '0013-payment-link-indexes');
    `);
    raw.close();
    const s = new AppService({ dbPath, clock: () => NOW });
    expect(s.entriesEvidence({ source: 'stripe', id: 'cbtxn_expired' }).allocation_warning).toBe(expected);
    const rows = s.entriesList({ account: REF, order: 'asc', offset: 0, limit: 10 }).rows.map((row) => [row.kind, row.applied_amount, row.ending_balance]);
    expect(rows).toEqual([['increment', '100', '100'], ['increment', '20', '120'], ['expiry', '10', '110'], ['expiry', '10', '100']]);
  });
});
