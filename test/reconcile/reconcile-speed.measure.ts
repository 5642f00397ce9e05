/**
 * Measures reconcile_s as `npm run bench` does (not a vitest test): the pure engine, generated data.
 * Run: npx esbuild test/reconcile/reconcile-speed.measure.ts --bundle --platform=node --format=esm \
 *        --packages=external --outfile=/tmp/reconcile-speed.mjs && node --expose-gc /tmp/reconcile-speed.mjs [payments]
 */
import { measureReconcile } from '../../bench/reconcile.js';

const payments = Number(process.argv[2] ?? 100_000);
console.log(`reconcile ${payments} payments against ${payments} credits: best of 3 ${measureReconcile({ payments }).toFixed(3)} s`);
