// Import through the page: a broken file shows every problem and writes nothing (checked with the CLI
// afterwards); a good one imports, and the accounts appear. Starts from a database that does not exist.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { RunningServe } from '../../scripts/lib/serve.mjs';
import { openApp, screenshot, watchProblems } from './support/app.js';
import { chromiumMissingReason } from './support/environment.js';
import { ledgerscope, serve } from './support/ledger.js';

test.skip(chromiumMissingReason !== null, chromiumMissingReason ?? '');

let dir: string;
let db: string;
let host: RunningServe;

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ledgerscope-e2e-import-'));
  db = join(dir, 'fresh.sqlite');
  host = await serve(db, join(dir, 'config'));
});

test.afterAll(async () => {
  await host?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const GOOD = [
  '{"company_id":"cus_new","transaction_id":"n-1","type":"credit","amount":250.00,"created_at":"2025-01-01T00:00:00Z","expire_at":"2026-01-01T00:00:00Z"}',
  '{"company_id":"cus_new","transaction_id":"n-2","type":"debit","amount":-0.0001,"created_at":"2025-01-02T00:00:00Z"}',
].join('\n');

const BROKEN = [
  '{"company_id":"cus_bad","transaction_id":"b-1","type":"credit","amount":100,"created_at":"2025-01-01T00:00:00Z"}',
  '{"company_id":"cus_bad","transaction_id":"b-2","type":"debit","amount":"12,50","created_at":"2025-01-02T00:00:00Z"}',
  '{"company_id":"cus_bad","transaction_id":"b-3","type":"debit","amount":-1,"created_at":"2025-01-03T00:00:00"}',
].join('\n');

test('an empty database says what to do; a broken file shows every problem and writes nothing; a good one imports', async ({ page }) => {
  const problems = watchProblems(page);
  await page.setViewportSize({ width: 1360, height: 860 });
  await openApp(page, host, '/accounts');
  await expect(page.getByTestId('accounts-empty')).toContainText('No ledger yet');
  await screenshot(page, 'accounts-empty');
  await page.getByTestId('accounts-empty').getByRole('link', { name: 'Import files' }).click();
  await expect(page.getByRole('heading', { name: 'Import' })).toBeVisible();
  await screenshot(page, 'import');

  await page.getByTestId('file-input').setInputFiles({ name: 'broken.jsonl', mimeType: 'application/json', buffer: Buffer.from(BROKEN) });
  const list = page.getByTestId('import-problems');
  await expect(list).toContainText('2 problems: nothing will be written');
  await expect(list).toContainText('broken.jsonl:2');
  await expect(list).toContainText('broken.jsonl:3');
  await expect(page.getByTestId('file-preview')).toContainText('Moesif balance transactions');
  await expect(page.getByTestId('import-run')).toBeDisabled();
  await screenshot(page, 'import-errors');
  // Nothing was written: the database was never even created, as the CLI confirms.
  expect(existsSync(db)).toBe(false);
  const balances = ledgerscope('balances', '--db', db, '--json');
  expect(balances.status).toBe(2);
  expect(balances.stderr).toContain('no such ledger database');

  await page.getByRole('button', { name: 'Start over' }).click();
  await page.getByTestId('file-input').setInputFiles({ name: 'good.jsonl', mimeType: 'application/json', buffer: Buffer.from(GOOD) });
  const preview = page.getByTestId('file-preview');
  await expect(preview).toContainText('2 records');
  await expect(preview).toContainText('250.00 USD');
  // Full precision: a ten-thousandth of a dollar is shown as it is.
  await expect(preview).toContainText('0.0001 USD');
  await screenshot(page, 'import-preview');
  expect(existsSync(db)).toBe(false);
  await page.getByTestId('import-run').click();
  await expect(page.getByTestId('import-result')).toContainText('Imported 2 new entries (0 already present) across 1 account');
  await screenshot(page, 'import-done');

  const after = ledgerscope('balance', '--db', db, '--customer', 'cus_new', '--as-of', '2025-06-01', '--json');
  expect(after.status).toBe(0);
  expect(JSON.parse(after.stdout).accounts[0].current).toBe('249.9999');
  await page.getByRole('link', { name: 'See the accounts' }).click();
  await expect(page.getByTestId('accounts-count')).toContainText('1 of 1 account');
  expect(problems).toEqual([]);
});

test('counts in the import result agree with their number: one new entry is "1 new entry"', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page, host, '/import');
  const one = '{"company_id":"cus_one","transaction_id":"o-1","type":"credit","amount":5,"created_at":"2025-02-01T00:00:00Z"}';
  await page.getByTestId('file-input').setInputFiles({ name: 'one.jsonl', mimeType: 'application/json', buffer: Buffer.from(one) });
  await expect(page.getByTestId('file-preview')).toContainText('1 record');
  await page.getByTestId('import-run').click();
  const result = page.getByTestId('import-result');
  await expect(result).toContainText('Imported 1 new entry (0 already present) across 1 account');
  await expect(result).not.toContainText('1 new entries');
  await screenshot(page, 'import-done-one');
  expect(problems).toEqual([]);
});

test('every amount of a custom-unit account shows the account scale: the most digits among its stated amounts', async ({ page }) => {
  const problems = watchProblems(page);
  await openApp(page, host, '/import');
  const lines = [
    '{"company_id":"cus_units","transaction_id":"u-1","type":"credit","amount":100,"created_at":"2025-03-01T00:00:00Z"}',
    '{"company_id":"cus_units","transaction_id":"u-2","type":"debit","amount":-2.25,"created_at":"2025-03-02T00:00:00Z"}',
  ].join('\n');
  await page.getByLabel('Unit of records without a currency (Moesif, Orb bodies)').fill('credits');
  await page.getByTestId('file-input').setInputFiles({ name: 'units.jsonl', mimeType: 'application/json', buffer: Buffer.from(lines) });
  await page.getByTestId('import-run').click();
  await expect(page.getByTestId('import-result')).toContainText('Imported 2 new entries');

  await openApp(page, host, '/account/cus_units/none/credits');
  await expect(page.getByRole('heading', { name: /cus_units/ })).toBeVisible();
  await expect(page.getByTestId('balance-current')).toHaveText('97.75 credits');
  await expect(page.getByTestId('balance-pending')).toHaveText('0.00 credits');
  // The whole-number credit is padded like the 2.25 beside it.
  const table = page.getByTestId('entries-table');
  await expect(table).toContainText('100.00');
  await expect(table).toContainText('−2.25');
  await screenshot(page, 'account-credits-scale');
  expect(problems).toEqual([]);
});

test('a read-only ledger is served read-only: the page shows it, says so, and an import gives the one read-only line', async ({ page }) => {
  const { spawnSync } = await import('node:child_process');
  const { copyFileSync, mkdirSync, writeFileSync } = await import('node:fs');
  const run = (...args: string[]): boolean => spawnSync('mount', args, { stdio: 'ignore' }).status === 0;
  const folder = join(dir, 'ro');
  mkdirSync(folder);
  // As root file modes stop no write: a tmpfs remounted read-only is the real condition.
  test.skip(!run('-t', 'tmpfs', '-o', 'size=4096k', 'tmpfs', folder), 'mount(8) is not permitted here');
  const roDb = join(folder, 'ledger.sqlite');
  let roHost: RunningServe | null = null;
  try {
    // A closed ledger (no -wal beside it), as a copy made with the app closed is.
    const seed = join(dir, 'seed-ro.sqlite');
    writeFileSync(join(dir, 'seed-ro.jsonl'), GOOD);
    expect(ledgerscope('import', join(dir, 'seed-ro.jsonl'), '--db', seed).status).toBe(0);
    copyFileSync(seed, roDb);
    expect(run('-o', 'remount,ro', folder)).toBe(true);
    roHost = await serve(roDb, join(dir, 'config-ro'));
    const problems = watchProblems(page);
    await openApp(page, roHost, '/accounts');
    await expect(page.getByTestId('host')).toContainText('ledger.sqlite · 2 entries');
    await expect(page.getByTestId('read-only')).toHaveText('· read-only');
    await expect(page.getByTestId('accounts-count')).toContainText('1 of 1 account');
    await openApp(page, roHost, '/import');
    await expect(page.getByTestId('import-read-only')).toContainText('ledger.sqlite is read-only (its file, folder or disk cannot be written): nothing can be imported into it');
    const one = '{"company_id":"cus_ro","transaction_id":"r-1","type":"credit","amount":5,"created_at":"2025-02-01T00:00:00Z"}';
    // The preview already compares with the ledger through a writing connection: it stops with the line.
    await page.getByTestId('file-input').setInputFiles({ name: 'ro.jsonl', mimeType: 'application/json', buffer: Buffer.from(one) });
    await expect(page.getByRole('alert')).toContainText(`${roDb}: the ledger is read-only (its file, folder or disk cannot be written); nothing was changed`);
    await screenshot(page, 'import-read-only');
    expect(problems.filter((problem) => !problem.includes('the ledger is read-only'))).toEqual([]);
  } finally {
    await roHost?.stop();
    spawnSync('umount', [folder], { stdio: 'ignore' });
  }
});
