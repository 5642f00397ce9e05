import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFiles } from '../../core/import/ledger-files.js';
import { generateMoesifJsonl } from '../../core/sources/index.js';
import { countEntries, openLedgerDb } from '../../core/store/index.js';
import { dumpDb, NOW, tempDir } from './store-fixtures.js';

/*
 * A kill -9 in the middle of an import's transaction must leave the database exactly as it was.
 * The child is the real import code, bundled by esbuild into a CommonJS file (better-sqlite3 stays
 * external and is found through NODE_PATH), so no TypeScript loader is needed in the child.
 */

const ROOT = resolve(import.meta.dirname, '../..');
// Enough rows to overflow the 64 MiB page cache, so pages are on disk when the kill comes.
const ENTRIES = 300_000;
const SIGNAL_AFTER = 250_000;
let childDir = '';
let child = '';

beforeAll(() => {
  childDir = mkdtempSync(join(tmpdir(), 'ledgerscope-kill-child-'));
  child = join(childDir, 'kill-child.cjs');
  buildSync({
    entryPoints: [join(ROOT, 'test/store/kill-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: child,
    external: ['better-sqlite3'],
    logLevel: 'error',
  });
});

afterAll(() => rmSync(childDir, { recursive: true, force: true }));

/** Runs the child until it says MID, checks it wrote something, then SIGKILLs it. */
function killMidImport(db: string, seed: number, wroteSomething: () => boolean): Promise<void> {
  return new Promise((done, fail) => {
    const proc = spawn(process.execPath, [child, db, String(seed), String(ENTRIES), String(SIGNAL_AFTER)], {
      env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!stdout.includes('MID\n')) return;
      try {
        expect(wroteSomething()).toBe(true);
      } catch (error) {
        proc.kill('SIGKILL');
        fail(error);
        return;
      }
      proc.kill('SIGKILL');
    });
    proc.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' && stdout === 'MID\n') done();
      else fail(new Error(`child ended with ${code ?? signal} before being killed mid-import: ${stdout} ${stderr}`));
    });
  });
}

function sizeOf(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

describe('crash safety: one transaction', () => {
  it('a kill -9 in the middle of an import into an existing database leaves it exactly as before', async () => {
    const db = join(tempDir(), 'ledger.sqlite');
    importFiles(db, [{ path: 'small.jsonl', text: generateMoesifJsonl({ entries: 500, accounts: 20, seed: 1 }) }], { now: NOW });
    const before = dumpDb(db);
    const dbSize = sizeOf(db);

    await killMidImport(db, 2, () => sizeOf(`${db}-wal`) > 0 || sizeOf(db) > dbSize);

    const handle = openLedgerDb(db, { create: false });
    expect(handle.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(countEntries(handle)).toBe(500);
    handle.close();
    expect(dumpDb(db)).toBe(before);
    // And the database still takes imports.
    const summary = importFiles(db, [{ path: 'next.jsonl', text: generateMoesifJsonl({ entries: 100, accounts: 5, seed: 3 }) }], { now: NOW });
    expect(summary.inserted).toBe(100);
  }, 120_000);

  it('a kill -9 in the middle of a first import leaves no database; the next import cleans up after it', async () => {
    const dir = tempDir();
    const db = join(dir, 'ledger.sqlite');
    const building = () => readdirSync(dir).filter((name) => name.startsWith('.ledger.sqlite.importing-'));

    await killMidImport(db, 4, () => building().some((name) => sizeOf(join(dir, name)) > 0));

    expect(existsSync(db)).toBe(false);
    expect(building()).not.toEqual([]);
    importFiles(db, [{ path: 'small.jsonl', text: generateMoesifJsonl({ entries: 50, accounts: 5, seed: 5 }) }], { now: NOW });
    expect(readdirSync(dir)).toEqual(['ledger.sqlite']);
  }, 120_000);
});
