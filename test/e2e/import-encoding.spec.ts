// Issue 10 item 2 through the page: a chosen file that is not UTF-8 is never read with replacement
// characters. Its bytes go to the host, whose one decoder names file, line and byte offset; a UTF-16 file
// with its byte-order mark is read as UTF-16 and imports.
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
  dir = mkdtempSync(join(tmpdir(), 'ledgerscope-e2e-encoding-'));
  db = join(dir, 'fresh.sqlite');
  host = await serve(db, join(dir, 'config'));
});

test.afterAll(async () => {
  await host?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const CSV = 'company_id,transaction_id,type,amount,created_at,description\ncus_cafe,t1,credit,100,2025-01-01T00:00:00Z,Café\n';

test('a Latin-1 file names its first bad byte and writes nothing; a UTF-16 file is read as UTF-16', async ({ page }) => {
  const problems = watchProblems(page);
  await page.setViewportSize({ width: 1360, height: 860 });
  await openApp(page, host, '/import');
  await expect(page.getByRole('heading', { name: 'Import' })).toBeVisible();

  const latin1 = Buffer.from(CSV, 'latin1');
  await page.getByTestId('file-input').setInputFiles({ name: 'latin1.csv', mimeType: 'text/csv', buffer: latin1 });
  const list = page.getByTestId('import-problems');
  await expect(list).toContainText('latin1.csv:2');
  await expect(list).toContainText(`not valid UTF-8: byte offset ${latin1.indexOf(0xe9)} holds 0xE9`);
  await expect(list).toContainText('save the file as UTF-8');
  await expect(page.getByTestId('import-run')).toBeDisabled();
  await screenshot(page, 'import-not-utf8');
  expect(existsSync(db)).toBe(false);

  await page.getByRole('button', { name: 'Start over' }).click();
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(CSV, 'utf16le')]);
  await page.getByTestId('file-input').setInputFiles({ name: 'utf16.csv', mimeType: 'text/csv', buffer: utf16 });
  await expect(page.getByTestId('file-preview')).toContainText('1 record');
  await page.getByTestId('import-run').click();
  await expect(page.getByTestId('import-result')).toContainText('Imported 1 new');
  await screenshot(page, 'import-utf16-done');
  const entries = ledgerscope('entries', '--db', db, '--customer', 'cus_cafe', '--json');
  expect(entries.status).toBe(0);
  expect(JSON.parse(entries.stdout).entries[0].description).toBe('Café');
  expect(problems).toEqual([]);
});
