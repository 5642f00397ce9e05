// The account's scale (issue 14): account.get says how many digits after the point every amount of the
// account is shown with: the most digits among the amounts its source states, whatever the unit.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppService } from '../../core/service/app-service.js';
import { importFiles } from '../../core/import/ledger-files.js';
import { moesifJsonl, NOW, tempDir } from './fixtures.js';

const credits = { customer_id: 'cus_K', subscription_id: null, unit: 'credits' };

describe('account.get scale: the most digits after the point among the account\'s stated amounts', () => {
  it('is that of the most precise amount of a custom-unit account, at every as-of, and follows an import', () => {
    const dbPath = join(tempDir(), 'ledger.sqlite');
    const lines = [
      { company_id: 'cus_K', transaction_id: 'k-1', type: 'credit', amount: '100', created_at: '2025-01-01T00:00:00Z' },
      { company_id: 'cus_K', transaction_id: 'k-2', type: 'debit', amount: '-2.5', created_at: '2025-01-02T00:00:00Z' },
      { company_id: 'cus_L', transaction_id: 'l-1', type: 'credit', amount: '7', created_at: '2025-01-01T00:00:00Z' },
    ];
    importFiles(dbPath, [{ path: 'k.jsonl', text: moesifJsonl(lines) }], { now: NOW, unit: 'credits' });
    const service = new AppService({ dbPath, clock: () => NOW });
    expect(service.accountGet({ account: credits }).scale).toBe(1);
    // Account-wide, not per instant: the same before the 2.5 was stated.
    expect(service.accountGet({ account: credits, as_of: '2025-01-01T12:00:00Z' }).scale).toBe(1);
    // Whole amounts only: no digits.
    expect(service.accountGet({ account: { ...credits, customer_id: 'cus_L' } }).scale).toBe(0);

    const more = [{ company_id: 'cus_K', transaction_id: 'k-3', type: 'debit', amount: '-0.125', created_at: '2025-01-03T00:00:00Z' }];
    importFiles(dbPath, [{ path: 'k2.jsonl', text: moesifJsonl(more) }], { now: NOW, unit: 'credits' });
    expect(service.accountGet({ account: credits }).scale).toBe(3);
    service.close();
  });
});
