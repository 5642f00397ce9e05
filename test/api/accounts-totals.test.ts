import { describe, expect, it } from 'vitest';
import { AppService } from '../../core/service/app-service.js';
import { NOW, seededDb } from './fixtures.js';

// Issue 13: totals per currency above the accounts list, over every account the list's search and
// filters keep (not only the page shown).

const page = { offset: 0, limit: 1 };

describe('accounts totals', () => {
  it('totals: per unit, current, pending, scheduled, deficit and expiring within the window, following the filters', () => {
    const { dbPath } = seededDb();
    const service = new AppService({ dbPath, clock: () => NOW });
    try {
      // cus_A 100 (expires 2025-06-01), cus_B −30 with deficit 30, cus_C 10 with a pending −4; one page of one row.
      const all = service.accountsList(page);
      expect(all.rows).toHaveLength(1);
      expect(all.totals).toEqual([
        { unit: 'USD', accounts: 3, current: '80', pending: '-4', scheduled: '0', deficit: '30', expiring: '0', expiring_within_days: 30, scale: 0 },
      ]);
      const expiring = service.accountsList({ ...page, filter: { expiring_within_days: 120 } });
      expect(expiring.totals).toEqual([
        { unit: 'USD', accounts: 1, current: '100', pending: '0', scheduled: '0', deficit: '0', expiring: '100', expiring_within_days: 120, scale: 0 },
      ]);
      expect(service.accountsList({ ...page, filter: { in_deficit: true } }).totals).toMatchObject([{ accounts: 1, current: '-30', deficit: '30' }]);
      expect(service.accountsList({ ...page, search: 'nobody' }).totals).toEqual([]);
    } finally {
      service.close();
    }
  });
});
