import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareAccountKeys } from '../../core/ledger/account-key.js';
import { ENTRY_KINDS, type AccountKey, type LedgerEntry } from '../../core/ledger/types.js';
import { Decimal, toCanonical } from '../../core/money/decimal.js';
import { importFiles } from '../../core/import/ledger-files.js';
import {
  accountsOfCustomer,
  countEntries,
  EntryWriter,
  forEachAccountEntries,
  insertImport,
  listAccounts,
  listEntryRecords,
  loadAccountEntries,
  loadEntryEvidence,
  openLedgerDb,
  type LedgerDb,
  type NewEntryRecord,
} from '../../core/store/index.js';
import { jsonl, moesifLine, NOW, tempDir } from './store-fixtures.js';

/** Writes records the way the import does (one transaction), for tests of the read side. */
function writeRecords(db: LedgerDb, records: readonly NewEntryRecord[]): void {
  db.transaction(() => {
    const { fileIds } = insertImport(db, {
      startedAt: NOW,
      sourceOption: null,
      unitOption: null,
      inserted: records.length,
      unchanged: 0,
      accountsTouched: 0,
      firstOrdinal: 1,
      lastOrdinal: records.length,
      files: [{ path: 'generated.jsonl', format: 'orb-export', records: records.length }],
    });
    const accounts: { key: AccountKey; entries: number }[] = [];
    const accountOf = records.map((record) => {
      const e = record.entry;
      let index = accounts.findIndex((a) => a.key.customerId === e.customerId && a.key.subscriptionId === e.subscriptionId && a.key.unit === e.unit);
      if (index < 0) index = accounts.push({ key: { customerId: e.customerId, subscriptionId: e.subscriptionId, unit: e.unit }, entries: 0 }) - 1;
      accounts[index]!.entries++;
      return index;
    });
    const writer = new EntryWriter(db, accounts, { first: 1, last: records.length });
    records.forEach((record, i) => writer.insert(record, fileIds[0]!, accountOf[i]!));
    writer.finish();
  })();
}

const text = fc.string({ minLength: 1, maxLength: 12 });
const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) });
const decimalText = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.integer({ min: 0, max: 12 }))
  .map(([digits, scale]) => toCanonical(new Decimal(digits.toString()).div(new Decimal(10).pow(scale))));
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null });

const recordArbitrary = fc.record({
  customerId: fc.constantFrom('cus_a', 'cus_b', 'cus_ü', 'cus_😀'),
  subscriptionId: fc.constantFrom(null, 'sub_1', 'sub_2'),
  unit: fc.constantFrom('USD', 'credits', 'JPY'),
  kind: fc.constantFrom(...ENTRY_KINDS),
  status: fc.constantFrom('posted' as const, 'pending' as const),
  amount: decimalText,
  at: instant,
  blockId: optional(text),
  effectiveAt: optional(instant),
  expiresAt: optional(instant),
  costBasis: optional(decimalText),
  priority: optional(fc.integer({ min: -5, max: 1000 })),
  targetExpiresAt: optional(instant),
  sourceExpiresAt: optional(instant),
  voidReason: optional(text),
  description: optional(fc.string({ maxLength: 40 })),
  metadata: optional(fc.dictionary(fc.stringMatching(/^[a-z_]{1,8}$/), fc.oneof(fc.string(), fc.integer(), fc.boolean()))),
  stated: optional(fc.record({ sequence: optional(fc.nat()), startingBalance: optional(decimalText), endingBalance: optional(decimalText) })),
  externalCustomerId: optional(text),
  line: optional(fc.integer({ min: 1, max: 1_000_000 })),
  pointer: optional(fc.constantFrom('/0', '/data/3', '/a~1b')),
  raw: fc.string({ minLength: 1, maxLength: 80 }),
});

describe('store repositories', () => {
  it('stores every entry field and its evidence exactly, and reads accounts back in replay order', () => {
    fc.assert(
      fc.property(fc.array(recordArbitrary, { minLength: 1, maxLength: 40 }), (generated) => {
        const db = openLedgerDb(join(tempDir(), 'ledger.sqlite'), { create: true, now: NOW });
        try {
          const records: NewEntryRecord[] = generated.map((g, i) => ({
            entry: {
              source: 'orb',
              sourceId: `e${i}`,
              customerId: g.customerId,
              subscriptionId: g.subscriptionId,
              unit: g.unit,
              kind: g.kind,
              status: g.status,
              amount: new Decimal(g.amount),
              at: g.at,
              ordinal: i + 1,
              blockId: g.blockId,
              effectiveAt: g.effectiveAt,
              expiresAt: g.expiresAt,
              costBasis: g.costBasis === null ? null : new Decimal(g.costBasis),
              priority: g.priority,
              targetExpiresAt: g.targetExpiresAt,
              sourceExpiresAt: g.sourceExpiresAt,
              voidReason: g.voidReason,
              description: g.description,
            },
            origin: { line: g.line, pointer: g.pointer },
            raw: g.raw,
            metadata: g.metadata,
            stated: g.stated,
            externalCustomerId: g.externalCustomerId,
          }));
          writeRecords(db, records);
          expect(countEntries(db)).toBe(records.length);

          const keys = [...new Map(records.map((r) => [JSON.stringify([r.entry.customerId, r.entry.subscriptionId, r.entry.unit]), r.entry])).values()]
            .map((e): AccountKey => ({ customerId: e.customerId, subscriptionId: e.subscriptionId, unit: e.unit }))
            .sort(compareAccountKeys);
          expect(listAccounts(db)).toEqual(keys);

          const canonical = (e: LedgerEntry) => ({ ...e, amount: toCanonical(e.amount), costBasis: e.costBasis === null ? null : toCanonical(e.costBasis) });
          const seen: AccountKey[] = [];
          forEachAccountEntries(db, (key, entries) => {
            seen.push(key);
            const expected = records
              .filter((r) => compareAccountKeys(r.entry, key) === 0)
              .sort((a, b) => a.entry.at - b.entry.at || a.entry.ordinal - b.entry.ordinal);
            expect(entries.map(canonical)).toEqual(expected.map((r) => canonical(r.entry)));
            expect(loadAccountEntries(db, key).map(canonical)).toEqual(expected.map((r) => canonical(r.entry)));
            expect(listEntryRecords(db, key)).toEqual(
              expected.map((r) => ({
                source: 'orb',
                sourceId: r.entry.sourceId,
                ordinal: r.entry.ordinal,
                origin: { file: 'generated.jsonl', line: r.origin.line, pointer: r.origin.pointer },
                metadata: r.metadata,
                stated: r.stated === null || (r.stated.sequence === null && r.stated.startingBalance === null && r.stated.endingBalance === null) ? null : r.stated,
                externalCustomerId: r.externalCustomerId ?? null,
                importId: 1,
              })),
            );
          });
          expect(seen).toEqual(keys);
          for (const record of records) {
            const evidence = loadEntryEvidence(db, 'orb', record.entry.sourceId);
            expect(evidence).toMatchObject({ raw: record.raw, importId: 1, importedAt: NOW, origin: { file: 'generated.jsonl' } });
          }
          expect(loadEntryEvidence(db, 'orb', 'no-such-id')).toBeNull();
          expect(loadEntryEvidence(db, 'moesif', 'e0')).toBeNull();
        } finally {
          db.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('lists a customer\'s accounts (one per subscription and unit), sorted; none for an unknown customer', () => {
    const path = join(tempDir(), 'ledger.sqlite');
    const line = (company: string, id: string, subscription?: string, currency?: string) => {
      const base = moesifLine({ company, id, type: 'credit', amount: '10', at: '2025-01-01T00:00:00Z', ...(subscription === undefined ? {} : { subscription }) });
      return currency === undefined ? base : base.replace(/}$/, `,"currency":"${currency}"}`);
    };
    importFiles(path, [{ path: 'a.jsonl', text: jsonl([line('cus_b', 't1', 'sub_2'), line('cus_b', 't2'), line('cus_b', 't3', 'sub_1', 'eur'), line('cus_a', 't4')]) }], { now: NOW });
    const db = openLedgerDb(path, { create: false });
    try {
      expect(accountsOfCustomer(db, 'cus_b')).toEqual([
        { customerId: 'cus_b', subscriptionId: null, unit: 'USD' },
        { customerId: 'cus_b', subscriptionId: 'sub_1', unit: 'EUR' },
        { customerId: 'cus_b', subscriptionId: 'sub_2', unit: 'USD' },
      ]);
      expect(accountsOfCustomer(db, 'cus_zzz')).toEqual([]);
      expect(loadAccountEntries(db, { customerId: 'cus_zzz', subscriptionId: null, unit: 'USD' })).toEqual([]);
      const evidence = loadEntryEvidence(db, 'moesif', 't3');
      expect(evidence).toMatchObject({ raw: line('cus_b', 't3', 'sub_1', 'eur'), origin: { file: 'a.jsonl', line: 3, pointer: null }, importId: 1 });
    } finally {
      db.close();
    }
  });

  it('amounts keep every digit: stored as canonical decimal text, never a float', () => {
    const path = join(tempDir(), 'ledger.sqlite');
    const amount = '123456789012345678901234.567890123456';
    importFiles(path, [{ path: 'a.jsonl', text: jsonl([moesifLine({ company: 'cus_a', id: 't1', type: 'credit', amount, at: '2025-01-01T00:00:00Z' })]) }], { now: NOW });
    const db = openLedgerDb(path, { create: false });
    try {
      const [entry] = loadAccountEntries(db, { customerId: 'cus_a', subscriptionId: null, unit: 'USD' });
      expect(toCanonical(entry!.amount)).toBe(amount);
      expect(db.prepare("SELECT typeof(amount) FROM entries").pluck().get()).toBe('text');
    } finally {
      db.close();
    }
  });
});
