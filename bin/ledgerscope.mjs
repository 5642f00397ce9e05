#!/usr/bin/env node
// Runs the bundled CLI; `npm install` builds it (the "prepare" script), and so does `npm run build:cli`.
// Node's built-ins come through process.getBuiltinModule: an ES module's `import 'node:fs'` builds a facade
// of every export first (loading fs/promises), ~2 ms of every start.
const { existsSync } = process.getBuiltinModule?.('node:fs') ?? (await import('node:fs'));

// The launcher loads only what the command needs (dist/ is split per command: scripts/build-cli.mjs).
const launcher = new URL('../dist/launch.mjs', import.meta.url);
if (!existsSync(launcher)) {
  process.stderr.write('ledgerscope: the CLI is not built yet; run "npm run build:cli" (npm install does it)\n');
  process.exit(2);
}
const { launch } = await import(launcher.href);
process.exitCode = await launch(process.argv.slice(2), Date.now());
