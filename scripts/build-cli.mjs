// Bundles the headless entry points (CLI, benchmark) from TypeScript into dist/ with esbuild.
// Runs on `npm install` (the "prepare" script) so `npx ledgerscope` works right after cloning.
// Dependencies stay external: better-sqlite3 is native and must load from node_modules.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entryPoints = {
  cli: 'core/cli/main.ts',
  bench: 'bench/bench.ts',
  'bench-import-child': 'bench/import-child.ts',
};
const present = Object.fromEntries(Object.entries(entryPoints).filter(([, path]) => existsSync(root + path)));

const common = {
  absWorkingDir: root,
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
};

/**
 * better-sqlite3 is CommonJS: an ES module's import of it has Node lex its sources for their export names
 * (and start that lexer) before requiring it, ~4 ms of every command's start; require() alone does not.
 * The default import is all core/store uses.
 */
const requireBetterSqlite = {
  name: 'require-better-sqlite3',
  setup(plugin) {
    plugin.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: 'better-sqlite3', namespace: 'required' }));
    plugin.onLoad({ filter: /.*/, namespace: 'required' }, () => ({
      contents: "export default process.getBuiltinModule('node:module').createRequire(import.meta.url)('better-sqlite3');",
      loader: 'js',
    }));
  },
};

await build({
  ...common,
  entryPoints: present,
  plugins: [requireBetterSqlite],
  // Split: each command's modules (and zod, the Stripe and Orb SDKs behind them) load only when it runs.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});

// What bin/ledgerscope.mjs runs: --help without the engine, any other command through dist/cli.mjs. One
// file with no shared chunk (every module loaded is start-up time: ~0.5 ms each); its import of the CLI
// stays a dynamic import of dist/cli.mjs, which has its own copy of the two small modules it shares.
await build({
  ...common,
  entryPoints: { launch: 'core/cli/launch.ts' },
  plugins: [
    {
      name: 'cli-stays-apart',
      setup(plugin) {
        plugin.onResolve({ filter: /^\.\/main\.js$/ }, () => ({ path: './cli.mjs', external: true }));
      },
    },
  ],
});
