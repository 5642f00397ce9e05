// An Orb ledger export with all seven entry variants of the official SDK's types
// (node_modules/orb-billing resources/customers/credits/ledger.d.ts: increment, decrement, expiration_change,
// credit_block_expiry, void, void_initiated, amendment), every field present, nulls where the type allows,
// as a page newest first. The expected balances below are written by hand from the entries' own stated
// starting_balance / ending_balance, and the block amounts from their stated amounts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditExport } from '../../core/audit/audit.js';
import { AppService } from '../../core/service/app-service.js';
import { importFiles } from '../../core/import/ledger-files.js';
import { tempDir } from './fixtures.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/sources/orb-export/all-entry-types.json');
const text = readFileSync(FIXTURE, 'utf8');
// After blk_1's expiry (2025-12-01), so every entry is in.
const NOW = Date.UTC(2026, 0, 1);
const REF = { customer_id: 'cus_all7', subscription_id: null, unit: 'credits' };

describe('an Orb export with every entry variant of the SDK types', () => {
  it('replays to the balances the export states, entry by entry, with no warning', () => {
    const dbPath = join(tempDir(), 'ledger.sqlite');
    const summary = importFiles(dbPath, [{ path: 'all-entry-types.json', text }], { now: NOW });
    expect(summary).toMatchObject({ inserted: 9, unchanged: 0, accountsTouched: 1 });
    expect(summary.warnings).toEqual([]);
    const s = new AppService({ dbPath, clock: () => NOW });
    const rows = s.entriesList({ account: REF, order: 'asc', offset: 0, limit: 100 }).rows.filter((row) => !row.generated);
    // Hand-written from each entry's stated ending_balance, in ledger sequence order.
    expect(rows.map((row) => [row.id, row.ending_balance])).toEqual([
      ['le_inc_1', '100'],
      ['le_inc_2', '150'],
      ['le_dec_1', '120'],
      ['le_exp_1', '120'],
      ['le_dec_2', '110'],
      ['le_amend_1', '115'],
      ['le_void_1', '95'],
      ['le_voidi_1', '90'],
      ['le_cbe_1', '30'],
    ]);
    const detail = s.accountGet({ account: REF });
    expect(detail.account).toMatchObject({ current: '30', pending: '0', available: '30', deficit: '0', scheduled: '0' });
    expect(detail.source_disagreement).toBeNull();
    const blocks = new Map(detail.blocks.map((block) => [block.id, block]));
    // blk_1: 100, 40 moved to a new expiry, the other 60 expired on 2025-12-01.
    expect(blocks.get('blk_1')).toMatchObject({ initial: '100', moved_out: '40', expired: '60', remaining: '0', cost_basis: '0.2', status: 'expired' });
    // blk_2: 50, 30 drawn (the decrement names it, though blk_1 expires sooner), 5 amended back, 20 voided.
    expect(blocks.get('blk_2')).toMatchObject({ initial: '50', consumed: '30', amended: '5', voided: '20', remaining: '5' });
    // The expiration change's block, which the export calls blk_moved: 40 in, 10 drawn, 5 voided.
    expect(blocks.get('le_exp_1')).toMatchObject({ initial: '40', consumed: '10', voided: '5', remaining: '25', expires_at: '2026-06-01T00:00:00.000Z' });
    expect(s.entriesEvidence({ source: 'orb', id: 'le_inc_1' }).external_customer_id).toBe('acme-all7');
  });

  it('the audit finds no error: the stated balances chain, and only the allocation L1 would not have chosen is a warning', () => {
    const report = auditExport([{ path: 'all-entry-types.json', text }]);
    expect(report.findings.filter((finding) => finding.severity === 'error')).toEqual([]);
    expect(report.findings.map((finding) => [finding.rule, finding.severity, finding.entryId])).toEqual([['L1', 'warning', 'le_dec_1']]);
  });
});
