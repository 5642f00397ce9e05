import { describe, expect, it } from 'vitest';
import { generateMoesifJsonl } from '../../core/sources/generate-moesif.js';
import { parseImportFile } from '../../core/sources/parse.js';

describe('generateMoesifJsonl', () => {
  const text = generateMoesifJsonl({ entries: 5000, accounts: 50, seed: 7 });
  const result = parseImportFile('generated.jsonl', text);

  it('is deterministic for a seed, and differs between seeds', () => {
    expect(generateMoesifJsonl({ entries: 5000, accounts: 50, seed: 7 })).toBe(text);
    expect(generateMoesifJsonl({ entries: 5000, accounts: 50, seed: 8 })).not.toBe(text);
  });

  it('is a clean Moesif JSON Lines file of the asked size over the asked accounts', () => {
    expect(result.format).toBe('moesif');
    expect(result.problems).toEqual([]);
    expect(result.entries).toHaveLength(5000);
    expect(new Set(result.entries.map((e) => e.entry.customerId)).size).toBe(50);
    expect(new Set(result.entries.map((e) => e.entry.sourceId)).size).toBe(5000);
  });

  it('has the realistic mix: each account opens with a credit, then many debits, a few pending, credits with and without expiry, promotions', () => {
    const firstOf = new Map<string, string>();
    const count = (test: (e: (typeof result.entries)[number]['entry']) => boolean) => result.entries.filter((p) => test(p.entry)).length;
    for (const { entry } of result.entries) if (!firstOf.has(entry.customerId)) firstOf.set(entry.customerId, entry.kind);
    expect([...firstOf.values()].every((kind) => kind === 'increment')).toBe(true);
    expect(count((e) => e.kind === 'decrement')).toBeGreaterThan(4000);
    expect(count((e) => e.kind === 'decrement' && e.status === 'pending')).toBeGreaterThan(20);
    expect(count((e) => e.kind === 'increment' && e.costBasis?.toString() === '1' && e.expiresAt !== null)).toBeGreaterThan(10);
    expect(count((e) => e.kind === 'increment' && e.costBasis?.toString() === '1' && e.expiresAt === null)).toBeGreaterThan(10);
    expect(count((e) => e.kind === 'increment' && e.costBasis?.toString() === '0')).toBeGreaterThan(10);
  });

  it('writes amounts as two-decimal JSON numbers and created_at increasing', () => {
    expect(text.split('\n')[1]).toMatch(/"amount":-?\d+\.\d{2},/);
    const instants = result.entries.map((e) => e.entry.at);
    expect(instants.every((at, i) => i === 0 || at > (instants[i - 1] as number))).toBe(true);
  });
});
