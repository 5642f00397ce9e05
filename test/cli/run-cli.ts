import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin', 'ledgerscope.mjs');

/** Builds dist/cli.mjs once per test file, as `npm install` would. */
export function buildCli(): void {
  execFileSync(process.execPath, [join(root, 'scripts', 'build-cli.mjs')], { cwd: root, stdio: 'inherit' });
}

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `ledgerscope` bin in a child process, as a user or a checker would. */
export function ledgerscope(...args: string[]): CliResult {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 256 << 20 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export function ledgerscopeJson<T = any>(...args: string[]): T {
  const result = ledgerscope(...args, '--json');
  if (result.status !== 0) throw new Error(`ledgerscope ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

export function workDir(): string {
  return mkdtempSync(join(tmpdir(), 'ledgerscope-cli-'));
}

export function writeLines(dir: string, name: string, records: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, records.map((record) => JSON.stringify(record)).join('\n') + '\n');
  return path;
}
