// `npm start`: prepare better-sqlite3 for Electron, build the app, open the window.
// Without the Electron binary it explains how to get it and exits 0.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from './lib/electron-binary.mjs';
import { ensureElectronBinding } from './lib/electron-native.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binName = (name) => join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);

const electron = findElectronBinary(root);
if (electron.executablePath === null) {
  console.log(
    [
      `Ledgerscope cannot open its desktop window: ${electron.reason}.`,
      `To get Electron ${electron.version}, run \`npm install\` on a machine with network access`,
      `(or \`node node_modules/electron/install.js\` to fetch just the binary), then \`npm start\` again.`,
      browserModeSentence(),
    ].join(' '),
  );
  process.exit(0);
}

let bindingPath;
try {
  bindingPath = ensureElectronBinding({ root, electronVersion: electron.version });
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  console.error('Check your network and a C++ toolchain (python3, make, a compiler), then run `npm start` again.');
  process.exit(1);
}

const build = spawnSync(binName('electron-vite'), ['build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
if (build.status !== 0) process.exit(build.status ?? 1);

const child = spawn(electron.executablePath, [root, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, LEDGERSCOPE_SQLITE_BINDING: bindingPath },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

/**
 * Browser mode is `ledgerscope serve` (bin/ledgerscope.mjs → dist/cli.mjs). Until it lands the CLI answers
 * "not available in this version yet"; a real `serve` answers `--help` or at least names its --db option.
 */
function browserModeSentence() {
  const command = 'npx ledgerscope serve --db <path>';
  const bin = join(root, 'bin', 'ledgerscope.mjs');
  if (existsSync(join(root, 'dist', 'cli.mjs')) && existsSync(bin)) {
    const probe = spawnSync(process.execPath, [bin, 'serve', '--help'], { cwd: root, encoding: 'utf8', timeout: 10_000 });
    const output = `${probe.stdout ?? ''}${probe.stderr ?? ''}`;
    if (probe.error === undefined && !/not available|not built/i.test(output) && /--db\b/.test(output)) {
      return `Meanwhile, browser mode opens the same app in your browser: \`${command}\` (it prints the URL to open).`;
    }
  }
  return `Browser mode (\`${command}\`, which needs no Electron) is not built yet in this checkout.`;
}
