// Reconcile at scale: 20,000 generated payments against their credits. Speed itself is measured by
// `npm run bench` (reconcile_s, DESIGN §8), not here: a timed assertion only flakes on a busy machine.
import { describe, expect, it } from 'vitest';
import { generateReconcileInput, reconcile } from '../../core/reconcile/index.js';

describe('reconcile at scale', () => {
  it('20,000 payments against 20,000 credits (and usage): every item matched, the fuzzy ones too', () => {
    const input = generateReconcileInput({ payments: 20_000, seed: 11 });
    const result = reconcile(input);
    expect(result.items).toHaveLength(20_000);
    expect(result.items.every((item) => item.category === 'matched' || item.category === 'matched_fuzzy')).toBe(true);
    expect(result.items.filter((item) => item.category === 'matched_fuzzy').length).toBeGreaterThan(1_000);
  });
});
