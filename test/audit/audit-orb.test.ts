// One crafted Orb export per audit rule: each planted problem is found, and nothing else is reported.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { auditExport } from '../../core/audit/audit.js';
import { auditReportView } from '../../core/audit/view.js';
import type { AuditReport } from '../../core/audit/types.js';
import { cleanExport, OrbExport, type OrbRecord } from './orb-export-builder.js';

function audit(...files: [string, string][]): AuditReport {
  return auditExport(files.map(([path, text]) => ({ path, text })));
}

function auditOne(x: OrbExport, records?: readonly unknown[]): AuditReport {
  return audit(['orb.jsonl', x.jsonl(records)]);
}

/** [rule, severity, entry_id] of every finding: "each found and nothing else". */
function found(report: AuditReport): [string, string, string | null][] {
  return report.findings.map((f) => [f.rule, f.severity, f.entryId]);
}

function message(report: AuditReport, index = 0): string {
  return report.findings[index]?.message ?? '';
}

describe('audit of an Orb ledger export', () => {
  it('a clean export gives no findings and the replay agrees with the stated balance', () => {
    const report = auditOne(cleanExport());
    expect(found(report)).toEqual([]);
    const view = auditReportView(report);
    expect(view.accounts).toEqual([
      {
        customer_id: 'cus_orb_1',
        subscription_id: null,
        unit: 'credits',
        entries: 11,
        stated_ending_balance: '85',
        replayed_balance: '85',
        replayed_pending: '0',
        findings: 0,
      },
    ]);
  });

  it('L8 sequence gap is reported once, with the missing numbers and the balances around it', () => {
    const x = cleanExport();
    const report = auditOne(x, x.records.filter((r) => r.id !== 'dec_3'));
    expect(found(report)).toEqual([['L8', 'error', 'void_1']]);
    expect(message(report)).toContain('ledger_sequence_number 8 (entry exc_1) is followed by 10; 9 is missing (balance 140 after exc_1, 128 before void_1)');
    // The replay cannot know what the missing entry did (here: it drew 12 that later did not expire).
    expect(message(report)).toContain('balances from here on are not compared with the replay');
  });

  it('L8 duplicate sequence number is reported', () => {
    const x = cleanExport();
    for (const record of x.records) if (record.ledger_sequence_number >= 4) record.ledger_sequence_number -= 1;
    const report = auditOne(x);
    expect(found(report)).toEqual([['L8', 'error', 'dec_2a']]);
    expect(message(report)).toContain('ledger_sequence_number 3 is used twice, by entry dec_1');
  });

  it('L8 broken balance chain is reported with both numbers', () => {
    const x = cleanExport();
    x.shiftBalancesFrom(6, '7'); // amd_1 onwards all state 7 more
    const report = auditOne(x);
    expect(found(report)).toEqual([['L8', 'error', 'amd_1']]);
    expect(message(report)).toContain('entry dec_2b (sequence 5) ends at 95, entry amd_1 (sequence 6) starts at 102');
  });

  it('L8 an account that does not open at 0 is missing its first entries', () => {
    const x = cleanExport();
    x.shiftBalancesFrom(1, '40');
    const report = auditOne(x);
    expect(found(report)).toEqual([['L8', 'error', 'inc_promo']]);
    expect(message(report)).toContain('starts at balance 40, not 0');
  });

  it('L8 entries without ledger_sequence_number are reported once per account', () => {
    const x = cleanExport();
    delete (x.find('dec_3') as Partial<OrbRecord>).ledger_sequence_number;
    delete (x.find('void_1') as Partial<OrbRecord>).ledger_sequence_number;
    const report = auditOne(x);
    expect(found(report)).toEqual([
      ['L8', 'error', 'dec_3'],
      // exp_1 follows exc_1 in the numbering now: the two unnumbered entries leave a gap.
      ['L8', 'error', 'exp_1'],
    ]);
    expect(message(report, 0)).toContain('2 entries state no ledger_sequence_number (first: entry dec_3)');
  });

  it('I1 a stated balance change that is not the entry\'s own amount is reported', () => {
    const x = cleanExport();
    x.shiftBalancesFrom(7, '3', { startingToo: false }); // inc_later states 43 added for an amount of 40
    const report = auditOne(x);
    expect(found(report)).toEqual([['I1', 'error', 'inc_later']]);
    expect(message(report)).toContain('starting_balance 100 → ending_balance 143 moves the balance by 43, but an increment of 40 moves it by 40');
  });

  it('I2 a block drawn below zero is reported as stated and as replayed', () => {
    const x = new OrbExport();
    x.increment('A', '50', '2025-01-01T00:00:00Z', { expiry: '2025-03-01T00:00:00Z', cost: '0' });
    x.increment('B', '100', '2025-01-01T00:00:01Z', { cost: '1' });
    x.decrement('d1', '60', '2025-01-02T00:00:00Z', 'A');
    const report = auditOne(x);
    expect(found(report)).toEqual([['I2', 'error', 'd1']]);
    expect(message(report)).toContain('drew from block A, which had 50 left (initial 50): stated remaining -10; our replay keeps it at 0');
  });

  it('I2 an amendment above the block\'s initial amount is reported; the replay caps it and is not reported again', () => {
    const x = new OrbExport();
    x.increment('A', '50', '2025-01-01T00:00:00Z', { cost: '1' });
    x.decrement('d1', '10', '2025-01-02T00:00:00Z', 'A');
    x.amendment('m1', 'A', '20', '2025-01-03T00:00:00Z');
    x.decrement('d2', '5', '2025-01-04T00:00:00Z', 'A');
    const report = auditOne(x);
    expect(found(report)).toEqual([['I2', 'error', 'm1']]);
    expect(message(report)).toContain('stated remaining 60 is above the initial amount; our replay keeps it at 50');
  });

  it('L3 a draw from an expired block is reported', () => {
    const x = new OrbExport();
    x.increment('A', '50', '2025-01-01T00:00:00Z', { expiry: '2025-01-10T00:00:00Z', cost: '0' });
    x.increment('B', '100', '2025-01-01T00:00:01Z', { cost: '1' });
    x.expiry('xA', 'A', '50', '2025-01-10T00:00:00Z');
    x.decrement('d1', '5', '2025-01-12T00:00:00Z', 'A');
    const report = auditOne(x);
    expect(found(report)).toEqual([['L3', 'error', 'd1']]);
    expect(message(report)).toContain('drew from block A, which expired at 2025-01-10T00:00:00.000Z');
  });

  it('L3 a draw from a block not yet effective is reported', () => {
    const x = new OrbExport();
    x.increment('B', '100', '2025-01-01T00:00:00Z', { cost: '1' });
    x.decrement('d1', '5', '2025-01-03T00:00:00Z', 'A');
    x.increment('A', '50', '2025-01-05T00:00:00Z', { cost: '0' });
    const report = auditOne(x);
    expect(found(report)).toEqual([['L3', 'error', 'd1']]);
    expect(message(report)).toContain('which becomes effective only at 2025-01-05T00:00:00.000Z (created by entry A)');
  });

  it('L3 a draw from a block the export never created is checked against the expiry it states', () => {
    const x = new OrbExport();
    x.increment('B', '100', '2025-01-01T00:00:00Z', { cost: '1' });
    const draw = x.decrement('d1', '5', '2025-01-03T00:00:00Z', 'gone');
    draw.credit_block = { id: 'gone', expiry_date: '2025-01-02T00:00:00+00:00', per_unit_cost_basis: '0' };
    const report = auditOne(x);
    expect(found(report)).toEqual([['L3', 'error', 'd1']]);
  });

  it('L1 a deduction out of deduction order is a warning (the provider may apply filters)', () => {
    const x = new OrbExport();
    x.increment('A', '50', '2025-01-01T00:00:00Z', { expiry: '2025-06-01T00:00:00Z', cost: '0' });
    x.increment('B', '100', '2025-01-01T00:00:01Z', { cost: '1' });
    x.decrement('d1', '30', '2025-01-02T00:00:00Z', 'B');
    const report = auditOne(x);
    expect(found(report)).toEqual([['L1', 'warning', 'd1']]);
    expect(message(report)).toContain('block A comes first in deduction order (expires 2025-06-01T00:00:00.000Z, before never) and had 50 left; the provider may apply filters');
  });

  it('L5 the same entry twice with the same content is a warning, counted once', () => {
    const x = cleanExport();
    const report = audit(['orb.jsonl', x.jsonl()], ['orb-page-2.jsonl', JSON.stringify(x.find('dec_3')) + '\n']);
    expect(found(report)).toEqual([['L5', 'warning', 'dec_3']]);
    expect(message(report)).toContain('orb-page-2.jsonl:1: entry dec_3 appears again with the same content (first at orb.jsonl:');
    expect(report.accounts[0]!.entries).toBe(11);
  });

  it('L5 the same id with different content is an error, and the later copy is left out', () => {
    const x = cleanExport();
    const copy = { ...x.find('dec_3'), amount: '-13' };
    const report = audit(['orb.jsonl', x.jsonl()], ['late.jsonl', JSON.stringify(copy) + '\n']);
    expect(found(report)).toEqual([['L5', 'error', 'dec_3']]);
    expect(message(report)).toContain('amount "12" vs "13"');
  });

  it('I4 a stated balance our replay does not reproduce is reported at the first divergence, with both numbers', () => {
    const x = cleanExport();
    // The provider says 20 expired from inc_later where 18 was left (and states its balances accordingly).
    x.find('exp_1').amount = '-20';
    x.shiftBalancesFrom(11, '-2', { startingToo: false });
    const report = auditOne(x);
    expect(found(report)).toEqual([['I4', 'error', 'exp_1']]);
    expect(message(report)).toContain('stated ending_balance 83 after entry exp_1 (sequence 11), but replaying the ledger gives 85; difference -2');
  });

  it('a rule the engine enforces (L6 unknown block) is reported and that entry left out of the replay', () => {
    const x = cleanExport();
    const bad = x.void('void_2', 'no_such_block', '5', '2025-02-02T00:00:00Z');
    bad.void_reason = null;
    const report = auditOne(x);
    expect(found(report)).toEqual([['L6', 'error', 'void_2']]);
    expect(message(report)).toContain('block_id: void names block no_such_block');
    expect(report.accounts[0]!.replayedBalance?.toFixed()).toBe('85');
  });

  it('an export split over pages in two files is one ledger', () => {
    const x = cleanExport();
    const page = (records: OrbRecord[]) => JSON.stringify({ data: [...records].reverse(), pagination_metadata: { has_more: false, next_cursor: null } });
    const report = audit(['page-1.json', page(x.records.slice(5))], ['page-2.json', page(x.records.slice(0, 5))]);
    expect(found(report)).toEqual([]);
    expect(report.accounts[0]!.entries).toBe(11);
  });

  it('accounts are audited separately: a problem in one names only that one', () => {
    const good = cleanExport();
    const other = new OrbExport('cus_orb_2');
    other.increment('o1', '10', '2025-01-01T00:00:00Z', { cost: '1' });
    other.decrement('o2', '4', '2025-01-02T00:00:00Z', 'o1');
    other.shiftBalancesFrom(2, '1');
    const report = audit(['a.jsonl', good.jsonl()], ['b.jsonl', other.jsonl()]);
    expect(found(report)).toEqual([['L8', 'error', 'o2']]);
    expect(auditReportView(report).accounts.map((a) => [a.customer_id, a.findings])).toEqual([
      ['cus_orb_1', 0],
      ['cus_orb_2', 1],
    ]);
  });
});

describe('audit of a malformed file', () => {
  it('reports the parse error with its line and audits nothing else of that file', () => {
    const x = cleanExport();
    const lines = x.jsonl().split('\n');
    lines[3] = '{"id": "dec_3", "amount": ';
    lines[7] = lines[7]!.replace('"ending_balance":"', '"ending_balance":"1'); // would be L8 and I1 if audited
    const good = new OrbExport('cus_other');
    good.increment('g1', '5', '2025-01-01T00:00:00Z');
    const report = audit(['broken.jsonl', lines.join('\n')], ['good.jsonl', good.jsonl()]);
    expect(found(report)).toEqual([['parse', 'error', null]]);
    expect(message(report)).toMatch(/^broken\.jsonl:4: -: not valid JSON/);
    expect(report.files.map((f) => [f.path, f.audited])).toEqual([
      ['broken.jsonl', false],
      ['good.jsonl', true],
    ]);
    expect(report.accounts.map((a) => a.key.customerId)).toEqual(['cus_other']);
  });

  it('a bad field is reported with line and field; the rest of the file is not audited', () => {
    const x = cleanExport();
    x.find('dec_1').amount = '12,5';
    x.shiftBalancesFrom(9, '5');
    const report = auditOne(x);
    expect(found(report)).toEqual([['parse', 'error', null]]);
    expect(message(report)).toMatch(/^orb\.jsonl:\d+: amount: expected a decimal number/);
  });
});

describe('audit: pending entries and the files the sources tests use', () => {
  it('L4 a pending entry may leave the stated balance unchanged or move it: both audit clean', () => {
    for (const counted of [false, true]) {
      const x = new OrbExport();
      x.increment('A', '50', '2025-01-01T00:00:00Z', { cost: '1' });
      const pending = x.decrement('p1', '5', '2025-01-02T00:00:00Z', 'A');
      pending.entry_status = 'pending';
      if (!counted) x.shiftBalancesFrom(2, '5', { startingToo: false });
      x.decrement('d1', '10', '2025-01-03T00:00:00Z', 'A');
      if (!counted) x.shiftBalancesFrom(3, '5');
      const report = auditOne(x);
      expect(found(report)).toEqual([]);
      expect([report.accounts[0]!.replayedBalance?.toFixed(), report.accounts[0]!.replayedPending?.toFixed()]).toEqual(['40', '-5']);
    }
  });

  it('the sources fixtures (Orb export, Orb bodies, Moesif) audit clean', () => {
    const dir = fileURLToPath(new URL('../fixtures/sources/', import.meta.url));
    const files = ['orb-export/ledger.jsonl', 'orb-export/ledger-page.json', 'orb-bodies/entries.jsonl', 'moesif/transactions.csv'];
    for (const file of files) {
      const report = audit([file, readFileSync(dir + file, 'utf8')]);
      expect([file, found(report)]).toEqual([file, []]);
    }
  });
});
