// Issue 10 §10: what the desktop window trusts besides its own files. The decisions are pure functions
// (electron/main/dev-trust.ts, scripts/lib/electron-env.mjs); the file checks run on real files and symlinks.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isAllowedAppRequest, trustedDevServerUrl } from '../../electron/main/dev-trust.js';
import { DEV_ONLY_VARIABLES, electronChildEnv } from '../../scripts/lib/electron-env.mjs';

const devEnv = { ELECTRON_RENDERER_URL: 'http://localhost:5173', NODE_ENV_ELECTRON_VITE: 'development' };

describe('the dev server URL is trusted only under electron-vite dev', () => {
  it('a dev build that electron-vite started, not packaged: the URL is used', () => {
    expect(trustedDevServerUrl({ isPackaged: false, builtForDev: true, env: devEnv })).toBe('http://localhost:5173');
  });

  it('a production build (what npm start runs) ignores ELECTRON_RENDERER_URL left in the shell, even with the dev variable', () => {
    expect(trustedDevServerUrl({ isPackaged: false, builtForDev: false, env: devEnv })).toBeUndefined();
    expect(trustedDevServerUrl({ isPackaged: false, builtForDev: false, env: { ELECTRON_RENDERER_URL: 'http://localhost:5173' } })).toBeUndefined();
  });

  it('a packaged app never trusts it; a dev build not started by electron-vite does not either', () => {
    expect(trustedDevServerUrl({ isPackaged: true, builtForDev: true, env: devEnv })).toBeUndefined();
    expect(trustedDevServerUrl({ isPackaged: false, builtForDev: true, env: { ELECTRON_RENDERER_URL: 'http://localhost:5173' } })).toBeUndefined();
  });

  it('a URL that is not a dev server on this machine is refused even under electron-vite dev', () => {
    for (const url of ['https://evil.example', 'file:///tmp/page.html', 'http://192.168.1.5:5173', 'not a url']) {
      expect(trustedDevServerUrl({ isPackaged: false, builtForDev: true, env: { ...devEnv, ELECTRON_RENDERER_URL: url } })).toBeUndefined();
    }
    expect(trustedDevServerUrl({ isPackaged: false, builtForDev: true, env: { ...devEnv, ELECTRON_RENDERER_URL: 'http://127.0.0.1:5174' } })).toBe('http://127.0.0.1:5174');
  });

  it('npm start drops the dev-only variables from the environment it gives Electron and keeps the rest', () => {
    const child = electronChildEnv({ ...devEnv, PATH: '/usr/bin', HOME: '/home/u' }, { bindingPath: '/b/better_sqlite3.node', db: '/d/ledger.sqlite' });
    expect(child).toEqual({ PATH: '/usr/bin', HOME: '/home/u', LEDGERSCOPE_SQLITE_BINDING: '/b/better_sqlite3.node', LEDGERSCOPE_DB: '/d/ledger.sqlite' });
    expect(DEV_ONLY_VARIABLES).toEqual(['ELECTRON_RENDERER_URL', 'NODE_ENV_ELECTRON_VITE']);
  });
});

describe('the window loads files only from its own renderer folder (real paths)', () => {
  let work = '';
  afterEach(() => {
    if (work !== '') rmSync(work, { recursive: true, force: true });
    work = '';
  });

  function layout() {
    work = realpathSync(mkdtempSync(join(tmpdir(), 'ledgerscope-dev-trust-')));
    const renderer = join(work, 'out', 'renderer');
    mkdirSync(join(renderer, 'assets'), { recursive: true });
    writeFileSync(join(renderer, 'index.html'), '<!doctype html>');
    writeFileSync(join(renderer, 'assets', 'app.js'), '');
    writeFileSync(join(work, 'secret.html'), '<script>steal()</script>');
    symlinkSync(join(work, 'secret.html'), join(renderer, 'assets', 'linked.html'));
    const realpath = (path: string): string | null => {
      try {
        return realpathSync(path);
      } catch {
        return null;
      }
    };
    return { renderer, policy: { rendererDirReal: realpathSync(renderer), realpath } };
  }

  it('the app\'s own files load; another file on disk, a symlink out of the folder and a missing file do not', () => {
    const { renderer, policy } = layout();
    expect(isAllowedAppRequest(pathToFileURL(join(renderer, 'index.html')).href, policy)).toBe(true);
    expect(isAllowedAppRequest(pathToFileURL(join(renderer, 'assets', 'app.js')).href + '?v=1', policy)).toBe(true);
    expect(isAllowedAppRequest(pathToFileURL(join(work, 'secret.html')).href, policy)).toBe(false);
    expect(isAllowedAppRequest(pathToFileURL(join(renderer, 'assets', 'linked.html')).href, policy)).toBe(false);
    expect(isAllowedAppRequest(pathToFileURL(join(renderer, 'missing.js')).href, policy)).toBe(false);
    expect(isAllowedAppRequest(`${pathToFileURL(renderer).href}/../../secret.html`, policy)).toBe(false);
    expect(isAllowedAppRequest('file:///etc/passwd', policy)).toBe(false);
    expect(isAllowedAppRequest('file://fileserver/share/renderer/index.html', policy)).toBe(false);
  });

  it('nothing remote; the dev server and its websocket only when it is trusted; devtools and data URLs load', () => {
    const { policy } = layout();
    expect(isAllowedAppRequest('https://evil.example/x.js', policy)).toBe(false);
    expect(isAllowedAppRequest('http://localhost:5173/src/main.tsx', policy)).toBe(false);
    const dev = { ...policy, devOrigin: 'http://localhost:5173' };
    expect(isAllowedAppRequest('http://localhost:5173/src/main.tsx', dev)).toBe(true);
    expect(isAllowedAppRequest('ws://localhost:5173/?token=abc', dev)).toBe(true);
    expect(isAllowedAppRequest('ws://localhost:51730/', dev)).toBe(false);
    expect(isAllowedAppRequest('http://localhost:51730/x.js', dev)).toBe(false);
    expect(isAllowedAppRequest('devtools://devtools/bundled/inspector.html', policy)).toBe(true);
    expect(isAllowedAppRequest('data:image/png;base64,AAAA', policy)).toBe(true);
  });
});
