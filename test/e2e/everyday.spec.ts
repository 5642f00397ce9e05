// Everyday use (issue 14) against `ledgerscope serve` on real SQLite files: where focus goes after each
// action, the view in the address (bookmark, share, Back), a 1,024 px window, a 30-digit amount, the import
// preview's summary, and an axe pass over every screen.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { RunningServe } from '../../scripts/lib/serve.mjs';
import { expectAccessible, openApp, screenshot, watchProblems } from './support/app.js';
import { chromiumMissingReason } from './support/environment.js';
import { day, ledgerscope, seedLedger, serve, type SeededLedger } from './support/ledger.js';
import { seedReconcileLedger, type ReconcileLedger } from './support/reconcile-ledger.js';

test.skip(chromiumMissingReason !== null, chromiumMissingReason ?? '');

const HUGE = '123456789012345678901234567890';

let ledger: SeededLedger;
let host: RunningServe;
let reconcileLedger: ReconcileLedger;
let reconcileHost: RunningServe;
let importDir: string;
let importHost: RunningServe;
let problems: string[] = [];

test.beforeAll(async () => {
  ledger = seedLedger();
  // One account holding a 30-digit credit (a unit error nobody caught): the layout must hold.
  const hugeFile = join(ledger.dir, 'huge.jsonl');
  writeFileSync(
    hugeFile,
    [
      `{"company_id":"cus_huge","transaction_id":"huge-credit","type":"credit","amount":${HUGE}.00,"created_at":"${day(ledger.start, 2)}"}`,
      `{"company_id":"cus_huge","transaction_id":"huge-usage","type":"debit","amount":-1234.5,"created_at":"${day(ledger.start, 4)}"}`,
    ].join('\n') + '\n',
  );
  const imported = ledgerscope('import', hugeFile, '--db', ledger.db);
  if (imported.status !== 0) throw new Error(`seeding the huge account failed: ${imported.stderr}`);
  host = await serve(ledger.db, join(ledger.dir, 'config'));
  reconcileLedger = seedReconcileLedger();
  reconcileHost = await serve(reconcileLedger.db, join(reconcileLedger.dir, 'config'));
  importDir = mkdtempSync(join(tmpdir(), 'ledgerscope-e2e-everyday-import-'));
  importHost = await serve(join(importDir, 'fresh.sqlite'), join(importDir, 'config'));
});

test.afterAll(async () => {
  await host?.stop();
  await reconcileHost?.stop();
  await importHost?.stop();
  for (const dir of [ledger?.dir, reconcileLedger?.dir, importDir]) if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

test.beforeEach(async ({ page }) => {
  await page.setViewportSize({ width: 1360, height: 860 });
  problems = watchProblems(page);
});

test.afterEach(() => {
  expect(problems).toEqual([]);
});

/** What has keyboard focus: its tag, id, test id and text, so a failure says where focus went. */
async function focused(page: Page): Promise<{ tag: string; id: string; testId: string | null; text: string }> {
  // Page code as text: this project's Node types have no DOM.
  return page.evaluate(`(() => {
    const element = document.activeElement;
    return {
      tag: element?.tagName ?? 'none',
      id: element?.id ?? '',
      testId: element?.getAttribute('data-testid') ?? null,
      text: (element?.textContent ?? '').trim().slice(0, 60),
    };
  })()`);
}

async function expectFocusOnHeading(page: Page, name: string | RegExp): Promise<void> {
  await expect(page.getByRole('heading', { level: 2, name, exact: typeof name === 'string' })).toBeFocused();
}

/** The page's width against the window's: wider means a horizontal scrollbar on the whole page. */
function pageWidths(page: Page): Promise<{ page: number; window: number }> {
  return page.evaluate('({ page: document.documentElement.scrollWidth, window: window.innerWidth })');
}

/** Opens a hash route that may carry its own keys, with the token beside them (as a shared link plus the token). */
async function openView(page: Page, server: RunningServe, route: string): Promise<void> {
  await page.goto(`${server.origin}#${route}${route.includes('?') ? '&' : '?'}token=${server.token}`);
}

/** A run on the reconciliation screen (a run from an earlier test is not counted on: a failure restarts the worker). */
async function runReconciliation(page: Page): Promise<void> {
  const run = page.getByTestId('run-reconciliation');
  await expect(run).toBeEnabled();
  await run.click();
  await expect(page.getByTestId('run-summary')).toBeVisible();
  await expect(run).toBeEnabled();
}


test('keyboard: switching screens focuses the new screen’s heading; the skip link goes to the content; Esc leaves the as-of field', async ({ page }) => {
  await openApp(page, host, '/accounts');
  await expect(page.getByTestId('accounts-count')).toContainText('accounts');
  // The skip link is the page's first stop and takes the keyboard to the content.
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('skip-link')).toBeFocused();
  await screenshot(page, 'everyday-skip-link');
  await page.keyboard.press('Enter');
  await expectFocusOnHeading(page, 'Accounts');

  for (const [key, heading] of [
    ['Alt+4', 'Reconciliation'],
    ['Alt+3', 'Import'],
    ['Alt+5', 'Settings'],
    ['Alt+1', 'Accounts'],
  ] as const) {
    await page.keyboard.press(key);
    await expectFocusOnHeading(page, heading);
  }
  // A click on a navigation link too.
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Reconciliation' }).click();
  await expectFocusOnHeading(page, 'Reconciliation');
  await page.keyboard.press('Alt+1');
  await expectFocusOnHeading(page, 'Accounts');

  // Alt+A: the as-of field; Esc drops what was typed and leaves it, for the screen.
  await page.keyboard.press('Alt+a');
  await expect(page.getByTestId('as-of-input')).toBeFocused();
  await page.keyboard.type('2020-01-');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('as-of-input')).not.toBeFocused();
  await expect(page.getByTestId('as-of-input')).toHaveValue('');
  await expectFocusOnHeading(page, 'Accounts');

  // Opening an account and coming Back: the heading each time, never <body>.
  await page.keyboard.press('/');
  await expect(page.locator('#accounts-search')).toBeFocused();
  await page.keyboard.type('cus_beta');
  await expect(page.getByTestId('accounts-count')).toContainText('1 of');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expectFocusOnHeading(page, /cus_beta/);
  await page.goBack();
  await expectFocusOnHeading(page, 'Accounts');

  // The shortcuts dialog lists j and k; closing it gives focus back, not to <body>.
  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(dialog).toContainText('Next and previous reconciliation item');
  await expect(dialog.getByRole('rowheader', { name: 'j k' })).toBeVisible();
  await screenshot(page, 'everyday-shortcuts');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  expect((await focused(page)).tag).not.toBe('BODY');
});

test('keyboard: j and k move through reconciliation items; closing and posting an adjustment return focus to the item or the list, never <body>', async ({ page }) => {
  await openApp(page, reconcileHost, '/reconciliation');
  const run = page.getByTestId('run-reconciliation');
  await expect(run).toBeEnabled();
  await run.click();
  await expect(page.getByTestId('open-count')).toContainText('open difference');
  await page.getByTestId('open-only').uncheck();
  const items = page.getByTestId('reconcile-item');
  // Unchecking reloads the list: wait until every item (not only the open one) is shown.
  await expect.poll(() => items.count()).toBeGreaterThan(1);

  // Start from the heading: j goes to the first item, again to the second, k back to the first.
  await page.getByRole('heading', { name: 'Differences' }).focus();
  await page.keyboard.press('j');
  await expect(items.nth(0)).toBeFocused();
  await page.keyboard.press('j');
  await expect(items.nth(1)).toBeFocused();
  await page.keyboard.press('k');
  await expect(items.nth(0)).toBeFocused();
  // The item in focus is in the address: a link to it.
  const firstId = await items.nth(0).getAttribute('data-item-id');
  expect(new URL(page.url()).hash).toContain(`item=${encodeURIComponent(firstId!)}`);

  // The open difference: Enter opens its adjustment, Esc closes it, focus back on the item.
  await page.getByTestId('open-only').check();
  const open = page.getByTestId('reconcile-item').filter({ hasText: 'cus_short' }).first();
  await open.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByTestId('adjustment-dialog');
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(open).toBeFocused();

  // Posting: the dialog goes, the settled item leaves the open list; focus lands on the list, not <body>.
  await open.getByTestId('item-review').click();
  await expect(page.getByTestId('preview-current-after')).toBeVisible();
  await page.getByTestId('adjustment-confirm').click();
  await expect(page.getByTestId('reconcile-message')).toContainText('Posted');
  await expect.poll(async () => (await focused(page)).tag).not.toBe('BODY');
  const where = await focused(page);
  expect(['items-title', 'reconciliation-title'].includes(where.id) || where.testId === 'reconcile-item', JSON.stringify(where)).toBe(true);
  await screenshot(page, 'everyday-after-posting');
});

test('URL state: as-of, screen, account and filters are in the address; a bookmark restores the view and Back works', async ({ page, context }) => {
  const asOfDay = day(ledger.start, 5).slice(0, 10);
  await openApp(page, host, '/accounts');
  await expect(page.getByTestId('accounts-count')).toContainText('44 of 44 accounts');
  await page.getByLabel('Search', { exact: true }).fill('cus_');
  await page.getByTestId('filter-deficit').check();
  await expect(page.getByTestId('accounts-count')).toContainText('1 of 44 accounts');
  await expect.poll(() => new URL(page.url()).hash).toContain('q=cus_');
  expect(new URL(page.url()).hash).toContain('deficit=1');

  // The as-of instant: a step in history.
  await page.getByTestId('as-of-input').fill(asOfDay);
  await page.getByTestId('as-of-input').press('Enter');
  await expect.poll(() => new URL(page.url()).hash).toContain(`asof=${asOfDay}`);
  await expect(page.getByTestId('accounts-count')).toContainText(`as of ${asOfDay}`);
  const bookmark = new URL(page.url()).hash;
  expect(bookmark).toMatch(/^#\/accounts\?/);
  await screenshot(page, 'everyday-url-accounts');

  // Into an account: its path and the as-of instant travel on.
  await page.getByTestId('accounts-table').getByRole('link', { name: 'cus_beta' }).click();
  await expect(page.getByRole('heading', { level: 2, name: /cus_beta/ })).toBeVisible();
  const accountHash = new URL(page.url()).hash;
  expect(accountHash).toMatch(/^#\/account\/cus_beta\/none\/USD\?asof=/);
  await expect(page.getByTestId('as-of-label')).toContainText(asOfDay);

  // Back: the filtered list at that instant, as it was.
  await page.goBack();
  // Four accounts had entries on that day.
  await expect(page.getByTestId('accounts-count')).toContainText('1 of 4 accounts');
  await expect(page.getByLabel('Search', { exact: true })).toHaveValue('cus_');
  await expect(page.getByTestId('filter-deficit')).toBeChecked();
  await expect(page.getByTestId('as-of-label')).toContainText(asOfDay);
  // Back again: the instant before (now), filters kept.
  await page.goBack();
  await expect(page.getByTestId('as-of-label')).toHaveText('showing now');
  await expect(page.getByTestId('as-of-input')).toHaveValue('');
  expect(new URL(page.url()).hash).not.toContain('asof=');

  // A bookmark opened in a new tab (the token in the fragment beside the view's keys) shows the same view.
  const other = await context.newPage();
  const otherProblems = watchProblems(other);
  await other.setViewportSize({ width: 1360, height: 860 });
  await other.goto(`${host.origin}${bookmark}&token=${host.token}`);
  await expect(other.getByTestId('accounts-count')).toContainText('1 of 4 accounts');
  await expect(other.getByTestId('as-of-label')).toContainText(asOfDay);
  await expect(other.getByLabel('Search', { exact: true })).toHaveValue('cus_');
  expect(other.url()).not.toContain('token=');
  // An account link with the as-of instant.
  await other.goto(`${host.origin}${accountHash}&token=${host.token}`);
  await expect(other.getByRole('heading', { level: 2, name: /cus_beta/ })).toBeVisible();
  await expect(other.getByTestId('as-of-label')).toContainText(asOfDay);
  await other.close();
  expect(otherProblems).toEqual([]);

  // The reconciliation screen's run, categories and open-only choice are in the address too.
  await openApp(page, reconcileHost, '/reconciliation');
  await runReconciliation(page);
  await page.getByTestId('open-only').uncheck();
  await page.getByTestId('count-matched_fuzzy').click();
  await expect.poll(() => new URL(page.url()).hash).toContain('cat=matched_fuzzy');
  const reconcileHash = new URL(page.url()).hash;
  expect(reconcileHash).toContain('all=1');
  expect(reconcileHash).toMatch(/run=/);
  await page.reload();
  await expect(page.getByTestId('count-matched_fuzzy')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('open-only')).not.toBeChecked();
});

test('1,024 px window: navigation and every screen fit; wide tables scroll inside their panel', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  const screens: [string, string, RunningServe][] = [
    ['/accounts', 'accounts', host],
    ['/account/cus_alpha/none/USD', 'account', host],
    ['/customer/cus_alpha', 'customer', host],
    ['/import', 'import', host],
    ['/reconciliation', 'reconciliation', reconcileHost],
    ['/settings', 'settings', host],
  ];
  for (const [route, name, server] of screens) {
    await openApp(page, server, route);
    await expect(page.getByRole('heading', { level: 2 }).first()).toBeVisible();
    await expect(page.locator('.loading')).toHaveCount(0);
    const widths = await pageWidths(page);
    expect(widths.page, `${name} is wider than the window`).toBeLessThanOrEqual(widths.window);
    // Every navigation link is on screen.
    for (const link of await page.getByRole('navigation', { name: 'Screens' }).getByRole('link').all()) {
      const box = await link.boundingBox();
      expect(box, `${name}: a navigation link is not laid out`).not.toBeNull();
      expect(box!.x + box!.width).toBeLessThanOrEqual(1024);
    }
    await screenshot(page, `everyday-1024-${name}`);
  }
  // The accounts table is wider than 1,024 px: it scrolls inside its own panel.
  await openApp(page, host, '/accounts');
  const table = page.getByTestId('accounts-table');
  await expect(table.getByRole('row').first()).toBeVisible();
  const scroll = (await page.evaluate(`(() => {
    const table = document.querySelector('[data-testid="accounts-table"]');
    const scroller = [table, ...table.querySelectorAll('*')].find((node) => node.scrollWidth > node.clientWidth + 1 && getComputedStyle(node).overflowX !== 'visible');
    return scroller === undefined ? null : { right: scroller.getBoundingClientRect().right };
  })()`)) as { right: number } | null;
  expect(scroll, 'the accounts table neither fits nor scrolls inside its panel').not.toBeNull();
  expect(scroll!.right).toBeLessThanOrEqual(1024);
});

test('a 30-digit amount: cards, tables and the chart axis shorten it, the title holds every digit', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 800 });
  await openApp(page, host, '/account/cus_huge/none/USD');
  const current = page.getByTestId('balance-current').locator('.amount');
  await expect(current).toBeVisible();
  // Every digit, grouped, in the tooltip: 123,456,789,012,345,678,901,234,566,655.50 USD.
  const full = '123,456,789,012,345,678,901,234,566,655.50';
  await expect(current).toHaveAttribute('title', `${full} USD`);
  await expect(current).toContainText('≈1.234×10²⁹');
  // Each card keeps its amount inside its box.
  await expect(page.getByTestId('balance-cards').locator('.card')).toHaveCount(5);
  const cardsFit = (await page.evaluate(`[...document.querySelectorAll('[data-testid="balance-cards"] .card')].every((card) => {
    const box = card.getBoundingClientRect();
    return [...card.querySelectorAll('.amount')].every((amount) => amount.getBoundingClientRect().right <= box.right + 0.5);
  })`)) as boolean;
  expect(cardsFit, 'an amount runs out of its card').toBe(true);
  // The blocks table: the initial amount is shortened too, titled in full.
  const initial = page.locator('.amount.shortened').filter({ hasText: '≈1.234×10²⁹' });
  expect(await initial.count()).toBeGreaterThan(1);
  await expect(page.locator('[title="123,456,789,012,345,678,901,234,567,890.00 USD"]').first()).toBeAttached();
  // The chart's value marks are short, their full value in a tooltip.
  const ticks = page.getByTestId('value-tick');
  await expect(ticks.first()).toBeVisible();
  const marks = (await page.evaluate(
    `[...document.querySelectorAll('[data-testid="value-tick"]')].map((tick) => ({ text: [...tick.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE).map((node) => node.textContent).join(''), title: tick.querySelector('title')?.textContent ?? '' }))`,
  )) as { text: string; title: string }[];
  expect(marks.length).toBeGreaterThan(1);
  for (const mark of marks) {
    expect(mark.text.length, `axis mark "${mark.text}"`).toBeLessThanOrEqual(9);
    expect(mark.title.length).toBeGreaterThan(0);
  }
  const widths = await pageWidths(page);
  expect(widths.page).toBeLessThanOrEqual(widths.window);
  await screenshot(page, 'everyday-huge-account');

  // The accounts list: the row's amounts shortened, the page no wider.
  await openView(page, host, '/accounts?q=cus_huge');
  const row = page.getByTestId('accounts-table').getByRole('row').filter({ hasText: 'cus_huge' });
  await expect(row.locator('.amount.shortened').first()).toHaveAttribute('title', `${full} USD`);
  await screenshot(page, 'everyday-huge-accounts');
});

const PREVIEW_FILE = [
  '{"company_id":"cus_p1","transaction_id":"p-1","type":"credit","amount":1200.00,"created_at":"2025-01-01T00:00:00Z"}',
  '{"company_id":"cus_p1","transaction_id":"p-2","type":"debit","amount":-150.25,"created_at":"2025-01-04T00:00:00Z"}',
  '{"company_id":"cus_p2","transaction_id":"p-3","type":"credit","amount":300,"created_at":"2025-01-02T00:00:00Z"}',
  '{"company_id":"cus_p2","transaction_id":"p-4","type":"credit","amount":250,"created_at":"2025-01-09T00:00:00Z","currency":"EUR"}',
].join('\n');

test('import preview: a summary before anything is written; an identical re-import says nothing new; a far-off amount is flagged; an unrecognised file points to Format', async ({ page }) => {
  await openApp(page, importHost, '/import');
  await expect(page.getByRole('heading', { level: 2, name: 'Import' })).toBeVisible();
  // The empty state lists Stripe exports beside Orb and Moesif, and names the database served.
  await expect(page.getByText('Nothing chosen yet')).toBeVisible();
  await expect(page.locator('.empty-state')).toContainText('Stripe exports');
  await expect(page.locator('.empty-state')).toContainText('fresh.sqlite');

  await page.getByTestId('file-input').setInputFiles({ name: 'credits.jsonl', mimeType: 'application/json', buffer: Buffer.from(PREVIEW_FILE) });
  const summary = page.getByTestId('preview-summary');
  await expect(summary).toBeVisible();
  await expect(page.getByTestId('preview-news')).toContainText('4 new records to write, 0 already in the database. Dated 2025-01-01 to 2025-01-09 (UTC).');
  await expect(page.getByTestId('preview-by-kind')).toContainText('Increment3');
  await expect(page.getByTestId('preview-by-kind')).toContainText('Decrement1');
  await expect(page.getByTestId('preview-totals').getByRole('row').filter({ hasText: 'Increment' }).filter({ hasText: 'USD' })).toContainText('1,500.00 USD');
  await expect(page.getByTestId('preview-totals').getByRole('row').filter({ hasText: 'EUR' })).toContainText('250.00 EUR');
  await expect(page.getByTestId('preview-by-account').getByRole('row').filter({ hasText: 'cus_p1' })).toContainText('2');
  await expect(page.getByTestId('preview-outliers')).toHaveCount(0);
  // After the preview, focus is on the summary's heading, not <body>.
  expect((await focused(page)).tag).not.toBe('BODY');
  await screenshot(page, 'everyday-preview-summary');
  await expectAccessible(page, 'import preview');

  await page.getByTestId('import-run').click();
  await expect(page.getByTestId('import-result')).toContainText('Imported 4 new entries');
  await expect.poll(async () => (await focused(page)).tag).not.toBe('BODY');

  // The same file again: nothing new, said before anything is written.
  await page.getByRole('button', { name: 'Import more files' }).click();
  await expect.poll(async () => (await focused(page)).tag).not.toBe('BODY');
  await page.getByTestId('file-input').setInputFiles({ name: 'credits.jsonl', mimeType: 'application/json', buffer: Buffer.from(PREVIEW_FILE) });
  await expect(page.getByTestId('preview-news')).toContainText('Nothing new: all 4 records are already in the database.');
  await expect(page.getByTestId('import-run')).toHaveText('Import anyway (nothing new in 4 records)');
  await screenshot(page, 'everyday-preview-nothing-new');

  // A 30-digit amount among ordinary ones: flagged as a possible unit error before anything is written.
  await page.getByRole('button', { name: 'Start over' }).click();
  const withOutlier = `${PREVIEW_FILE}\n{"company_id":"cus_p3","transaction_id":"p-5","type":"credit","amount":${HUGE},"created_at":"2025-01-10T00:00:00Z"}`;
  await page.getByTestId('file-input').setInputFiles({ name: 'odd.jsonl', mimeType: 'application/json', buffer: Buffer.from(withOutlier) });
  const outliers = page.getByTestId('preview-outliers');
  await expect(outliers).toContainText('Possible unit error');
  await expect(outliers).toContainText('odd.jsonl, line 5');
  await expect(outliers.locator('.amount.shortened')).toHaveAttribute('title', `${HUGE.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.00 USD`);
  await screenshot(page, 'everyday-preview-outlier');
  // Nothing was written: the 30-digit credit is not in the database.
  expect(ledgerscope('balance', '--db', join(importDir, 'fresh.sqlite'), '--customer', 'cus_p3', '--json').status).not.toBe(0);

  // An unrecognised file: the message points to the Format choice, wraps whole, and shows no backticks.
  await page.getByRole('button', { name: 'Start over' }).click();
  await page.getByTestId('file-input').setInputFiles({ name: 'mystery.json', mimeType: 'application/json', buffer: Buffer.from('{"hello":"world"}\n') });
  const message = page.getByTestId('problem-message').first();
  await expect(message).toContainText('choose the file’s format in the Format list on this screen');
  await expect(message).not.toContainText('--source');
  await expect(message).not.toContainText('`');
  const fit = (await page.evaluate(`(() => {
    const element = document.querySelector('[data-testid="problem-message"]');
    return { scroll: element.scrollWidth, client: element.clientWidth, height: element.getBoundingClientRect().height };
  })()`)) as { scroll: number; client: number; height: number };
  expect(fit.scroll).toBeLessThanOrEqual(fit.client + 1);
  expect(fit.height).toBeGreaterThan(30);
  await expect(page.getByRole('combobox', { name: 'Format' })).toBeVisible();
  await screenshot(page, 'everyday-unrecognised-file');
});

test('empty states name the database served and list Stripe exports with Orb and Moesif', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerscope-e2e-everyday-empty-'));
  const emptyHost = await serve(join(dir, 'nothing-yet.sqlite'), join(dir, 'config'));
  try {
    await openApp(page, emptyHost, '/accounts');
    const empty = page.getByTestId('accounts-empty');
    await expect(empty).toContainText('No ledger yet');
    await expect(page.getByTestId('empty-database')).toHaveText(join(dir, 'nothing-yet.sqlite'));
    await expect(empty).toContainText('Stripe exports');
    await expect(empty).toContainText('Moesif');
    await expect(empty).toContainText('Orb');
    await expectAccessible(page, 'accounts (empty)');
    await page.keyboard.press('Alt+4');
    await expect(page.getByTestId('reconcile-empty')).toContainText(join(dir, 'nothing-yet.sqlite'));
    await expect(page.getByTestId('reconcile-empty')).toContainText('Stripe exports');
    await screenshot(page, 'everyday-empty-reconciliation');
    // Leave the page before its host stops (its event stream would end mid-chunk).
    await page.goto('about:blank');
  } finally {
    await emptyHost.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('accessibility: axe finds no serious or critical violation on any screen', async ({ page }) => {
  const screens: [string, string, RunningServe][] = [
    ['/accounts', 'accounts', host],
    ['/account/cus_alpha/none/USD', 'account', host],
    ['/customer/cus_alpha', 'customer timeline', host],
    ['/import', 'import', host],
    ['/settings', 'settings', host],
    ['/reconciliation', 'reconciliation', reconcileHost],
  ];
  for (const [route, name, server] of screens) {
    await openApp(page, server, route);
    await expect(page.getByRole('heading', { level: 2 }).first()).toBeVisible();
    await expect(page.locator('.loading')).toHaveCount(0);
    await expectAccessible(page, name);
  }
  // The reconciliation with a run on screen, every item shown, and its adjustment dialog open.
  await openApp(page, reconcileHost, '/reconciliation');
  await runReconciliation(page);
  await page.getByTestId('open-only').uncheck();
  await expect(page.getByTestId('reconcile-item').first()).toBeVisible();
  await expectAccessible(page, 'reconciliation items');
  const review = page.getByTestId('item-review').first();
  if ((await review.count()) > 0) {
    await review.click();
    await expect(page.getByTestId('preview-current-after')).toBeVisible();
    await expectAccessible(page, 'adjustment dialog');
    await page.keyboard.press('Escape');
  }
  // The shortcuts dialog.
  await page.getByRole('heading', { level: 2, name: 'Reconciliation' }).focus();
  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await expectAccessible(page, 'shortcuts dialog');
});
