// Builds the app once before the e2e specs (they build nothing themselves): the CLI bundle that
// `ledgerscope serve` runs (dist/cli.mjs, always: it is quick, and a stale one serves an old contract),
// and the renderer (out/), unless `npm test` has just built it and says so with LEDGERSCOPE_E2E_PREBUILT=1.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from './environment.js';

export default function globalSetup(): void {
  const cli = spawnSync(process.execPath, [join(projectRoot, 'scripts', 'build-cli.mjs')], { cwd: projectRoot, stdio: 'inherit' });
  if (cli.status !== 0) throw new Error(`building the CLI failed (exit ${cli.status ?? 'signal'})`);
  if (process.env['LEDGERSCOPE_E2E_PREBUILT'] === '1') return;
  const bin = join(projectRoot, 'node_modules', '.bin', process.platform === 'win32' ? 'electron-vite.cmd' : 'electron-vite');
  console.log('e2e global setup: electron-vite build');
  const result = spawnSync(bin, ['build'], { cwd: projectRoot, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) throw new Error(`electron-vite build failed (exit ${result.status ?? 'signal'})`);
}
