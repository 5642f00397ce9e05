// `ledgerscope audit` through its command function: exit codes, JSON shape (DESIGN §7), human summary.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAudit } from '../../core/cli/audit-command.js';
import { cleanExport } from './orb-export-builder.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) }, now: Date.UTC(2025, 5, 1), out, err };
}

function write(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerscope-audit-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('ledgerscope audit', () => {
  it('exit 0 and no findings for a clean export; --json has exactly the documented keys', () => {
    const ctx = capture();
    const code = runAudit(ctx, [write('orb.jsonl', cleanExport().jsonl())], { json: true });
    expect(code).toBe(0);
    const json = JSON.parse(ctx.out.join(''));
    expect(Object.keys(json)).toEqual(['findings', 'accounts']);
    expect(json.findings).toEqual([]);
    expect(Object.keys(json.accounts[0])).toEqual([
      'customer_id', 'subscription_id', 'unit', 'entries', 'stated_ending_balance', 'replayed_balance', 'replayed_pending', 'findings',
    ]);
    expect(ctx.err).toEqual([]);
  });

  it('exit 1 with findings; each finding has rule, severity, entry_id and message', () => {
    const x = cleanExport();
    x.shiftBalancesFrom(6, '7');
    const ctx = capture();
    expect(runAudit(ctx, [write('orb.jsonl', x.jsonl())], { json: true })).toBe(1);
    const json = JSON.parse(ctx.out.join(''));
    expect(json.findings).toHaveLength(1);
    expect(Object.keys(json.findings[0])).toEqual(['rule', 'severity', 'entry_id', 'message']);
    expect(json.findings[0]).toMatchObject({ rule: 'L8', severity: 'error', entry_id: 'amd_1' });
    expect(json.accounts[0].findings).toBe(1);
  });

  it('a warning alone still exits 1', () => {
    const x = cleanExport();
    const ctx = capture();
    const path = write('orb.jsonl', x.jsonl());
    const again = write('again.jsonl', JSON.stringify(x.find('dec_1')) + '\n');
    expect(runAudit(ctx, [path, again], { json: false })).toBe(1);
    const text = ctx.out.join('');
    expect(text).toContain('warning L5    dec_1');
    expect(text).toContain('1 finding: 0 errors, 1 warning');
  });

  it('the human summary lists files and accounts', () => {
    const ctx = capture();
    expect(runAudit(ctx, [write('orb.jsonl', cleanExport().jsonl())], { json: false })).toBe(0);
    const text = ctx.out.join('');
    expect(text).toContain('orb.jsonl: orb-export, 11 records');
    expect(text).toMatch(/cus_orb_1\s+—\s+credits\s+11\s+85\s+85\s+0\s+0/);
    expect(text).toContain('no findings');
  });

  it('a malformed file is a finding (exit 1); an unreadable one is exit 2 with one line on stderr', () => {
    const ctx = capture();
    expect(runAudit(ctx, [write('bad.jsonl', '{"id": \n')], { json: true })).toBe(1);
    const unreadable = capture();
    expect(runAudit(unreadable, ['/nonexistent/orb.jsonl'], { json: true })).toBe(2);
    expect(unreadable.err).toEqual(['/nonexistent/orb.jsonl: cannot read file (ENOENT)\n']);
    expect(unreadable.out).toEqual([]);
  });

  it('no file at all is a usage error', () => {
    const ctx = capture();
    expect(runAudit(ctx, [], { json: false })).toBe(2);
    expect(ctx.err.join('')).toContain('name at least one export file');
  });
});
