import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// DESIGN §2: the renderer imports nothing from core/ but the contract (core/api); the contract imports
// nothing but zod, so the renderer can bundle it; core/ imports neither Electron nor React.
const root = resolve(import.meta.dirname, '..', '..');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|tsx)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

function imports(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm)].map((m) => (m[1] ?? m[2])!);
}

describe('layering (DESIGN §2)', () => {
  it('the renderer reaches core only through core/api', () => {
    for (const file of files(join(root, 'renderer', 'src'))) {
      for (const spec of imports(file)) {
        if (!spec.startsWith('.')) continue;
        const target = relative(root, resolve(file, '..', spec));
        if (target.startsWith('core')) expect(`${relative(root, file)} → ${target}`).toMatch(/→ core\/api\//);
        expect(target.startsWith('electron') && !target.startsWith('electron/bridge')).toBe(false);
      }
    }
  });

  it('the contract imports only zod and itself, and re-exports engine types from modules that import nothing', () => {
    const typeOnly = /^\s*export\s+type\s*\{[^}]*\}\s*from\s+['"](\.\.\/[^'"]+)['"]/gm;
    for (const file of files(join(root, 'core', 'api'))) {
      const text = readFileSync(file, 'utf8');
      const reexported = new Set([...text.matchAll(typeOnly)].map((m) => m[1]!));
      for (const spec of imports(file)) {
        if (reexported.has(spec)) {
          // The engine's own types, re-exported as types: their module must bring no code with it.
          const target = resolve(file, '..', spec.replace(/\.js$/, '.ts'));
          expect([spec, imports(target)]).toEqual([spec, []]);
          continue;
        }
        expect([spec, spec.startsWith('./') || spec === 'zod']).toEqual([spec, true]);
      }
    }
  });

  it('core imports neither Electron nor React', () => {
    for (const file of files(join(root, 'core'))) {
      for (const spec of imports(file)) expect(/^(electron|react|react-dom)(\/|$)/.test(spec)).toBe(false);
    }
  });

  it('one import pipeline: core/import sits below the service, sync and hosts, and is the only writer of ledger entries', () => {
    for (const file of files(join(root, 'core', 'import'))) {
      for (const spec of imports(file)) {
        const target = relative(root, resolve(file, '..', spec));
        // The balance views are the one service module it shares: summaries are stored as `balances` prints them.
        const allowed = !/^core\/(sync|host|cli|api|service)\//.test(target) || target === 'core/service/views.js';
        expect([relative(root, file), target, allowed]).toEqual([relative(root, file), target, true]);
      }
    }
    // Files and every sync page go through core/import/check-and-write.ts: nothing else inserts entries.
    for (const file of files(join(root, 'core'))) {
      const where = relative(root, file);
      if (where.startsWith('core/store/') || where.startsWith('core/import/')) continue;
      expect([where, /\b(EntryWriter|insertImport)\b/.test(readFileSync(file, 'utf8'))]).toEqual([where, false]);
    }
    const writers = files(join(root, 'core', 'import')).filter((file) => /\bnew EntryWriter\b/.test(readFileSync(file, 'utf8')));
    expect(writers.map((file) => relative(root, file))).toEqual(['core/import/check-and-write.ts']);
  });
});
