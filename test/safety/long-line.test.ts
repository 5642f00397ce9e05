// Issue 10 item 8: a 50 MB malformed line took 82 s and 2.9 GB before its error, because the exact (lossless)
// JSON parser built strings one character at a time and every malformed line was parsed several times.
// The slow path is now linear and checks before it builds. Bounded memory is asserted by running the
// real CLI under a V8 heap limit far below what the old parser needed: it must end with its error.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, workDir } from '../cli/run-cli.js';

const bin = fileURLToPath(new URL('../../bin/ledgerscope.mjs', import.meta.url));
const LINE_BYTES = 50 * 1024 * 1024;
/** The heap the CLI gets: about 5 times the line. The old parser needed 3 GB for the same file. */
const HEAP_MB = 256;

function importUnderHeapLimit(file: string, db: string): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, bin, 'import', file, '--db', db], {
    encoding: 'utf8',
    maxBuffer: 16 << 20,
  });
  return { status: result.status, stderr: result.stderr };
}

beforeAll(() => buildCli(), 120_000);

describe('a 50 MB malformed line is reported in bounded memory (issue 10 item 8)', () => {
  it('an unterminated 50 MB string: one error line naming file, line and column, nothing written', () => {
    const dir = workDir();
    const file = join(dir, 'long.jsonl');
    const head = '{"company_id":"';
    writeFileSync(file, head + 'x'.repeat(LINE_BYTES) + '\n');
    const db = join(dir, 'ledger.sqlite');
    const { status, stderr } = importUnderHeapLimit(file, db);
    expect(stderr).toContain(`long.jsonl:1: -: not valid JSON (line 1, column ${head.length + LINE_BYTES + 1}): Invalid character '\\n'`);
    expect(stderr).toContain(`nothing was written to ${db}`);
    expect(status).toBe(2);
    expect(existsSync(db)).toBe(false);
  }, 120_000);

  it('a 50 MB line of escapes and long numbers that never closes: the same', () => {
    const dir = workDir();
    const file = join(dir, 'escapes.jsonl');
    const good = JSON.stringify({ company_id: 'c1', transaction_id: 't1', type: 'credit', amount: 1, created_at: '2025-01-01T00:00:00Z' });
    const numbers = '1234567890123456789,'.repeat(LINE_BYTES / 40);
    const escapes = '\\"\\\\'.repeat(LINE_BYTES / 8);
    writeFileSync(file, `${good}\n{"company_id":"${escapes}","n":[${numbers}\n`);
    const db = join(dir, 'ledger.sqlite');
    const { status, stderr } = importUnderHeapLimit(file, db);
    expect(stderr).toMatch(/escapes\.jsonl:2: -: not valid JSON \(column \d+\): Array item expected but reached end of input/);
    expect(status).toBe(2);
    expect(existsSync(db)).toBe(false);
  }, 120_000);
});
