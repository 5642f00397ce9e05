// Bundles the headless entry points (CLI, benchmark) from TypeScript into dist/ with esbuild.
// Runs on `npm install` (the "prepare" script) so `npx ledgerscope` works right after cloning.
// Dependencies stay external: better-sqlite3 is native and must load from node_modules.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entryPoints = {
  // What bin/ledgerscope.mjs runs: --help without the engine, any other command through cli.
  launch: 'core/cli/launch.ts',
  cli: 'core/cli/main.ts',
  bench: 'bench/bench.ts',
  'bench-import-child': 'bench/import-child.ts',
};
const present = Object.fromEntries(Object.entries(entryPoints).filter(([, path]) => existsSync(root + path)));

await build({
  absWorkingDir: root,
  entryPoints: present,
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  // Split: each command's modules (and zod, the Stripe and Orb SDKs behind them) load only when it runs.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
