// The real desktop window, when this machine has the Electron binary (node_modules/electron/dist).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { findElectronBinary } from '../../scripts/lib/electron-binary.mjs';
import { ensureElectronBinding } from '../../scripts/lib/electron-native.mjs';
import type { ApiResult } from '../../core/api/contract.js';
import type { LedgerscopeBridge } from '../../electron/bridge.js';
import { projectRoot } from './support/environment.js';

const binary = findElectronBinary(projectRoot);
const noDisplay = process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY'];
const skipReason =
  binary.executablePath === null
    ? `Electron binary not installed (${binary.reason ?? 'unknown reason'})`
    : noDisplay
      ? 'Electron needs a display on Linux (run the tests under xvfb-run)'
      : null;

test.skip(skipReason !== null, skipReason ?? '');

let app: ElectronApplication;
let page: Page;

test.beforeAll(async () => {
  test.setTimeout(10 * 60_000); // the first run may compile better-sqlite3 for Electron
  const bindingPath = ensureElectronBinding({ root: projectRoot, electronVersion: binary.version });
  // Chromium refuses to run as root (CI containers) without --no-sandbox, which drops only the OS-level
  // sandbox; webPreferences.sandbox still limits the preload to Electron's sandboxed API.
  const args = process.getuid?.() === 0 ? ['--no-sandbox', projectRoot] : [projectRoot];
  app = await electron.launch({
    executablePath: binary.executablePath ?? '',
    args,
    // A database of its own: the test never touches the user's.
    env: { ...process.env, LEDGERSCOPE_SQLITE_BINDING: bindingPath, LEDGERSCOPE_DB: join(mkdtempSync(join(tmpdir(), 'ledgerscope-electron-')), 'ledger.sqlite') } as Record<string, string>,
  });
  page = await app.firstWindow();
});

test.afterAll(async () => {
  await app?.close();
});

test('window renders the app through the preload bridge', async () => {
  await expect(page).toHaveTitle('Ledgerscope');
  await expect(page.getByRole('heading', { level: 1, name: 'Ledgerscope' })).toBeVisible();
  // The contract answers over the one IPC channel: app.info names the desktop host and its database.
  await expect(page.getByTestId('host')).toHaveText(/^Desktop · /);
});

test('window is isolated: no Node in the page, only the narrow bridge', async () => {
  const seen = await page.evaluate(() => {
    const scope = globalThis as Record<string, unknown>;
    const bridge = scope['ledgerscope'] as Record<string, unknown>;
    return { require: typeof scope['require'], process: typeof scope['process'], bridgeKeys: Object.keys(bridge) };
  });
  expect(seen).toEqual({ require: 'undefined', process: 'undefined', bridgeKeys: ['invoke', 'onEvent'] });
});

test('an unknown method is refused over the one IPC channel', async () => {
  const result = await page.evaluate(() => {
    const bridge = (globalThis as unknown as { ledgerscope: LedgerscopeBridge }).ledgerscope;
    return bridge.invoke('ledger.drop' as never, {} as never) as Promise<ApiResult<unknown>>;
  });
  expect(result).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
});

test('navigation and new windows are denied', async () => {
  const before = page.url();
  const opened = await page.evaluate(() => {
    const target = globalThis as unknown as { open(url: string): unknown; location: { href: string } };
    const popup = target.open('https://example.com/');
    target.location.href = 'https://example.com/';
    return popup === null;
  });
  expect(opened).toBe(true);
  await page.waitForTimeout(500);
  expect(page.url()).toBe(before);
  expect(app.windows()).toHaveLength(1);
});
