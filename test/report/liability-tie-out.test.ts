// Property: on random ledgers the liability report ties out (opening + movements = closing, in credits and
// in value, per account and per unit), its balances are the engine's, every entry in the period is on
// exactly the line its kind names, and two adjacent periods add up to the period that spans both.
// Seeded: the seed is printed; `LEDGER_SEED=<n> npx vitest run test/report` replays a failure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toCanonical, ZERO } from '../../core/money/decimal.js';
import { replayAccount } from '../../core/ledger/replay.js';
import { liabilityReport } from '../../core/report/liability-report.js';
import { MOVEMENT_LINES, type AccountRollForward, type LiabilityReport } from '../../core/report/liability.js';
import { accountKeyString } from '../../core/ledger/account-key.js';
import { describeEntries, randomAccounts, START_AT, STEP_MS, type RandomAccount } from '../ledger/random-ledger.js';

const seed = process.env.LEDGER_SEED === undefined ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : Number(process.env.LEDGER_SEED);
const numRuns = Number(process.env.LEDGER_RUNS ?? 300);
// eslint-disable-next-line no-console
console.log(`liability tie-out: LEDGER_SEED=${seed} (${numRuns} runs)`);

/** Three cut points on the hour grid, possibly before the first or after the last entry. */
const cuts = fc
  .tuple(fc.integer({ min: -2, max: 60 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }))
  .map(([a, ab, bc]) => {
    const from = START_AT + a * STEP_MS;
    return { from, middle: from + ab * STEP_MS, to: from + (ab + bc) * STEP_MS };
  });

function run(accounts: RandomAccount[], from: number, to: number): LiabilityReport {
  return liabilityReport(accounts, { from, to });
}

function byKey(report: LiabilityReport): Map<string, AccountRollForward> {
  return new Map(report.accounts.map((account) => [accountKeyString(account.key), account]));
}

function checkAgainstEngine(accounts: RandomAccount[], report: LiabilityReport, from: number, to: number): void {
  const found = byKey(report);
  for (const { key, entries } of accounts) {
    const opening = replayAccount(key, entries, { asOf: from - 1 });
    const closing = replayAccount(key, entries, { asOf: to - 1 });
    const account = found.get(accountKeyString(key));
    if (account === undefined) {
      // Left out only when nothing was held and nothing happened.
      expect(opening.current.isZero() && closing.current.isZero()).toBe(true);
      expect(closing.entries.some((e) => e.entry.at >= from)).toBe(false);
      continue;
    }
    expect(toCanonical(account.opening.credits)).toBe(toCanonical(opening.current));
    expect(toCanonical(account.closing.credits)).toBe(toCanonical(closing.current));
    expect(toCanonical(account.opening.scheduled)).toBe(toCanonical(opening.scheduled));
    expect(toCanonical(account.closing.scheduled)).toBe(toCanonical(closing.scheduled));
    let credits = account.opening.credits;
    let value = account.opening.value;
    for (const name of MOVEMENT_LINES) {
      credits = credits.plus(account.lines[name].credits);
      value = value.plus(account.lines[name].value);
    }
    expect(toCanonical(credits)).toBe(toCanonical(account.closing.credits));
    expect(toCanonical(value)).toBe(toCanonical(account.closing.value));
    // Traceability: every entry of the period is behind exactly one line of its kind (repayments and the
    // L3 scheduled line, which trace the blocks they move, aside).
    const expectedIds = closing.entries.filter((e) => e.entry.at >= from).map((e) => e.entry.sourceId).sort();
    const listed = [...MOVEMENT_LINES.filter((name) => name !== 'deficit_repaid' && name !== 'scheduled').flatMap((name) => account.lines[name].entryIds), ...account.pending.entryIds].sort();
    expect(listed).toEqual(expectedIds);
  }
  for (const total of report.totals) {
    const inUnit = report.accounts.filter((account) => account.key.unit === total.unit);
    const sum = inUnit.reduce((acc, account) => acc.plus(account.closing.credits), ZERO);
    expect(toCanonical(total.closing.credits)).toBe(toCanonical(sum));
  }
}

function checkAdditive(whole: LiabilityReport, first: LiabilityReport, second: LiabilityReport): void {
  const a = byKey(first);
  const b = byKey(second);
  for (const [key, account] of byKey(whole)) {
    const left = a.get(key);
    const right = b.get(key);
    if (left !== undefined && right !== undefined) expect(toCanonical(left.closing.value)).toBe(toCanonical(right.opening.value));
    for (const name of MOVEMENT_LINES) {
      const credits = (left?.lines[name].credits ?? ZERO).plus(right?.lines[name].credits ?? ZERO);
      const value = (left?.lines[name].value ?? ZERO).plus(right?.lines[name].value ?? ZERO);
      expect([name, toCanonical(account.lines[name].credits), toCanonical(account.lines[name].value)]).toEqual([name, toCanonical(credits), toCanonical(value)]);
    }
  }
}

describe('liability report tie-out on random ledgers', () => {
  it('opening + movements = closing, per account and per unit, and periods add up', () => {
    fc.assert(
      fc.property(randomAccounts(30, 3), cuts, (accounts, { from, middle, to }) => {
        try {
          const whole = run(accounts, from, to);
          checkAgainstEngine(accounts, whole, from, to);
          const first = run(accounts, from, middle);
          const second = run(accounts, middle, to);
          checkAgainstEngine(accounts, first, from, middle);
          checkAgainstEngine(accounts, second, middle, to);
          checkAdditive(whole, first, second);
        } catch (error) {
          const ledgers = accounts.map((account) => `${account.key.customerId}:\n${describeEntries(account.entries)}`).join('\n');
          const hours = (at: number) => `${(at - START_AT) / STEP_MS}h`;
          throw new Error(`${(error as Error).message}\nperiod ${hours(from)}..${hours(middle)}..${hours(to)}\n${ledgers}`);
        }
      }),
      { seed, numRuns },
    );
  }, 300_000);
});
