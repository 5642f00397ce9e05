// Issue 9 §4 for the API sync, through the page: `ledgerscope sync stripe` (the real CLI, the real SDK,
// the wire-format Stripe server) against a Stripe whose credit balance summary states 90 where the
// customer's grant and transactions leave 75; the app then lists the account under "Disagrees with
// source" and the account shows both numbers, with no screen of its own for the sync.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { RunningServe } from '../../scripts/lib/serve.mjs';
import { creditBalanceTransaction, creditGrant, customer } from '../wire/stripe-objects.js';
import { startStripeServer, type StripeWireServer } from '../wire/stripe-server.js';
import { openApp, screenshot, watchProblems } from './support/app.js';
import { chromiumMissingReason, projectRoot } from './support/environment.js';
import { serve } from './support/ledger.js';

test.skip(chromiumMissingReason !== null, chromiumMissingReason ?? '');

let dir: string;
let stripe: StripeWireServer;
let host: RunningServe | undefined;
let synced: { status: number; stdout: string; stderr: string };

/** The CLI as a user runs it, without blocking this process (the wire server answers from it). */
function sync(db: string): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(projectRoot, 'bin', 'ledgerscope.mjs'), 'sync', 'stripe', '--db', db, '--api-base', stripe.url], {
      cwd: projectRoot,
      env: { ...process.env, STRIPE_API_KEY: stripe.apiKey },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ledgerscope-e2e-sync-summary-'));
  // The server's clock is now: the sync's replay is as of the CLI's now.
  stripe = await startStripeServer({ clock: Math.floor(Date.now() / 1000) });
  const t0 = stripe.clock - 86_400;
  stripe.put(customer({ id: 'cus_drift', created: t0 }));
  stripe.put(creditGrant({ id: 'credgr_drift', created: t0 + 10, customer: 'cus_drift', value: 10_000 }));
  stripe.put(creditBalanceTransaction({ id: 'cbtxn_drift', created: t0 + 20, credit_grant: 'credgr_drift', type: 'debit', kind: 'credits_applied', value: 2_500 }));
  stripe.put(customer({ id: 'cus_fine', created: t0 }));
  stripe.put(creditGrant({ id: 'credgr_fine', created: t0 + 10, customer: 'cus_fine', value: 4_000 }));
  stripe.statedCreditBalances.set('cus_drift', { usd: 9_000 });
  const db = join(dir, 'ledger.sqlite');
  synced = await sync(db);
  host = await serve(db, join(dir, 'config'));
});

test.afterAll(async () => {
  await host?.stop();
  await stripe?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

test('a synced Stripe credit balance summary that disagrees shows on the Accounts list and the account', async ({ page }) => {
  expect(synced.status).toBe(0);
  expect(synced.stderr).toContain("customer cus_drift (USD) disagrees with its source: Stripe's credit balance summary states a balance of 90, the replay gives 75");
  expect(synced.stdout).toContain('credit balance summaries: 2 customers with credit grants, 2 compared with the replay, 1 account disagreeing with Stripe (see warnings)');

  const problems = watchProblems(page);
  await page.setViewportSize({ width: 1360, height: 900 });
  await openApp(page, host!, '/accounts');
  await expect(page.getByTestId('accounts-count')).toContainText('2 of 2 accounts');
  await page.getByTestId('filter-disagrees').check();
  await expect(page.getByTestId('accounts-count')).toContainText('1 of 2 accounts');
  await expect(page.getByTestId('accounts-table')).toContainText('cus_drift');
  await expect(page.getByTestId('disagrees-badge')).toHaveCount(1);
  await screenshot(page, 'accounts-sync-disagrees-with-stripe');

  await openApp(page, host!, '/account/cus_drift/none/USD');
  const notice = page.getByTestId('source-disagreement');
  await expect(notice).toContainText('after entry cbtxn_drift');
  await expect(notice).toContainText('90');
  await expect(notice).toContainText('75');
  // Compared after the account's last entry: no "later entries" to leave out.
  await expect(notice).not.toContainText('Later entries');
  await screenshot(page, 'account-sync-disagrees-with-stripe');
  expect(problems).toEqual([]);
});
