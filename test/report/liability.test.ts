import { describe, expect, it } from 'vitest';
import { toCanonical } from '../../core/money/decimal.js';
import { liabilityReport } from '../../core/report/liability-report.js';
import { MOVEMENT_LINES, type AccountRollForward, type LiabilityReport, type MovementLine } from '../../core/report/liability.js';
import { liabilityReportCsv, liabilityReportView } from '../../core/report/liability-view.js';
import type { AccountKey } from '../../core/ledger/types.js';
import { LedgerBuilder, t } from '../support/ledger-builders.js';

function report(builders: LedgerBuilder[], from: string, to: string, unit?: string): LiabilityReport {
  return liabilityReport(
    builders.map((b) => ({ key: b.key, entries: b.entries })),
    { from: t(from), to: t(to), unit },
  );
}

function only(r: LiabilityReport): AccountRollForward {
  expect(r.accounts).toHaveLength(1);
  return r.accounts[0]!;
}

/** Every line as [credits, value] canonical strings, zero lines left out. */
function lines(account: AccountRollForward): Partial<Record<MovementLine | 'opening' | 'closing', [string, string]>> {
  const out: Partial<Record<MovementLine | 'opening' | 'closing', [string, string]>> = {
    opening: [toCanonical(account.opening.credits), toCanonical(account.opening.value)],
  };
  for (const name of MOVEMENT_LINES) {
    const line = account.lines[name];
    if (line.entryIds.length > 0 || !line.credits.isZero() || !line.value.isZero()) out[name] = [toCanonical(line.credits), toCanonical(line.value)];
  }
  out.closing = [toCanonical(account.closing.credits), toCanonical(account.closing.value)];
  return out;
}

/** The hand-computed ledger of the README example (see the comments for each step). */
function handLedger(): LedgerBuilder {
  const b = new LedgerBuilder({ customerId: 'cus_a', subscriptionId: null, unit: 'credits' });
  b.increment('P1', '100', t('2025-01-01'), { costBasis: '0.5', expiresAt: t('2025-02-15') }); // paid, 50 of value
  b.increment('PR1', '20', t('2025-01-01'), { costBasis: '0', expiresAt: t('2025-01-20') }); // promotion
  b.decrement('U1', '30', t('2025-01-05')); // L1: PR1 (earlier expiry) 20 → 0, then P1 100 → 90
  // ---- period [2025-01-10, 2025-02-01) ----
  b.decrement('U2', '50', t('2025-01-12')); // P1 90 → 40: value 25
  b.increment('PR2', '15', t('2025-01-13'), { costBasis: '0', expiresAt: t('2025-01-21') });
  b.increment('X', '10', t('2025-01-15')); // no cost basis
  b.void('V1', 'P1', '5', t('2025-01-18'), { voidReason: 'refund' }); // P1 40 → 35: value 2.5
  // 2025-01-21: PR2 expires with 15 left (generated expiry)
  b.amendment('A1', 'P1', '3', t('2025-01-25')); // P1 35 → 38: value 1.5
  b.decrement('U3', '100', t('2025-01-28')); // P1 38 (value 19), X 10 (value 0), 52 uncovered
  // ---- after the period ----
  b.increment('Q', '100', t('2025-02-02'), { costBasis: '1' }); // repays the 52 deficit at once
  return b;
}

describe('liability report: a hand-computed ledger', () => {
  it('rolls January forward line by line and ties out', () => {
    const account = only(report([handLedger()], '2025-01-10', '2025-02-01'));
    expect(lines(account)).toEqual({
      opening: ['90', '45'],
      purchased_cost_unknown: ['10', '0'],
      promotional: ['15', '0'],
      consumed: ['-150', '-44'],
      expired: ['-15', '0'],
      refunded: ['-5', '-2.5'],
      adjusted: ['3', '1.5'],
      closing: ['-52', '0'],
    });
    expect(toCanonical(account.uncoveredConsumed)).toBe('52');
    expect(toCanonical(account.closing.deficit)).toBe('52');
    expect(account.lines.consumed.entryIds).toEqual(['U2', 'U3']);
    expect(account.lines.expired.entryIds).toEqual(['expiry:PR2']);
    expect(account.lines.refunded.entryIds).toEqual(['V1']);
    expect(account.lines.voided.entryIds).toEqual([]);
  });

  it('L2 deficit repaid by a new purchase: its value leaves on deficit_repaid, credits do not move', () => {
    const account = only(report([handLedger()], '2025-02-01', '2025-03-01'));
    expect(lines(account)).toEqual({
      opening: ['-52', '0'],
      purchased: ['100', '100'],
      deficit_repaid: ['0', '-52'],
      closing: ['48', '48'],
    });
    expect(account.lines.deficit_repaid.entryIds).toEqual(['Q']);
  });

  it('L2 deficit repaid at a scheduled block\'s activation is traced to the entry that created the block', () => {
    const b = new LedgerBuilder();
    b.decrement('U', '30', t('2025-01-02'));
    b.increment('Q', '100', t('2025-01-03'), { costBasis: '2', effectiveAt: t('2025-01-05') });
    const account = only(report([b], '2025-01-04', '2025-01-10'));
    // L3: at opening Q is scheduled (purchased, not yet usable): outside the balance until it activates.
    expect(lines(account)).toEqual({
      opening: ['-30', '0'],
      deficit_repaid: ['0', '-60'],
      scheduled: ['100', '200'],
      closing: ['70', '140'],
    });
    expect(toCanonical(account.opening.scheduled)).toBe('100');
    expect(toCanonical(account.opening.scheduledValue)).toBe('200');
    expect(toCanonical(account.closing.scheduled)).toBe('0');
    expect(account.lines.deficit_repaid.entryIds).toEqual(['Q']);
    expect(account.lines.scheduled.entryIds).toEqual(['Q']);
  });

  it('L3 scheduled credit is purchased but not yet usable: its own line until it activates, and the roll-forward ties out', () => {
    const b = new LedgerBuilder();
    b.increment('A', '50', t('2025-01-01'), { costBasis: '1' });
    b.decrement('U', '80', t('2025-01-05'));
    b.increment('B', '100', t('2025-01-06'), { costBasis: '1', effectiveAt: t('2025-01-10') });
    const january = only(report([b], '2025-01-01', '2025-01-08'));
    expect(lines(january)).toEqual({
      opening: ['0', '0'],
      purchased: ['150', '150'],
      consumed: ['-80', '-50'],
      scheduled: ['-100', '-100'],
      closing: ['-30', '0'],
    });
    expect(toCanonical(january.closing.scheduled)).toBe('100');
    expect(toCanonical(january.closing.deficit)).toBe('30');
    const after = only(report([b], '2025-01-08', '2025-02-01'));
    expect(lines(after)).toEqual({
      opening: ['-30', '0'],
      deficit_repaid: ['0', '-30'],
      scheduled: ['100', '100'],
      closing: ['70', '70'],
    });
    expect(toCanonical(after.closing.scheduled)).toBe('0');
  });

    it('an entry at exactly `from` belongs to the period, one at `to` to the next', () => {
    const b = new LedgerBuilder();
    b.increment('IN', '10', t('2025-01-01'), { costBasis: '1' });
    b.increment('OUT', '20', t('2025-02-01'), { costBasis: '1' });
    const account = only(report([b], '2025-01-01', '2025-02-01'));
    expect(lines(account)).toEqual({ opening: ['0', '0'], purchased: ['10', '10'], closing: ['10', '10'] });
  });

  it('L4 pending entries stay out of the roll-forward and are listed on their own line', () => {
    const b = new LedgerBuilder();
    b.increment('P', '100', t('2025-01-01'), { costBasis: '1' });
    b.decrement('D', '25', t('2025-01-02'), { status: 'pending' });
    const account = only(report([b], '2025-01-01', '2025-02-01'));
    expect(lines(account)).toEqual({ opening: ['0', '0'], purchased: ['100', '100'], closing: ['100', '100'] });
    expect(toCanonical(account.pending.credits)).toBe('-25');
    expect(account.pending.entryIds).toEqual(['D']);
  });

  it('voids without reason "refund" are voided, expiration changes are adjustments at net 0', () => {
    const b = new LedgerBuilder();
    b.increment('P', '100', t('2025-01-01'), { costBasis: '0.2', expiresAt: t('2025-06-01') });
    b.expirationChange('EC', '10', t('2025-01-02'), { blockId: 'P', targetExpiresAt: t('2026-01-01') });
    b.void('V', 'P', '40', t('2025-01-03'));
    const account = only(report([b], '2025-01-01', '2025-02-01'));
    expect(lines(account)).toEqual({
      opening: ['0', '0'],
      purchased: ['100', '20'],
      voided: ['-40', '-8'],
      adjusted: ['0', '0'],
      closing: ['60', '12'],
    });
    expect(account.lines.adjusted.entryIds).toEqual(['EC']);
  });
});

describe('liability report: DESIGN §4 worked examples', () => {
  it('example 1: A 50 at cost 0 pays first, B 100 at cost 5 pays the rest', () => {
    const b = new LedgerBuilder();
    b.increment('A', '50', t('2025-01-01'), { costBasis: '0', expiresAt: t('2025-01-15') });
    b.increment('B', '100', t('2025-01-01'), { costBasis: '5' });
    b.decrement('D', '70', t('2025-01-02'));
    const account = only(report([b], '2025-01-01', '2025-01-03'));
    expect(lines(account)).toEqual({
      opening: ['0', '0'],
      purchased: ['100', '500'],
      promotional: ['50', '0'],
      consumed: ['-70', '-100'],
      closing: ['80', '400'],
    });
  });

  it('example 3: expiration change then the expiry of 90 is breakage valued at cost 0.20', () => {
    const b = new LedgerBuilder();
    b.increment('I', '100', t('2022-06-01'), { costBasis: '0.20', expiresAt: t('2022-12-28') });
    b.expirationChange('EC', '10', t('2022-07-01'), { blockId: 'I', targetExpiresAt: t('2023-12-28') });
    const account = only(report([b], '2022-01-01', '2023-01-01'));
    expect(lines(account)).toEqual({
      opening: ['0', '0'],
      purchased: ['100', '20'],
      expired: ['-90', '-18'],
      adjusted: ['0', '0'],
      closing: ['10', '2'],
    });
  });

  it('example 4: a decrement into deficit is consumed uncovered, the next purchase repays it', () => {
    const b = new LedgerBuilder();
    b.decrement('D', '30', t('2025-01-01'));
    b.increment('I', '100', t('2025-01-02'), { costBasis: '1' });
    const account = only(report([b], '2025-01-01', '2025-02-01'));
    expect(lines(account)).toEqual({
      opening: ['0', '0'],
      purchased: ['100', '100'],
      consumed: ['-30', '0'],
      deficit_repaid: ['0', '-30'],
      closing: ['70', '70'],
    });
    expect(toCanonical(account.uncoveredConsumed)).toBe('30');
  });

  it('example 5: Moesif credit $100, usage $4, expiry of $96 at T', () => {
    const b = new LedgerBuilder({ customerId: 'co_1', subscriptionId: 'sub_1', unit: 'USD' });
    b.increment('c1', '100', t('2025-01-01'), { costBasis: '1', expiresAt: t('2025-02-01') });
    b.decrement('d1', '4', t('2025-01-10'));
    const account = only(report([b], '2025-01-01', '2025-03-01'));
    expect(lines(account)).toEqual({
      opening: ['0', '0'],
      purchased: ['100', '100'],
      consumed: ['-4', '-4'],
      expired: ['-96', '-96'],
      closing: ['0', '0'],
    });
  });
});

describe('liability report: totals, units and output', () => {
  const usd: AccountKey = { customerId: 'cus_b', subscriptionId: null, unit: 'USD' };
  function twoUnits(): LedgerBuilder[] {
    const credits = new LedgerBuilder({ customerId: 'cus_a', subscriptionId: null, unit: 'credits' });
    credits.increment('a1', '10', t('2025-01-02'), { costBasis: '0.1' });
    const dollars = new LedgerBuilder(usd);
    dollars.increment('b1', '5.5', t('2025-01-02'), { costBasis: '1' });
    const credits2 = new LedgerBuilder({ customerId: 'cus_c', subscriptionId: 'sub,"x"', unit: 'credits' });
    credits2.increment('c1', '7', t('2025-01-03'), { costBasis: '0' });
    credits2.decrement('c2', '2', t('2025-01-04'));
    return [credits2, dollars, credits];
  }

  it('totals are per unit and never mix units', () => {
    const r = report(twoUnits(), '2025-01-01', '2025-02-01');
    expect(r.totals.map((total) => [total.unit, total.accounts, toCanonical(total.closing.credits), toCanonical(total.closing.value)])).toEqual([
      ['USD', 1, '5.5', '5.5'],
      ['credits', 2, '15', '1'],
    ]);
    expect(r.accounts.map((a) => a.key.customerId)).toEqual(['cus_a', 'cus_b', 'cus_c']);
    expect(r.totals[1]!.lines.consumed.entryCount).toBe(1);
  });

  it('--unit keeps one unit only', () => {
    const r = report(twoUnits(), '2025-01-01', '2025-02-01', 'USD');
    expect(r.accounts.map((a) => a.key)).toEqual([usd]);
    expect(r.totals.map((total) => total.unit)).toEqual(['USD']);
  });

  it('accounts with nothing held and nothing moving are left out', () => {
    const b = new LedgerBuilder();
    b.increment('late', '5', t('2025-03-01'), { costBasis: '1' });
    expect(report([b], '2025-01-01', '2025-02-01').accounts).toEqual([]);
  });

  it('JSON lists entry ids per line; CSV has a header, decimal strings and RFC 4180 quoting', () => {
    const view = liabilityReportView(report(twoUnits(), '2025-01-01', '2025-02-01'));
    expect(view.from).toBe('2025-01-01T00:00:00.000Z');
    const cusC = view.accounts.find((a) => a.customer_id === 'cus_c')!;
    expect(cusC.consumed).toEqual({ credits: '-2', value: '0', entry_count: 1, entry_ids: ['c2'] });
    expect(cusC.opening_balance).toEqual({ credits: '0', value: '0', deficit: '0', scheduled: '0', scheduled_value: '0' });
    const csv = liabilityReportCsv(view).split('\r\n');
    expect(csv[0]!.startsWith('row_type,customer_id,subscription_id,unit,accounts,opening_credits,opening_value,opening_deficit,purchased_credits')).toBe(true);
    expect(csv.filter((line) => line !== '')).toHaveLength(1 + 3 + 2);
    expect(csv.some((line) => line.startsWith('account,cus_c,"sub,""x""",credits,1,'))).toBe(true);
    expect(csv.some((line) => line.startsWith('total,,,USD,1,0,0,0,5.5,5.5,1,'))).toBe(true);
  });

  it('rejects an empty period', () => {
    expect(() => report([handLedger()], '2025-02-01', '2025-02-01')).toThrow(RangeError);
  });
});
