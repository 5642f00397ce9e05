// L1b stated allocation and "a disagreement is never silent" (issue 9 §2, §4), through a real import into
// a real SQLite file: the summary's warnings, the entry's evidence, the Accounts list filter, the account
// screen's numbers, and migration 0010 on a database stored before it.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { auditExport } from '../../core/audit/audit.js';
import { AppService } from '../../core/service/app-service.js';
import { importFiles } from '../../core/import/ledger-files.js';
import { loadAccountEntries, loadSourceDisagreement, openLedgerDb } from '../../core/store/index.js';
import { tempDir } from './fixtures.js';

const NOW = Date.UTC(2025, 2, 1);
const KEY = { customerId: 'cus_orb', subscriptionId: null, unit: 'credits' };
const REF = { customer_id: 'cus_orb', subscription_id: null, unit: 'credits' };
const page = { offset: 0, limit: 50 };

interface OrbLine {
  id: string;
  seq: number;
  type: 'increment' | 'decrement';
  amount: string;
  start: string;
  end: string;
  at: string;
  block: string;
  expiry?: string | null;
}

/** One Orb export entry as View Credits Ledger returns it (every field the export states). */
function orbEntry(line: OrbLine): string {
  return JSON.stringify({
    id: line.id,
    ledger_sequence_number: line.seq,
    entry_type: line.type,
    entry_status: 'committed',
    amount: line.type === 'decrement' ? `-${line.amount}` : line.amount,
    starting_balance: line.start,
    ending_balance: line.end,
    created_at: line.at,
    currency: 'credits',
    customer: { id: 'cus_orb', external_customer_id: null },
    credit_block: { id: line.block, expiry_date: line.expiry ?? null, per_unit_cost_basis: null },
    description: null,
    metadata: {},
  });
}

function importOrb(dbPath: string, lines: OrbLine[]) {
  return importFiles(dbPath, [{ path: 'orb.jsonl', text: lines.map(orbEntry).join('\n') + '\n' }], { now: NOW });
}

// Block soon (expires first: L1 would draw it) and block later; Orb says the 30 came from later.
const twoBlocks: OrbLine[] = [
  { id: 'i1', seq: 1, type: 'increment', amount: '50', start: '0', end: '50', at: '2025-01-01T00:00:00Z', block: 'soon', expiry: '2025-06-01T00:00:00Z' },
  { id: 'i2', seq: 2, type: 'increment', amount: '100', start: '50', end: '150', at: '2025-01-01T00:00:00Z', block: 'later' },
  { id: 'd1', seq: 3, type: 'decrement', amount: '30', start: '150', end: '120', at: '2025-01-02T00:00:00Z', block: 'later' },
];

describe('L1b stated allocation through an import', () => {
  it('L1b an Orb export decrement draws from the credit_block it names, not the block L1 would pick', () => {
    const dbPath = join(tempDir(), 'ledger.sqlite');
    const summary = importOrb(dbPath, twoBlocks);
    expect(summary.warnings).toEqual([]);
    const detail = new AppService({ dbPath, clock: () => NOW }).accountGet({ account: REF });
    const remaining = new Map(detail.blocks.map((block) => [block.id, block.remaining]));
    expect(remaining.get('soon')).toBe('50');
    expect(remaining.get('later')).toBe('70');
    expect(detail.account.current).toBe('120');
    expect(detail.source_disagreement).toBeNull();
  });

  it('L1b a named block that cannot cover its decrement: a warning in the summary and in the entry evidence; the rest follows L1, then the deficit', () => {
    const dbPath = join(tempDir(), 'ledger.sqlite');
    const lines: OrbLine[] = [
      ...twoBlocks,
      // later holds 70; Orb says 90 came from it (its own view of the block differs from the export's numbers).
      { id: 'd2', seq: 4, type: 'decrement', amount: '90', start: '120', end: '30', at: '2025-01-03T00:00:00Z', block: 'later' },
    ];
    const summary = importOrb(dbPath, lines);
    expect(summary.warnings).toEqual([
      'orb.jsonl:4: decrement d2 of 90 names block later, which held only 70; the other 20 was drawn from the other blocks in deduction order, and what they could not cover became deficit',
    ]);
    const s = new AppService({ dbPath, clock: () => NOW });
    expect(s.entriesEvidence({ source: 'orb', id: 'd2' }).allocation_warning).toBe(
      'decrement d2 of 90 names block later, which held only 70; the other 20 was drawn from the other blocks in deduction order, and what they could not cover became deficit',
    );
    expect(s.entriesEvidence({ source: 'orb', id: 'd1' }).allocation_warning).toBeNull();
    const remaining = new Map(s.accountGet({ account: REF }).blocks.map((block) => [block.id, block.remaining]));
    expect(remaining.get('later')).toBe('0');
    expect(remaining.get('soon')).toBe('30');
  });
});

describe('a later import, checked from a stored replay state', () => {
  it('keeps the allocation note of an entry before that state (a later entry cannot change how an earlier one drew)', () => {
    const dbPath = join(tempDir(), 'ledger.sqlite');
    const shortfall: OrbLine = { id: 'd2', seq: 4, type: 'decrement', amount: '90', start: '120', end: '30', at: '2025-01-03T00:00:00Z', block: 'later' };
    // After d2 the account holds 30; then pairs of +1 (a block of its own) and -1 named from it.
    const pairs = (from: number, count: number): OrbLine[] =>
      Array.from({ length: count }, (_, i) => {
        const n = from + i;
        const at = new Date(Date.UTC(2025, 0, 4) + n * 3_600_000).toISOString();
        return [
          { id: `p${n}`, seq: 5 + 2 * n, type: 'increment' as const, amount: '1', start: '30', end: '31', at, block: `b${n}` },
          { id: `x${n}`, seq: 6 + 2 * n, type: 'decrement' as const, amount: '1', start: '31', end: '30', at, block: `b${n}` },
        ];
      }).flat();
    importOrb(dbPath, [...twoBlocks, shortfall, ...pairs(0, 20)]);
    const stateRow = (): unknown => {
      const db = openLedgerDb(dbPath, { create: false });
      try {
        return db.prepare('SELECT rowid, position FROM account_states ORDER BY position LIMIT 1').raw().get();
      } finally {
        db.close();
      }
    };
    const before = stateRow();
    expect(before).toEqual([expect.any(Number), 32]);
    const summary = importOrb(dbPath, pairs(20, 5));
    expect(summary.warnings).toEqual([]);
    // The second import started from the state after entry 32: that very row is still there.
    expect(stateRow()).toEqual(before);
    const s = new AppService({ dbPath, clock: () => NOW });
    expect(s.entriesEvidence({ source: 'orb', id: 'd2' }).allocation_warning).toBe(
      'decrement d2 of 90 names block later, which held only 70; the other 20 was drawn from the other blocks in deduction order, and what they could not cover became deficit',
    );
    expect(s.accountGet({ account: REF }).account.current).toBe('30');
  });
});

describe('a disagreement with the source is never silent', () => {
  const disagreeing: OrbLine[] = [
    ...twoBlocks,
    // Stated 115 after a decrement of 10 from 120: the replay gives 110.
    { id: 'd2', seq: 4, type: 'decrement', amount: '10', start: '120', end: '115', at: '2025-01-03T00:00:00Z', block: 'later' },
  ];

  it('the import summary names the first entry whose stated balance differs from the replay, with both numbers', () => {
    const dbPath = join(tempDir(), 'ledger.sqlite');
    const summary = importOrb(dbPath, disagreeing);
    expect(summary.warnings).toEqual([
      'orb.jsonl:4: customer cus_orb (credits) disagrees with its source: after entry d2 (2025-01-03T00:00:00.000Z) the source states a balance of 115, ' +
        'the replay gives 110 (difference 5); later entries of this account were not compared',
    ]);
  });

  it('the Accounts list filters accounts that disagree with their source, and the account shows both numbers', () => {
    const dbPath = join(tempDir(), 'ledger.sqlite');
    importOrb(dbPath, disagreeing);
    importFiles(dbPath, [{ path: 'agree.jsonl', text: orbEntry({ ...twoBlocks[0]!, id: 'x1' }).replace(/cus_orb/g, 'cus_fine') + '\n' }], { now: NOW });
    const s = new AppService({ dbPath, clock: () => NOW });
    expect(s.accountsList(page).rows.map((row) => row.customer_id)).toEqual(['cus_fine', 'cus_orb']);
    const filtered = s.accountsList({ ...page, filter: { disagrees_with_source: true } });
    expect(filtered.rows.map((row) => row.customer_id)).toEqual(['cus_orb']);
    const expected = { entry_id: 'd2', source: 'orb', ledger_sequence_number: 4, created_at: '2025-01-03T00:00:00.000Z', stated: '115', replayed: '110' };
    expect(filtered.rows[0]!.source_disagreement).toEqual(expected);
    expect(s.accountGet({ account: REF }).source_disagreement).toEqual(expected);
  });

  it('each import that states balances for an account replaces its recorded disagreement: a later one found, or none', () => {
    const dbPath = join(tempDir(), 'ledger.sqlite');
    importOrb(dbPath, disagreeing);
    // The next export goes on from the provider's 115; the replay is at 110.
    importOrb(dbPath, [{ id: 'd3', seq: 5, type: 'decrement', amount: '10', start: '115', end: '105', at: '2025-01-04T00:00:00Z', block: 'later' }]);
    const db = openLedgerDb(dbPath, { create: false });
    try {
      // Only the new entries' stated balances are at hand: d3 (stated 105, replay 100) is now the first.
      expect(loadSourceDisagreement(db, KEY)).toMatchObject({ sourceId: 'd3', stated: '105', replayed: '100' });
    } finally {
      db.close();
    }
    // An export whose stated balance the replay reaches (110 − 10 = 100) clears it.
    const fine = join(tempDir(), 'ledger.sqlite');
    importOrb(fine, disagreeing);
    importOrb(fine, [{ id: 'd3', seq: 5, type: 'decrement', amount: '10', start: '110', end: '100', at: '2025-01-04T00:00:00Z', block: 'later' }]);
    const again = openLedgerDb(fine, { create: false });
    try {
      expect(loadSourceDisagreement(again, KEY)).toBeNull();
    } finally {
      again.close();
    }
  });
});

describe('migration 0010 on a database stored before L1b', () => {
  it('fills the block a stored Orb decrement names from its raw record and rebuilds the notes', () => {
    const dbPath = join(tempDir(), 'ledger.sqlite');
    importOrb(dbPath, [
      ...twoBlocks,
      { id: 'd2', seq: 4, type: 'decrement', amount: '10', start: '120', end: '115', at: '2025-01-03T00:00:00Z', block: 'later' },
    ]);
    // As 0007 left it: decrements stored naming no block, no notes.
    const raw = new Database(dbPath);
    raw.exec(`
      UPDATE entries SET block_id = NULL WHERE kind = 'decrement';
      ALTER TABLE entries DROP COLUMN allocation_warning;
      DROP TABLE account_source_disagreements;
      DROP TABLE account_states;
      DROP INDEX payments_by_payment_intent; DROP INDEX payments_by_charge; DROP INDEX payments_by_invoice; DROP INDEX payments_by_checkout_session;
      DELETE FROM schema_migrations WHERE id IN ('0010-stated-allocation', '0011-stated-expiry', '0012-account-states', '0013-payment-link-indexes');
    `);
    raw.close();
    const db = openLedgerDb(dbPath, { create: false, now: NOW });
    try {
      const decrements = loadAccountEntries(db, KEY).filter((entry) => entry.kind === 'decrement');
      expect(decrements.map((entry) => entry.blockId)).toEqual(['later', 'later']);
      expect(loadSourceDisagreement(db, KEY)).toMatchObject({ sourceId: 'd2', stated: '115', replayed: '110' });
    } finally {
      db.close();
    }
    // The same file again is unchanged (L5), not a conflict: the stored rows now say what the file says.
    const summary = importOrb(dbPath, twoBlocks);
    expect(summary).toMatchObject({ inserted: 0, unchanged: 3 });
  });
});

describe('real Orb exports: the block an expiration change creates', () => {
  it('L7 a later entry naming the moved block by Orb\'s own id is bound to the block the change created, not rejected', () => {
    const dbPath = join(tempDir(), 'ledger.sqlite');
    const base = { entry_status: 'committed', currency: 'credits', customer: { id: 'cus_orb', external_customer_id: null }, description: null, metadata: {} };
    const lines = [
      { ...base, id: 'i1', ledger_sequence_number: 1, entry_type: 'increment', amount: 100, starting_balance: 0, ending_balance: 100, created_at: '2025-01-01T00:00:00Z',
        credit_block: { id: 'blk_1', expiry_date: '2025-06-01T00:00:00+00:00', per_unit_cost_basis: '0.20' } },
      { ...base, id: 'x1', ledger_sequence_number: 2, entry_type: 'expiration_change', amount: 40, starting_balance: 100, ending_balance: 100, created_at: '2025-01-02T00:00:00Z',
        new_block_expiry_date: '2026-01-01T00:00:00+00:00', credit_block: { id: 'blk_1', expiry_date: '2025-06-01T00:00:00+00:00', per_unit_cost_basis: '0.20' } },
      // Orb's id for the moved block, never created by an entry of the export.
      { ...base, id: 'd1', ledger_sequence_number: 3, entry_type: 'decrement', amount: -10, starting_balance: 100, ending_balance: 90, created_at: '2025-01-03T00:00:00Z',
        credit_block: { id: 'blk_moved', expiry_date: '2026-01-01T00:00:00+00:00', per_unit_cost_basis: '0.20' } },
      { ...base, id: 'v1', ledger_sequence_number: 4, entry_type: 'void', amount: -5, void_amount: 5, void_reason: 'refund', starting_balance: 90, ending_balance: 85, created_at: '2025-01-04T00:00:00Z',
        credit_block: { id: 'blk_moved', expiry_date: '2026-01-01T00:00:00+00:00', per_unit_cost_basis: '0.20' } },
    ].map((line) => JSON.stringify(line));
    const summary = importFiles(dbPath, [{ path: 'orb.jsonl', text: lines.join('\n') + '\n' }], { now: NOW });
    expect(summary.warnings).toEqual([]);
    const detail = new AppService({ dbPath, clock: () => NOW }).accountGet({ account: REF });
    const blocks = new Map(detail.blocks.map((block) => [block.id, block]));
    expect(blocks.get('blk_1')).toMatchObject({ initial: '100', remaining: '60', moved_out: '40' });
    // The change's block (named after its entry): 40 moved in, 10 drawn, 5 voided.
    expect(blocks.get('x1')).toMatchObject({ initial: '40', remaining: '25', consumed: '10', voided: '5', expires_at: '2026-01-01T00:00:00.000Z' });
    expect(detail.account.current).toBe('85');
    expect(detail.source_disagreement).toBeNull();
  });
});

describe('real Orb exports: a two-step void', () => {
  const base = { entry_status: 'committed', currency: 'credits', customer: { id: 'cus_orb', external_customer_id: null }, description: null, metadata: {} };
  const blk = { id: 'blk_1', expiry_date: null, filters: [], per_unit_cost_basis: null };
  const exportOf = (initiated: [number, number], voided: [number, number]) =>
    [
      { ...base, id: 'i1', ledger_sequence_number: 1, entry_type: 'increment', amount: 100, starting_balance: 0, ending_balance: 100, created_at: '2025-01-01T00:00:00Z', credit_block: blk },
      { ...base, id: 'vi', ledger_sequence_number: 2, entry_type: 'void_initiated', amount: -30, void_amount: 30, void_reason: 'refund', new_block_expiry_date: '2025-01-02T00:00:00Z',
        starting_balance: initiated[0], ending_balance: initiated[1], created_at: '2025-01-02T00:00:00Z', credit_block: blk },
      { ...base, id: 'v', ledger_sequence_number: 3, entry_type: 'void', amount: -30, void_amount: 30, void_reason: 'refund',
        starting_balance: voided[0], ending_balance: voided[1], created_at: '2025-01-03T00:00:00Z', credit_block: blk },
    ].map((line) => JSON.stringify(line)).join('\n') + '\n';

  it.each([
    ['void_initiated moves nothing (100 → 100), the void takes the 30', [100, 100], [100, 70]],
    ['void_initiated takes the 30 (100 → 70), the void moves nothing', [100, 70], [70, 70]],
  ] as const)('L6 the credit leaves once: %s', (_name, initiated, voided) => {
    const dbPath = join(tempDir(), 'ledger.sqlite');
    const text = exportOf([...initiated], [...voided]);
    const summary = importFiles(dbPath, [{ path: 'orb.jsonl', text }], { now: NOW });
    expect(summary.warnings).toEqual([]);
    const detail = new AppService({ dbPath, clock: () => NOW }).accountGet({ account: REF });
    expect(detail.account.current).toBe('70');
    expect(detail.blocks[0]).toMatchObject({ id: 'blk_1', voided: '30', remaining: '70' });
    expect(auditExport([{ path: 'orb.jsonl', text }]).findings.filter((finding) => finding.severity === 'error')).toEqual([]);
  });
});
