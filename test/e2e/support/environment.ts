// What the e2e tests need from this machine, and the one-line reasons when it is missing.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumMissingReason } from '../../../scripts/lib/chromium.mjs';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const isCI = process.env['CI'] === 'true' || process.env['CI'] === '1';
