// `sync moesif` through GET /v1/~/billing/reports?type=balance_transaction against the wire-format
// server (test/wire/moesif-server.ts): paged by time, 429 and 500 retried, resumable, idempotent by
// transaction_id.
import { describe, expect, it } from 'vitest';
import { customerBalance } from '../../core/service/ledger-queries.js';
import { loadSyncState } from '../../core/store/index.js';
import { syncMoesif } from '../../core/sync/moesif-sync.js';
import { SyncError } from '../../core/sync/sync-errors.js';
import { MoesifWireServer } from '../wire/moesif-server.js';
import { onCleanup, tempDb } from './helpers.js';

const NOW = Date.parse('2025-02-01T00:00:00Z');

function report(id: string, company: string, amount: number, createdAt: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    _id: `r_${id}`, org_id: '177:3', app_id: '788:4', type: 'balance_transaction', company_id: company, subscription_id: null,
    transaction_id: id, amount, created_at: createdAt, updated_at: createdAt, provider: 'stripe', success: true,
    meter_metric: 0, meter_usage: 0, report_total_usage: 0, provider_requests: [], balance_changes: [{ amount }], ...extra,
  };
}

async function server(): Promise<MoesifWireServer> {
  const started = await new MoesifWireServer().start();
  onCleanup(() => started.close());
  started.reports.push(
    report('t1', 'co_A', 100, '2025-01-01T00:00:00.000Z', { expire_at: '2025-06-01T00:00:00.000Z' }),
    report('t2', 'co_A', -30, '2025-01-02T00:00:00.000Z'),
    report('t3', 'co_B', 50, '2025-01-03T00:00:00.000Z'),
    report('t4', 'co_B', -5, '2025-01-04T00:00:00.000Z'),
    report('t5', 'co_A', -10, '2025-01-05T00:00:00.000Z'),
  );
  return started;
}

const client = (moesif: MoesifWireServer, extra: { maxAttempts?: number } = {}) => ({
  token: moesif.token, apiBase: moesif.url, backoffMs: 1, ...extra,
});

describe('sync moesif', () => {
  it('pages by time through every transaction (pages of 2) and a second run adds nothing', async () => {
    const moesif = await server();
    moesif.pageSize = 2;
    const { db } = tempDb();
    const first = await syncMoesif({ db, client: client(moesif), now: NOW });
    expect(first.entries).toEqual({ inserted: 5, unchanged: expect.any(Number), conflicts: 0 });
    expect(first.warnings).toEqual([]);
    // Each page asks from the newest created_at of the one before (inclusive), up to the sync's start.
    const froms = moesif.gets.map((q) => new URLSearchParams(q).get('from'));
    // The boundary transaction comes again on the next page (unchanged, by L5); the last page brings nothing newer.
    expect(froms).toEqual(['1970-01-01T00:00:00.000Z', '2025-01-02T00:00:00.000Z', '2025-01-03T00:00:00.000Z', '2025-01-04T00:00:00.000Z', '2025-01-05T00:00:00.000Z']);
    expect(new URLSearchParams(moesif.gets[0]!)).toEqual(new URLSearchParams({ type: 'balance_transaction', from: '1970-01-01T00:00:00.000Z', to: '2025-02-01T00:00:00.000Z' }));
    expect(customerBalance(db, 'co_A', NOW).accounts.map((a) => a.current)).toEqual(['60']);
    expect(customerBalance(db, 'co_B', NOW).accounts.map((a) => a.current)).toEqual(['45']);
    expect(loadSyncState(db, 'moesif', 'balance_transactions')).toMatchObject({ phase: 'incremental', cursor: '2025-01-05T00:00:00.000Z', objects: 5 });

    moesif.gets.length = 0;
    const second = await syncMoesif({ db, client: client(moesif), now: NOW + 1000 });
    expect(second.entries.inserted).toBe(0);
    expect(new URLSearchParams(moesif.gets[0]!).get('from')).toBe('2025-01-05T00:00:00.000Z');
  });

  it('a 429 (Retry-After) and a 500 are retried with the same request', async () => {
    const moesif = await server();
    moesif.failNextGets.push(429, 500);
    const { db } = tempDb();
    const summary = await syncMoesif({ db, client: client(moesif), now: NOW });
    expect(summary.entries.inserted).toBe(5);
    expect(summary.rateLimited).toBe(1);
    expect(moesif.gets.slice(0, 3).map((q) => new URLSearchParams(q).get('from'))).toEqual(Array(3).fill('1970-01-01T00:00:00.000Z'));
  });

  it('a sync that stops keeps what it committed and the next run resumes from its cursor', async () => {
    const moesif = await server();
    moesif.pageSize = 2;
    moesif.failNextGets.push(200, 500, 500);
    const { db } = tempDb();
    await expect(syncMoesif({ db, client: client(moesif, { maxAttempts: 2 }), now: NOW })).rejects.toThrow(SyncError);
    expect(loadSyncState(db, 'moesif', 'balance_transactions')).toMatchObject({ phase: 'backfill', cursor: '2025-01-02T00:00:00.000Z', objects: 2 });
    moesif.gets.length = 0;
    const resumed = await syncMoesif({ db, client: client(moesif), now: NOW });
    expect(new URLSearchParams(moesif.gets[0]!).get('from')).toBe('2025-01-02T00:00:00.000Z');
    expect(resumed.entries.inserted).toBe(3);
    expect(customerBalance(db, 'co_A', NOW).accounts.map((a) => a.current)).toEqual(['60']);
  });

  it('a rejected token stops the sync naming the scope it needs', async () => {
    const moesif = await server();
    const { db } = tempDb();
    await expect(syncMoesif({ db, client: { token: 'wrong', apiBase: moesif.url }, now: NOW })).rejects.toThrow(/rejected \(401\).*read:billing_reports/);
  });

  it('L5 in a sync: a transaction changed at the provider after it was stored is not applied; the stored one stays, new ones land, and the sync says so', async () => {
    const moesif = await server();
    const { db } = tempDb();
    await syncMoesif({ db, client: client(moesif), now: NOW });
    // The provider now reports t5 (the cursor's boundary, fetched again) with another amount, a new t6,
    // and t7 twice in one page with different content.
    moesif.reports[4] = report('t5', 'co_A', -12, '2025-01-05T00:00:00.000Z');
    moesif.reports.push(
      report('t6', 'co_A', -20, '2025-01-06T00:00:00.000Z'),
      report('t7', 'co_B', -1, '2025-01-07T00:00:00.000Z'),
      report('t7', 'co_B', -2, '2025-01-07T00:00:00.000Z'),
    );
    const second = await syncMoesif({ db, client: client(moesif), now: NOW + 1000 });
    // Two pages: t5 t6 t7 t7, then from t7's instant again (the boundary): t7 (stored now, unchanged) and its other version.
    expect(second.entries).toEqual({ inserted: 2, unchanged: 1, conflicts: 3 });
    expect(second.warnings).toEqual([
      expect.stringMatching(/^not applied: .*#\/3: amount: moesif id "t7" appears again in this import with different content .*: amount was "1", found "2"; the first is kept$/),
      expect.stringMatching(/^not applied: .*#\/0: amount: moesif id "t5" conflicts with the entry imported from .* on 2025-02-01T00:00:00.000Z: amount was "10", found "12"; the stored entry is kept$/),
      expect.stringMatching(/^not applied: .*#\/1: amount: moesif id "t7" appears again in this import with different content .*: amount was "1", found "2"; the first is kept$/),
    ]);
    // 100 - 30 - 10 (t5 as stored) - 20 (t6); co_B: 50 - 5 - 1 (the first t7).
    expect(customerBalance(db, 'co_A', NOW + 1000).accounts.map((a) => a.current)).toEqual(['40']);
    expect(customerBalance(db, 'co_B', NOW + 1000).accounts.map((a) => a.current)).toEqual(['44']);
  });
});
