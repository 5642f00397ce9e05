import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../core/money/decimal.js';
import type { LedgerEntry } from '../../core/ledger/types.js';
import { entryFingerprint } from '../../core/sources/fingerprint.js';
import { parseImportFile } from '../../core/sources/parse.js';
import { jsonl } from './helpers.js';

const BASE: LedgerEntry = {
  source: 'moesif', sourceId: 'txn_1', customerId: 'cus_1', subscriptionId: null, unit: 'USD', kind: 'increment',
  status: 'posted', amount: new Decimal('12.5'), at: 1_736_467_200_000, ordinal: 0, blockId: 'txn_1', effectiveAt: null,
  expiresAt: 1_740_000_000_000, costBasis: new Decimal('1'), priority: null, targetExpiresAt: null, sourceExpiresAt: null,
  voidReason: null, description: 'Prepaid',
};

describe('L5 fingerprint', () => {
  it('leaves out source id, ordinal and how the amount was written', () => {
    const same = { ...BASE, sourceId: 'other', ordinal: 7, amount: new Decimal('12.500'), costBasis: new Decimal('1.0') };
    expect(entryFingerprint(same)).toBe(entryFingerprint(BASE));
  });

  it('changes when any content field changes', () => {
    const variants: Array<Partial<LedgerEntry>> = [
      { kind: 'decrement' }, { status: 'pending' }, { customerId: 'cus_2' }, { subscriptionId: 'sub_1' }, { unit: 'EUR' },
      { amount: new Decimal('12.51') }, { at: BASE.at + 1 }, { blockId: 'b' }, { effectiveAt: BASE.at }, { expiresAt: null },
      { costBasis: new Decimal(0) }, { costBasis: null }, { priority: 1 }, { targetExpiresAt: 1 }, { sourceExpiresAt: 1 },
      { voidReason: 'refund' }, { description: null }, { description: 'Prepaid ' },
    ];
    const fingerprints = variants.map((change) => entryFingerprint({ ...BASE, ...change }));
    expect(new Set([entryFingerprint(BASE), ...fingerprints]).size).toBe(variants.length + 1);
  });

  it('text holding the separator cannot forge another entry\'s fingerprint', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '\u001f', '"', '1') }), fc.string({ unit: fc.constantFrom('a', '\u001f', '"', '1') }), (a, b) => {
        const x = entryFingerprint({ ...BASE, voidReason: a, description: b });
        const y = entryFingerprint({ ...BASE, voidReason: a + '\u001f' + b, description: '' });
        expect(x === y).toBe(false);
      }),
    );
  });

  it('a parser\'s fingerprint equals entryFingerprint of the entry it made (the store can recompute it)', () => {
    const text = jsonl(
      { company_id: 'c', transaction_id: 't1', type: 'credit', amount: 100.1, created_at: '2025-01-01T00:00:00Z', expire_at: '2025-06-01' },
      { company_id: 'c', transaction_id: 't2', type: 'debit', amount: '-0.0000001', created_at: '2025-01-02T00:00:00Z' },
    );
    for (const parsed of parseImportFile('f.jsonl', text).entries) expect(parsed.fingerprint).toBe(entryFingerprint(parsed.entry));
  });
});
