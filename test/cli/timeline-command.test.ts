import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeSupportDesk } from '../support/support-desk.js';
import { buildCli, ledgerscope, ledgerscopeJson, workDir } from './run-cli.js';

beforeAll(() => buildCli(), 60_000);

// `ledgerscope timeline` (issue 14) through the built CLI, on a ledger and Stripe objects imported by
// `ledgerscope import` and reconciled by `ledgerscope reconcile`.
function supportDb(): string {
  const dir = workDir();
  const db = join(dir, 'support.sqlite');
  const files = writeSupportDesk(dir);
  expect(ledgerscope('import', files.ledgerFile, '--db', db).status).toBe(0);
  expect(ledgerscope('import', files.stripeFile, '--source', 'stripe', '--db', db).status).toBe(0);
  return db;
}

interface Row {
  at: string;
  source: string;
  kind: string;
  status: string;
  amount: string;
  balance_after: string | null;
  received_after: string | null;
  id: string;
  reconciliation: { summary: string } | null;
}

describe('ledgerscope timeline', { timeout: 60_000 }, () => {
  it('each row has its time, source, kind, status, signed amount and the balance after it; failed and processing payments receive nothing', () => {
    const db = supportDb();
    const view = ledgerscopeJson<{ customer_id: string; matched_by: string; customer: { name: string }; money_received: unknown; rows: Row[] }>(
      'timeline', '--db', db, '--customer', 'cus_ada', '--as-of', '2025-03-01T00:00:00Z',
    );
    expect([view.customer_id, view.matched_by, view.customer.name]).toEqual(['cus_ada', 'ledger_id', 'Ada Lovelace']);
    expect(view.rows.map((row) => [row.at, row.source, row.kind, row.status, row.amount, row.balance_after, row.received_after])).toEqual([
      ['2025-01-01T00:00:00.000Z', 'stripe', 'payment', 'partially_refunded', '100', '0', '100'],
      ['2025-01-01T00:10:00.000Z', 'moesif', 'increment', 'posted', '100', '100', null],
      ['2025-01-03T00:00:00.000Z', 'stripe', 'payment', 'failed', '500', '100', '100'],
      ['2025-01-03T00:10:00.000Z', 'moesif', 'increment', 'posted', '500', '600', null],
      ['2025-01-04T00:00:00.000Z', 'stripe', 'payment', 'processing', '200', '600', '100'],
      ['2025-01-05T00:00:00.000Z', 'moesif', 'decrement', 'posted', '-30', '570', null],
      ['2025-01-06T00:00:00.000Z', 'stripe', 'refund', 'refunded', '-25', '570', '75'],
      ['2025-01-07T00:00:00.000Z', 'stripe', 'payment', 'disputed_lost', '40', '570', '115'],
      ['2025-01-07T00:10:00.000Z', 'moesif', 'increment', 'posted', '40', '610', null],
      ['2025-01-08T00:00:00.000Z', 'stripe', 'dispute', 'disputed_lost', '-40', '610', '75'],
    ]);
    expect(view.money_received).toEqual([{ currency: 'USD', amount: '75' }]);
  });

  it('finds the customer by a Stripe customer id, an email, a name, and a payment, charge or invoice id', () => {
    const db = supportDb();
    const cases: [string, string, string][] = [
      ['cus_grace', 'acme-grace', 'stripe_customer'],
      ['grace@example.com', 'acme-grace', 'email'],
      ['Ada Lovelace', 'cus_ada', 'name'],
      ['pi_ach', 'cus_ada', 'payment'],
      ['ch_ok', 'cus_ada', 'payment'],
      ['in_ok', 'cus_ada', 'payment'],
    ];
    for (const [query, customerId, matchedBy] of cases) {
      const view = ledgerscopeJson<{ customer_id: string; matched_by: string }>('timeline', '--db', db, '--customer', query);
      expect([query, view.customer_id, view.matched_by]).toEqual([query, customerId, matchedBy]);
    }
  });

  it('--as-of replays the timeline as it stood then', () => {
    const db = supportDb();
    const view = ledgerscopeJson<{ rows: Row[] }>('timeline', '--db', db, '--customer', 'cus_ada', '--as-of', '2025-01-03T12:00:00Z');
    // Nothing after the instant: not the ACH payment, the usage, the refund or the dispute. The charge
    // states its refunded amount as read now (25); the refund record dated Jan 6 is that amount, so on
    // Jan 3 the payment is not refunded yet.
    expect(view.rows.map((row) => [row.id, row.kind, row.status, row.amount])).toEqual([
      ['pi_ok', 'payment', 'succeeded', '100'],
      ['ada-credit-1', 'increment', 'posted', '100'],
      ['pi_declined', 'payment', 'failed', '500'],
      ['ada-credit-2', 'increment', 'posted', '500'],
    ]);
  });

  it('the text table says what reconciliation found, in words, and the money received', () => {
    const db = supportDb();
    expect(ledgerscope('reconcile', '--db', db, '--as-of', '2025-03-01T00:00:00Z').status).toBe(1);
    const result = ledgerscope('timeline', '--db', db, '--customer', 'ada@example.com', '--as-of', '2025-03-01T00:00:00Z');
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('customer cus_ada (Ada Lovelace, ada@example.com) as of 2025-03-01T00:00:00.000Z: 10 rows');
    expect(lines.find((line) => line.includes('pi_declined'))).toMatch(/payment\s+failed\s+500\s+USD\s+100\s+100\s+pi_declined\s+credited although the payment did not succeed \(entry ada-credit-2\)$/);
    expect(lines.find((line) => line.includes('re_ok'))).toMatch(/refund\s+refunded\s+-25\s+USD\s+570\s+75\s+re_ok\s+refund not reversed in the ledger$/);
    expect(lines).toContain('money received: 75 USD');
    expect(result.stdout).not.toContain('`');
  });

  it('an unknown customer or an ambiguous one exits 2 with one line on stderr', () => {
    const db = supportDb();
    const unknown = ledgerscope('timeline', '--db', db, '--customer', 'nobody');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toEqual([
      'timeline: no customer matches "nobody": not a ledger customer id, a Stripe customer id, an email, a name or a payment, charge or invoice id in this database',
    ]);
    const missing = ledgerscope('timeline', '--db', db);
    expect([missing.status, missing.stderr.trim()]).toEqual([2, 'timeline: --customer is required']);
  });
});
