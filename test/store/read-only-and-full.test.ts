// Issue 10 item 7: a full disk and a read-only ledger. SQLITE_FULL and SQLITE_READONLY are one clear line
// and exit 2, with nothing changed; reading commands work on a read-only ledger (opened read-only, no WAL
// write); a reading command never turns a missing or 0-byte file into a ledger.
// The tests run as root, where file permissions stop no write: a read-only tmpfs, a read-only bind mount
// of one file and a 1 MB tmpfs make the real conditions. Without mount(8) permission they are skipped.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImportJob } from '../../core/host/import-job.js';
import { buildCli, ledgerscope, workDir, writeLines } from '../cli/run-cli.js';

const mounted: string[] = [];

function run(command: string, ...args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

/** True when this process may mount a tmpfs (root on Linux, outside a locked-down container). */
function canMount(): boolean {
  const probe = workDir();
  if (!run('mount', '-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe)) return false;
  run('umount', probe);
  return true;
}

const MOUNT = canMount();
const SKIP_REASON = 'mount(8) is not permitted here: a read-only or full filesystem cannot be made';

function tmpfs(dir: string, sizeKib: number): void {
  mkdirSync(dir, { recursive: true });
  if (!run('mount', '-t', 'tmpfs', '-o', `size=${sizeKib}k`, 'tmpfs', dir)) throw new Error(`cannot mount a tmpfs on ${dir}`);
  mounted.push(dir);
}

function remountReadOnly(dir: string): void {
  if (!run('mount', '-o', 'remount,ro', dir)) throw new Error(`cannot remount ${dir} read-only`);
}

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function moesif(count: number, prefix: string, description = ''): object[] {
  return Array.from({ length: count }, (_, i) => ({
    company_id: `c${i % 3}`, transaction_id: `${prefix}${i}`, type: i % 4 === 3 ? 'debit' : 'credit', amount: i % 4 === 3 ? -2 : 5,
    description, created_at: `2025-01-0${1 + (i % 5)}T00:00:00Z`,
  }));
}

/** A closed ledger (WAL mode, checkpointed: no -wal file), as a copy made with the app closed is. */
function seededLedger(dir: string): string {
  const db = join(dir, 'seed.sqlite');
  const result = ledgerscope('import', writeLines(dir, 'seed.jsonl', moesif(60, 't')), '--db', db);
  expect(result.status, result.stderr).toBe(0);
  return db;
}

const READS: string[][] = [
  ['balances', '--as-of', '2025-03-01', '--json'],
  ['balance', '--customer', 'c1', '--as-of', '2025-03-01', '--json'],
  ['blocks', '--customer', 'c1', '--as-of', '2025-03-01', '--json'],
  ['entries', '--customer', 'c1', '--json'],
  ['report', 'liability', '--from', '2025-01-01', '--to', '2025-02-01', '--json'],
  ['adjustments', 'list', '--json'],
];

/** A command's JSON answer without `as_of` (entries answers as of now). */
function answer(stdout: string): unknown {
  const value = JSON.parse(stdout) as Record<string, unknown>;
  delete value.as_of;
  return value;
}

function expectOneLine(stderr: string, text: string): void {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).toContain(text);
  expect(stderr).not.toMatch(/\n\s+at /);
}

beforeAll(() => buildCli(), 120_000);
afterAll(() => {
  for (const dir of mounted.reverse()) run('umount', dir);
});

describe.skipIf(!MOUNT)(`a read-only ledger (${MOUNT ? 'tmpfs and bind mounts' : SKIP_REASON})`, () => {
  it('on a read-only disk: every reading command answers as on a writable copy, and writes nothing', () => {
    const dir = workDir();
    const seed = seededLedger(dir);
    const ro = join(dir, 'ro');
    tmpfs(ro, 4096);
    const db = join(ro, 'ledger.sqlite');
    copyFileSync(seed, db);
    remountReadOnly(ro);
    for (const args of READS) {
      const expected = ledgerscope(...args, '--db', seed);
      const result = ledgerscope(...args, '--db', db);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(answer(result.stdout)).toEqual(answer(expected.stdout));
    }
    expect(readdirSync(ro)).toEqual(['ledger.sqlite']);
  }, 120_000);

  it('on a read-only disk: import and reconcile (which writes its run) say so in one line, exit 2', () => {
    const dir = workDir();
    const seed = seededLedger(dir);
    const ro = join(dir, 'ro');
    tmpfs(ro, 4096);
    const db = join(ro, 'ledger.sqlite');
    copyFileSync(seed, db);
    remountReadOnly(ro);
    const before = sha(db);
    for (const result of [ledgerscope('reconcile', '--db', db), ledgerscope('import', writeLines(dir, 'more.jsonl', moesif(5, 'm')), '--db', db)]) {
      expect(result.status).toBe(2);
      expectOneLine(result.stderr, `${db}: the ledger is read-only (its file, folder or disk cannot be written); nothing was changed`);
    }
    expect(sha(db)).toBe(before);
  }, 120_000);

  it('a read-only file in a writable folder: reads work; reconcile is one line, exit 2, nothing changed', () => {
    const dir = workDir();
    const db = seededLedger(dir);
    const expected = READS.map((args) => ledgerscope(...args, '--db', db).stdout);
    expect(run('mount', '--bind', db, db)).toBe(true);
    mounted.push(db);
    expect(run('mount', '-o', 'remount,bind,ro', db)).toBe(true);
    const before = sha(db);
    READS.forEach((args, index) => {
      const result = ledgerscope(...args, '--db', db);
      expect(result.status, result.stderr).toBe(0);
      expect(answer(result.stdout)).toEqual(answer(expected[index]!));
    });
    const reconcile = ledgerscope('reconcile', '--db', db);
    expect(reconcile.status).toBe(2);
    expectOneLine(reconcile.stderr, 'the ledger is read-only');
    expect(sha(db)).toBe(before);
  }, 120_000);
});

describe.skipIf(!MOUNT)(`a full disk (${MOUNT ? 'a 1 MB tmpfs' : SKIP_REASON})`, () => {
  it('an import that does not fit: one line, exit 2, the ledger exactly as it was; a new ledger is not left behind', () => {
    const dir = workDir();
    const seed = seededLedger(dir);
    const small = join(dir, 'small');
    tmpfs(small, 1024);
    const db = join(small, 'ledger.sqlite');
    copyFileSync(seed, db);
    const before = sha(db);
    const balances = ledgerscope('balances', '--as-of', '2025-03-01', '--json', '--db', db).stdout;
    const big = writeLines(dir, 'big.jsonl', moesif(20_000, 'big', 'x'.repeat(60)));
    const existing = ledgerscope('import', big, '--db', db);
    expect(existing.status).toBe(2);
    expectOneLine(existing.stderr, `${db}: the disk is full; nothing was changed (free some space and run the command again)`);
    expect(ledgerscope('balances', '--as-of', '2025-03-01', '--json', '--db', db).stdout).toBe(balances);
    expect(sha(db)).toBe(before);

    const fresh = join(small, 'new.sqlite');
    const created = ledgerscope('import', big, '--db', fresh);
    expect(created.status).toBe(2);
    expectOneLine(created.stderr, `${fresh}: the disk is full; nothing was changed`);
    expect(readdirSync(small).filter((name) => name.includes('new.sqlite'))).toEqual([]);

    // The app's import job (desktop and browser mode) says the same.
    const outcome = runImportJob({ kind: 'import.run', dbPath: db, files: [{ name: 'big.jsonl', path: big, sizeBytes: statSync(big).size }], now: Date.UTC(2025, 5, 1) }, () => {}, () => false);
    expect(outcome).toEqual({ type: 'error', message: `${db}: the disk is full; nothing was changed (free some space and run the command again)` });
    expect(sha(db)).toBe(before);
  }, 120_000);
});

describe('a reading command never makes a ledger', () => {
  it('a 0-byte file stays 0 bytes and is named as empty; a missing file stays missing', () => {
    const dir = workDir();
    const empty = join(dir, 'empty.sqlite');
    writeFileSync(empty, '');
    for (const args of READS) {
      const result = ledgerscope(...args, '--db', empty);
      expect(result.status).toBe(2);
      expectOneLine(result.stderr, `${empty}: the file is empty, not a ledger database`);
    }
    expect(statSync(empty).size).toBe(0);
    expect(readdirSync(dir)).toEqual(['empty.sqlite']);
    const missing = join(dir, 'missing.sqlite');
    const result = ledgerscope('balances', '--db', missing);
    expect(result.status).toBe(2);
    expectOneLine(result.stderr, 'no such ledger database');
    expect(existsSync(missing)).toBe(false);
  }, 120_000);
});
