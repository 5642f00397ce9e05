// Moesif files state no sequence numbers, balances or drawn-from blocks: the audit is L5 and the replay.
import { describe, expect, it } from 'vitest';
import { auditExport } from '../../core/audit/audit.js';
import { auditReportView } from '../../core/audit/view.js';

const records = [
  { company_id: 'co_1', subscription_id: 'sub_1', transaction_id: 'tx_credit', type: 'credit', amount: 100, created_at: '2025-01-01T00:00:00Z', expire_at: '2025-02-01T00:00:00Z' },
  { company_id: 'co_1', subscription_id: 'sub_1', transaction_id: 'tx_promo', type: 'promotion', amount: '10.5', created_at: '2025-01-02T00:00:00Z' },
  { company_id: 'co_1', subscription_id: 'sub_1', transaction_id: 'tx_use', type: 'debit', amount: -4, created_at: '2025-01-03T00:00:00Z' },
  { company_id: 'co_1', subscription_id: 'sub_1', transaction_id: 'tx_pending', type: 'debit', amount: '-2.25', created_at: '2025-01-04T00:00:00Z', status: 'pending' },
];

function jsonl(items: unknown[]): string {
  return items.map((item) => JSON.stringify(item)).join('\n') + '\n';
}

describe('audit of a Moesif balance transactions file', () => {
  it('a clean file gives no findings; the replay balance is posted, pending apart', () => {
    const report = auditExport([{ path: 'moesif.jsonl', text: jsonl(records) }]);
    expect(report.findings).toEqual([]);
    expect(auditReportView(report).accounts).toEqual([
      {
        customer_id: 'co_1',
        subscription_id: 'sub_1',
        unit: 'USD',
        entries: 4,
        stated_ending_balance: null,
        replayed_balance: '106.5',
        replayed_pending: '-2.25',
        findings: 0,
      },
    ]);
  });

  it('a CSV export reads the same', () => {
    const csv = [
      'company_id,subscription_id,transaction_id,type,amount,created_at,expire_at,status',
      'co_1,sub_1,tx_credit,credit,100,2025-01-01T00:00:00Z,2025-02-01T00:00:00Z,',
      'co_1,sub_1,tx_use,debit,-4,2025-01-03T00:00:00Z,,posted',
    ].join('\r\n');
    const report = auditExport([{ path: 'moesif.csv', text: csv }]);
    expect(report.findings).toEqual([]);
    expect(report.accounts[0]!.replayedBalance?.toFixed()).toBe('96');
  });

  it('L5 the same transaction twice is a warning; with another amount it is an error', () => {
    const again = records[2];
    const changed = { ...records[2], amount: -5 };
    const report = auditExport([
      { path: 'moesif.jsonl', text: jsonl(records) },
      { path: 'again.jsonl', text: jsonl([again, changed]) },
    ]);
    expect(report.findings.map((f) => [f.rule, f.severity, f.entryId])).toEqual([
      ['L5', 'warning', 'tx_use'],
      ['L5', 'error', 'tx_use'],
    ]);
    expect(report.findings[1]!.message).toBe(
      'again.jsonl:2: entry tx_use conflicts with the entry of the same id at moesif.jsonl:3: amount "4" vs "5"; this copy is left out of the audit',
    );
    expect(report.accounts[0]!.replayedBalance?.toFixed()).toBe('106.5');
  });

  it('a file that is not a ledger (a Stripe export) is reported, not audited', () => {
    const stripe = JSON.stringify({ object: 'list', data: [{ id: 'pi_1', object: 'payment_intent', amount: 100 }], has_more: false, url: '/v1/payment_intents' });
    const report = auditExport([{ path: 'stripe.json', text: stripe }]);
    expect(report.findings.map((f) => [f.rule, f.severity, f.entryId])).toEqual([['parse', 'error', null]]);
    expect(report.findings[0]!.message).toMatch(/^stripe\.json: /);
  });

  it('an empty file is reported', () => {
    const report = auditExport([{ path: 'empty.jsonl', text: '' }]);
    expect(report.findings.map((f) => f.message)).toEqual(['empty.jsonl: -: the file is empty: nothing to import']);
  });
});
