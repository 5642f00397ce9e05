import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

describe('npm start without the Electron binary', () => {
  it('explains how to get it, then starts browser mode on the database it names and prints the URL', async () => {
    // An empty override directory stands in for a missing binary on every machine.
    const work = mkdtempSync(join(tmpdir(), 'ledgerscope-no-electron-'));
    const db = join(work, 'start.sqlite');
    // A desktop session whose xdg-open writes down the URL it was asked to open.
    const opened = join(work, 'opened.txt');
    const bin = join(work, 'bin');
    rmSync(bin, { recursive: true, force: true });
    mkdirSync(bin);
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
    chmodSync(join(bin, 'xdg-open'), 0o755);
    const child = spawn(process.execPath, [join(root, 'scripts', 'start.mjs')], {
      cwd: root,
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: work, LEDGERSCOPE_DB: db, DISPLAY: ':99', PATH: `${bin}:${process.env['PATH'] ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL within 60 s; stdout: ${stdout}; stderr: ${stderr}`)), 60_000);
        child.stdout.on('data', (chunk) => {
          stdout += chunk;
          const match = /http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}/.exec(stdout);
          if (match) {
            clearTimeout(timer);
            resolve(match[0]);
          }
        });
        child.on('exit', (code) => reject(new Error(`start exited ${code}: ${stderr}`)));
      });
      const [first] = stdout.split('\n');
      expect(first).toContain('npm install');
      expect(first).toContain('node node_modules/electron/install.js');
      expect(first).toContain('ledgerscope serve --db <path>');
      expect(first).toContain(db);
      const token = url.slice(url.indexOf('#token=') + '#token='.length);
      const response = await fetch(new URL('/api/app.info', url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-ledgerscope-token': token },
        body: '{}',
      });
      expect(await response.json()).toMatchObject({ ok: true, value: { host: 'browser', database: { name: 'start.sqlite', exists: false } } });
      expect((await fetch(new URL('/', url))).status).toBe(200);
      expect(stderr).not.toMatch(/^\s+at /m);
      // Where a desktop session exists, the default browser is opened at the tokened URL.
      if (process.platform === 'linux') {
        await expect.poll(() => (existsSync(opened) ? readFileSync(opened, 'utf8') : '')).toBe(url);
      }
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(work, { recursive: true, force: true });
    }
  }, 90_000);
});
