// Every screen against `ledgerscope serve` on a real SQLite file seeded by `ledgerscope import`.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { RunningServe } from '../../scripts/lib/serve.mjs';
import { openApp, screenshot, watchProblems } from './support/app.js';
import { chromiumMissingReason } from './support/environment.js';
import { day, seedLedger, serve, type SeededLedger } from './support/ledger.js';

test.skip(chromiumMissingReason !== null, chromiumMissingReason ?? '');

let ledger: SeededLedger;
let host: RunningServe;
let problems: string[] = [];

test.beforeAll(async () => {
  ledger = seedLedger();
  host = await serve(ledger.db, join(ledger.dir, 'config'));
});

test.afterAll(async () => {
  await host?.stop();
  if (ledger !== undefined) rmSync(ledger.dir, { recursive: true, force: true });
});

test.beforeEach(async ({ page }) => {
  await page.setViewportSize({ width: 1360, height: 860 });
  problems = watchProblems(page);
});

test.afterEach(() => {
  expect(problems).toEqual([]);
});

const accountsTable = (page: Page) => page.getByTestId('accounts-table');

test('accounts: every account with balances; search, deficit and low-balance filters', async ({ page }) => {
  await openApp(page, host, '/accounts');
  await expect(page).toHaveTitle('Ledgerscope');
  await expect(page.getByTestId('accounts-count')).toContainText('43 of 43 accounts');
  await expect(page.getByTestId('host')).toContainText('Browser mode · ledger.sqlite');
  // The token left the address bar once it was stored.
  expect(page.url()).not.toContain('token=');
  await screenshot(page, 'accounts');

  await page.getByLabel('Search', { exact: true }).fill('cus_beta');
  await expect(page.getByTestId('accounts-count')).toContainText('1 of 43 accounts');
  const beta = accountsTable(page).getByRole('row').first();
  await expect(beta).toContainText('cus_beta');
  // A negative balance: a true minus sign, in the negative style.
  await expect(beta.locator('.amount.negative').first()).toHaveText('−30.00');

  await page.getByLabel('Search', { exact: true }).fill('');
  await page.getByTestId('filter-deficit').check();
  await expect(page.getByTestId('accounts-count')).toContainText('1 of 43 accounts');
  await page.getByTestId('filter-deficit').uncheck();
  await page.getByTestId('filter-low-balance').fill('10');
  await expect(page.getByTestId('accounts-count')).toContainText('2 of 43 accounts');
  await expect(accountsTable(page)).toContainText('cus_gamma');
  await page.getByTestId('filter-low-balance').fill('');
  await page.getByLabel('Expiring within this many days').fill('25');
  await page.getByTestId('filter-expiring').check();
  await expect(page.getByTestId('accounts-count')).toContainText('1 of 43 accounts');
  await expect(accountsTable(page)).toContainText('cus_alpha');
  await screenshot(page, 'accounts-filtered');
});

test('accounts: sorting by available puts the deficit last', async ({ page }) => {
  await openApp(page, host, '/accounts');
  // The header sits outside the grid (it does not scroll), so its sort buttons say the order (axe: no column headers outside a grid).
  const sortButton = accountsTable(page).getByRole('button', { name: /^Available\b/ });
  await sortButton.click();
  await expect(sortButton).toHaveAccessibleName('Available, sorted descending');
  await expect(accountsTable(page).getByRole('row').first()).not.toContainText('cus_beta');
  await sortButton.click();
  await expect(sortButton).toHaveAccessibleName('Available, sorted ascending');
  await expect(accountsTable(page).getByRole('row').first()).toContainText('cus_beta');
});

test('account: balances, blocks with what is left, timeline and entries with their raw record', async ({ page }) => {
  await openApp(page, host, '/account/cus_alpha/none/USD');
  await expect(page.getByTestId('balance-current')).toHaveText('100.00 USD');
  await expect(page.getByTestId('balance-available')).toHaveText('100.00 USD');
  const blocks = page.getByTestId('blocks-table');
  await expect(blocks.getByRole('row')).toHaveCount(2);
  await expect(blocks.getByRole('row').nth(0)).toContainText('alpha-credit');
  await expect(blocks.getByRole('row').nth(0)).toContainText('Active');
  await expect(blocks.getByRole('row').nth(1)).toContainText('Expired');
  await expect(page.getByTestId('timeline').locator('svg.recharts-surface').first()).toBeVisible();
  await expect(page.getByTestId('timeline')).toContainText('Upcoming expirations');
  await expect(page.getByTestId('timeline')).toContainText(day(ledger.start, 80).slice(0, 10));

  const entries = page.getByTestId('entries-table');
  await expect(page.getByTestId('entries-count')).toHaveText('4');
  // Newest first: the engine's expiry of what was left of the promotion.
  await expect(entries.getByRole('row').first()).toContainText('Expiry');
  await expect(entries.getByRole('row').first()).toContainText('−15.00');
  await screenshot(page, 'account');

  await page.getByTestId('kind-decrement').check();
  await expect(page.getByTestId('entries-count')).toHaveText('1 of 4');
  await entries.getByRole('row').first().dblclick();
  await expect(page.getByTestId('evidence-raw')).toContainText('"transaction_id":"alpha-usage"');
  // The record exactly as imported: the amount literal keeps its digits.
  await expect(page.getByTestId('evidence-raw')).toContainText('"amount":-10');
  await screenshot(page, 'account-evidence');
});

test('as-of control: the account shows what it was at that instant', async ({ page }) => {
  await openApp(page, host, '/account/cus_alpha/none/USD');
  await expect(page.getByTestId('balance-current')).toHaveText('100.00 USD');
  await page.getByTestId('as-of-input').fill(day(ledger.start, 5).slice(0, 16).replace('T', ' '));
  await page.getByTestId('as-of-input').press('Enter');
  await expect(page.getByTestId('as-of-label')).toContainText(day(ledger.start, 5).slice(0, 10));
  await expect(page.getByTestId('balance-current')).toHaveText('125.00 USD');
  await expect(page.getByTestId('entries-count')).toHaveText('2');
  const blocks = page.getByTestId('blocks-table');
  await expect(blocks.getByRole('row').nth(1)).toContainText('Active');
  await screenshot(page, 'account-as-of');
  await page.getByTestId('as-of-now').click();
  await expect(page.getByTestId('balance-current')).toHaveText('100.00 USD');
});

test('customer timeline: every entry in time with the balance after each', async ({ page }) => {
  await openApp(page, host, '/customer');
  await expect(page.getByText('Which customer?')).toBeVisible();
  await page.getByTestId('customer-input').fill('cus_alpha');
  await page.getByTestId('customer-input').press('Enter');
  await expect(page.getByTestId('customer-count')).toContainText('4 items');
  const rows = page.getByTestId('customer-table').getByRole('row');
  await expect(rows.nth(0)).toContainText('+100.00 USD');
  await expect(rows.nth(1)).toContainText('125.00 USD');
  await expect(rows.nth(3)).toContainText('Expiry');
  await screenshot(page, 'customer-timeline');
});

test('settings: reconciliation window saved; keys from the environment, none set', async ({ page }) => {
  await openApp(page, host, '/settings');
  await expect(page.getByTestId('key-stripe')).toHaveText('not set');
  await expect(page.getByText('Set STRIPE_API_KEY before ledgerscope serve')).toBeVisible();
  await expect(page.getByTestId('key-storage')).toHaveText('In browser mode keys come from the environment of ledgerscope serve and never reach this page: only their last four characters.');
  await expect(page.getByTestId('save-without-keyring')).toHaveCount(0);
  await page.getByTestId('window-days').fill('5');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await screenshot(page, 'settings');
});

test('reconciliation: with no Stripe payments and no run yet, the empty states say what to do next', async ({ page }) => {
  await openApp(page, host, '/reconciliation');
  await expect(page.getByTestId('no-payments')).toContainText('No Stripe payments imported yet — import a Stripe export or run ledgerscope sync stripe');
  await expect(page.getByTestId('reconcile-no-runs')).toContainText('Press Run reconciliation');
  await expect(page.getByTestId('run-reconciliation')).toBeEnabled();
  await screenshot(page, 'reconciliation-no-payments');
});

test('keyboard: search, open an account, read a record, move between screens', async ({ page }) => {
  await openApp(page, host, '/import');
  await expect(page.getByRole('heading', { name: 'Import' })).toBeVisible();
  await page.keyboard.press('Alt+1');
  await expect(page.getByRole('heading', { name: 'Accounts' })).toBeVisible();
  await page.keyboard.press('/');
  await expect(page.locator('#accounts-search')).toBeFocused();
  await page.keyboard.type('cus_team00');
  await expect(page.getByTestId('accounts-count')).toContainText('10 of 43');
  await page.keyboard.press('ArrowDown');
  await expect(accountsTable(page).getByRole('grid')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: /cus_team001/ })).toBeVisible();
  await page.getByRole('grid', { name: /Entries/ }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('evidence-raw')).toContainText('cus_team001-usage');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('evidence')).toHaveCount(0);
  await page.keyboard.press('Alt+5');
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  await page.keyboard.press('Shift+?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await screenshot(page, 'shortcuts');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
});
