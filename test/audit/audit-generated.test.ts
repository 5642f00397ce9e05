// Generated Orb exports (consistent by construction, usage split across blocks in L1 order, expiries)
// audit clean; one planted change gives exactly its finding. Seeded: LEDGER_SEED=<n> replays a failure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditExport } from '../../core/audit/audit.js';
import { Decimal, toCanonical } from '../../core/money/decimal.js';
import { generateOrbExportJsonl } from '../../core/audit/generate-orb-export.js';

const seed = process.env.LEDGER_SEED === undefined ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : Number(process.env.LEDGER_SEED);
// eslint-disable-next-line no-console
console.log(`audit of generated exports: LEDGER_SEED=${seed}`);

function records(generatorSeed: number): Record<string, unknown>[] {
  return generateOrbExportJsonl({ entries: 120, accounts: 1, seed: generatorSeed })
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function findings(items: Record<string, unknown>[]): [string, string | null][] {
  const text = items.map((item) => JSON.stringify(item)).join('\n') + '\n';
  return auditExport([{ path: 'generated.jsonl', text }]).findings.map((f) => [f.rule, f.entryId]);
}

describe('audit of generated Orb exports', () => {
  it('a consistent export audits clean', () => {
    const text = generateOrbExportJsonl({ entries: 5_000, accounts: 20, seed: 7 });
    const report = auditExport([{ path: 'generated.jsonl', text }]);
    expect(report.findings).toEqual([]);
    expect(report.accounts).toHaveLength(20);
  });

  it('L8 removing any record but the last gives exactly one sequence gap, at the next record', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 0, max: 118 }), (generatorSeed, drop) => {
        const items = records(generatorSeed);
        const next = items[drop + 1]!;
        expect(findings(items.filter((_, i) => i !== drop))).toEqual([['L8', next.id]]);
      }),
      { seed, numRuns: 40 },
    );
  });

  it('L8 shifting the stated balances from any record on gives exactly one broken chain (or opening) there', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 0, max: 119 }), fc.integer({ min: 1, max: 999 }), (generatorSeed, from, cents) => {
        const items = records(generatorSeed);
        const by = new Decimal(cents).dividedBy(100);
        for (const item of items.slice(from)) {
          // JSON.parse gave numbers of two decimals: String() prints them back exactly.
          for (const field of ['starting_balance', 'ending_balance'] as const) item[field] = toCanonical(new Decimal(String(item[field])).plus(by));
        }
        expect(findings(items)).toEqual([['L8', items[from]!.id]]);
      }),
      { seed, numRuns: 40 },
    );
  });
});
