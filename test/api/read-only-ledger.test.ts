// Issue 10's leftover: the app (desktop and browser mode share AppService and the jobs) opens a ledger it
// cannot write read-only, so it shows; app.info says it is read-only; every write (import, reconciliation
// run, adjustment post, mapping) gives the CLI's one read-only line and changes nothing.
// The tests run as root, where file modes stop no write: as in test/store/read-only-and-full.test.ts, a
// read-only tmpfs and a read-only bind mount of one file make the real condition. Without mount(8)
// permission they are skipped.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobStatus } from '../../core/api/types.js';
import { startBrowserHost, type BrowserHost } from '../../core/host/browser-host.js';
import { TOKEN_HEADER } from '../../core/host/http-host.js';
import { inlineExecutor } from '../../core/host/jobs.js';
import { AppService } from '../../core/service/app-service.js';
import { fakeRenderer, moesifJsonl, NOW, seededDb, tempDir } from './fixtures.js';

const mounted: string[] = [];

function run(command: string, ...args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

function canMount(): boolean {
  const probe = tempDir();
  if (!run('mount', '-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe)) return false;
  run('umount', probe);
  return true;
}

const MOUNT = canMount();
const SKIP_REASON = 'mount(8) is not permitted here: a read-only file cannot be made for root';

/** The files under `folder` this process holds open (Linux /proc): a connection left open keeps a disk busy. */
function openFilesUnder(folder: string): string[] {
  const open: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(`${folder}/`)) open.push(target);
    } catch {
      // closed meanwhile
    }
  }
  return open;
}

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The seeded ledger copied onto a tmpfs that is then remounted read-only. */
function ledgerOnReadOnlyDisk(): { seed: string; db: string; folder: string; dir: string } {
  const { dbPath: seed, dir } = seededDb();
  const folder = join(dir, 'ro');
  mkdirSync(folder);
  if (!run('mount', '-t', 'tmpfs', '-o', 'size=4096k', 'tmpfs', folder)) throw new Error(`cannot mount a tmpfs on ${folder}`);
  mounted.push(folder);
  const db = join(folder, 'ledger.sqlite');
  copyFileSync(seed, db);
  if (!run('mount', '-o', 'remount,ro', folder)) throw new Error(`cannot remount ${folder} read-only`);
  return { seed, db, folder, dir };
}

const readOnlyLine = (db: string): string =>
  `${db}: the ledger is read-only (its file, folder or disk cannot be written); nothing was changed (reading commands work on it; to change it, copy it with its -wal file, or with Ledgerscope closed, to a writable place)`;

let host: BrowserHost | null = null;
const services: AppService[] = [];
// Registered after fixtures.ts's clean-up, so run before it (after-hooks run in reverse): unmounted first.
afterEach(async () => {
  await host?.close();
  host = null;
  for (const service of services.splice(0)) service.close();
  for (const dir of mounted.splice(0).reverse()) run('umount', dir);
});

const page = { offset: 0, limit: 50 };
const accountA = { customer_id: 'cus_A', subscription_id: null, unit: 'USD' };

describe.skipIf(!MOUNT)(`the app on a read-only ledger (${MOUNT ? 'tmpfs and bind mounts' : SKIP_REASON})`, () => {
  it('on a read-only disk: reads answer as on a writable copy, app.info says read-only, every write is the one read-only line', async () => {
    const { seed, db, folder, dir } = ledgerOnReadOnlyDisk();
    const before = sha(db);
    const writable = new AppService({ dbPath: seed, clock: () => NOW });
    services.push(writable);
    expect(writable.databaseInfo().read_only).toBeUndefined();

    host = await startBrowserHost({ dbPath: db, port: 0, rendererDir: fakeRenderer(dir), clock: () => NOW, executor: inlineExecutor, version: '9.9.9', configDir: join(dir, 'config'), env: {} });
    const base = `http://127.0.0.1:${host.port}`;
    const auth = { 'content-type': 'application/json', [TOKEN_HEADER]: host.token };
    const call = async (method: string, input: unknown): Promise<{ status: number; body: any }> => {
      const response = await fetch(`${base}/api/${method}`, { method: 'POST', headers: auth, body: JSON.stringify(input) });
      return { status: response.status, body: await response.json() };
    };
    const waitForJob = async (job: JobStatus): Promise<JobStatus> => {
      for (let i = 0; i < 200; i++) {
        const reply = (await call('jobs.get', { job_id: job.job_id })).body.value as JobStatus;
        if (reply.state !== 'running') return reply;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error('job did not finish');
    };

    // Reads: the same answers as the writable copy gives.
    const info = (await call('app.info', {})).body.value;
    expect(info.database).toMatchObject({ exists: true, read_only: true, entry_count: writable.databaseInfo().entry_count });
    expect((await call('accounts.list', page)).body.value).toEqual(JSON.parse(JSON.stringify(writable.accountsList(page))));
    expect((await call('account.get', { account: accountA })).body.value).toEqual(JSON.parse(JSON.stringify(writable.accountGet({ account: accountA }))));
    expect((await call('entries.list', { account: accountA, ...page })).body.value.rows).toHaveLength(4);

    // Writes: the CLI's one line.
    const mapping = await call('mapping.set', { stripe_customer_id: 'cus_stripe', ledger_customer_id: 'cus_A' });
    expect(mapping.body.error).toEqual({ code: 'unavailable', message: readOnlyLine(db) });
    const proposal = {
      provider: 'moesif', customer_id: 'cus_A', subscription_id: null, unit: 'USD', kind: 'increment', amount: '5', block_id: null, void_reason: null,
      cost_basis: null, expires_at: null, moesif_type: 'credit', description: 'x', idempotency_key: 'k-1', run_id: 'run_1', item_id: 'item_1',
    };
    const post = await call('adjustment.post', { proposal, run_id: 'run_1', item_id: 'item_1' });
    expect(post.body.error).toEqual({ code: 'unavailable', message: readOnlyLine(db) });

    const upload = await call('import.upload', { files: [{ name: 'more.jsonl', text: moesifJsonl([{ company_id: 'cus_A', transaction_id: 'more-1', type: 'credit', amount: '5', created_at: '2025-02-20T00:00:00Z' }]) }] });
    const imported = await waitForJob((await call('import.run', { upload_id: upload.body.value.upload_id })).body.value);
    expect(imported).toMatchObject({ state: 'failed', error: readOnlyLine(db) });
    const reconciled = await waitForJob((await call('reconcile.run', {})).body.value);
    expect(reconciled).toMatchObject({ state: 'failed', error: readOnlyLine(db) });

    // Still readable afterwards, and nothing was written: the file as it was, no -wal or -shm beside it.
    expect((await call('accounts.list', page)).body.value.total_accounts).toBe(3);
    expect(sha(db)).toBe(before);
    expect(readdirSync(folder)).toEqual(['ledger.sqlite']);
    // One connection for the reads, none left behind by a failed open or write; none once closed.
    expect(openFilesUnder(folder)).toEqual([db]);
    await host.close();
    host = null;
    expect(openFilesUnder(folder)).toEqual([]);
  }, 60_000);

  it('a read-only file in a writable folder: the service reads it, says read-only, and refuses a post in one line', () => {
    const { dbPath } = seededDb();
    const expected = new AppService({ dbPath, clock: () => NOW });
    const list = expected.accountsList(page);
    expected.close();
    expect(run('mount', '--bind', dbPath, dbPath)).toBe(true);
    mounted.push(dbPath);
    expect(run('mount', '-o', 'remount,bind,ro', dbPath)).toBe(true);
    const before = sha(dbPath);
    const service = new AppService({ dbPath, clock: () => NOW });
    services.push(service);
    expect(service.accountsList(page)).toEqual(list);
    expect(service.databaseInfo().read_only).toBe(true);
    expect(() => service.mappingSet({ stripe_customer_id: 'cus_stripe', ledger_customer_id: 'cus_A' })).toThrow(readOnlyLine(dbPath));
    expect(sha(dbPath)).toBe(before);
  });
});
