// Issue 10 item 3: amounts beyond the arithmetic's precision. Every amount is refused beyond 50 digits
// before the decimal point or 50 after it (naming file, line, field and the limit); within the limit every
// balance, sum and amount × cost basis product is exact, checked here against BigInt arithmetic.
import fc from 'fast-check';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Decimal, MAX_FRACTION_DIGITS, MAX_INTEGER_DIGITS, amountLimitProblem, toCanonical } from '../../core/money/decimal.js';
import { replayAccount } from '../../core/ledger/replay.js';
import type { AccountKey, LedgerEntry } from '../../core/ledger/types.js';
import { buildCli, ledgerscope, workDir } from '../cli/run-cli.js';

const SEED = Number(process.env.LEDGER_SEED ?? 20_261_207);
const SCALE = 10n ** BigInt(MAX_FRACTION_DIGITS);

function canonicalOf(scaled: bigint, fractionDigits: number): string {
  return toCanonical(new Decimal(`${scaled < 0n ? '-' : ''}${(scaled < 0n ? -scaled : scaled).toString().padStart(fractionDigits + 1, '0').replace(new RegExp(`(\\d{${fractionDigits}})$`), '.$1')}`));
}

/** A positive amount within the limit, as text and as an integer count of 10^-18; mostly at the limit. */
const amountAtLimit = fc
  .tuple(
    fc.bigInt({ min: 1n, max: 10n ** BigInt(MAX_INTEGER_DIGITS) - 1n }),
    fc.bigInt({ min: 0n, max: SCALE - 1n }),
    fc.boolean(),
  )
  .map(([integer, fraction, widest]) => {
    const whole = widest ? 10n ** BigInt(MAX_INTEGER_DIGITS) - 1n - (integer % 1000n) : integer;
    const part = widest ? SCALE - 1n - (fraction % 1000n) : fraction;
    return { text: `${whole}.${part.toString().padStart(MAX_FRACTION_DIGITS, '0')}`, scaled: whole * SCALE + part };
  });

const KEY: AccountKey = { customerId: 'c1', subscriptionId: null, unit: 'credits' };

function entry(index: number, kind: 'increment' | 'decrement', amount: string, costBasis: string | null): LedgerEntry {
  return {
    source: 'orb',
    sourceId: `e${index}`,
    customerId: 'c1',
    subscriptionId: null,
    unit: 'credits',
    kind,
    status: 'posted',
    amount: new Decimal(amount),
    at: 1_700_000_000_000 + index * 1000,
    ordinal: index,
    blockId: null,
    effectiveAt: null,
    expiresAt: null,
    costBasis: costBasis === null ? null : new Decimal(costBasis),
    priority: null,
    targetExpiresAt: null,
    sourceExpiresAt: null,
    voidReason: null,
    description: null,
  };
}

describe('the amount limit', () => {
  it('counts digits before and after the point, leading and trailing zeros aside', () => {
    const widest = `${'9'.repeat(MAX_INTEGER_DIGITS)}.${'9'.repeat(MAX_FRACTION_DIGITS)}`;
    expect(amountLimitProblem(widest)).toBeNull();
    expect(amountLimitProblem(`-000${widest}000`)).toBeNull();
    expect(amountLimitProblem(`1${widest}`)).toBe(
      `beyond the amount limit of ${MAX_INTEGER_DIGITS} digits before the decimal point and ${MAX_FRACTION_DIGITS} after it (kept so that every sum stays exact): found ${MAX_INTEGER_DIGITS + 1} digits before the decimal point`,
    );
    expect(amountLimitProblem(`${widest}1`)).toMatch(new RegExp(`found ${MAX_FRACTION_DIGITS + 1} digits after the decimal point$`));
    expect(amountLimitProblem('0.5')).toBeNull();
  });

  it(`at the limit, balances equal the sum of blocks and of entries, exactly (seed ${SEED})`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('increment', 'decrement'), amountAtLimit, amountAtLimit), { minLength: 1, maxLength: 60 }),
        (ops) => {
          const entries = ops.map(([kind, amount, cost], index) => entry(index, kind as 'increment' | 'decrement', amount.text, kind === 'increment' ? cost.text : null));
          const state = replayAccount(KEY, entries, { checkEveryStep: true });
          let expected = 0n;
          for (const [kind, amount] of ops) expected += kind === 'increment' ? amount.scaled : -amount.scaled;
          expect(toCanonical(state.current)).toBe(canonicalOf(expected, MAX_FRACTION_DIGITS));
          const remaining = state.blocks.reduce((total, block) => total.plus(block.remaining), new Decimal(0));
          expect(toCanonical(remaining.minus(state.deficit))).toBe(toCanonical(state.current));
          // The liability report's value: Σ remaining × cost basis, exact at 2 × 100 digits per product.
          let valueScaled = 0n;
          let value = new Decimal(0);
          for (const block of state.blocks) {
            const cost = block.costBasis ?? new Decimal(0);
            value = value.plus(block.remaining.times(cost));
            const remainingScaled = BigInt(block.remaining.times(new Decimal(10).pow(MAX_FRACTION_DIGITS)).toFixed());
            const costScaled = BigInt(cost.times(new Decimal(10).pow(MAX_FRACTION_DIGITS)).toFixed());
            valueScaled += remainingScaled * costScaled;
          }
          expect(toCanonical(value)).toBe(canonicalOf(valueScaled, 2 * MAX_FRACTION_DIGITS));
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('an import refuses amounts beyond the limit (file, line, field, the limit)', () => {
  beforeAll(() => buildCli(), 120_000);

  it('a Moesif amount with one digit too many before the point, and a CSV amount of 100,000 digits', () => {
    const dir = workDir();
    const db = join(dir, 'ledger.sqlite');
    const jsonl = join(dir, 'wide.jsonl');
    writeFileSync(
      jsonl,
      [
        { company_id: 'c1', transaction_id: 't1', type: 'credit', amount: `${'9'.repeat(MAX_INTEGER_DIGITS)}.${'9'.repeat(MAX_FRACTION_DIGITS)}`, created_at: '2025-01-01T00:00:00Z' },
        { company_id: 'c1', transaction_id: 't2', type: 'credit', amount: '1'.repeat(MAX_INTEGER_DIGITS + 1), created_at: '2025-01-01T00:00:00Z' },
      ]
        .map((record) => JSON.stringify(record))
        .join('\n') + '\n',
    );
    const csv = join(dir, 'huge.csv');
    writeFileSync(csv, `company_id,transaction_id,type,amount,created_at\nc1,t3,credit,1.${'1'.repeat(100_000)},2025-01-01T00:00:00Z\n`);
    const result = ledgerscope('import', jsonl, csv, '--db', db);
    expect(result.status).toBe(2);
    const limit = `beyond the amount limit of ${MAX_INTEGER_DIGITS} digits before the decimal point and ${MAX_FRACTION_DIGITS} after it (kept so that every sum stays exact)`;
    expect(result.stderr).toContain(`wide.jsonl:2: amount: ${limit}: found ${MAX_INTEGER_DIGITS + 1} digits before the decimal point`);
    expect(result.stderr).toContain(`huge.csv:2: amount: ${limit}: found 100000 digits after the decimal point`);
    expect(result.stderr).not.toContain('wide.jsonl:1');
    expect(result.stderr.length).toBeLessThan(2000);
    expect(ledgerscope('balances', '--db', db).status).toBe(2);
  });
});
