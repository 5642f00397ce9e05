// The audit of Orb export JSON Lines through the fast scanner and the scaled-integer account check
// (the default) gives exactly the report of the full parser and the general audit ({scan: false}): on
// generated exports with random damage, on several files with shared ids, on files mixing lines the
// scanner takes and lines it leaves. Seeded: LEDGER_SEED=<n> replays a failure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditExport } from '../../core/audit/audit.js';
import { generateOrbExportJsonl } from '../../core/audit/generate-orb-export.js';
import type { AuditInput } from '../../core/audit/types.js';
import { auditReportView } from '../../core/audit/view.js';

const seed = process.env.LEDGER_SEED === undefined ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : Number(process.env.LEDGER_SEED);
// eslint-disable-next-line no-console
console.log(`audit scan vs full: LEDGER_SEED=${seed}`);

function sameReport(files: AuditInput[]): number {
  const fast = auditExport(files);
  const full = auditExport(files, { scan: false });
  expect(fast.files).toEqual(full.files);
  expect(auditReportView(fast)).toEqual(auditReportView(full));
  return fast.findings.length;
}

type Damage = (lines: string[], at: number, random: number) => void;

const setField = (key: string, value: string): Damage => (lines, at) => {
  lines[at] = lines[at]!.replace(new RegExp(`"${key}":("[^"]*"|[^,}]*)`), `"${key}":${value}`);
};

/** Kinds of damage a provider's export (or a person editing it) may have. */
const DAMAGES: [string, Damage][] = [
  ['drop a line', (lines, at) => void lines.splice(at, 1)],
  ['duplicate a line', (lines, at, r) => void lines.splice(Math.floor(r * lines.length), 0, lines[at]!)],
  ['duplicate an id with other content', (lines, at, r) => void lines.splice(Math.floor(r * lines.length), 0, lines[at]!.replace(/"amount":-?/, '"amount":7'))],
  ['swap two lines', (lines, at, r) => {
    const other = Math.floor(r * lines.length);
    [lines[at], lines[other]] = [lines[other]!, lines[at]!];
  }],
  ['change an amount', setField('amount', '-1.23')],
  ['make an amount a string', (lines, at) => void (lines[at] = lines[at]!.replace(/"amount":(-?[\d.]+)/, '"amount":"$1"'))],
  ['give an amount an exponent', setField('amount', '1e2')],
  ['change an ending balance', setField('ending_balance', '5')],
  ['change a starting balance', setField('starting_balance', '0')],
  ['change a sequence number', setField('ledger_sequence_number', '3')],
  ['drop a sequence number', setField('ledger_sequence_number', 'null')],
  ['make an entry pending', setField('entry_status', '"pending"')],
  ['make an entry a void', setField('entry_type', '"void"')],
  ['make an entry an amendment', setField('entry_type', '"amendment"')],
  ['make a decrement an increment', setField('entry_type', '"increment"')],
  ['move an entry in time', setField('created_at', '"2024-01-01T05:00:00.000Z"')],
  ['move an entry far ahead', setField('created_at', '"2025-06-01T00:00:00Z"')],
  ['draw from another block', (lines, at) => void (lines[at] = lines[at]!.replace(/"credit_block":\{"id":"[^"]*"/, '"credit_block":{"id":"blk_0_1"'))],
  ['draw from an unknown block', (lines, at) => void (lines[at] = lines[at]!.replace(/"credit_block":\{"id":"[^"]*"/, '"credit_block":{"id":"blk_none"'))],
  ['change a block expiry', setField('expiry_date', '"2024-01-02T00:00:00.000Z"')],
  ['change a cost basis', setField('per_unit_cost_basis', '"0.5"')],
  ['change the currency', setField('currency', '"usd"')],
  ['move an entry to another customer', (lines, at) => void (lines[at] = lines[at]!.replace(/"customer":\{"id":"[^"]*"/, '"customer":{"id":"cus_1"'))],
  ['add a description with an escape', setField('description', '"a \\"quoted\\" word"')],
  ['break the JSON', (lines, at) => void (lines[at] = lines[at]!.slice(0, 40))],
  ['add a long decimal', setField('amount', '-0.0000000000000000001')],
];

describe('audit with the fast scanner', () => {
  it('a clean generated export: the same report', () => {
    expect(sameReport([{ path: 'orb.jsonl', text: generateOrbExportJsonl({ entries: 3_000, accounts: 9, seed: 5 }) }])).toBe(0);
  });

  it('random damage to a generated export: the same report, finding for finding', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.array(fc.tuple(fc.nat({ max: DAMAGES.length - 1 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.999, noNaN: true })), { minLength: 1, maxLength: 3 }),
        (generatorSeed, damages) => {
          const lines = generateOrbExportJsonl({ entries: 240, accounts: 3, seed: generatorSeed }).trimEnd().split('\n');
          for (const [which, where, random] of damages) {
            const at = Math.min(lines.length - 1, Math.floor(where * lines.length));
            DAMAGES[which]![1](lines, at, random);
          }
          sameReport([{ path: 'damaged.jsonl', text: lines.join('\n') + '\n' }]);
        },
      ),
      { seed, numRuns: 150 },
    );
  });

  it('each damage alone, at several places: the same report', () => {
    const lines = generateOrbExportJsonl({ entries: 300, accounts: 2, seed: 17 }).trimEnd().split('\n');
    for (const [name, damage] of DAMAGES) {
      for (const at of [0, 1, 37, 150, 299]) {
        const copy = [...lines];
        damage(copy, Math.min(at, copy.length - 1), 0.42);
        try {
          sameReport([{ path: 'one.jsonl', text: copy.join('\n') + '\n' }]);
        } catch (error) {
          throw new Error(`${name} at ${at}: ${(error as Error).message}`);
        }
      }
    }
  });

  it('several files: ids shared across files, a JSON array beside JSON Lines, one file with a parse problem', () => {
    const text = generateOrbExportJsonl({ entries: 400, accounts: 4, seed: 23 });
    const lines = text.trimEnd().split('\n');
    const array = `[${lines.slice(100, 160).join(',\n')}]`;
    const otherHalf = lines.slice(150, 260).join('\n') + '\n';
    const findings = sameReport([
      { path: 'a.jsonl', text },
      { path: 'b.json', text: array },
      { path: 'c.jsonl', text: otherHalf.replace('"amount":-', '"amount":-1') },
      { path: 'd.jsonl', text: lines.slice(0, 5).join('\n') + '\n{"id":\n' },
    ]);
    expect(findings).toBeGreaterThan(100);
    // The same files with the array first: which copy is first changes, and so the findings.
    sameReport([
      { path: 'b.json', text: array },
      { path: 'a.jsonl', text },
    ]);
  });

  it('one file, an id again on a line the scanner leaves to the full reader (an escape), before or after its scanned copy: the same L5 findings', () => {
    const lines = generateOrbExportJsonl({ entries: 3_000, accounts: 6, seed: 29 }).trimEnd().split('\n');
    const slowCopy = (line: string): string => line.replace('"description":null', '"description":"a \\"quoted\\" word"');
    for (const at of [0, 5, 1_234, 2_999]) {
      const after = [...lines];
      after.splice(Math.min(at + 40, after.length), 0, slowCopy(lines[at]!));
      const before = [...lines];
      before.splice(Math.max(0, at - 40), 0, slowCopy(lines[at]!));
      for (const copy of [after, before]) {
        const findings = auditExport([{ path: 'one.jsonl', text: copy.join('\n') + '\n' }]).findings;
        expect(findings.filter((finding) => finding.rule === 'L5')).toHaveLength(1);
        sameReport([{ path: 'one.jsonl', text: copy.join('\n') + '\n' }]);
      }
    }
  });
});
