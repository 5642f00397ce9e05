// The reconciliation screen and the adjustment dialog against `ledgerscope serve` on a real SQLite file:
// a planted difference is found, its adjustment previewed while edited, posted on confirmation, and
// settled on the next run; the balance changes for the CLI too. The posted adjustment is then pushed, on
// confirmation, to a local Moesif server (the serve host reads LEDGERSCOPE_MOESIF_API_BASE).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { RunningServe } from '../../scripts/lib/serve.mjs';
import { openApp, screenshot, watchProblems } from './support/app.js';
import { chromiumMissingReason } from './support/environment.js';
import { ledgerscope, serve } from './support/ledger.js';
import { seedReconcileLedger, type ReconcileLedger } from './support/reconcile-ledger.js';
import { MoesifWireServer } from '../wire/moesif-server.js';

test.skip(chromiumMissingReason !== null, chromiumMissingReason ?? '');

let ledger: ReconcileLedger;
let host: RunningServe;
let moesif: MoesifWireServer;
let problems: string[] = [];

test.beforeAll(async () => {
  ledger = seedReconcileLedger();
  console.log(`reconciliation e2e: Stripe payments written via ${ledger.paymentsVia === 'cli' ? 'ledgerscope import --source stripe' : 'the store fallback'}`);
  moesif = await new MoesifWireServer().start();
  host = await serve(ledger.db, join(ledger.dir, 'config'), { MOESIF_MANAGEMENT_TOKEN: moesif.token, LEDGERSCOPE_MOESIF_API_BASE: moesif.url });
});

test.afterAll(async () => {
  await host?.stop();
  await moesif?.close();
  if (ledger !== undefined) rmSync(ledger.dir, { recursive: true, force: true });
});

test.beforeEach(async ({ page }) => {
  await page.setViewportSize({ width: 1360, height: 900 });
  problems = watchProblems(page);
});

test.afterEach(() => {
  expect(problems).toEqual([]);
});

function balanceOf(customer: string): { current: string; available: string } {
  const result = ledgerscope('balance', '--db', ledger.db, '--customer', customer, '--json');
  expect(result.status, result.stderr).toBe(0);
  const parsed = JSON.parse(result.stdout) as { accounts: { unit: string; current: string; available: string }[] };
  return parsed.accounts.find((account) => account.unit === 'USD')!;
}

test('customer timeline: the Stripe payments of a customer beside its ledger entries, with the balance then', async ({ page }) => {
  await openApp(page, host, '/customer/cus_short');
  await expect(page.getByTestId('customer-count')).toContainText('3 items');
  const rows = page.getByTestId('customer-table').getByRole('row');
  // Oldest first: the payment, the credit it bought, and the payment never credited.
  await expect(rows.filter({ hasText: 'pi_missing' })).toContainText('40.00');
  await expect(rows.filter({ hasText: 'pi_base' })).toContainText('20.00');
  await expect(rows.filter({ hasText: 'short-credit' })).toContainText('20.00');
  await expect(page.getByText('No Stripe payments')).toHaveCount(0);
  await screenshot(page, 'customer-timeline-payments');
});

test('reconciliation: a planted missing_in_ledger is found, adjusted through the live preview, and settled on the next run', async ({ page }) => {
  await openApp(page, host, '/reconciliation');
  await expect(page.getByTestId('reconcile-no-runs')).toContainText('Run reconciliation');
  await screenshot(page, 'reconciliation-empty');

  // Run 1.
  await page.getByTestId('run-reconciliation').click();
  const item = page.locator('[data-item-id="payment:pi_missing"]');
  await expect(item).toBeVisible();
  await expect(page.getByTestId('count-missing_in_ledger')).toContainText('1 open');
  // No reference links them, so the two paid credits match by customer, amount and date window.
  await expect(page.getByTestId('count-matched_fuzzy')).toContainText('2');
  await expect(page.getByTestId('reconcile-item')).toHaveCount(1);
  // Side by side: the payment (id, amount with unit, status), no ledger entry, and the proposal.
  await expect(item).toContainText('pi_missing');
  await expect(item).toContainText('40.00 USD');
  await expect(item).toContainText('succeeded');
  await expect(item).toContainText('No ledger entry');
  await expect(item.getByTestId('item-difference')).toHaveText('−40.00 USD');
  await expect(item).toContainText('Proposed: Moesif');
  await screenshot(page, 'reconciliation');

  // Enter on the focused item opens the dialog; Esc closes it with nothing posted.
  await item.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByTestId('adjustment-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('adjustment-account')).toContainText('cus_short · no subscription · USD');
  await expect(dialog.getByTestId('preview-current-before')).toHaveText('20.00 USD');
  await expect(dialog.getByTestId('preview-current-after')).toHaveText('60.00 USD');
  await expect(dialog.getByTestId('preview-available-after')).toHaveText('60.00 USD');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(item).toBeFocused();
  expect(balanceOf('cus_short').current).toBe('20');

  // The preview follows the amount as it is typed; a bad amount is refused in place.
  await page.keyboard.press('Enter');
  await expect(dialog).toBeVisible();
  const amount = dialog.getByTestId('adjustment-amount');
  await amount.fill('45.5');
  await expect(dialog.getByTestId('preview-current-after')).toHaveText('65.50 USD');
  await expect(dialog.getByTestId('preview-blocks')).toContainText('lsadj_');
  await amount.fill('1e3');
  await expect(dialog.getByTestId('adjustment-field-error')).toContainText('Type an amount');
  await expect(dialog.getByTestId('adjustment-confirm')).toBeDisabled();
  await amount.fill('40.00');
  await expect(dialog.getByTestId('preview-current-after')).toHaveText('60.00 USD');
  await expect(dialog.getByTestId('adjustment-key')).toHaveValue(/^lsadj_/);
  await screenshot(page, 'adjustment-dialog');
  // Still nothing written: the preview is a replay, not a post.
  expect(balanceOf('cus_short').current).toBe('20');

  await dialog.getByTestId('adjustment-confirm').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('reconcile-message')).toContainText('Posted lsadj_');
  expect(balanceOf('cus_short')).toMatchObject({ current: '60', available: '60' });
  // Adjusted since the run: no longer open in this run's list.
  await expect(page.getByTestId('items-empty')).toBeVisible();

  // Posted, not pushed: pushing to Moesif waits for its own confirmation, reached by keyboard.
  const posted = page.getByTestId('posted-adjustments');
  await expect(posted.getByTestId('push-status')).toHaveText('not pushed');
  expect(moesif.requests).toHaveLength(0);
  await posted.getByTestId('push-open').focus();
  await page.keyboard.press('Enter');
  const pushDialog = page.getByTestId('push-dialog');
  await expect(pushDialog).toBeVisible();
  await expect(pushDialog.getByTestId('push-table')).toContainText('Moesif');
  await expect(pushDialog.getByTestId('push-table')).toContainText('cus_short');
  await expect(pushDialog.getByTestId('push-amount')).toHaveText('40 USD');
  await expect(pushDialog.getByTestId('push-table')).toContainText('lsadj_');
  await screenshot(page, 'adjustment-push-dialog');
  // Esc sends nothing.
  await page.keyboard.press('Escape');
  await expect(pushDialog).toBeHidden();
  await expect(posted.getByTestId('push-open')).toBeFocused();
  expect(moesif.requests).toHaveLength(0);
  // A row's own Push… asks about that adjustment alone; Esc returns to it, again sending nothing.
  const rowPush = posted.getByTestId('push-row');
  await rowPush.focus();
  await page.keyboard.press('Enter');
  await expect(pushDialog.getByRole('heading')).toHaveText('Push this adjustment to the provider?');
  await page.keyboard.press('Escape');
  await expect(rowPush).toBeFocused();
  expect(moesif.requests).toHaveLength(0);
  // Moesif asks for 45 s before a retry: the dialog says so while it waits, and its Cancel stops the push
  // (it does not just hide a push that goes on); what was in flight is a failure to push again.
  moesif.retryAfterSeconds = 45;
  moesif.failNextPosts.push(429);
  await posted.getByTestId('push-open').focus();
  await page.keyboard.press('Enter');
  await pushDialog.getByTestId('push-confirm').click();
  await expect(pushDialog.getByTestId('push-waiting')).toContainText('Moesif answered 429');
  await expect(pushDialog.getByTestId('push-waiting')).toContainText('waiting 45 s before retrying');
  await expect(pushDialog.getByTestId('push-progress')).toContainText('Sending 1 of 1 (lsadj_');
  await expect(pushDialog.getByTestId('push-confirm')).toBeDisabled();
  await screenshot(page, 'adjustment-push-waiting');
  await pushDialog.getByTestId('push-cancel').click();
  await expect(pushDialog).toBeHidden();
  await expect(posted.getByTestId('push-message')).toContainText('1 failed');
  await expect(posted.getByTestId('push-status')).toContainText('cancelled while it was being sent');
  expect(moesif.requests.map((request) => request.status)).toEqual([429]);

  await posted.getByTestId('push-open').focus();
  await page.keyboard.press('Enter');
  await pushDialog.getByTestId('push-confirm').click();
  await expect(pushDialog).toBeHidden();
  await expect(posted.getByTestId('push-message')).toHaveText('1 pushed.');
  await expect(posted.getByTestId('push-status')).toHaveText(/^pushed /);
  await expect(posted.getByTestId('push-open')).toBeDisabled();
  expect(moesif.requests.map((request) => request.status)).toEqual([429, 201]);
  expect(JSON.parse(moesif.requests[1]!.body)).toMatchObject({ company_id: 'cus_short', type: 'credit', amount: 40 });
  await screenshot(page, 'adjustment-pushed');

  // Run 2: the item is settled. (Run 1's open count already says 0 since the post: wait for run 2 itself.)
  await page.getByTestId('run-reconciliation').click();
  await expect(page.getByTestId('run-summary')).toContainText(/Run R2-/, { timeout: 60_000 });
  await expect(page.getByTestId('open-count')).toHaveText('No open differences.');
  await page.getByTestId('open-only').uncheck();
  const settled = page.locator('[data-item-id="payment:pi_missing"]');
  await expect(settled).toHaveAttribute('data-state', 'settled');
  await expect(settled).toContainText('Settled by posted adjustments');
  await screenshot(page, 'reconciliation-settled');

  // Compare with run 1 and sign run 2 off.
  const runs = page.getByTestId('runs-panel');
  await runs.getByTestId('compare-with').selectOption({ index: 1 });
  await runs.getByTestId('compare-submit').click();
  await expect(runs.getByTestId('comparison')).toContainText('open differences 1 → 0');
  await expect(runs.getByTestId('comparison')).toContainText('Resolved: 1');
  await runs.getByTestId('sign-off-by').fill('Dana Controller');
  await runs.getByTestId('sign-off-note').fill('November close');
  await runs.getByTestId('sign-off-submit').click();
  await expect(runs.getByTestId('sign-off')).toContainText('Signed off by Dana Controller');
  await expect(runs.getByTestId('sign-off')).toContainText('November close');
  await screenshot(page, 'reconciliation-signed-off');
});
