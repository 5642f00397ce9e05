// Debian's Chromium, which the browser tests and the first-paint benchmark drive: Playwright cannot
// download its own browsers on these machines (never `npx playwright install`).
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Null when Chromium is there; else the one-line reason and how to install it. */
export const chromiumMissingReason = existsSync(CHROMIUM_PATH)
  ? null
  : `Chromium not found at ${CHROMIUM_PATH} (install it: apt-get update && apt-get install -y chromium)`;
