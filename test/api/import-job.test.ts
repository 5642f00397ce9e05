import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImportJob } from '../../core/host/import-job.js';
import { listPayments, openLedgerDb } from '../../core/store/index.js';

const stripePage = JSON.stringify({
  object: 'list',
  url: '/v1/payment_intents',
  has_more: false,
  data: [
    { id: 'pi_ui_1', object: 'payment_intent', amount: 5000, amount_received: 5000, currency: 'usd', customer: 'cus_ui', status: 'succeeded', created: 1735776000, latest_charge: null, invoice: null, metadata: {}, description: null },
  ],
});

describe('import job (what the Import screen runs)', () => {
  it('a Stripe export uploaded on the Import screen writes its payments, not an empty ledger import', () => {
    const db = join(mkdtempSync(join(tmpdir(), 'ledgerscope-import-job-')), 'ledger.sqlite');
    const outcome = runImportJob(
      { kind: 'import.run', dbPath: db, files: [{ name: 'payments.json', text: stripePage }], now: Date.parse('2025-02-01T00:00:00Z') },
      () => {},
      () => false,
    );
    expect(outcome).toEqual({
      type: 'imported',
      result: {
        files: [{ name: 'payments.json', format: 'stripe', records: 1 }],
        inserted: 0,
        unchanged: 0,
        accounts_touched: null,
        payments: { inserted: 1, updated: 0, unchanged: 0 },
        adjustments_replaced: 0,
        warnings: [],
      },
    });
    const handle = openLedgerDb(db, { create: false });
    try {
      expect(listPayments(handle).map((payment) => [payment.sourceId, payment.amount.toFixed(), payment.currency])).toEqual([['pi_ui_1', '50', 'USD']]);
    } finally {
      handle.close();
    }
  });

  it('the preview of a Stripe export shows its payments and, against the database, the conflicts the import would hit, writing nothing', () => {
    const db = join(mkdtempSync(join(tmpdir(), 'ledgerscope-import-job-')), 'ledger.sqlite');
    const now = Date.parse('2025-02-01T00:00:00Z');
    const first = runImportJob({ kind: 'import.preview', dbPath: db, files: [{ name: 'payments.json', text: stripePage }], now }, () => {}, () => false);
    expect(first.type).toBe('preview');
    if (first.type !== 'preview') return;
    expect(first.preview.ok).toBe(true);
    expect(first.preview.files).toHaveLength(1);
    expect(first.preview.files[0]!.records).toBe(1);
    expect(first.preview.files[0]!.first_rows.map((row) => [row.id, row.kind, row.status, row.customer_id, row.unit, row.amount, row.created_at])).toEqual([
      ['pi_ui_1', 'payment_intent', 'succeeded', 'cus_ui', 'USD', '50', '2025-01-02T00:00:00.000Z'],
    ]);
    // A preview writes nothing, not even a new database file.
    expect(existsSync(db)).toBe(false);

    runImportJob({ kind: 'import.run', dbPath: db, files: [{ name: 'payments.json', text: stripePage }], now }, () => {}, () => false);
    const changedCurrency = stripePage.replace('"currency":"usd"', '"currency":"eur"');
    const second = runImportJob({ kind: 'import.preview', dbPath: db, files: [{ name: 'later.json', text: changedCurrency }], now }, () => {}, () => false);
    expect(second.type).toBe('preview');
    if (second.type !== 'preview') return;
    expect(second.preview.ok).toBe(false);
    expect(second.preview.problems.map((problem) => problem.text)).toEqual([expect.stringMatching(/later\.json.*pi_ui_1.*conflicts with the payment stored from payments\.json/)]);
    const handle = openLedgerDb(db, { create: false });
    try {
      expect(listPayments(handle).map((payment) => [payment.sourceId, payment.currency])).toEqual([['pi_ui_1', 'USD']]);
    } finally {
      handle.close();
    }
  });
});
