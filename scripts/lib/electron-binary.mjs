// Where the Electron executable is, found without require('electron'): that module tries to
// download the binary when it is missing, and downloads do not work on every machine.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * @param {string} root project root (where node_modules is)
 * @returns {{ version: string, executablePath: string | null, reason: string | null }}
 */
export function findElectronBinary(root) {
  const require = createRequire(join(root, 'package.json'));
  let packageJsonPath;
  try {
    packageJsonPath = require.resolve('electron/package.json');
  } catch {
    return { version: '', executablePath: null, reason: 'the electron package is not installed (run npm install)' };
  }
  const moduleDir = dirname(packageJsonPath);
  const { version } = JSON.parse(readFileSync(packageJsonPath, 'utf8'));
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const pathFile = join(moduleDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  if (!override && !relative) {
    return { version, executablePath: null, reason: `node_modules/electron/dist is missing; Electron ${version} was installed without its binary` };
  }
  const executablePath = override ? join(override, relative || 'electron') : join(moduleDir, 'dist', relative);
  if (!existsSync(executablePath)) {
    return { version, executablePath: null, reason: `the Electron ${version} binary is missing at ${executablePath}` };
  }
  return { version, executablePath, reason: null };
}
