#!/usr/bin/env node
// Runs the bundled CLI; `npm install` builds it (the "prepare" script), and so does `npm run build:cli`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('ledgerscope: the CLI is not built yet; run "npm run build:cli" (npm install does it)\n');
  process.exit(2);
}
const { runCli, processIo } = await import(pathToFileURL(cli).href);
process.exitCode = await runCli(process.argv.slice(2), processIo, Date.now());
