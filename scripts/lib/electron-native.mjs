// Prepares an Electron-ABI build of better-sqlite3's addon in .electron-native/<electron version>/,
// leaving node_modules/better-sqlite3 compiled for Node (tests and the CLI need that one).
// Why and how: docs/native-module.md.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';

const ADDON_FILE = 'better_sqlite3.node';
const BUILD_TIMEOUT_MS = 20 * 60 * 1000;

/** Where the Electron-ABI addon lives for this Electron version. */
export function electronBindingPath(root, electronVersion) {
  return join(root, '.electron-native', electronVersion, ADDON_FILE);
}

/**
 * Returns the path of an Electron-ABI better_sqlite3.node, building it on first use: a prebuilt
 * download (prebuild-install), else a node-gyp build against Electron's headers. Both run in a
 * temporary copy of the package, never in node_modules. Throws with both reasons when neither works.
 *
 * `runtime`/`distUrl` exist so the mechanism can be exercised against Node's own headers.
 */
export function ensureElectronBinding({
  root,
  electronVersion,
  runtime = 'electron',
  distUrl = 'https://electronjs.org/headers',
  targetPath = electronBindingPath(root, electronVersion),
  log = (line) => console.error(line),
}) {
  if (existsSync(targetPath)) return targetPath;

  const require = createRequire(join(root, 'package.json'));
  const packageDir = dirname(require.resolve('better-sqlite3/package.json'));
  const buildDir = join(packageDir, 'build');
  const workDir = mkdtempSync(join(tmpdir(), 'ledgerscope-native-'));
  const copyDir = join(workDir, 'better-sqlite3');
  const builtPath = join(copyDir, 'build', 'Release', ADDON_FILE);
  const env = buildEnvironment();
  const failures = [];

  try {
    log(`Preparing better-sqlite3 for ${runtime} ${electronVersion} (first run only)…`);
    // The copy leaves out build/, so nothing compiled for Node can be mistaken for the result.
    cpSync(packageDir, copyDir, {
      recursive: true,
      filter: (source) => source !== buildDir && !source.startsWith(buildDir + sep),
    });

    const prebuild = run(process.execPath, [
      require.resolve('prebuild-install/bin.js'),
      `--runtime=${runtime}`, `--target=${electronVersion}`, `--arch=${process.arch}`, `--platform=${process.platform}`,
    ], copyDir, env);
    if (prebuild === 0 && existsSync(builtPath)) {
      log('Downloaded a prebuilt better-sqlite3 binary.');
    } else {
      failures.push(`prebuild-install exited with ${prebuild} (no prebuilt binary reachable)`);
      const nodeGyp = findNodeGyp(require);
      if (nodeGyp === null) {
        failures.push('node-gyp not found (it ships with npm)');
      } else {
        log('No prebuilt binary; compiling better-sqlite3 from source (about a minute)…');
        const gyp = run(process.execPath, [
          nodeGyp, 'rebuild', '--release',
          `--target=${electronVersion}`, `--arch=${process.arch}`, `--dist-url=${distUrl}`,
        ], copyDir, env);
        if (gyp !== 0 || !existsSync(builtPath)) failures.push(`node-gyp rebuild exited with ${gyp}`);
      }
    }

    if (!existsSync(builtPath)) {
      throw new Error(`Could not prepare better-sqlite3 for ${runtime} ${electronVersion}: ${failures.join('; ')}.`);
    }
    // Copy then rename, so an interrupted run never leaves a half-written addon behind.
    mkdirSync(dirname(targetPath), { recursive: true });
    const partial = `${targetPath}.${process.pid}.partial`;
    copyFileSync(builtPath, partial);
    renameSync(partial, targetPath);
    log(`better-sqlite3 for ${runtime} ${electronVersion}: ${targetPath}`);
    return targetPath;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

function run(command, args, cwd, env) {
  const result = spawnSync(command, args, { cwd, env, stdio: ['ignore', 'inherit', 'inherit'], timeout: BUILD_TIMEOUT_MS });
  return result.status ?? 1;
}

// npm exports its config to scripts; nodedir/target/runtime from there would point the build at
// Node's headers (this machine's ~/.npmrc sets nodedir) and silently produce the wrong ABI.
function buildEnvironment() {
  const dropped = /^npm_config_(nodedir|target|target_arch|arch|runtime|disturl|dist_url|build_from_source|platform)$/i;
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !dropped.test(key)));
}

function findNodeGyp(require) {
  const candidates = [
    process.env.npm_config_node_gyp,
    (() => {
      try {
        return require.resolve('node-gyp/bin/node-gyp.js');
      } catch {
        return undefined;
      }
    })(),
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((candidate) => candidate !== undefined && existsSync(candidate)) ?? null;
}
