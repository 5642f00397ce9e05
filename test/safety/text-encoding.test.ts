// Issue 10 item 2: files were read as UTF-8 with replacement characters, so a Latin-1 export was mojibaked
// and two ids differing only in invalid bytes became one entry. Every file read for an import or an audit
// now goes through decodeTextFile: invalid UTF-8 is refused with file, line and byte offset; a UTF-16 file
// with its byte-order mark is read as UTF-16, and the CLI says so.
import fc from 'fast-check';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runImportJob } from '../../core/host/import-job.js';
import { decodeTextFile, firstInvalidUtf8Offset, TextEncodingError } from '../../core/sources/text-decode.js';
import { buildCli, ledgerscope, ledgerscopeJson, workDir } from '../cli/run-cli.js';

const HEADER = 'company_id,transaction_id,type,amount,created_at,description\n';
const ROW1 = 'c1,t1,credit,100,2025-01-01T00:00:00Z,first\n';
const ROW2 = 'c1,t2,debit,-40,2025-01-02T00:00:00Z,second\n';

beforeAll(() => buildCli(), 120_000);

describe('invalid UTF-8 is refused with file, line and byte offset', () => {
  it('a Latin-1 export: exit 2, the line and the offset of the first bad byte, nothing written', () => {
    const dir = workDir();
    const file = join(dir, 'latin1.csv');
    const prefix = Buffer.from(HEADER + ROW1 + 'c1,t2,debit,-40,2025-01-02T00:00:00Z,Caf');
    writeFileSync(file, Buffer.concat([prefix, Buffer.from([0xe9]), Buffer.from('\n')]));
    const db = join(dir, 'ledger.sqlite');
    const result = ledgerscope('import', file, '--db', db);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`latin1.csv:3: -: not valid UTF-8: byte offset ${prefix.length} holds 0xE9`);
    expect(result.stderr).toContain(`nothing was written to ${db}`);
    expect(existsSync(db)).toBe(false);
  });

  it('two ids that differ only in invalid bytes are not read as one entry', () => {
    const dir = workDir();
    const file = join(dir, 'ids.jsonl');
    const line = (idByte: number) =>
      Buffer.concat([Buffer.from('{"company_id":"c1","transaction_id":"t'), Buffer.from([idByte]), Buffer.from('","type":"credit","amount":5,"created_at":"2025-01-01T00:00:00Z"}\n')]);
    writeFileSync(file, Buffer.concat([line(0xff), line(0xfe)]));
    const result = ledgerscope('import', file, '--db', join(dir, 'ledger.sqlite'));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('ids.jsonl:1: -: not valid UTF-8: byte offset 38');
    expect(result.stdout).not.toContain('already present');
  });

  it('audit refuses it the same way', () => {
    const dir = workDir();
    const file = join(dir, 'export.jsonl');
    writeFileSync(file, Buffer.concat([Buffer.from('{"id":"le_1"}\n{"id":"le_'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]));
    const result = ledgerscope('audit', file);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('export.jsonl:2: -: not valid UTF-8: byte offset 24');
  });

  it('a file the desktop window picked is refused by the import job as a problem of the file', () => {
    const dir = workDir();
    const path = join(dir, 'picked.csv');
    writeFileSync(path, Buffer.concat([Buffer.from(HEADER + ROW1), Buffer.from([0x80]), Buffer.from(ROW2)]));
    const outcome = runImportJob(
      { kind: 'import.run', dbPath: join(dir, 'ledger.sqlite'), files: [{ name: 'picked.csv', path, sizeBytes: 1 }], now: Date.UTC(2025, 5, 1) },
      () => {},
      () => false,
    );
    expect(outcome.type).toBe('rejected');
    expect(outcome.type === 'rejected' && outcome.problems[0]!.text).toMatch(/^picked\.csv:3: -: not valid UTF-8: byte offset \d+/);
    expect(existsSync(join(dir, 'ledger.sqlite'))).toBe(false);
  });
});

describe('a UTF-16 file with its byte-order mark is read as UTF-16', () => {
  it('UTF-16LE and UTF-16BE import the same entries as UTF-8, and the CLI says how it read them', () => {
    const dir = workDir();
    const text = HEADER + ROW1 + ROW2.replace('second', 'Café ☕ 𝄞');
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    writeFileSync(join(dir, 'le.csv'), le);
    writeFileSync(join(dir, 'be.csv'), be);
    writeFileSync(join(dir, 'utf8.csv'), text);
    const entries: unknown[] = [];
    for (const name of ['utf8', 'le', 'be']) {
      const db = join(dir, `${name}.sqlite`);
      const result = ledgerscope('import', join(dir, `${name}.csv`), '--db', db);
      expect(result.status, result.stderr).toBe(0);
      if (name === 'le') expect(result.stderr).toContain('le.csv: read as UTF-16LE (its byte-order mark says so)');
      if (name === 'be') expect(result.stderr).toContain('be.csv: read as UTF-16BE (its byte-order mark says so)');
      const view = ledgerscopeJson('entries', '--db', db, '--customer', 'c1');
      entries.push(view.entries.map((e: { id: string; amount: string; description: string }) => [e.id, e.amount, e.description]));
    }
    expect(entries[0]).toEqual([['t1', '100', 'first'], ['t2', '40', 'Café ☕ 𝄞']]);
    expect(entries[1]).toEqual(entries[0]);
    expect(entries[2]).toEqual(entries[0]);
  }, 60_000);

  it('an unpaired surrogate in UTF-16 names its line and offset', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a\nb', 'utf16le'), Buffer.from([0x00, 0xd8]), Buffer.from('c', 'utf16le')]);
    expect(() => decodeTextFile('u.csv', bytes)).toThrow(TextEncodingError);
    try {
      decodeTextFile('u.csv', bytes);
    } catch (error) {
      expect((error as TextEncodingError).problem).toMatchObject({ file: 'u.csv', line: 2 });
      expect((error as TextEncodingError).problem.message).toContain('byte offset 8 holds an unpaired surrogate (0x00 0xD8)');
    }
  });
});

describe('the first invalid byte is where TextDecoder first replaces', () => {
  it('agrees with the WHATWG decoder on random bytes', () => {
    const bytes = fc.array(
      fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0xc2, 0xe0, 0xed, 0xf0, 0xf4, 0x80, 0xbf, 0xa0, 0x9f, 0x90, 0x8f)),
      { maxLength: 24 },
    );
    fc.assert(
      fc.property(bytes, (list) => {
        const data = Uint8Array.from(list);
        const offset = firstInvalidUtf8Offset(data);
        const lenient = new TextDecoder('utf-8').decode(data);
        let fatalOk = true;
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(data);
        } catch {
          fatalOk = false;
        }
        expect(offset === -1).toBe(fatalOk);
        if (offset !== -1) {
          const before = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(data.subarray(0, offset));
          const whole = new TextDecoder('utf-8', { ignoreBOM: true }).decode(data);
          expect(whole.startsWith(before)).toBe(true);
          expect(whole.charAt(before.length)).toBe('\ufffd');
          expect(lenient).toContain('\ufffd');
        }
      }),
      { seed: 20_261_207, numRuns: 5000 },
    );
  });
});
