// The Customer timeline as support uses it (issue 14), against `ledgerscope serve` on a real SQLite file
// seeded by `ledgerscope import` (a Moesif ledger and Stripe objects) and reconciled by `ledgerscope
// reconcile`: every Stripe row's status in words and colour, a declined and a processing payment shown as
// not received, what reconciliation says with a link to the item, search by every kind of id with
// suggestions as you type, and a payment opened as its raw Stripe objects.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import type { RunningServe } from '../../scripts/lib/serve.mjs';
import { writeSupportDesk } from '../support/support-desk.js';
import { openApp, screenshot, watchProblems } from './support/app.js';
import { chromiumMissingReason } from './support/environment.js';
import { ledgerscope, serve } from './support/ledger.js';

test.skip(chromiumMissingReason !== null, chromiumMissingReason ?? '');

let dir: string;
let host: RunningServe;
let problems: string[] = [];

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ledgerscope-e2e-support-'));
  const db = join(dir, 'support.sqlite');
  const files = writeSupportDesk(dir);
  for (const args of [[files.ledgerFile], [files.stripeFile, '--source', 'stripe']]) {
    const imported = ledgerscope('import', ...args, '--db', db);
    if (imported.status !== 0) throw new Error(`seeding failed: ${imported.stderr}`);
  }
  // Differences found: exit 1.
  const reconciled = ledgerscope('reconcile', '--db', db);
  if (reconciled.status !== 1) throw new Error(`reconcile exited ${reconciled.status}: ${reconciled.stderr}`);
  host = await serve(db, join(dir, 'config'));
});

test.afterAll(async () => {
  await host?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

test.beforeEach(async ({ page }) => {
  await page.setViewportSize({ width: 1360, height: 900 });
  problems = watchProblems(page);
});

test.afterEach(() => {
  expect(problems).toEqual([]);
});

/** The row whose Id cell is exactly `id` (descriptions name payments too). */
const rowOf = (page: Page, id: string) =>
  page.getByTestId('customer-table').getByRole('row').filter({ has: page.getByRole('gridcell').filter({ hasText: new RegExp(`^${id}$`) }) });

test('statuses: a declined $500 payment and a processing ACH payment are shown as not received; refunds and lost disputes are negative', async ({ page }) => {
  await openApp(page, host, '/customer/cus_ada');
  await expect(page.getByTestId('customer-count')).toContainText('10 items');
  await expect(page.getByTestId('customer-who')).toContainText('Ada Lovelace');
  await expect(page.getByTestId('customer-who')).toContainText('ada@example.com');

  const declined = rowOf(page, 'pi_declined');
  await expect(declined.getByTestId('money-status')).toHaveText('Failed · not received (requires payment method)');
  await expect(declined).toContainText('+500.00 USD');
  await expect(declined.locator('.not-received .amount')).toHaveCSS('text-decoration-line', 'line-through');
  await expect(declined.getByTestId('money-status')).toHaveCSS('color', 'rgb(180, 35, 24)');

  const ach = rowOf(page, 'pi_ach');
  await expect(ach.getByTestId('money-status')).toHaveText('Processing · not received yet');
  await expect(ach.locator('.not-received .amount')).toHaveCSS('text-decoration-line', 'line-through');
  await expect(ach.getByTestId('money-status')).toHaveCSS('color', 'rgb(163, 92, 0)');

  // A paid payment is not struck through; its refund and a lost dispute take money back.
  await expect(rowOf(page, 'pi_ok').getByTestId('money-status')).toHaveText('Partially refunded');
  await expect(rowOf(page, 'pi_ok').locator('.not-received')).toHaveCount(0);
  await expect(rowOf(page, 're_ok').getByTestId('money-status')).toHaveText('Refunded');
  await expect(rowOf(page, 're_ok')).toContainText('−25.00 USD');
  await expect(rowOf(page, 'dp_lost').getByTestId('money-status')).toHaveText('Disputed: lost');
  await expect(rowOf(page, 'dp_lost')).toContainText('−40.00 USD');

  // Money received counts only money that moved: 100 − 25 + 40 − 40; the ledger balance is the ledger's.
  await expect(page.getByTestId('money-received-USD')).toHaveText('75.00 USD');
  await expect(rowOf(page, 'ada-credit-3')).toContainText('610.00');
  await screenshot(page, 'customer-timeline-statuses');
});

test('each payment, refund and dispute says what reconciliation found, linked to the item in the latest run', async ({ page }) => {
  await openApp(page, host, '/customer/cus_ada');
  await expect(rowOf(page, 'pi_ok').getByTestId('reconciliation-link')).toHaveText('matched to entry ada-credit-1');
  await expect(rowOf(page, 'pi_ach').getByTestId('reconciliation-link')).toHaveText('pending at Stripe: not expected in the ledger yet');
  await expect(rowOf(page, 're_ok').getByTestId('reconciliation-link')).toHaveText('refund not reversed in the ledger');
  await expect(rowOf(page, 'dp_lost').getByTestId('reconciliation-link')).toHaveText('lost dispute not reversed in the ledger');
  const link = rowOf(page, 'pi_declined').getByTestId('reconciliation-link');
  await expect(link).toHaveText('credited although the payment did not succeed (entry ada-credit-2)');
  await link.click();
  await expect(page).toHaveURL(/#\/reconciliation\/R1-[0-9a-f]+\/payment%3Api_declined/);
  await expect(page.getByTestId('focused-item')).toContainText('payment:pi_declined');
  await expect(page.locator('[data-item-id="payment:pi_declined"]')).toBeVisible();
  await expect(page.locator('[data-item-id]')).toHaveCount(1);
  await screenshot(page, 'customer-timeline-reconciliation-item');
  await page.getByRole('link', { name: 'Show every item of the latest run' }).click();
  await expect(page.getByTestId('focused-item')).toHaveCount(0);
});

test('search: a customer by ledger id, Stripe customer id, name, email, and a payment, charge or invoice id', async ({ page }) => {
  const cases: [string, string][] = [
    ['cus_ada', 'Ada Lovelace'],
    ['cus_grace', 'Grace Hopper'],
    ['acme-grace', 'Grace Hopper'],
    ['Grace Hopper', 'Grace Hopper'],
    ['ada@example.com', 'Ada Lovelace'],
    ['pi_ach', 'Ada Lovelace'],
    ['ch_ok', 'Ada Lovelace'],
    ['in_ok', 'Ada Lovelace'],
  ];
  await openApp(page, host, '/customer');
  await expect(page.getByText('Which customer?')).toBeVisible();
  for (const [query, name] of cases) {
    const input = page.getByTestId('customer-input');
    await input.fill(query);
    await input.press('Enter');
    await expect(page.getByTestId('customer-who')).toContainText(name);
    await expect(page).toHaveURL(name === 'Ada Lovelace' ? /#\/customer\/cus_ada/ : /#\/customer\/acme-grace/);
  }
  await screenshot(page, 'customer-timeline-found-by-invoice');
  // A link or typed URL naming the customer by email lands on the ledger customer.
  await openApp(page, host, '/customer/grace%40example.com');
  await expect(page).toHaveURL(/#\/customer\/acme-grace/);
  await expect(page.getByTestId('customer-who')).toContainText('Grace Hopper');
});

test('suggestions as you type: part of a name, then arrows and Enter open the customer', async ({ page }) => {
  await openApp(page, host, '/customer');
  const input = page.getByTestId('customer-input');
  await input.pressSequentially('hop');
  const list = page.getByTestId('customer-suggestions');
  await expect(list.getByRole('option')).toHaveCount(1);
  await expect(list.getByRole('option')).toContainText('Grace Hopper');
  await expect(list.getByRole('option')).toContainText('grace@example.com');
  await expect(input).toHaveAttribute('aria-expanded', 'true');
  await screenshot(page, 'customer-timeline-suggestions');
  await input.press('ArrowDown');
  await expect(list.getByRole('option')).toHaveAttribute('aria-selected', 'true');
  await input.press('Enter');
  await expect(page).toHaveURL(/#\/customer\/acme-grace/);
  await expect(page.getByTestId('customer-who')).toContainText('grace@example.com');

  // Part of a payment id: each customer with a payment starting with it.
  await input.fill('pi_');
  await expect(list.getByRole('option')).toHaveCount(2);
  // A text naming nobody says so, in words.
  await input.fill('nobody-at-all');
  await input.press('Enter');
  await expect(page.getByTestId('customer-search-problem')).toContainText('no customer matches "nobody-at-all"');
});

test('opening a payment row shows its evidence: the Stripe objects, raw, not the account screen', async ({ page }) => {
  await openApp(page, host, '/customer/cus_ada');
  await rowOf(page, 'pi_ok').dblclick();
  const panel = page.getByTestId('payment-evidence');
  await expect(panel).toBeVisible();
  await expect(page).toHaveURL(/#\/customer\/cus_ada/);
  const raws = panel.getByTestId('payment-evidence-raw');
  await expect(raws).toHaveCount(4);
  await expect(raws.nth(0)).toContainText('"id":"pi_ok"');
  await expect(raws.nth(0)).toContainText('"amount":10000');
  await expect(panel).toContainText('stripe.jsonl, line 3');
  await expect(panel.getByRole('heading', { name: /Invoice in_ok/ })).toBeVisible();
  await expect(panel.getByRole('heading', { name: /Charge ch_ok/ })).toBeVisible();
  await expect(panel.getByRole('heading', { name: /Refund re_ok/ })).toBeVisible();
  await expect(panel.getByTestId('reconciliation-link')).toHaveText('matched to entry ada-credit-1');
  await screenshot(page, 'customer-timeline-payment-evidence');
  await page.keyboard.press('Escape');
  await expect(panel).toHaveCount(0);

  // The keyboard way: the declined payment, from the table.
  await page.getByTestId('customer-table').getByRole('grid').focus();
  for (let i = 0; i < 2; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(panel.getByTestId('payment-evidence-raw').first()).toContainText('"status":"requires_payment_method"');
});

test('names and emails show in the accounts list (searchable by them) and the account header', async ({ page }) => {
  await openApp(page, host, '/accounts');
  await page.locator('#accounts-search').fill('hopper');
  const rows = page.getByTestId('accounts-table').getByRole('row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('acme-grace');
  // The name in the narrow column, name and email in its tooltip.
  await expect(rows.first().getByTestId('customer-contact')).toHaveText('Grace Hopper');
  await expect(rows.first().getByTestId('customer-contact')).toHaveAttribute('title', 'Grace Hopper · grace@example.com');
  await page.locator('#accounts-search').fill('ada@example');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('cus_ada');
  await page.locator('#accounts-search').fill('hopper');
  await screenshot(page, 'accounts-search-by-name');
  await rows.first().getByRole('link', { name: 'acme-grace' }).click();
  await expect(page.getByTestId('account-contact')).toHaveText('Grace Hopper · grace@example.com');
});

test('accessibility: the timeline with suggestions open and a payment\'s evidence has no serious or critical axe violations', async ({ page }) => {
  const serious = async (): Promise<string[]> => {
    // The shared table's header row (every screen's) belongs to the app-wide accessibility pass of issue 14.
    const results = await new AxeBuilder({ page }).exclude('.vtable-head').analyze();
    const violations = results.violations as { id: string; impact?: string | null; nodes: { target: unknown[] }[] }[];
    return violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  };
  await openApp(page, host, '/customer/cus_ada');
  await expect(page.getByTestId('customer-count')).toContainText('10 items');
  await page.getByTestId('customer-input').fill('gra');
  await expect(page.getByTestId('customer-suggestions').getByRole('option')).toHaveCount(1);
  expect(await serious()).toEqual([]);
  await page.getByTestId('customer-input').press('Escape');
  await rowOf(page, 'pi_declined').dblclick();
  await expect(page.getByTestId('payment-evidence-raw').first()).toBeVisible();
  expect(await serious()).toEqual([]);
});
