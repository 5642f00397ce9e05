// account_view_first_paint_ms (DESIGN §8): an account with 100,000 entries, imported through the real CLI,
// served by the real `ledgerscope serve`, opened in Chromium; milliseconds from navigation start to the
// first paint of the entries table with rows (the page marks it: renderer/src/screens/account/entries-painted.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumMissingReason } from '../scripts/lib/chromium.mjs';
import { ensureCli, startServe } from '../scripts/lib/serve.mjs';
import { generateMoesifJsonl } from '../core/sources/generate-moesif.js';

/** The renderer's performance mark (renderer/src/screens/account/entries-painted.ts). */
const PAINTED_MARK = 'ledgerscope:entries-painted';

/** The package root from bench/ or from the dist/ bundle: the nearest directory with a package.json. */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the project root above the benchmark');
    dir = parent;
  }
  return dir;
}

export interface FirstPaintOptions {
  /** Entries in the one account (100,000 for the target). */
  entries: number;
  /** Page loads measured, each on a freshly started server and browser context; the median is returned. */
  runs?: number;
}

export async function measureAccountFirstPaint(options: FirstPaintOptions): Promise<number> {
  if (chromiumMissingReason !== null) throw new Error(chromiumMissingReason);
  const root = projectRoot();
  const runs = options.runs ?? 3;
  ensureCli(root);
  if (!existsSync(join(root, 'out', 'renderer', 'index.html'))) {
    const build = spawnSync(join(root, 'node_modules', '.bin', 'electron-vite'), ['build'], { cwd: root, stdio: 'ignore' });
    if (build.status !== 0) throw new Error('electron-vite build failed');
  }
  const dir = mkdtempSync(join(tmpdir(), 'ledgerscope-first-paint-'));
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  try {
    // One account: every generated entry is cus_000001's (subscription sub_000001, USD).
    const file = join(dir, 'account.jsonl');
    const db = join(dir, 'account.sqlite');
    writeFileSync(file, generateMoesifJsonl({ entries: options.entries, accounts: 1, seed: 7 }));
    const imported = spawnSync(process.execPath, [join(root, 'bin', 'ledgerscope.mjs'), 'import', file, '--db', db], { cwd: root, encoding: 'utf8' });
    if (imported.status !== 0) throw new Error(`import failed: ${imported.stderr}`);

    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      // A new server each time: its replay caches start cold, as for a user opening the account.
      const serve = await startServe({ root, db, env: { ...process.env, LEDGERSCOPE_CONFIG_DIR: join(dir, 'config') } });
      const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
      try {
        const page = await context.newPage();
        await page.goto(`${serve.origin}#/account/cus_000001/s:sub_000001/USD?token=${serve.token}`);
        await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, PAINTED_MARK, { timeout: 60_000 });
        const rows = await page.locator('[data-testid="entries-table"] [role="row"]').count();
        if (rows === 0) throw new Error('the entries table painted no rows');
        times.push(await page.evaluate((mark) => performance.getEntriesByName(mark)[0]!.startTime, PAINTED_MARK));
      } finally {
        await context.close();
        await serve.stop();
      }
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)]!;
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
