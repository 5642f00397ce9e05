import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RECONCILE_CATEGORIES, type AdjustmentProposal, type JobStatus } from '../../core/api/types.js';
import { startBrowserHost, type BrowserHost } from '../../core/host/browser-host.js';
import { TOKEN_HEADER } from '../../core/host/http-host.js';
import { inlineExecutor } from '../../core/host/jobs.js';
import { ITEM_CATEGORIES } from '../../core/reconcile/index.js';
import { parseImportFile } from '../../core/sources/index.js';
import { openLedgerDb } from '../../core/store/index.js';
import { emptyPaymentCounts, writeFilePayments } from '../../core/import/payment-write.js';
import { fakeRenderer, NOW, seededDb } from './fixtures.js';

/*
 * The reconciliation methods of the contract over the loopback host (the same door as Electron's):
 * bad input refused with the field named, and a planted difference run, previewed, posted once,
 * settled on the next run, compared, signed off and exported.
 */

let host: BrowserHost | null = null;
afterEach(async () => {
  await host?.close();
  host = null;
});

const templates = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'stripe', 'templates.json'), 'utf8')) as {
  payment_intent: Record<string, unknown>;
};

function intent(id: string, customer: string, amountMinor: number, at: string): Record<string, unknown> {
  return {
    ...templates.payment_intent,
    id,
    customer,
    amount: amountMinor,
    amount_received: amountMinor,
    status: 'succeeded',
    currency: 'usd',
    created: Date.parse(at) / 1000,
    canceled_at: null,
    last_payment_error: null,
    next_action: null,
    latest_charge: null,
    metadata: {},
  };
}

/**
 * The fixtures' ledger plus Stripe money: pi_a pays cus_A's 100 credit (matched by customer, amount and
 * window); pi_x (40 USD, cus_A, 2025-02-10) has no credit: missing_in_ledger. cus_B's and cus_C's credits
 * have no payment: missing_in_stripe.
 */
function reconcileDb(): { dir: string; dbPath: string } {
  const seeded = seededDb();
  const text = JSON.stringify({ object: 'list', url: '/v1/payment_intents', has_more: false, data: [intent('pi_a', 'cus_A', 10000, '2025-01-01T00:00:00Z'), intent('pi_x', 'cus_A', 4000, '2025-02-10T00:00:00Z')] });
  const parsed = parseImportFile('payment_intents.json', text, { source: 'stripe' });
  expect(parsed.problems).toEqual([]);
  const db = openLedgerDb(seeded.dbPath, { create: false });
  const problems: Parameters<typeof writeFilePayments>[4] = [];
  db.transaction(() => writeFilePayments(db, parsed.stripe!.payments, NOW, emptyPaymentCounts(), problems)).immediate();
  db.close();
  expect(problems).toEqual([]);
  return seeded;
}

async function start(dbPath: string, dir: string): Promise<(method: string, input: unknown) => Promise<{ status: number; body: any }>> {
  host = await startBrowserHost({ dbPath, port: 0, rendererDir: fakeRenderer(dir), clock: () => NOW, executor: inlineExecutor, version: '9.9.9', configDir: join(dir, 'config'), env: {} });
  const base = `http://127.0.0.1:${host.port}`;
  const token = host.token;
  return async (method, input) => {
    const response = await fetch(`${base}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token }, body: JSON.stringify(input) });
    return { status: response.status, body: await response.json() };
  };
}

async function runToEnd(call: (method: string, input: unknown) => Promise<{ body: any }>, input: unknown = {}): Promise<JobStatus> {
  let job = (await call('reconcile.run', input)).body.value as JobStatus;
  expect(job.kind).toBe('reconcile.run');
  for (let i = 0; i < 200 && job.state === 'running'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    job = (await call('jobs.get', { job_id: job.job_id })).body.value as JobStatus;
  }
  return job;
}

describe('reconciliation contract: refusals', () => {
  it('the contract lists exactly the engine\'s categories', () => {
    expect([...RECONCILE_CATEGORIES]).toEqual([...ITEM_CATEGORIES]);
  });

  it('refuses input outside the schemas, naming the field', async () => {
    const { dbPath, dir } = reconcileDb();
    const call = await start(dbPath, dir);
    const refused: [string, unknown, string][] = [
      ['reconcile.run', { as_of: '2025-01-01T00:00:00' }, 'as_of'],
      ['reconcile.get', { run_id: 'R1', offset: 0, limit: 0 }, 'limit'],
      ['reconcile.get', { run_id: 'R1', offset: 0, limit: 10, categories: ['lost'] }, 'categories'],
      ['reconcile.get', { offset: 0, limit: 10 }, 'run_id'],
      ['reconcile.compare', { from_run_id: 'R1' }, 'to_run_id'],
      ['reconcile.signOff', { run_id: 'R1', by: '   ' }, 'by'],
      ['reconcile.signOff', { run_id: 'R1', by: 'me', signed_at: '2025-01-01' }, 'signed_at'],
      ['adjustment.preview', { proposal: { amount: '1e3' } }, 'proposal.amount'],
      ['adjustment.post', { run_id: 'R1', item_id: 'x' }, 'proposal'],
      ['adjustment.export', { which: 'everything' }, 'which'],
    ];
    for (const [method, input, field] of refused) {
      const reply = await call(method, input);
      expect(reply.status, `${method} ${JSON.stringify(input)}`).toBe(400);
      expect(reply.body.error.code).toBe('invalid_input');
      expect(reply.body.error.message).toContain(field);
    }
    expect((await call('reconcile.delete', {})).body.error.code).toBe('unknown_method');
    expect((await call('reconcile.get', { run_id: 'R99-00000000', offset: 0, limit: 10 })).body.error).toMatchObject({ code: 'not_found', message: expect.stringContaining('R99-00000000') });
  });
});

describe('reconciliation contract: a planted missing_in_ledger, adjusted and settled', () => {
  it('runs in a job, pages items by category with the payments and entries side by side', async () => {
    const { dbPath, dir } = reconcileDb();
    const call = await start(dbPath, dir);
    expect((await call('reconcile.runs', {})).body.value).toEqual({ runs: [], payment_count: 2, entry_count: 7 });
    const job = await runToEnd(call);
    expect(job).toMatchObject({ state: 'succeeded', error: null, reconcile: { state: 'complete', as_of: '2025-03-01T00:00:00.000Z', inputs: { payment_count: 2 } } });
    const runId = job.reconcile!.run_id;
    const runs = (await call('reconcile.runs', {})).body.value;
    expect(runs.runs.map((run: { run_id: string }) => run.run_id)).toEqual([runId]);

    const all = (await call('reconcile.get', { run_id: runId, offset: 0, limit: 50 })).body.value;
    const count = (category: string) => all.counts.find((c: { category: string }) => c.category === category);
    expect(count('missing_in_ledger')).toEqual({ category: 'missing_in_ledger', total: 1, open: 1, settled: 0 });
    expect(count('matched_fuzzy').total).toBe(1);
    expect(count('missing_in_stripe').total).toBe(2);
    // Grouped by category in DESIGN §6 order.
    expect(all.rows.map((row: { category: string }) => row.category)).toEqual(['matched_fuzzy', 'missing_in_ledger', 'missing_in_stripe', 'missing_in_stripe']);

    const missing = (await call('reconcile.get', { run_id: runId, categories: ['missing_in_ledger'], offset: 0, limit: 10 })).body.value;
    expect(missing.total).toBe(1);
    const item = missing.rows[0];
    expect(item).toMatchObject({
      item_id: 'payment:pi_x',
      open: true,
      customer_id: 'cus_A',
      unit: 'USD',
      expected: '40',
      actual: '0',
      difference: '-40',
      entries: [],
      posted: null,
      payments: [{ id: 'pi_x', found: true, kind: 'payment_intent', amount: '40', currency: 'USD', status: 'succeeded', at: '2025-02-10T00:00:00.000Z' }],
    });
    const matched = all.rows[0];
    expect(matched.entries[0]).toMatchObject({ id: 'a-credit', found: true, source: 'moesif', kind: 'increment', amount: '100', unit: 'USD' });
    expect(matched.open).toBe(false);

    // Open only, and paging.
    const open = (await call('reconcile.get', { run_id: runId, open_only: true, offset: 1, limit: 1 })).body.value;
    expect(open).toMatchObject({ total: 3, offset: 1 });
    expect(open.rows).toHaveLength(1);
  });

  it('previews without writing, refuses an edited key, posts once, then the next run settles the item', async () => {
    const { dbPath, dir } = reconcileDb();
    const call = await start(dbPath, dir);
    const runId = (await runToEnd(call)).reconcile!.run_id;
    const item = (await call('reconcile.get', { run_id: runId, categories: ['missing_in_ledger'], offset: 0, limit: 1 })).body.value.rows[0];
    const proposal = item.proposal as AdjustmentProposal;
    expect(proposal).toMatchObject({ kind: 'increment', amount: '40', customer_id: 'cus_A', unit: 'USD', run_id: runId, item_id: 'payment:pi_x' });

    const preview = (await call('adjustment.preview', { proposal })).body.value;
    expect(preview.before).toEqual({ current: '100', pending: '0', available: '100', deficit: '0', scheduled: '0' });
    expect(preview.after).toEqual({ current: '140', pending: '0', available: '140', deficit: '0', scheduled: '0' });
    expect(preview.blocks).toEqual([{ id: proposal.idempotency_key, before: null, after: expect.objectContaining({ remaining: '40', status: 'active' }) }]);
    const edited = (await call('adjustment.preview', { proposal: { ...proposal, amount: '12.345' } })).body.value;
    expect(edited.after.current).toBe('112.345');
    // The preview wrote nothing.
    expect((await call('account.get', { account: { customer_id: 'cus_A', subscription_id: null, unit: 'USD' } })).body.value.account.current).toBe('100');

    const wrongKey = await call('adjustment.preview', { proposal: { ...proposal, idempotency_key: 'mine-1' } });
    expect(wrongKey.body.error).toMatchObject({ code: 'invalid_input', message: expect.stringContaining('idempotency_key') });
    const zero = await call('adjustment.preview', { proposal: { ...proposal, amount: '0' } });
    expect(zero.body.error).toMatchObject({ code: 'invalid_input', message: expect.stringContaining('amount') });
    const otherItem = await call('adjustment.post', { proposal, run_id: runId, item_id: 'payment:pi_a' });
    expect(otherItem.body.error.code).toBe('invalid_input');

    const posted = (await call('adjustment.post', { proposal, run_id: runId, item_id: proposal.item_id, by: 'Dana' })).body.value;
    expect(posted).toMatchObject({ status: 'posted', idempotency_key: proposal.idempotency_key, run_id: runId, item_id: 'payment:pi_x' });
    expect((await call('adjustment.post', { proposal, run_id: runId, item_id: proposal.item_id })).body.value.status).toBe('already_posted');
    expect((await call('account.get', { account: { customer_id: 'cus_A', subscription_id: null, unit: 'USD' } })).body.value.account.current).toBe('140');
    const after = (await call('reconcile.get', { run_id: runId, categories: ['missing_in_ledger'], offset: 0, limit: 1 })).body.value.rows[0];
    expect(after).toMatchObject({ open: false, posted: { idempotency_key: proposal.idempotency_key, posted_by: 'Dana' } });

    const second = (await runToEnd(call)).reconcile!;
    const settled = (await call('reconcile.get', { run_id: second.run_id, categories: ['missing_in_ledger'], offset: 0, limit: 1 })).body.value.rows[0];
    expect(settled).toMatchObject({ item_id: 'payment:pi_x', settled: true, open: false });
    expect(second.open_count).toBe(2);

    const comparison = (await call('reconcile.compare', { from_run_id: runId, to_run_id: second.run_id })).body.value;
    expect(comparison).toMatchObject({ open_before: 3, open_after: 2, appeared: [], changed: [] });
    expect(comparison.resolved.map((entry: { item_id: string }) => entry.item_id)).toEqual(['payment:pi_x']);

    const exported = (await call('adjustment.export', { run_id: runId })).body.value;
    expect(exported).toMatchObject({ file_name: `ledger-adjustments-${runId}.jsonl`, saved_to: null });
    const lines = (exported.text as string).trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`"transaction_id":"${proposal.idempotency_key}"`);
    const proposed = (await call('adjustment.export', { run_id: second.run_id, which: 'proposed' })).body.value.text as string;
    expect(proposed.trim().split('\n')).toHaveLength(2);
    expect((await call('adjustment.export', { which: 'proposed' })).body.error.code).toBe('invalid_input');
  });

  it('signs a run off once', async () => {
    const { dbPath, dir } = reconcileDb();
    const call = await start(dbPath, dir);
    const runId = (await runToEnd(call, { as_of: '2025-02-15' })).reconcile!.run_id;
    // The run has open differences: signing off with them is confirmed, with a reason (issue 13).
    const signed = (await call('reconcile.signOff', { run_id: runId, by: ' Dana Controller ', note: 'February close', confirm_open_differences: true })).body.value;
    expect(signed).toMatchObject({ run_id: runId, as_of: '2025-02-15T00:00:00.000Z', sign_off: { by: 'Dana Controller', at: '2025-03-01T00:00:00.000Z', note: 'February close' } });
    const again = await call('reconcile.signOff', { run_id: runId, by: 'Someone else' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('already signed off by Dana Controller');
  });

  it('a database with no ledger yet: no runs, and a run says to import first', async () => {
    const { dir } = seededDb();
    const call = await start(join(dir, 'empty.sqlite'), dir);
    expect((await call('reconcile.runs', {})).body.value).toEqual({ runs: [], payment_count: 0, entry_count: 0 });
    const refused = await call('reconcile.run', {});
    expect(refused.body.error).toMatchObject({ code: 'not_found', message: expect.stringContaining('import a file first') });
  });
});
