// `npm start [-- --db <path>] [--no-open]`: build the app and open it. With Electron's binary: prepare better-sqlite3
// for Electron and open the desktop window. Without it: say so, and open browser mode instead
// (`ledgerscope serve` on 127.0.0.1), printing the URL and opening it in the default browser where a
// desktop session exists.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findElectronBinary } from './lib/electron-binary.mjs';
import { ensureElectronBinding } from './lib/electron-native.mjs';
import { electronChildEnv } from './lib/electron-env.mjs';
import { openBrowser } from './lib/open-browser.mjs';
import { ensureCli, startServe } from './lib/serve.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binName = (name) => join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);

const { values } = parseArgs({ options: { db: { type: 'string' }, port: { type: 'string' }, 'no-open': { type: 'boolean' } }, strict: false });

/** --db, else $LEDGERSCOPE_DB, else ledger.sqlite in the user's data directory (created if missing). */
function databasePath() {
  if (typeof values.db === 'string') return resolve(values.db);
  if (process.env.LEDGERSCOPE_DB) return resolve(process.env.LEDGERSCOPE_DB);
  const dataDir =
    process.platform === 'win32' && process.env.APPDATA
      ? join(process.env.APPDATA, 'Ledgerscope')
      : process.platform === 'darwin'
        ? join(homedir(), 'Library', 'Application Support', 'Ledgerscope')
        : join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'ledgerscope');
  mkdirSync(dataDir, { recursive: true });
  return join(dataDir, 'ledger.sqlite');
}

function buildApp() {
  const build = spawnSync(binName('electron-vite'), ['build'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    shell: process.platform === 'win32',
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const electron = findElectronBinary(root);
const db = databasePath();

if (electron.executablePath === null) {
  console.log(
    [
      `Ledgerscope cannot open its desktop window: ${electron.reason}.`,
      `To get Electron ${electron.version}, run \`npm install\` on a machine with network access`,
      `(or \`node node_modules/electron/install.js\` to fetch just the binary), then \`npm start\` again.`,
      `Meanwhile, browser mode (\`npx ledgerscope serve --db <path>\`) opens the same app in your browser; starting it now on ${db}.`,
    ].join(' '),
  );
  buildApp();
  ensureCli(root);
  const port = typeof values.port === 'string' ? Number(values.port) : 0;
  try {
    const serve = await startServe({ root, db, port, stdio: 'inherit' });
    // The URL carries this start's token: opening it is the whole sign-in (--no-open: print it only).
    if (values['no-open'] !== true && openBrowser(serve.url)) console.log('Opening it in your default browser (npm start -- --no-open to stay quiet).');
    for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void serve.stop().then(() => process.exit(0)));
    serve.child.on('exit', (code) => process.exit(code ?? 0));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
} else {
  let bindingPath;
  try {
    bindingPath = ensureElectronBinding({ root, electronVersion: electron.version });
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    console.error('Check your network and a C++ toolchain (python3, make, a compiler), then run `npm start` again.');
    process.exit(1);
  }
  buildApp();
  const child = spawn(electron.executablePath, [root], {
    cwd: root,
    stdio: 'inherit',
    env: electronChildEnv(process.env, { bindingPath, db }),
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
