import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBrowserHost } from '../host/browser-host.js';
import { workerExecutor } from '../host/jobs.js';
// A job worker is this very bundle started again as a worker thread (see job-worker.ts).
import '../host/job-worker.js';
import { isLedgerWritable, LedgerDbError, openLedgerDb } from '../store/index.js';
import { UsageError } from './cli-error.js';
import type { CommandContext } from './commands.js';

/*
 * `ledgerscope serve --db <path> [--port <n>]`: browser mode (DESIGN §2, §9). Binds 127.0.0.1 only and
 * prints the URL to open, with this start's token. Runs until interrupted.
 */

export interface ServeOptions {
  db: string;
  /** The --port text as given; absent or "0" picks a free port. */
  port?: string | undefined;
}

/** The package root: the nearest directory above this module with a package.json (dist/ or core/cli/). */
function packageRoot(): { root: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string };
      return { root: dir, version: parsed.version ?? '0.0.0' };
    }
    dir = dirname(dir);
  }
  throw new Error('cannot find the ledgerscope package.json above the CLI');
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65_535) throw new UsageError(`--port: expected a port number from 0 to 65535, found ${JSON.stringify(text)}`);
  return Number(text);
}

/**
 * Starts the host and returns 0 at once; the process then lives as long as the server. A failure to
 * listen (the port is taken) is printed and sets the exit code to 2.
 */
export function runServe(ctx: CommandContext, options: ServeOptions): number {
  const port = parsePort(options.port);
  const dbPath = resolve(options.db);
  if (!existsSync(dirname(dbPath))) throw new UsageError(`--db: the directory ${dirname(dbPath)} does not exist`);
  if (existsSync(dbPath)) {
    // Refuse a file that is not a ledger (or is newer than this version) before printing a URL.
    try {
      // A read-only ledger is served read-only (the app says so), not refused.
      openLedgerDb(dbPath, { create: false, readOnly: !isLedgerWritable(dbPath) }).close();
    } catch (error) {
      if (error instanceof LedgerDbError) throw new UsageError(error.message);
      throw error;
    }
  }
  const { root, version } = packageRoot();
  const rendererDir = join(root, 'out', 'renderer');
  const started = performance.now();
  startBrowserHost({
    dbPath,
    port,
    rendererDir,
    // The CLI's now, advanced by the monotonic clock: a long-running host's "now" moves on.
    clock: () => ctx.now + Math.round(performance.now() - started),
    executor: workerExecutor(new URL(import.meta.url)),
    version,
  }).then(
    (host) => {
      if (!existsSync(join(rendererDir, 'index.html'))) {
        ctx.io.err(`ledgerscope serve: the page is not built (${rendererDir}); run "npm run build" first\n`);
      }
      if (!existsSync(dbPath)) ctx.io.out(`${dbPath} does not exist yet: import files from the page to create it\n`);
      ctx.io.out(`Ledgerscope is serving ${dbPath} on 127.0.0.1 only. Open this URL (it carries this start's token):\n`);
      ctx.io.out(`${host.url}\n`);
      const stop = (): void => {
        void host.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? `port ${port} is already in use` : error.message;
      ctx.io.err(`ledgerscope serve: cannot listen on 127.0.0.1:${port}: ${reason}\n`);
      process.exitCode = 2;
    },
  );
  return 0;
}
