// I1 per block (core/ledger/invariants.ts): the check skips zero terms for speed; it must still answer
// exactly what the whole sum answers, for every mix of zero and non-zero terms.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockConservationHolds } from '../../core/ledger/invariants.js';
import type { BlockState } from '../../core/ledger/types.js';
import { Decimal, ZERO } from '../../core/money/decimal.js';

const SEED = Number(process.env['LEDGER_SEED'] ?? 20_251_202);

/** Zero half the time (as in a real account: most terms of most blocks), else up to 6 decimals. */
const term = fc.oneof(fc.constant(ZERO), fc.integer({ min: 1, max: 10_000_000 }).map((n) => new Decimal(n).div(100)));

function block(terms: Decimal[], initial: Decimal): BlockState {
  const [remaining, consumed, expired, voided, movedOut, amended] = terms as [Decimal, Decimal, Decimal, Decimal, Decimal, Decimal];
  return {
    id: 'b', createdBy: 'b', createdSequence: 1, initial, remaining, consumed, expired, voided, movedOut, amended,
    effectiveAt: 0, expiresAt: null, costBasis: null, priority: null, pending: false, voidedOut: false, expiredOut: false, activated: true,
  };
}

describe('I1 per block', () => {
  it('I1 holds exactly when initial = remaining + consumed + expired + voided + moved out − amended, whichever terms are zero', () => {
    const details = fc.check(
      fc.property(fc.array(term, { minLength: 6, maxLength: 6 }), fc.constantFrom(0, 0, 1, -1), (terms, skew) => {
        const whole = terms[0]!.plus(terms[1]!).plus(terms[2]!).plus(terms[3]!).plus(terms[4]!).minus(terms[5]!);
        const initial = whole.plus(new Decimal(skew).div(100));
        expect(blockConservationHolds(block(terms, initial))).toBe(skew === 0);
      }),
      { seed: SEED, numRuns: 2_000 },
    );
    if (details.failed) throw new Error(`LEDGER_SEED=${SEED}: ${fc.defaultReportMessage(details) ?? ''}`);
  });

  it('I1 of a spent block (all consumed) and of an untouched one', () => {
    const hundred = new Decimal('100');
    expect(blockConservationHolds(block([ZERO, hundred, ZERO, ZERO, ZERO, ZERO], hundred))).toBe(true);
    expect(blockConservationHolds(block([hundred, ZERO, ZERO, ZERO, ZERO, ZERO], hundred))).toBe(true);
    expect(blockConservationHolds(block([ZERO, ZERO, ZERO, ZERO, ZERO, ZERO], hundred))).toBe(false);
    expect(blockConservationHolds(block([ZERO, ZERO, ZERO, ZERO, ZERO, ZERO], ZERO))).toBe(true);
  });
});
