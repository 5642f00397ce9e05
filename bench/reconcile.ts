// `reconcile_s` (DESIGN §8): the pure engine over generated data, 100,000 payments against 100,000 credits.
import { generateReconcileInput } from '../core/reconcile/generate-reconcile.js';
import { reconcile } from '../core/reconcile/reconcile.js';

/**
 * Seconds to reconcile `payments` generated payments against as many credits (plus as many usage
 * debits), best of three runs; data generation is not timed. Throws if the run is not all matched:
 * a fast wrong answer is not a measurement.
 */
export function measureReconcile(options: { payments: number }): number {
  const input = generateReconcileInput({ payments: options.payments, seed: 7 });
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    const result = reconcile(input);
    const seconds = (performance.now() - started) / 1000;
    const unmatched = result.items.filter((item) => item.category !== 'matched' && item.category !== 'matched_fuzzy').length;
    if (unmatched > 0 || result.items.length !== options.payments) {
      throw new Error(`reconcile bench: ${unmatched} of ${result.items.length} items not matched (expected ${options.payments} matched)`);
    }
    best = Math.min(best, seconds);
  }
  return best;
}
