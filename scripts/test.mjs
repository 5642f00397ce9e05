// `npm test`: typecheck, unit tests, build, e2e tests, in that order; stops at the first failure
// with its exit code. The last line is always the summary CI reads: "N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ZERO,
  addCounts,
  countsForStep,
  countsFromPlaywright,
  countsFromVitest,
  readReport,
  skipReasonsFromPlaywright,
  summaryLine,
} from './lib/test-summary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const reportsDir = join(root, 'test-results', 'reports');
const vitestReport = join(reportsDir, 'vitest.json');
const playwrightReport = join(reportsDir, 'playwright.json');
const isWindows = process.platform === 'win32';
const bin = (name) => join(root, 'node_modules', '.bin', isWindows ? `${name}.cmd` : name);
// Under `npm test`, npm_execpath is npm's own CLI; run the same npm again.
const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : [isWindows ? 'npm.cmd' : 'npm'];

const steps = [
  { name: 'typecheck', command: npm, args: ['run', 'typecheck'] },
  {
    name: 'unit tests (vitest)',
    command: [bin('vitest')],
    args: ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestReport}`],
    report: { path: vitestReport, count: countsFromVitest },
  },
  { name: 'build (electron-vite)', command: [bin('electron-vite')], args: ['build'] },
  {
    name: 'e2e tests (playwright)',
    command: [bin('playwright')],
    args: ['test'],
    // The build step above just built out/; the e2e global setup need not build it again.
    env: { LEDGERSCOPE_E2E_PREBUILT: '1' },
    report: { path: playwrightReport, count: countsFromPlaywright, skipReasons: skipReasonsFromPlaywright },
  },
];

mkdirSync(reportsDir, { recursive: true });
let total = { ...ZERO };
let exitCode = 0;

for (const [index, step] of steps.entries()) {
  console.log(`\n=== [${index + 1}/${steps.length}] ${step.name} ===`);
  if (step.report) rmSync(step.report.path, { force: true });
  const startedAt = Date.now();
  const [command, ...prefix] = step.command;
  const result = spawnSync(command, [...prefix, ...step.args], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...step.env },
    shell: isWindows,
  });
  if (result.error) console.error(`could not run ${command}: ${result.error.message}`);
  const stepExit = result.status ?? 1;
  const report = step.report ? readReport(step.report.path) : null;
  const reported = report === null ? null : step.report.count(report);
  for (const { reason, count } of report === null ? [] : (step.report.skipReasons?.(report) ?? [])) {
    console.log(`skipped ${count}: ${reason}`);
  }
  if (step.report || stepExit !== 0) total = addCounts(total, countsForStep({ exitCode: stepExit, reported }));
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  if (stepExit !== 0) {
    console.log(`\n${step.name} failed (exit ${stepExit}, ${seconds} s); stopping.`);
    exitCode = stepExit;
    break;
  }
  console.log(`${step.name} ok (${seconds} s)`);
}

console.log(`\n${summaryLine(total)}`);
process.exit(exitCode);
