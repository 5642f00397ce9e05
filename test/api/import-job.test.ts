import { mkdtempSync } from 'node:fs';
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
      },
    });
    const handle = openLedgerDb(db, { create: false });
    try {
      expect(listPayments(handle).map((payment) => [payment.sourceId, payment.amount.toFixed(), payment.currency])).toEqual([['pi_ui_1', '50', 'USD']]);
    } finally {
      handle.close();
    }
  });
});
