import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

describe('npm start without the Electron binary', () => {
  it('explains how to get it in one paragraph and exits 0', () => {
    // An empty override directory stands in for a missing binary on every machine.
    const emptyDist = mkdtempSync(join(tmpdir(), 'ledgerscope-no-electron-'));
    try {
      const result = spawnSync(process.execPath, [join(root, 'scripts', 'start.mjs')], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: emptyDist },
        timeout: 30_000,
      });
      expect(result.status).toBe(0);
      const lines = result.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(result.stdout).toContain('npm install');
      expect(result.stdout).toContain('node node_modules/electron/install.js');
      expect(result.stdout).toContain('ledgerscope serve --db <path>');
      expect(result.stderr).not.toMatch(/^\s+at /m);
    } finally {
      rmSync(emptyDist, { recursive: true, force: true });
    }
  });
});
