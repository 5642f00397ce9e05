import { join } from 'node:path';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobStatus } from '../../core/api/types.js';
import { startBrowserHost, type BrowserHost } from '../../core/host/browser-host.js';
import { TOKEN_HEADER } from '../../core/host/http-host.js';
import { inlineExecutor } from '../../core/host/jobs.js';
import { fakeRenderer, NOW, seededDb } from './fixtures.js';

/*
 * Issue 13 over the loopback host: the operator name from Settings is who every action is recorded
 * under, sign-off locks (the contract refuses a post and says why), re-open and reversal are recorded,
 * the run's counts follow its items, and the customer mapping is imported, listed and edited.
 */

let host: BrowserHost | null = null;
afterEach(async () => {
  await host?.close();
  host = null;
});

type Call = (method: string, input: unknown) => Promise<{ status: number; body: any }>;

async function start(dbPath: string, dir: string): Promise<Call> {
  host = await startBrowserHost({ dbPath, port: 0, rendererDir: fakeRenderer(dir), clock: () => NOW, executor: inlineExecutor, version: '9.9.9', configDir: join(dir, 'config'), env: {} });
  const base = `http://127.0.0.1:${host.port}`;
  const token = host.token;
  return async (method, input) => {
    const response = await fetch(`${base}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token }, body: JSON.stringify(input) });
    return { status: response.status, body: await response.json() };
  };
}

/** The base64 a browser-mode export carries, as the bytes exceljs reads (its typings name an older Buffer). */
function xlsxBytes(base64: string): ExcelJS.Buffer {
  return Buffer.from(base64, 'base64') as unknown as ExcelJS.Buffer;
}

async function runToEnd(call: Call): Promise<string> {
  let job = (await call('reconcile.run', {})).body.value as JobStatus;
  for (let i = 0; i < 200 && job.state === 'running'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    job = (await call('jobs.get', { job_id: job.job_id })).body.value as JobStatus;
  }
  expect(job.state).toBe('succeeded');
  return job.reconcile!.run_id;
}

describe('month-end close over the contract', () => {
  it('lock: the operator name is required before sign-off; a signed-off run refuses adjustments; re-open unlocks; every action is in the history', async () => {
    const { dbPath, dir } = seededDb();
    const call = await start(dbPath, dir);
    expect((await call('settings.get', {})).body.value).toMatchObject({ operator_name: null, journal_accounts: { deferred_revenue: 'Deferred Revenue' } });
    const runId = await runToEnd(call);
    const noName = await call('reconcile.signOff', { run_id: runId, note: 'x', confirm_open_differences: true });
    expect(noName.body.error).toMatchObject({ code: 'invalid_input' });
    expect(noName.body.error.message).toContain('set your name in Settings first');

    expect((await call('settings.set', { operator_name: '  Dana Controller ' })).body.value.operator_name).toBe('Dana Controller');
    const unconfirmed = await call('reconcile.signOff', { run_id: runId });
    expect(unconfirmed.body.error.message).toMatch(/still has 3 open differences; confirm signing off with them and give a reason/);
    const signed = (await call('reconcile.signOff', { run_id: runId, note: 'promo credits reviewed', confirm_open_differences: true })).body.value;
    expect(signed).toMatchObject({ locked: true, open_count: 3, sign_off: { by: 'Dana Controller', note: 'promo credits reviewed' } });

    const page = (await call('reconcile.get', { run_id: runId, open_only: true, offset: 0, limit: 10 })).body.value;
    const row = page.rows.find((candidate: any) => candidate.customer_id === 'cus_C');
    const refused = await call('adjustment.post', { proposal: row.proposal, run_id: runId, item_id: row.item_id });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/is signed off \(by Dana Controller at .*\) and locked.*Re-open it with a reason, or run a new reconciliation/);

    expect((await call('reconcile.reopen', { run_id: runId, reason: '' })).body.error.code).toBe('invalid_input');
    expect((await call('reconcile.reopen', { run_id: runId, reason: 'late refund' })).body.value).toMatchObject({ locked: false, sign_off: null });
    const posted = (await call('adjustment.post', { proposal: row.proposal, run_id: runId, item_id: row.item_id })).body.value;
    expect(posted.status).toBe('posted');
    expect((await call('reconcile.runs', {})).body.value.runs[0]).toMatchObject({ open_count: 2, open_count_at_run: 3 });
    const list = (await call('adjustment.list', { customer_id: 'cus_C', push_status: 'not_pushed' })).body.value.adjustments;
    expect(list.map((a: any) => [a.idempotency_key, a.posted_by])).toEqual([[posted.idempotency_key, 'Dana Controller']]);

    const preview = (await call('adjustment.reversePreview', { idempotency_key: posted.idempotency_key })).body.value;
    expect(preview.proposal.kind).toBe('increment');
    expect(preview.preview.before.current).not.toBe(preview.preview.after.current);
    const reversed = (await call('adjustment.reverse', { idempotency_key: posted.idempotency_key, reason: 'wrong account' })).body.value;
    expect(reversed).toMatchObject({ reverses_key: posted.idempotency_key, posted_by: 'Dana Controller' });
    expect((await call('reconcile.runs', {})).body.value.runs[0].open_count).toBe(3);

    const history = (await call('reconcile.history', { run_id: runId })).body.value.events;
    expect(history.map((event: any) => [event.kind, event.by, event.reason])).toEqual([
      ['run', null, null],
      ['sign_off', 'Dana Controller', 'promo credits reviewed'],
      ['reopen', 'Dana Controller', 'late refund'],
      ['adjustment', 'Dana Controller', null],
      ['reversal', 'Dana Controller', 'wrong account'],
    ]);
  });

  it('customer mapping: imported from uploaded contents, listed, edited and removed; a bad file writes nothing', async () => {
    const { dbPath, dir } = seededDb();
    const call = await start(dbPath, dir);
    expect((await call('mapping.list', {})).body.value).toEqual({ mappings: [] });
    const bad = await call('mapping.import', { name: 'map.csv', text: 'ledger customer id,stripe customer id\ncus_A,cus_S1\ncus_B\n' });
    expect(bad.body.error.code).toBe('invalid_input');
    expect(bad.body.error.message).toContain('map.csv:3');
    expect((await call('mapping.list', {})).body.value.mappings).toEqual([]);
    const imported = (await call('mapping.import', { name: 'map.csv', text: 'ledger customer id,stripe customer id\ncus_A,cus_S1\ncus_B,cus_S2\n' })).body.value;
    expect(imported.mappings.map((m: any) => [m.stripe_customer_id, m.ledger_customer_id, m.origin])).toEqual([
      ['cus_S1', 'cus_A', 'map.csv'],
      ['cus_S2', 'cus_B', 'map.csv'],
    ]);
    await call('mapping.set', { stripe_customer_id: 'cus_S2', ledger_customer_id: 'cus_C' });
    const edited = (await call('mapping.set', { stripe_customer_id: 'cus_S1', ledger_customer_id: null })).body.value;
    expect(edited.mappings.map((m: any) => [m.stripe_customer_id, m.ledger_customer_id, m.origin])).toEqual([['cus_S2', 'cus_C', 'edited']]);
  });

  it('exports: a run report downloads as XLSX (base64, with its media type) and CSV with the same items and open count; the liability roll-forward as XLSX matches the view; the journal is CSV only', async () => {
    const { dbPath, dir } = seededDb();
    const call = await start(dbPath, dir);
    const runId = await runToEnd(call);
    const page = (await call('reconcile.get', { run_id: runId, offset: 0, limit: 500 })).body.value;

    const xlsx = (await call('reconcile.reportExport', { run_id: runId, format: 'xlsx' })).body.value;
    expect(xlsx).toMatchObject({ file_name: `ledger-reconciliation-${runId}.xlsx`, text: null, saved_to: null, mime_type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsxBytes(xlsx.content_base64));
    expect(book.worksheets.map((sheet) => sheet.name)).toEqual(['Items', 'Totals', 'Drift', 'Inputs', 'Sign-off', 'Run history']);
    const rows = (name: string): unknown[][] => {
      const out: unknown[][] = [];
      book.getWorksheet(name)!.eachRow((row) => out.push((row.values as unknown[]).slice(1)));
      return out.slice(1);
    };
    expect(rows('Items').map((row) => row[0]).sort()).toEqual(page.rows.map((row: any) => row.item_id).sort());
    // Open items in the Totals sheet add up to the run's open count; amounts are numbers.
    expect(rows('Totals').reduce((sum, row) => sum + (row[3] as number), 0)).toBe(3);
    for (const row of rows('Items')) expect(typeof row[9]).toBe('number');
    expect(new Map(rows('Sign-off').map(([name, value]) => [name, value])).get('open_differences')).toBe('3');

    const csv = (await call('reconcile.reportExport', { run_id: runId, format: 'csv' })).body.value;
    expect(csv.content_base64).toBeUndefined();
    expect(csv.file_name).toBe(`ledger-reconciliation-${runId}.csv`);
    const table = Papa.parse<Record<string, string>>(csv.text, { header: true, skipEmptyLines: true }).data;
    expect(table.filter((row) => row.section === 'item').length).toBe(page.rows.length);
    expect(table.filter((row) => row.section === 'item' && row.status === 'open').length).toBe(3);

    const missing = await call('reconcile.reportExport', { run_id: 'R999-none', format: 'csv' });
    expect(missing.status).toBe(404);
    expect((await call('reconcile.reportExport', { run_id: runId, format: 'pdf' })).body.error.code).toBe('invalid_input');

    const period = { from: '2025-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' };
    const view = (await call('report.liability', period)).body.value;
    const liability = (await call('report.liabilityExport', { ...period, what: 'liability', format: 'xlsx' })).body.value;
    expect(liability.file_name).toBe('ledger-liability-2025-01-01-2026-01-01.xlsx');
    const liabilityBook = new ExcelJS.Workbook();
    await liabilityBook.xlsx.load(xlsxBytes(liability.content_base64));
    const closing: unknown[][] = [];
    liabilityBook.getWorksheet('Roll-forward')!.eachRow((row) => {
      const values = (row.values as unknown[]).slice(1);
      if (values[1] === 'closing balance') closing.push([values[0], values[2], values[3]]);
    });
    expect(closing).toEqual(view.totals.map((total: any) => [total.unit, Number(total.closing_balance.credits), Number(total.closing_balance.value)]));
    expect(closing.length).toBeGreaterThan(0);
    const journal = await call('report.liabilityExport', { ...period, what: 'journal', format: 'xlsx' });
    expect(journal.body.error).toMatchObject({ code: 'invalid_input', message: 'the journal exports as CSV only' });
    expect((await call('report.liabilityExport', { ...period, what: 'liability' })).body.value).toMatchObject({ file_name: 'ledger-liability-2025-01-01-2026-01-01.csv', mime_type: 'text/csv' });
  });
});
