// Starts `ledgerscope serve` as a child process and reads the URL it prints: used by `npm start`
// (browser mode), the e2e tests and the first-paint benchmark.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const URL_LINE = /(http:\/\/127\.0\.0\.1:(\d+)\/)#token=([0-9a-f]+)/;

/** Builds dist/cli.mjs when it is missing (npm install does it; a fresh checkout may not have). */
export function ensureCli(root) {
  if (existsSync(join(root, 'dist', 'cli.mjs'))) return;
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'build-cli.mjs')], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('could not build the CLI (node scripts/build-cli.mjs)');
}

/**
 * The command that runs `serve`: the CLI itself, or, while the CLI does not route `serve` yet, a bundle
 * of core/cli/serve-command.ts made here with esbuild (dist/serve-fallback.mjs).
 */
export async function serveCommand(root) {
  ensureCli(root);
  const bin = join(root, 'bin', 'ledgerscope.mjs');
  const probe = spawnSync(process.execPath, [bin, 'serve'], { cwd: root, encoding: 'utf8', timeout: 20_000 });
  if (!/not available/i.test(`${probe.stdout}${probe.stderr}`)) return { args: [bin, 'serve'], fallback: false };
  const { build } = await import('esbuild');
  const outfile = join(root, 'dist', 'serve-fallback.mjs');
  await build({
    absWorkingDir: root,
    stdin: {
      resolveDir: root,
      sourcefile: 'serve-fallback.ts',
      loader: 'ts',
      contents: [
        "import { parseArgs } from 'node:util';",
        "import { runServe } from './core/cli/serve-command.ts';",
        "import { processIo } from './core/cli/io.ts';",
        "import { UsageError } from './core/cli/cli-error.ts';",
        "const { values } = parseArgs({ args: process.argv.slice(3), options: { db: { type: 'string' }, port: { type: 'string' } }, strict: true });",
        'try {',
        "  if (!values.db) throw new UsageError('serve: --db is required');",
        '  process.exitCode = runServe({ io: processIo, now: Date.now() }, { db: values.db, port: values.port });',
        '} catch (error) {',
        '  if (!(error instanceof UsageError)) throw error;',
        "  for (const line of error.lines) processIo.err(line + '\\n');",
        '  process.exitCode = 2;',
        '}',
      ].join('\n'),
    },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return { args: [outfile, 'serve'], fallback: true };
}

/**
 * Spawns serve on `db` (port 0: a free one) and resolves once it printed its URL.
 * @returns {Promise<{ url: string, origin: string, port: number, token: string, child: import('node:child_process').ChildProcess, fallback: boolean, stop(): Promise<void> }>}
 */
export async function startServe({ root, db, port = 0, env = process.env, timeoutMs = 30_000, stdio = 'pipe' }) {
  const command = await serveCommand(root);
  const child = spawn(process.execPath, [...command.args, '--db', db, '--port', String(port)], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', stdio === 'inherit' ? 'inherit' : 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const found = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdio === 'inherit') process.stdout.write(chunk);
      const match = URL_LINE.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before printing its URL: ${stderr.trim()}`));
    });
  });
  return {
    url: found[0],
    origin: found[1],
    port: Number(found[2]),
    token: found[3],
    child,
    fallback: command.fallback,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
