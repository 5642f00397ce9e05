// Issue 10 item 2 in browser mode: the page reads a chosen file as UTF-8 strictly; when it cannot (or the
// file starts with a UTF-16 byte-order mark) it uploads the bytes, and the host's one decoder reads UTF-16
// or names the first bad byte, instead of the page reading replacement characters.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobStatus } from '../../core/api/types.js';
import { startBrowserHost, type BrowserHost } from '../../core/host/browser-host.js';
import { TOKEN_HEADER } from '../../core/host/http-host.js';
import { inlineExecutor } from '../../core/host/jobs.js';
import { fakeRenderer, NOW, tempDir } from './fixtures.js';

let host: BrowserHost | null = null;
afterEach(async () => {
  await host?.close();
  host = null;
});

async function start(dbPath: string, dir: string): Promise<{ base: string; auth: Record<string, string> }> {
  host = await startBrowserHost({ dbPath, port: 0, rendererDir: fakeRenderer(dir), clock: () => NOW, executor: inlineExecutor, version: '9.9.9', configDir: join(dir, 'config'), env: {} });
  return { base: `http://127.0.0.1:${host.port}`, auth: { [TOKEN_HEADER]: host.token } };
}

async function call(base: string, auth: Record<string, string>, method: string, input: unknown): Promise<any> {
  const response = await fetch(`${base}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(input) });
  return (await response.json()) as any;
}

async function finished(base: string, auth: Record<string, string>, job: JobStatus): Promise<JobStatus> {
  for (let i = 0; i < 500; i++) {
    const reply = await call(base, auth, 'jobs.get', { job_id: job.job_id });
    if (reply.value.state !== 'running') return reply.value as JobStatus;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('job did not finish');
}

const CSV = 'company_id,transaction_id,type,amount,created_at,description\nc1,t1,credit,100,2025-01-01T00:00:00Z,Café\n';

describe('uploaded bytes go through the one decoder (issue 10 item 2)', () => {
  it('Latin-1 bytes: the preview fails naming file, line and byte offset; nothing is written', async () => {
    const dir = tempDir();
    const dbPath = join(dir, 'fresh.sqlite');
    const { base, auth } = await start(dbPath, dir);
    const bytes = Buffer.from(CSV, 'latin1');
    const upload = await call(base, auth, 'import.upload', { files: [{ name: 'latin1.csv', text: '', bytes_base64: bytes.toString('base64') }] });
    expect(upload.value.files).toEqual([{ name: 'latin1.csv', size_bytes: bytes.length }]);
    const preview = await finished(base, auth, (await call(base, auth, 'import.preview', { upload_id: upload.value.upload_id })).value);
    expect(preview.state).toBe('succeeded');
    expect(preview.preview).toMatchObject({ ok: false, problem_count: 1, files: [] });
    expect(preview.preview!.problems[0]!.text).toBe(
      `latin1.csv:2: -: not valid UTF-8: byte offset ${bytes.indexOf(0xe9)} holds 0xE9 (a Latin-1 or Windows-1252 export?); save the file as UTF-8 and import it again`,
    );
    const run = await finished(base, auth, (await call(base, auth, 'import.run', { upload_id: upload.value.upload_id })).value);
    expect(run).toMatchObject({ state: 'failed', problem_count: 1 });
    expect((await call(base, auth, 'app.info', {})).value.database.exists).toBe(false);
  });

  it('UTF-16LE bytes with their byte-order mark are read as UTF-16 and imported', async () => {
    const dir = tempDir();
    const dbPath = join(dir, 'fresh.sqlite');
    const { base, auth } = await start(dbPath, dir);
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(CSV, 'utf16le')]);
    const upload = await call(base, auth, 'import.upload', { files: [{ name: 'le.csv', text: '', bytes_base64: bytes.toString('base64') }] });
    const run = await finished(base, auth, (await call(base, auth, 'import.run', { upload_id: upload.value.upload_id })).value);
    expect(run).toMatchObject({ state: 'succeeded', result: { inserted: 1 } });
    const entries = await call(base, auth, 'customer.timeline', { customer_id: 'c1', offset: 0, limit: 10 });
    expect(JSON.stringify(entries.value)).toContain('Café');
  });
});
