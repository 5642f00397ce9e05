// Orb documents an overdraft: a decrement past zero is allowed and the next increment repays it. When the
// export's stated balances chain through it, the audit reports no I2 error (the deficit is the account's,
// not the block's); a block drawn below zero while the account stays above zero still is one.
import { describe, expect, it } from 'vitest';
import { auditExport } from '../../core/audit/audit.js';

const entry = (seq: number, type: string, amount: number, start: number, end: number, day: string, block: string): string =>
  JSON.stringify({
    id: `le_${seq}`, ledger_sequence_number: seq, entry_type: type, entry_status: 'committed', amount, starting_balance: start, ending_balance: end,
    created_at: `2025-01-${day}T00:00:00Z`, currency: 'credits', customer: { id: 'cus_o', external_customer_id: null },
    credit_block: { id: block, expiry_date: null, per_unit_cost_basis: null }, description: null, metadata: {},
  });

const findings = (lines: string[]) =>
  auditExport([{ path: 'orb.jsonl', text: lines.join('\n') + '\n' }]).findings.map((finding) => [finding.rule, finding.severity, finding.entryId]);

describe('audit: Orb overdraft', () => {
  it('I2 a decrement past zero whose stated balances chain (ending negative) is the documented overdraft, not an error; the next increment repays it', () => {
    expect(findings([
      entry(1, 'increment', 50, 0, 50, '01', 'blk_1'),
      entry(2, 'decrement', -80, 50, -30, '02', 'blk_1'),
      entry(3, 'increment', 100, -30, 70, '03', 'blk_2'),
      entry(4, 'decrement', -10, 70, 60, '04', 'blk_2'),
    ])).toEqual([]);
  });

  it('I2 a block drawn below zero while the account stays above zero is still an error', () => {
    expect(findings([
      entry(1, 'increment', 50, 0, 50, '01', 'blk_1'),
      entry(2, 'increment', 100, 50, 150, '01', 'blk_2'),
      entry(3, 'decrement', -80, 150, 70, '02', 'blk_1'),
    ]).filter(([rule]) => rule === 'I2')).toEqual([['I2', 'error', 'le_3']]);
  });
});

describe('audit: the block an expiration change creates, named by Orb\'s own id (JSON Lines, the fast reader\'s format)', () => {
  it('L7 a void naming the moved block by the id the export uses is bound to it: no error', () => {
    const base = { entry_status: 'committed', currency: 'credits', customer: { id: 'cus_o', external_customer_id: null }, description: null, metadata: {} };
    const lines = [
      { ...base, id: 'i1', ledger_sequence_number: 1, entry_type: 'increment', amount: 100, starting_balance: 0, ending_balance: 100, created_at: '2025-01-01T00:00:00Z',
        credit_block: { id: 'blk_1', expiry_date: '2025-06-01T00:00:00Z', per_unit_cost_basis: null } },
      { ...base, id: 'x1', ledger_sequence_number: 2, entry_type: 'expiration_change', amount: 40, starting_balance: 100, ending_balance: 100, created_at: '2025-01-02T00:00:00Z',
        new_block_expiry_date: '2026-01-01T00:00:00Z', credit_block: { id: 'blk_1', expiry_date: '2025-06-01T00:00:00Z', per_unit_cost_basis: null } },
      { ...base, id: 'v1', ledger_sequence_number: 3, entry_type: 'void', amount: -5, void_amount: 5, void_reason: null, starting_balance: 100, ending_balance: 95, created_at: '2025-01-03T00:00:00Z',
        credit_block: { id: 'blk_moved', expiry_date: '2026-01-01T00:00:00Z', per_unit_cost_basis: null } },
    ].map((line) => JSON.stringify(line));
    expect(findings(lines).filter(([, severity]) => severity === 'error')).toEqual([]);
  });
});
