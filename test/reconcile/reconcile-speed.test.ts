// Speed guard (DESIGN §8 reconcile_s ≤ 1 s at 100,000; measured by `npm run bench`): 20,000 generated
// payments against their credits, all matched, well inside a generous bound an O(n²) pass would blow.
import { describe, expect, it } from 'vitest';
import { generateReconcileInput, reconcile } from '../../core/reconcile/index.js';

describe('reconcile speed', () => {
  it('20,000 payments against 20,000 credits (and usage): every item matched, in well under 3 s', () => {
    const input = generateReconcileInput({ payments: 20_000, seed: 11 });
    const started = performance.now();
    const result = reconcile(input);
    const seconds = (performance.now() - started) / 1000;
    expect(result.items).toHaveLength(20_000);
    expect(result.items.every((item) => item.category === 'matched' || item.category === 'matched_fuzzy')).toBe(true);
    expect(result.items.filter((item) => item.category === 'matched_fuzzy').length).toBeGreaterThan(1_000);
    expect(seconds).toBeLessThan(3);
  });
});
