import { join } from 'node:path';
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
});
