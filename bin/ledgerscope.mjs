#!/usr/bin/env node
// Runs the bundled CLI; `npm install` builds it (the "prepare" script), and so does `npm run build:cli`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The launcher loads only what the command needs (dist/ is split per command: scripts/build-cli.mjs).
const launcher = fileURLToPath(new URL('../dist/launch.mjs', import.meta.url));
if (!existsSync(launcher)) {
  process.stderr.write('ledgerscope: the CLI is not built yet; run "npm run build:cli" (npm install does it)\n');
  process.exit(2);
}
const { launch } = await import(pathToFileURL(launcher).href);
process.exitCode = await launch(process.argv.slice(2), Date.now());
