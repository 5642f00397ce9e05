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
 * Spawns serve on `db` (port 0: a free one) and resolves once it printed its URL.
 * @returns {Promise<{ url: string, origin: string, port: number, token: string, child: import('node:child_process').ChildProcess, stop(): Promise<void> }>}
 */
export async function startServe({ root, db, port = 0, env = process.env, timeoutMs = 30_000, stdio = 'pipe' }) {
  ensureCli(root);
  const bin = join(root, 'bin', 'ledgerscope.mjs');
  const child = spawn(process.execPath, [bin, 'serve', '--db', db, '--port', String(port)], {
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
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
