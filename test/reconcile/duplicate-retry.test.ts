// Issue 13: a webhook retry credits one payment twice under another transaction id, minutes apart.
import { describe, expect, it } from 'vitest';
import { account, at, differences, payment, run } from './fixtures.js';

const MINUTE = 60_000;

describe('duplicate retry', () => {
  it('a second credit for the same payment minutes after the first, with another transaction id, is a duplicate_credit explained as a retry', () => {
    const result = run(
      [payment('pi_1', 'cus_A', '100', at(0))],
      [account('cus_A').credit('evt_1', '100', at(0) + MINUTE).credit('evt_1_retry', '100', at(0) + 4 * MINUTE)],
    );
    expect(differences(result)).toEqual([
      ['matched_fuzzy', ['pi_1'], ['evt_1'], '100', '100'],
      ['duplicate_credit', ['pi_1'], ['evt_1_retry'], '0', '100'],
    ]);
    const duplicate = result.items.find((item) => item.category === 'duplicate_credit')!;
    expect(duplicate.note).toBe('a second credit for payment pi_1, 3 minutes after evt_1 under another transaction id (a webhook delivered twice)');
    // Its proposal takes the extra credit back.
    expect(duplicate.proposal?.amount.toString()).toBe('100');
  });

  it('the same amount credited a day later is not a retry: it stays a credit with no payment', () => {
    const result = run([payment('pi_1', 'cus_A', '100', at(0))], [account('cus_A').credit('evt_1', '100', at(0)).credit('evt_2', '100', at(1))]);
    expect(differences(result)).toEqual([
      ['matched_fuzzy', ['pi_1'], ['evt_1'], '100', '100'],
      ['missing_in_stripe', [], ['evt_2'], '0', '100'],
    ]);
  });

  it('a retry of another amount is not a duplicate of the first credit', () => {
    const result = run([payment('pi_1', 'cus_A', '100', at(0))], [account('cus_A').credit('evt_1', '100', at(0)).credit('evt_2', '40', at(0) + 2 * MINUTE)]);
    expect(differences(result).map((row) => row[0])).toEqual(['matched_fuzzy', 'missing_in_stripe']);
  });
});
