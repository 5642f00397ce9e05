// The built renderer (out/renderer) served statically, as browser mode serves it, in Chromium.
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { chromiumMissingReason, projectRoot } from './support/environment.js';
import { serveDirectory, type StaticServer } from './support/static-server.js';

test.skip(chromiumMissingReason !== null, chromiumMissingReason ?? '');

let server: StaticServer;

test.beforeAll(async () => {
  server = await serveDirectory(join(projectRoot, 'out', 'renderer'));
});

test.afterAll(async () => {
  await server?.close();
});

test('renderer shows the app name and the empty state, with no console errors', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });

  await page.setViewportSize({ width: 1100, height: 700 });
  await page.goto(server.url);

  await expect(page).toHaveTitle('Ledgerscope');
  await expect(page.getByRole('heading', { level: 1, name: 'Ledgerscope' })).toBeVisible();
  await expect(page.getByText('Import a ledger to begin:')).toBeVisible();
  // Served without Electron there is no window.ledgerscope bridge.
  await expect(page.getByTestId('host')).toHaveText('Browser mode');

  await page.screenshot({ path: join(projectRoot, 'test-results', 'renderer-smoke.png'), fullPage: true });
  // A CSP violation or a missing asset shows up here.
  expect(problems).toEqual([]);
});
