import { request as httpRequest } from 'node:http';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../core/host/browser-host.js';
import { MAX_BODY_BYTES, TOKEN_HEADER } from '../../core/host/http-host.js';
import { inlineExecutor } from '../../core/host/jobs.js';
import type { HostEvent, JobStatus } from '../../core/api/types.js';
import { AppService } from '../../core/service/app-service.js';
import { fakeRenderer, moesifJsonl, NOW, seededDb, tempDir } from './fixtures.js';

/*
 * DESIGN §9: the loopback host binds 127.0.0.1, requires this start's token, and validates every input
 * against the contract before the service sees it. Each refusal is checked for its status and message.
 */

let host: BrowserHost | null = null;
afterEach(async () => {
  await host?.close();
  host = null;
});

async function start(dbPath: string, dir: string, env: NodeJS.ProcessEnv = {}): Promise<{ base: string; token: string }> {
  host = await startBrowserHost({
    dbPath,
    port: 0,
    rendererDir: fakeRenderer(dir),
    clock: () => NOW,
    executor: inlineExecutor,
    version: '9.9.9',
    configDir: join(dir, 'config'),
    env,
  });
  return { base: `http://127.0.0.1:${host.port}`, token: host.token };
}

interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

async function call(base: string, method: string, input: unknown, headers: Record<string, string>, init: RequestInit = {}): Promise<Reply> {
  const response = await fetch(`${base}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(input),
    ...init,
  });
  const text = await response.text();
  return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : text, headers: response.headers };
}

describe('HTTP host: refusals (token, method, schema, size, host)', () => {
  it('binds 127.0.0.1 and prints a URL carrying the token in its fragment', async () => {
    const { dbPath, dir } = seededDb();
    const { token } = await start(dbPath, dir);
    expect(host!.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/#token=${token}$`));
    expect(token).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a request without the token', async () => {
    const { dbPath, dir } = seededDb();
    const { base } = await start(dbPath, dir);
    const reply = await call(base, 'accounts.list', { offset: 0, limit: 10 }, {});
    expect(reply.status).toBe(403);
    expect(reply.body).toEqual({ ok: false, error: { code: 'forbidden', message: expect.stringContaining(`missing or wrong ${TOKEN_HEADER} header`) } });
  });

  it('refuses a bad token, including one of the right length', async () => {
    const { dbPath, dir } = seededDb();
    const { base, token } = await start(dbPath, dir);
    for (const bad of ['nope', token.replace(/.$/, (c) => (c === '0' ? '1' : '0'))]) {
      const reply = await call(base, 'app.info', {}, { [TOKEN_HEADER]: bad });
      expect(reply.status).toBe(403);
      expect(reply.body.error.code).toBe('forbidden');
    }
  });

  it('refuses an unknown method, inherited property names included', async () => {
    const { dbPath, dir } = seededDb();
    const { base, token } = await start(dbPath, dir);
    for (const method of ['ledger.drop', 'constructor', '__proto__', 'toString']) {
      const reply = await call(base, method, {}, { [TOKEN_HEADER]: token });
      expect(reply.status).toBe(404);
      expect(reply.body).toEqual({ ok: false, error: { code: 'unknown_method', message: `unknown method ${JSON.stringify(method)}` } });
    }
  });

  it('refuses input outside the schema, naming the field', async () => {
    const { dbPath, dir } = seededDb();
    const { base, token } = await start(dbPath, dir);
    const auth = { [TOKEN_HEADER]: token };
    const wrongType = await call(base, 'accounts.list', { offset: 0, limit: 'ten' }, auth);
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.code).toBe('invalid_input');
    expect(wrongType.body.error.message).toMatch(/^accounts\.list: .*limit/s);
    const extraKey = await call(base, 'app.info', { sql: 'drop table entries' }, auth);
    expect(extraKey.status).toBe(400);
    expect(extraKey.body.error.message).toMatch(/sql/);
    const floatAmount = await call(base, 'accounts.list', { offset: 0, limit: 5, filter: { low_balance_below: 12.5 } }, auth);
    expect(floatAmount.status).toBe(400);
    const zonelessInstant = await call(base, 'account.get', { account: { customer_id: 'cus_A', subscription_id: null, unit: 'USD' }, as_of: '2025-01-01T00:00:00' }, auth);
    expect(zonelessInstant.status).toBe(400);
    expect(zonelessInstant.body.error.message).toMatch(/as_of/);
    const pathAsName = await call(base, 'import.upload', { files: [{ name: '/etc/passwd', text: '' }] }, auth);
    expect(pathAsName.status).toBe(400);
    expect(pathAsName.body.error.message).toMatch(/without a directory/);
  });

  it('refuses anything but POST, a body that is not JSON, and an oversize body', async () => {
    const { dbPath, dir } = seededDb();
    const { base, token } = await start(dbPath, dir);
    const get = await fetch(`${base}/api/app.info`, { headers: { [TOKEN_HEADER]: token } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const notJson = await call(base, 'app.info', undefined, { [TOKEN_HEADER]: token }, { body: 'offset=0' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.message).toMatch(/not valid JSON/);
    const form = await call(base, 'app.info', {}, { [TOKEN_HEADER]: token, 'content-type': 'text/plain' });
    expect(form.status).toBe(400);
    const huge = await call(base, 'accounts.list', { offset: 0, limit: 1, search: 'x'.repeat(MAX_BODY_BYTES) }, { [TOKEN_HEADER]: token });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
  });

  it('refuses another Host header (DNS rebinding)', async () => {
    const { dbPath, dir } = seededDb();
    const { token } = await start(dbPath, dir);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: host!.port, path: '/api/app.info', method: 'POST', headers: { host: 'evil.example', [TOKEN_HEADER]: token, 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(status).toBe(403);
  });
});

describe('HTTP host: valid calls', () => {
  it('answers contract methods with the service\'s views', async () => {
    const { dbPath, dir } = seededDb();
    const { base, token } = await start(dbPath, dir);
    const auth = { [TOKEN_HEADER]: token };
    const info = await call(base, 'app.info', {}, auth);
    expect(info.status).toBe(200);
    expect(info.body).toEqual({
      ok: true,
      value: {
        host: 'browser',
        version: '9.9.9',
        now: '2025-03-01T00:00:00.000Z',
        database: { name: 'ledger.sqlite', path: dbPath, exists: true, entry_count: 7, account_count: 3 },
        features: { reconciliation: true, payments: true },
      },
    });
    const accounts = await call(base, 'accounts.list', { offset: 0, limit: 2, filter: { in_deficit: true } }, auth);
    expect(accounts.body.value).toMatchObject({ total: 1, rows: [{ customer_id: 'cus_B', current: '-30', deficit: '30' }] });
    const missing = await call(base, 'account.get', { account: { customer_id: 'cus_Z', subscription_id: null, unit: 'USD' } }, auth);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({ code: 'not_found', message: expect.stringContaining('cus_Z') });
  });

  it('serves the page with a strict CSP, and no file outside it', async () => {
    const { dbPath, dir } = seededDb();
    const { base } = await start(dbPath, dir);
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await page.text()).toContain('<title>Ledgerscope</title>');
    expect((await fetch(`${base}/..%2f..%2fetc%2fpasswd`)).status).toBe(403);
    expect((await fetch(`${base}/nothing.js`)).status).toBe(404);
  });

  it('refuses a file whose real path is outside the page folder: a symlinked file or folder inside it is a 403, its target never sent', async () => {
    const { dbPath, dir } = seededDb();
    const { base } = await start(dbPath, dir);
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.txt'), 'the secret outside the renderer\n');
    const renderer = join(dir, 'renderer');
    symlinkSync(join(outside, 'secret.txt'), join(renderer, 'leak.js'));
    symlinkSync(outside, join(renderer, 'assets'));
    // A symlink that stays inside the folder is an ordinary file.
    writeFileSync(join(renderer, 'app-1.js'), 'console.log(1)');
    symlinkSync(join(renderer, 'app-1.js'), join(renderer, 'app.js'));
    for (const path of ['/leak.js', '/assets/secret.txt']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(403);
      expect(await response.text()).not.toContain('secret');
    }
    const inside = await fetch(`${base}/app.js`);
    expect(inside.status).toBe(200);
    expect(await inside.text()).toBe('console.log(1)');
  });

  it('keeps keys from the environment, masked, and refuses to store one in browser mode', async () => {
    const { dbPath, dir } = seededDb();
    const { base, token } = await start(dbPath, dir, { STRIPE_API_KEY: 'rk_live_0123456789abcdWXYZ' });
    const auth = { [TOKEN_HEADER]: token };
    const settings = await call(base, 'settings.get', {}, auth);
    expect(JSON.stringify(settings.body)).not.toContain('0123456789');
    expect(settings.body.value.keys[0]).toEqual({ provider: 'stripe', configured: true, masked: 'rk_live_…WXYZ', stored_in: 'environment' });
    const store = await call(base, 'settings.set', { keys: { orb: 'orb_key_123456' } }, auth);
    expect(store.status).toBe(403);
    const window = await call(base, 'settings.set', { reconciliation: { date_window_days: 5 } }, auth);
    expect(window.body.value.reconciliation).toEqual({ date_window_days: 5, amount_tolerance: '0' });
    expect((await call(base, 'settings.get', {}, auth)).body.value.reconciliation.date_window_days).toBe(5);
  });
});

describe('HTTP host: import by upload, preview, run (nothing written on error)', () => {
  async function waitForJob(base: string, auth: Record<string, string>, job: JobStatus): Promise<JobStatus> {
    for (let i = 0; i < 200; i++) {
      const reply = await call(base, 'jobs.get', { job_id: job.job_id }, auth);
      if (reply.body.value.state !== 'running') return reply.body.value as JobStatus;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('job did not finish');
  }

  it('previews a broken file with every problem and writes nothing; imports a good one', async () => {
    const dir = tempDir();
    const dbPath = join(dir, 'fresh.sqlite');
    const { base, token } = await start(dbPath, dir);
    const auth = { [TOKEN_HEADER]: token };
    const events: HostEvent[] = [];
    const stream = await fetch(`${base}/api/events`, { method: 'POST', headers: auth });
    const reader = stream.body!.getReader();
    void (async () => {
      let buffered = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffered += new TextDecoder().decode(value);
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) if (line.trim() !== '') events.push(JSON.parse(line) as HostEvent);
      }
    })().catch(() => {});

    const broken = moesifJsonl([
      { company_id: 'cus_A', transaction_id: 't1', type: 'credit', amount: '10', created_at: '2025-01-01T00:00:00Z' },
    ]) + '{"company_id":"cus_A","transaction_id":"t2","type":"debit","amount":"12,50","created_at":"2025-01-02T00:00:00Z"}\n';
    const upload = await call(base, 'import.upload', { files: [{ name: 'broken.jsonl', text: broken }] }, auth);
    expect(upload.body.value.files).toEqual([{ name: 'broken.jsonl', size_bytes: Buffer.byteLength(broken) }]);
    const preview = await waitForJob(base, auth, (await call(base, 'import.preview', { upload_id: upload.body.value.upload_id }, auth)).body.value);
    expect(preview.state).toBe('succeeded');
    expect(preview.preview).toMatchObject({ ok: false, problem_count: 1, files: [{ name: 'broken.jsonl', format: 'moesif', records: 1 }] });
    expect(preview.preview!.problems[0]!.text).toMatch(/^broken\.jsonl:2: amount: /);
    const run = await waitForJob(base, auth, (await call(base, 'import.run', { upload_id: upload.body.value.upload_id }, auth)).body.value);
    expect(run).toMatchObject({ state: 'failed', problem_count: 1 });
    expect((await call(base, 'app.info', {}, auth)).body.value.database.exists).toBe(false);

    const good = moesifJsonl([{ company_id: 'cus_A', transaction_id: 't1', type: 'credit', amount: '10.25', created_at: '2025-01-01T00:00:00Z' }]);
    const second = await call(base, 'import.upload', { files: [{ name: 'good.jsonl', text: good }] }, auth);
    const goodPreview = await waitForJob(base, auth, (await call(base, 'import.preview', { upload_id: second.body.value.upload_id }, auth)).body.value);
    expect(goodPreview.preview).toMatchObject({ ok: true, problems: [], files: [{ format: 'moesif', records: 1, first_rows: [{ id: 't1', amount: '10.25', kind: 'increment' }] }] });
    expect((await call(base, 'app.info', {}, auth)).body.value.database.exists).toBe(false);
    const imported = await waitForJob(base, auth, (await call(base, 'import.run', { upload_id: second.body.value.upload_id }, auth)).body.value);
    expect(imported).toMatchObject({ state: 'succeeded', result: { inserted: 1, unchanged: 0, accounts_touched: 1 } });
    expect((await call(base, 'accounts.list', { offset: 0, limit: 5 }, auth)).body.value.rows[0]).toMatchObject({ customer_id: 'cus_A', current: '10.25' });
    expect(events.some((event) => event.type === 'data_changed')).toBe(true);
    expect(events.some((event) => event.type === 'job' && event.job.state === 'succeeded')).toBe(true);
    await reader.cancel();
  });

  it('a preview against the database finds conflicts (L5) and writes nothing', async () => {
    const { dbPath, dir } = seededDb();
    const { base, token } = await start(dbPath, dir);
    const auth = { [TOKEN_HEADER]: token };
    const before = new AppService({ dbPath, clock: () => NOW }).databaseInfo();
    const conflicting = moesifJsonl([{ company_id: 'cus_A', transaction_id: 'a-credit', type: 'credit', amount: '999', created_at: '2025-01-01T00:00:00Z', expire_at: '2025-06-01T00:00:00Z' }]);
    const upload = await call(base, 'import.upload', { files: [{ name: 'conflict.jsonl', text: conflicting }] }, auth);
    const preview = await waitForJob(base, auth, (await call(base, 'import.preview', { upload_id: upload.body.value.upload_id }, auth)).body.value);
    expect(preview.preview).toMatchObject({ ok: false, problem_count: 1 });
    expect(preview.preview!.problems[0]!.text).toMatch(/a-credit|conflict/);
    expect(new AppService({ dbPath, clock: () => NOW }).databaseInfo()).toEqual(before);
  });
});
