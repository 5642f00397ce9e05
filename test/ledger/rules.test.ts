// DESIGN §4 rules L1–L9 and the five worked examples, one behaviour per test.
import { describe, expect, it } from 'vitest';
import { allocationWarningText } from '../../core/ledger/allocation-text.js';
import { blockStatus } from '../../core/ledger/status.js';
import { LedgerRuleError } from '../../core/ledger/types.js';
import { replayAccount } from '../../core/ledger/replay.js';
import { toCanonical } from '../../core/money/decimal.js';
import {
  ACCOUNT,
  DAY_MS,
  LedgerBuilder,
  block,
  effectsOf,
  expectAmount,
  generatedExpiries,
  replayed,
  t,
} from '../support/ledger-builders.js';
import { checkAll } from './invariant-checks.js';

const T0 = t('2025-01-01T00:00:00Z');
const day = (n: number): number => T0 + n * DAY_MS;

function expectRuleError(run: () => unknown): LedgerRuleError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(LedgerRuleError);
    return error as LedgerRuleError;
  }
  throw new Error('expected a LedgerRuleError, replay succeeded');
}

describe('L1 deduction order', () => {
  it('L1 lower priority number draws first and absent priority draws last', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('none', '20', day(0));
    ledger.increment('p2', '20', day(0), { priority: 2 });
    ledger.increment('p1', '20', day(0), { priority: 1 });
    ledger.decrement('use', '30', day(1));
    const state = ledger.replay();
    expect(effectsOf(replayed(state, 'use'))).toEqual([
      ['consume', 'p1', '20'],
      ['consume', 'p2', '10'],
    ]);
    expectAmount(block(state, 'none').remaining, '20');
    checkAll(state, day(1));
  });

  it('L1 priority outranks expiry and cost basis', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('soon-free', '20', day(0), { expiresAt: day(5), costBasis: '0' });
    ledger.increment('prio', '20', day(0), { priority: 1, costBasis: '5' });
    ledger.decrement('use', '5', day(1));
    expect(effectsOf(replayed(ledger.replay(), 'use'))).toEqual([['consume', 'prio', '5']]);
  });

  it('L1 at equal priority the earlier expiry draws first and no expiry draws last', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('never', '20', day(0));
    ledger.increment('late', '20', day(0), { expiresAt: day(30) });
    ledger.increment('early', '20', day(0), { expiresAt: day(10) });
    ledger.decrement('use', '25', day(1));
    const state = ledger.replay({ asOf: day(2) });
    expect(effectsOf(replayed(state, 'use'))).toEqual([
      ['consume', 'early', '20'],
      ['consume', 'late', '5'],
    ]);
    expectAmount(block(state, 'never').remaining, '20');
  });

  it('L1 expiry outranks cost basis', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('free-later', '20', day(0), { expiresAt: day(30), costBasis: '0' });
    ledger.increment('paid-sooner', '20', day(0), { expiresAt: day(10), costBasis: '5' });
    ledger.decrement('use', '5', day(1));
    expect(effectsOf(replayed(ledger.replay(), 'use'))).toEqual([['consume', 'paid-sooner', '5']]);
  });

  it('L1 at equal priority and expiry the lower cost basis draws first, absent cost counting as 0', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('paid', '20', day(0), { costBasis: '5' });
    ledger.increment('cheap', '20', day(0), { costBasis: '0.05' });
    ledger.increment('unknown', '20', day(0));
    ledger.decrement('use', '30', day(1));
    expect(effectsOf(replayed(ledger.replay(), 'use'))).toEqual([
      ['consume', 'unknown', '20'],
      ['consume', 'cheap', '10'],
    ]);
  });

  it('L1 absent cost basis ties with cost 0 and falls through to the later keys', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('zero', '20', day(0), { costBasis: '0' });
    ledger.increment('unknown', '20', day(0));
    ledger.decrement('use', '5', day(1));
    expect(effectsOf(replayed(ledger.replay(), 'use'))).toEqual([['consume', 'zero', '5']]);

    const reversed = new LedgerBuilder();
    reversed.increment('unknown', '20', day(0));
    reversed.increment('zero', '20', day(0), { costBasis: '0' });
    reversed.decrement('use', '5', day(1));
    expect(effectsOf(replayed(reversed.replay(), 'use'))).toEqual([['consume', 'unknown', '5']]);
  });

  it('L1 at equal priority, expiry and cost the earlier effective_at draws first, before creation order', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('created-first', '20', day(0), { effectiveAt: day(2) });
    ledger.increment('effective-first', '20', day(1));
    ledger.decrement('use', '5', day(3));
    expect(effectsOf(replayed(ledger.replay(), 'use'))).toEqual([['consume', 'effective-first', '5']]);
  });

  it('L1 the last tie-break is ledger sequence, even at one instant', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('first', '20', day(0), { costBasis: '1' });
    ledger.increment('second', '20', day(0), { costBasis: '1' });
    ledger.decrement('use', '25', day(0));
    const state = ledger.replay();
    expect(block(state, 'first').createdSequence).toBeLessThan(block(state, 'second').createdSequence);
    expect(effectsOf(replayed(state, 'use'))).toEqual([
      ['consume', 'first', '20'],
      ['consume', 'second', '5'],
    ]);
  });

  it('L1 a deduction spanning blocks records one effect per block touched and skips empty blocks', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '10', day(0), { priority: 1 });
    ledger.increment('b', '10', day(0), { priority: 2 });
    ledger.increment('c', '10', day(0), { priority: 3 });
    ledger.decrement('first', '10', day(1));
    ledger.decrement('second', '15', day(2));
    const state = ledger.replay();
    expect(effectsOf(replayed(state, 'first'))).toEqual([['consume', 'a', '10']]);
    expect(effectsOf(replayed(state, 'second'))).toEqual([
      ['consume', 'b', '10'],
      ['consume', 'c', '5'],
    ]);
    expectAmount(block(state, 'c').consumed, '5');
    checkAll(state, day(2));
  });

  it('L1 decimal amounts are drawn exactly', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '0.1', day(0), { priority: 1 });
    ledger.increment('b', '0.2', day(0), { priority: 2 });
    ledger.decrement('use', '0.3', day(1));
    const state = ledger.replay();
    expectAmount(state.current, '0');
    expectAmount(state.deficit, '0');
    expect(effectsOf(replayed(state, 'use'))).toEqual([
      ['consume', 'a', '0.1'],
      ['consume', 'b', '0.2'],
    ]);
  });
});

describe('L1b stated allocation', () => {
  const warningsOf = (state: ReturnType<LedgerBuilder['replay']>): string[] =>
    state.allocationWarnings.map((warning) => `${warning.entry.sourceId}:${warning.blockId}:${warning.reason}:${toCanonical(warning.covered)}`);

  it('a Stripe expiry that states what its grant held removes exactly that, and nothing else expires', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('grant', '100', day(0), { expiresAt: day(10) });
    ledger.decrement('use', '40', day(1), { blockId: 'grant' });
    ledger.expiry('expired', 'grant', '60', day(10), { source: 'stripe' });
    const state = ledger.replay();
    expectAmount(replayed(state, 'expired').appliedAmount, '60');
    expect(generatedExpiries(state)).toEqual([]);
    expectAmount(block(state, 'grant').expired, '60');
    expectAmount(state.current, '0');
    expect(warningsOf(state)).toEqual([]);
    checkAll(state, day(11));
  });

  it('a Stripe expiry takes the amount it states; what the grant held beyond it expires beside it, with a warning', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('grant', '100', day(0), { expiresAt: day(10) });
    ledger.increment('other', '5', day(0));
    ledger.decrement('use', '40', day(1), { blockId: 'grant' });
    ledger.expiry('expired', 'grant', '45', day(10), { source: 'stripe' });
    const state = ledger.replay();
    const stated = replayed(state, 'expired');
    expectAmount(stated.appliedAmount, '45');
    expectAmount(stated.startingBalance, '65');
    expectAmount(stated.endingBalance, '20');
    const rest = generatedExpiries(state);
    expect(rest.map((r) => [r.entry.blockId, toCanonical(r.appliedAmount), r.entry.at, r.sequence])).toEqual([['grant', '15', day(10), stated.sequence + 1]]);
    expectAmount(state.current, '5');
    expect(warningsOf(state)).toEqual(['expired:grant:expiry_differs:60']);
    expect(allocationWarningText(state.allocationWarnings[0]!)).toBe(
      'expiry expired states that 45 of block grant expired, but the block held 60; the other 15 expired with it',
    );
    checkAll(state, day(11));
  });

  it('a Stripe expiry stating more than its grant held removes what it held, never more, with a warning', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('grant', '100', day(0), { expiresAt: day(10) });
    ledger.increment('other', '5', day(0));
    ledger.decrement('use', '70', day(1), { blockId: 'grant' });
    ledger.expiry('expired', 'grant', '50', day(10), { source: 'stripe' });
    const state = ledger.replay();
    expectAmount(replayed(state, 'expired').appliedAmount, '30');
    expect(generatedExpiries(state)).toEqual([]);
    expectAmount(state.current, '5');
    expectAmount(state.deficit, '0');
    expect(warningsOf(state)).toEqual(['expired:grant:expiry_differs:30']);
    expect(allocationWarningText(state.allocationWarnings[0]!)).toBe(
      'expiry expired states that 50 of block grant expired, but the block held only 30; 30 expired',
    );
    checkAll(state, day(11));
  });

  it('an Orb expiry still removes whatever remains: its amount is informational', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('blk', '100', day(0), { expiresAt: day(10) });
    ledger.expiry('expired', 'blk', '45', day(10));
    const state = ledger.replay();
    expectAmount(replayed(state, 'expired').appliedAmount, '100');
    expect(state.allocationWarnings).toEqual([]);
  });

  it('L1b a decrement that names its block draws from that block, even where L1 would pick another', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('soon', '50', day(0), { expiresAt: day(10) });
    ledger.increment('later', '100', day(0));
    ledger.decrement('use', '30', day(1), { blockId: 'later' });
    const state = ledger.replay({ asOf: day(2) });
    expect(effectsOf(replayed(state, 'use'))).toEqual([['consume', 'later', '30']]);
    expectAmount(block(state, 'soon').remaining, '50');
    expectAmount(block(state, 'later').remaining, '70');
    expectAmount(state.current, '120');
    expect(state.allocationWarnings).toEqual([]);
    checkAll(state, day(2));
  });

  it('L1b a named block that cannot cover the amount gives what it has; the rest follows L1, then the deficit, with a warning', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '20', day(0), { expiresAt: day(10) });
    ledger.increment('b', '10', day(0));
    ledger.decrement('use', '45', day(1), { blockId: 'b' });
    const state = ledger.replay({ asOf: day(2) });
    expect(effectsOf(replayed(state, 'use'))).toEqual([
      ['consume', 'b', '10'],
      ['consume', 'a', '20'],
      ['deficit', null, '15'],
    ]);
    expectAmount(state.deficit, '15');
    expectAmount(state.current, '-15');
    expect(warningsOf(state)).toEqual(['use:b:short:10']);
    checkAll(state, day(2));
  });

  it('L1b a named block that is empty, expired, not yet effective or unknown covers nothing: L1 takes all, with a warning', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('pool', '100', day(0));
    ledger.increment('gone', '5', day(0), { expiresAt: day(2) });
    ledger.increment('later', '40', day(0), { effectiveAt: day(10) });
    ledger.increment('small', '1', day(0), { priority: 1 });
    ledger.decrement('empty-it', '1', day(1), { blockId: 'small' });
    ledger.decrement('on-empty', '2', day(1), { blockId: 'small' });
    ledger.decrement('on-expired', '3', day(3), { blockId: 'gone' });
    ledger.decrement('on-scheduled', '4', day(3), { blockId: 'later' });
    ledger.decrement('on-unknown', '6', day(3), { blockId: 'nowhere' });
    const state = ledger.replay({ asOf: day(4) });
    expect(warningsOf(state)).toEqual([
      'on-empty:small:empty:0',
      'on-expired:gone:expired:0',
      'on-scheduled:later:scheduled:0',
      'on-unknown:nowhere:unknown:0',
    ]);
    for (const id of ['on-empty', 'on-scheduled', 'on-unknown']) expect(effectsOf(replayed(state, id)).map((effect) => effect[1])).not.toContain('later');
    expectAmount(block(state, 'later').remaining, '40');
    // on-empty's 2 went by L1 to gone (expiring soonest), whose other 3 expired on day 2; the rest came from pool.
    expectAmount(block(state, 'gone').expired, '3');
    expectAmount(block(state, 'pool').remaining, '87');
    expectAmount(state.current, '87');
    expectAmount(state.scheduled, '40');
    checkAll(state, day(4));
  });
});

describe('L2 deficit', () => {
  it('L2 a decrement beyond the drawable total leaves the rest as deficit, attributed to no block', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '50', day(0));
    ledger.decrement('use', '80', day(1));
    const state = ledger.replay();
    expect(effectsOf(replayed(state, 'use'))).toEqual([
      ['consume', 'a', '50'],
      ['deficit', null, '30'],
    ]);
    expectAmount(state.current, '-30');
    expectAmount(state.deficit, '30');
    expectAmount(replayed(state, 'use').appliedAmount, '80');
    expect(blockStatus(block(state, 'a'), day(1))).toBe('depleted');
    checkAll(state, day(1));
  });

  it('L2 a decrement on an account with no blocks is all deficit', () => {
    const ledger = new LedgerBuilder();
    ledger.decrement('use', '12.5', day(0));
    const state = ledger.replay();
    expect(effectsOf(replayed(state, 'use'))).toEqual([['deficit', null, '12.5']]);
    expectAmount(state.current, '-12.5');
  });

  it('L2 deficit is repaid by the next active block', () => {
    const ledger = new LedgerBuilder();
    ledger.decrement('use', '30', day(0));
    ledger.increment('topup', '100', day(1));
    const state = ledger.replay();
    const topup = replayed(state, 'topup');
    expect(effectsOf(topup)).toContainEqual(['credit', 'topup', '100']);
    expect(effectsOf(topup)).toContainEqual(['repay', 'topup', '30']);
    expectAmount(topup.startingBalance, '-30');
    expectAmount(topup.endingBalance, '70');
    expectAmount(block(state, 'topup').remaining, '70');
    expectAmount(block(state, 'topup').consumed, '30');
    expectAmount(state.deficit, '0');
    checkAll(state, day(1));
  });

  it('L2 a block smaller than the deficit repays what it can and the next block repays the rest', () => {
    const ledger = new LedgerBuilder();
    ledger.decrement('use', '100', day(0));
    ledger.increment('small', '40', day(1));
    ledger.increment('big', '100', day(2));
    const atSmall = ledger.replay({ asOf: day(1) });
    expectAmount(atSmall.deficit, '60');
    expectAmount(block(atSmall, 'small').remaining, '0');
    expectAmount(atSmall.current, '-60');
    const state = ledger.replay();
    expectAmount(state.deficit, '0');
    expectAmount(block(state, 'big').remaining, '40');
    expectAmount(state.current, '40');
  });

  it('L2 a scheduled block is not in the balance until it activates, and then repays the deficit first (L3)', () => {
    const ledger = new LedgerBuilder();
    ledger.decrement('use', '30', day(0));
    ledger.increment('later', '100', day(1), { effectiveAt: day(5) });
    ledger.decrement('more', '10', day(3));
    const before = ledger.replay({ asOf: day(4) });
    expectAmount(before.current, '-40');
    expectAmount(before.scheduled, '100');
    expectAmount(before.deficit, '40');
    expectAmount(block(before, 'later').remaining, '100');
    expect(blockStatus(block(before, 'later'), day(4))).toBe('scheduled');
    expect(effectsOf(replayed(before, 'more'))).toEqual([['deficit', null, '10']]);
    const after = ledger.replay({ asOf: day(5) });
    expectAmount(after.current, '60');
    expectAmount(after.scheduled, '0');
    expectAmount(after.deficit, '0');
    expectAmount(block(after, 'later').remaining, '60');
    expect(blockStatus(block(after, 'later'), day(5))).toBe('active');
    checkAll(after, day(5));
  });

  it('L2 blocks activating at one instant repay the deficit in L1 order', () => {
    const ledger = new LedgerBuilder();
    ledger.decrement('use', '50', day(0));
    ledger.increment('paid', '40', day(1), { effectiveAt: day(5), costBasis: '5' });
    ledger.increment('free', '40', day(1), { effectiveAt: day(5), costBasis: '0' });
    const state = ledger.replay({ asOf: day(5) });
    expectAmount(block(state, 'free').remaining, '0');
    expectAmount(block(state, 'paid').remaining, '30');
    expectAmount(state.deficit, '0');
    expectAmount(state.current, '30');
  });

  it('L2 an activation at an instant repays before an increment entered at that instant', () => {
    const ledger = new LedgerBuilder();
    ledger.decrement('use', '30', day(0));
    ledger.increment('scheduled', '100', day(1), { effectiveAt: day(5) });
    ledger.increment('same-instant', '50', day(5));
    const state = ledger.replay();
    expectAmount(block(state, 'scheduled').remaining, '70');
    expectAmount(block(state, 'same-instant').remaining, '50');
    expect(effectsOf(replayed(state, 'same-instant'))).toEqual([['credit', 'same-instant', '50']]);
    expectAmount(replayed(state, 'same-instant').startingBalance, '70');
  });

  it('L2 an activation is not a ledger entry and leaves the balance unchanged', () => {
    const ledger = new LedgerBuilder();
    ledger.decrement('use', '30', day(0));
    ledger.increment('scheduled', '100', day(1), { effectiveAt: day(5) });
    const state = ledger.replay();
    expect(state.entries.map((entry) => entry.entry.sourceId)).toEqual(['use', 'scheduled']);
    expectAmount(state.current, '70');
    expect(block(state, 'scheduled').activated).toBe(true);
    expect(block(ledger.replay({ asOf: day(4) }), 'scheduled').activated).toBe(false);
  });
});

describe('L3 effective and expiry', () => {
  it('L3 effective_at defaults to the time of the creating entry', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '10', day(3));
    expect(block(ledger.replay(), 'a').effectiveAt).toBe(day(3));
  });

  it('L3 a block is not drawable before effective_at and is drawable at exactly effective_at', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('s', '100', day(0), { effectiveAt: day(5) });
    ledger.decrement('early', '10', day(5) - 1);
    ledger.decrement('on-time', '10', day(5));
    const state = ledger.replay();
    expect(effectsOf(replayed(state, 'early'))).toEqual([['deficit', null, '10']]);
    expect(effectsOf(replayed(state, 'on-time'))).toEqual([['consume', 's', '10']]);
    expectAmount(block(state, 's').remaining, '80');
    expectAmount(state.deficit, '0');
  });

  it('L3 an effective_at earlier than its entry makes the block active at once', () => {
    const ledger = new LedgerBuilder();
    ledger.decrement('use', '10', day(2));
    ledger.increment('backdated', '50', day(3), { effectiveAt: day(1) });
    const state = ledger.replay();
    expect(effectsOf(replayed(state, 'backdated'))).toContainEqual(['repay', 'backdated', '10']);
    expectAmount(block(state, 'backdated').remaining, '40');
    expectAmount(state.deficit, '0');
  });

  it('L3 a block is not drawable at exactly expires_at: its expiry runs before entries at that instant', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '50', day(0), { expiresAt: day(10) });
    ledger.increment('b', '100', day(0));
    ledger.decrement('use', '20', day(10));
    const state = ledger.replay();
    expect(state.entries.map((entry) => [entry.sequence, entry.entry.kind, entry.generated])).toEqual([
      [1, 'increment', false],
      [2, 'increment', false],
      [3, 'expiry', true],
      [4, 'decrement', false],
    ]);
    expect(effectsOf(replayed(state, 'use'))).toEqual([['consume', 'b', '20']]);
    expectAmount(state.current, '80');
  });

  it('L3 the generated expiry is a posted ledger entry from ledgerscope for the remaining amount', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '50', day(0), { expiresAt: day(10) });
    ledger.decrement('use', '20', day(1));
    const state = ledger.replay();
    const [expiry] = generatedExpiries(state);
    expect(expiry).toBeDefined();
    if (expiry === undefined) return;
    expect(expiry.entry.kind).toBe('expiry');
    expect(expiry.entry.source).toBe('ledgerscope');
    expect(expiry.entry.status).toBe('posted');
    expect(expiry.entry.blockId).toBe('a');
    expect(expiry.entry.at).toBe(day(10));
    expectAmount(expiry.appliedAmount, '30');
    expect(effectsOf(expiry)).toEqual([['expire', 'a', '30']]);
    expectAmount(expiry.startingBalance, '30');
    expectAmount(expiry.endingBalance, '0');
    expectAmount(block(state, 'a').expired, '30');
    expect(block(state, 'a').expiredOut).toBe(true);
    checkAll(state, day(10));
  });

  it('L3 no expiry entry is generated for a block with nothing remaining', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '50', day(0), { expiresAt: day(10) });
    ledger.decrement('use', '50', day(1));
    const state = ledger.replay();
    expect(generatedExpiries(state)).toEqual([]);
    expect(blockStatus(block(state, 'a'), day(10))).toBe('expired');
    expectAmount(block(state, 'a').expired, '0');
  });

  it('L3 expiries, then activations, then entries at one instant', () => {
    const ledger = new LedgerBuilder();
    ledger.decrement('use', '10', day(0));
    ledger.increment('expiring', '30', day(1), { effectiveAt: day(1), expiresAt: day(10) });
    ledger.increment('activating', '50', day(2), { effectiveAt: day(10) });
    ledger.decrement('at-ten', '25', day(10));
    const state = ledger.replay();
    // 'expiring' repaid the 10 of deficit at day 1; 20 left expires at day 10, before 'at-ten' could use it.
    expectAmount(block(state, 'expiring').expired, '20');
    expect(effectsOf(replayed(state, 'at-ten'))).toEqual([['consume', 'activating', '25']]);
    expectAmount(block(state, 'activating').remaining, '25');
    expect(state.entries.map((entry) => entry.entry.kind)).toEqual(['decrement', 'increment', 'increment', 'expiry', 'decrement']);
  });

  it('L3 an imported expiry replaces the generated one and applies what remains, whatever amount it states', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '100', day(0), { expiresAt: day(10) });
    ledger.decrement('use', '30', day(1));
    ledger.expiry('orb-expiry', 'a', '100', day(10));
    const state = ledger.replay();
    expect(generatedExpiries(state)).toEqual([]);
    const expiry = replayed(state, 'orb-expiry');
    expectAmount(expiry.appliedAmount, '70');
    expect(effectsOf(expiry)).toEqual([['expire', 'a', '70']]);
    expectAmount(state.current, '0');
    expect(state.entries).toHaveLength(3);
    checkAll(state, day(10));
  });

  it('L3 an imported expiry stating less than what remains still removes all of it', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '100', day(0), { expiresAt: day(10) });
    ledger.expiry('orb-expiry', 'a', '5', day(10));
    const state = ledger.replay();
    expectAmount(replayed(state, 'orb-expiry').appliedAmount, '100');
    expectAmount(block(state, 'a').remaining, '0');
    expectAmount(state.current, '0');
  });

  it('L3 an expiry naming an unknown block is a LedgerRuleError', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '100', day(0), { expiresAt: day(10) });
    const bad = ledger.expiry('orb-expiry', 'nope', '100', day(10));
    const error = expectRuleError(() => ledger.replay());
    expect(error.entry).toBe(bad);
  });

  it('L3 credit that is not usable yet is not in the balance: scheduled until effective_at, then it repays the deficit and counts in current', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('A', '50', t('2025-01-01T00:00:00Z'));
    ledger.decrement('use', '80', t('2025-01-05T00:00:00Z'));
    ledger.increment('B', '100', t('2025-01-06T00:00:00Z'), { effectiveAt: t('2025-01-10T00:00:00Z') });
    const jan7 = ledger.replay({ asOf: t('2025-01-07T00:00:00Z') });
    expectAmount(jan7.current, '-30');
    expectAmount(jan7.deficit, '30');
    expectAmount(jan7.scheduled, '100');
    expectAmount(jan7.pending, '0');
    expectAmount(jan7.available, '-30');
    expectAmount(block(jan7, 'B').remaining, '100');
    expect(blockStatus(block(jan7, 'B'), jan7.asOf)).toBe('scheduled');
    checkAll(jan7, jan7.asOf);
    const jan10 = ledger.replay({ asOf: t('2025-01-10T06:00:00Z') });
    expectAmount(jan10.current, '70');
    expectAmount(jan10.deficit, '0');
    expectAmount(jan10.scheduled, '0');
    expectAmount(jan10.available, '70');
    expectAmount(block(jan10, 'B').remaining, '70');
    expectAmount(block(jan10, 'B').consumed, '30');
    expect(blockStatus(block(jan10, 'B'), jan10.asOf)).toBe('active');
    checkAll(jan10, jan10.asOf);
  });

  it('L3 a decrement before effective_at does not draw the scheduled block; one at effective_at does', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('B', '100', day(0), { effectiveAt: day(5) });
    ledger.decrement('early', '10', day(2));
    const before = ledger.replay({ asOf: day(3) });
    expectAmount(before.current, '-10');
    expectAmount(before.scheduled, '100');
    expectAmount(replayed(before, 'early').endingBalance, '90');
    const after = ledger.replay({ asOf: day(5) });
    expectAmount(after.current, '90');
    expectAmount(after.scheduled, '0');
    checkAll(after, day(5));
  });

  it('L3 a scheduled block expiration change keeps the credit scheduled in the new block', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('B', '100', day(0), { effectiveAt: day(5), expiresAt: day(20) });
    ledger.expirationChange('move', '40', day(1), { blockId: 'B', targetExpiresAt: day(30) });
    const before = ledger.replay({ asOf: day(2) });
    expectAmount(before.current, '0');
    expectAmount(before.scheduled, '100');
    checkAll(before, day(2));
    const after = ledger.replay({ asOf: day(6) });
    expectAmount(after.current, '100');
    expectAmount(after.scheduled, '0');
    checkAll(after, day(6));
  });
});

describe('L4 pending', () => {
  it('L4 a pending debit lowers available, not current (Moesif: 1000 with 250 pending → 750)', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('credit', '1000', day(0));
    ledger.decrement('debit', '250', day(1), { status: 'pending' });
    const state = ledger.replay();
    expectAmount(state.current, '1000');
    expectAmount(state.pending, '-250');
    expectAmount(state.available, '750');
    expectAmount(block(state, 'credit').remaining, '1000');
    const debit = replayed(state, 'debit');
    expectAmount(debit.startingBalance, '1000');
    expectAmount(debit.endingBalance, '1000');
    expectAmount(debit.pendingBalance, '-250');
    checkAll(state, day(1));
  });

  it('L4 a pending increment creates a pending_payment block that is not drawable and repays nothing', () => {
    const ledger = new LedgerBuilder();
    ledger.decrement('use', '30', day(0));
    ledger.increment('unpaid', '100', day(1), { status: 'pending' });
    ledger.decrement('more', '10', day(2));
    const state = ledger.replay();
    const unpaid = block(state, 'unpaid');
    expect(unpaid.pending).toBe(true);
    expectAmount(unpaid.remaining, '100');
    expect(blockStatus(unpaid, day(2))).toBe('pending_payment');
    expect(effectsOf(replayed(state, 'more'))).toEqual([['deficit', null, '10']]);
    expectAmount(state.current, '-40');
    expectAmount(state.deficit, '40');
    expectAmount(state.pending, '100');
    expectAmount(state.available, '60');
    checkAll(state, day(2));
  });

  it('L4 pending void and amendment move only the pending balance', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '100', day(0));
    ledger.decrement('use', '40', day(1));
    ledger.void('v', 'a', '10', day(2), { status: 'pending' });
    ledger.amendment('m', 'a', '5', day(3), { status: 'pending' });
    const state = ledger.replay();
    expectAmount(block(state, 'a').remaining, '60');
    expectAmount(block(state, 'a').voided, '0');
    expectAmount(block(state, 'a').amended, '0');
    expectAmount(state.pending, '-5');
    expectAmount(state.current, '60');
    expectAmount(state.available, '55');
    expect(state.entries.map((entry) => toCanonical(entry.pendingBalance))).toEqual(['0', '0', '-10', '-5']);
    for (const sourceId of ['v', 'm']) {
      const entry = replayed(state, sourceId);
      expect(toCanonical(entry.endingBalance)).toBe(toCanonical(entry.startingBalance));
    }
  });

  it('L4 a pending expiration change adds 0 to pending and touches no posted block', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '100', day(0), { expiresAt: day(10) });
    ledger.expirationChange('move', '30', day(1), { blockId: 'a', targetExpiresAt: day(20), status: 'pending' });
    const state = ledger.replay({ asOf: day(5) });
    expectAmount(state.pending, '0');
    expectAmount(block(state, 'a').remaining, '100');
    expectAmount(block(state, 'a').movedOut, '0');
    expect(state.blocks.filter((candidate) => !candidate.pending).map((candidate) => candidate.id)).toEqual(['a']);
  });

  // A posted entry naming a block still awaiting payment: the rules say nothing of its effect, but
  // I1 says current = Σ signed appliedAmount over posted entries, and L8 that the chain follows it.
  it('L4 a posted void of a pending block keeps I1 over posted entries (appliedAmount matches the balance change)', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('credit', '50', day(0));
    ledger.increment('unpaid', '100', day(1), { status: 'pending' });
    ledger.void('cancel', 'unpaid', '100', day(2));
    const state = ledger.replay();
    const cancel = replayed(state, 'cancel');
    expectAmount(state.current, '50');
    expectAmount(cancel.endingBalance.minus(cancel.startingBalance).negated(), toCanonical(cancel.appliedAmount));
    checkAll(state, day(2));
  });

  it('L4 a posted imported expiry of a pending block keeps I1 over posted entries', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('credit', '50', day(0));
    ledger.increment('unpaid', '100', day(1), { status: 'pending', expiresAt: day(5) });
    ledger.expiry('orb-expiry', 'unpaid', '100', day(5));
    const state = ledger.replay();
    const expiry = replayed(state, 'orb-expiry');
    expectAmount(state.current, '50');
    expectAmount(expiry.endingBalance.minus(expiry.startingBalance).negated(), toCanonical(expiry.appliedAmount));
    checkAll(state, day(5));
  });

  it('L4 a pending block that expires leaves the pending balance', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('unpaid', '100', day(1), { status: 'pending', expiresAt: day(5) });
    const state = ledger.replay();
    expectAmount(state.pending, '0');
    expectAmount(state.current, '0');
    checkAll(state, day(5));
  });

  it('L4 pending entries keep the posted chain intact and take their place in the sequence', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '100', day(0));
    ledger.increment('p', '40', day(1), { status: 'pending' });
    ledger.decrement('use', '30', day(2));
    const state = ledger.replay();
    expect(state.entries.map((entry) => [entry.sequence, toCanonical(entry.startingBalance), toCanonical(entry.endingBalance)])).toEqual([
      [1, '0', '100'],
      [2, '100', '100'],
      [3, '100', '70'],
    ]);
    expectAmount(state.available, '110');
  });
});

describe('L5 identity', () => {
  // Import-time idempotency and conflicts (same id, same or different content) belong to core/store;
  // the engine's part of L5 is that blocks are named by source ids and entries keep them.
  it('L5 an increment creates a block named by its sourceId unless it names one', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('entry-1', '10', day(0));
    ledger.increment('entry-2', '10', day(0), { blockId: 'block-2' });
    const state = ledger.replay();
    expect(state.blocks.map((candidate) => [candidate.id, candidate.createdBy])).toEqual([
      ['entry-1', 'entry-1'],
      ['block-2', 'entry-2'],
    ]);
  });

  it('L5 void, amendment and expiration change find a block by its explicit id', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('entry-2', '100', day(0), { blockId: 'block-2' });
    ledger.decrement('use', '30', day(1));
    ledger.amendment('m', 'block-2', '10', day(2));
    ledger.void('v', 'block-2', '20', day(3));
    ledger.expirationChange('move', '5', day(4), { blockId: 'block-2', targetExpiresAt: day(40) });
    const state = ledger.replay({ asOf: day(5) });
    expectAmount(block(state, 'block-2').remaining, '55');
    expectAmount(block(state, 'move').remaining, '5');
  });

  it('L5 replayed entries keep the source and source id; the input is not mutated', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '100', day(0), { expiresAt: day(3) });
    ledger.decrement('use', '30', day(1));
    ledger.void('refund', 'a', '10', day(2), { voidReason: 'refund' });
    const before = JSON.stringify(ledger.entries);
    const state = replayAccount(ACCOUNT, ledger.entries);
    expect(JSON.stringify(ledger.entries)).toBe(before);
    expect(state.entries.filter((entry) => !entry.generated).map((entry) => [entry.entry.source, entry.entry.sourceId])).toEqual([
      ['orb', 'a'],
      ['orb', 'use'],
      ['orb', 'refund'],
    ]);
    expect(replayed(state, 'refund').entry.voidReason).toBe('refund');
    expect(state.key).toEqual(ACCOUNT);
  });

  it('L5 a void naming an unknown block is a LedgerRuleError naming the entry and field', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '100', day(0));
    const bad = ledger.void('v', 'nope', '10', day(1));
    const error = expectRuleError(() => ledger.replay());
    expect(error.entry).toBe(bad);
    // The field is named as the source formats name it (block_id); either spelling points the user at it.
    expect(error.field).toMatch(/^block_?id$/i);
    expect(error.rule).toMatch(/^L\d$/);
  });

  it('L5 an amendment naming an unknown block is a LedgerRuleError', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '100', day(0));
    const bad = ledger.amendment('m', 'nope', '10', day(1));
    const error = expectRuleError(() => ledger.replay());
    expect(error.entry).toBe(bad);
    expect(error.field).toMatch(/^block_?id$/i);
  });

  it('L5 two increments creating the same block id are a LedgerRuleError', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('first', '100', day(0), { blockId: 'shared' });
    const bad = ledger.increment('second', '50', day(1), { blockId: 'shared' });
    expect(expectRuleError(() => ledger.replay()).entry).toBe(bad);
  });

  it('L5 a block cannot be named before the entry that creates it', () => {
    const ledger = new LedgerBuilder();
    const bad = ledger.void('v', 'a', '10', day(0));
    ledger.increment('a', '100', day(1));
    const error = expectRuleError(() => ledger.replay());
    expect(error.entry).toBe(bad);
  });
});

describe('L6 void and amendment', () => {
  it('L6 a void removes up to its amount from the named block', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '100', day(0));
    ledger.void('v', 'a', '40', day(1));
    const state = ledger.replay();
    expect(effectsOf(replayed(state, 'v'))).toEqual([['void', 'a', '40']]);
    expectAmount(replayed(state, 'v').appliedAmount, '40');
    expectAmount(block(state, 'a').remaining, '60');
    expectAmount(block(state, 'a').voided, '40');
    expect(block(state, 'a').voidedOut).toBe(false);
    expect(blockStatus(block(state, 'a'), day(1))).toBe('active');
    expectAmount(state.current, '60');
  });

  it('L6 a void of everything remaining leaves the block voided', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '100', day(0));
    ledger.decrement('use', '30', day(1));
    ledger.void('v', 'a', '70', day(2), { voidReason: 'refund' });
    const state = ledger.replay();
    expect(block(state, 'a').voidedOut).toBe(true);
    expect(blockStatus(block(state, 'a'), day(2))).toBe('voided');
    expectAmount(state.current, '0');
    checkAll(state, day(2));
  });

  it('L6 a void beyond the block remaining draws the excess from other active blocks in L1 order', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '100', day(0), { costBasis: '0' });
    ledger.increment('b', '50', day(0), { costBasis: '1' });
    ledger.increment('c', '50', day(0), { costBasis: '2' });
    ledger.decrement('use', '80', day(1));
    ledger.void('refund', 'a', '60', day(2), { voidReason: 'refund' });
    const state = ledger.replay();
    expect(effectsOf(replayed(state, 'refund'))).toEqual([
      ['void', 'a', '20'],
      ['void', 'b', '40'],
    ]);
    expectAmount(replayed(state, 'refund').appliedAmount, '60');
    expectAmount(block(state, 'b').remaining, '10');
    expectAmount(block(state, 'c').remaining, '50');
    expectAmount(state.current, '60');
    expectAmount(state.deficit, '0');
    checkAll(state, day(2));
  });

  it('L6 void excess beyond every active block becomes deficit', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '100', day(0));
    ledger.decrement('use', '90', day(1));
    ledger.void('refund', 'a', '50', day(2));
    const state = ledger.replay();
    expect(effectsOf(replayed(state, 'refund'))).toEqual([
      ['void', 'a', '10'],
      ['deficit', null, '40'],
    ]);
    expectAmount(state.current, '-40');
    expectAmount(state.deficit, '40');
    checkAll(state, day(2));
  });

  it('L6 void excess skips scheduled and pending blocks', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '10', day(0));
    ledger.increment('later', '100', day(0), { effectiveAt: day(9) });
    ledger.increment('unpaid', '100', day(0), { status: 'pending' });
    ledger.void('refund', 'a', '25', day(1));
    const state = ledger.replay({ asOf: day(2) });
    expect(effectsOf(replayed(state, 'refund'))).toEqual([
      ['void', 'a', '10'],
      ['deficit', null, '15'],
    ]);
    expectAmount(block(state, 'later').remaining, '100');
    // L3: the scheduled block is not in current.
    expectAmount(state.current, '-15');
    expectAmount(state.scheduled, '100');
  });

  it('L6 a void of a scheduled block removes its credit before it activates', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('later', '100', day(0), { effectiveAt: day(9) });
    ledger.void('v', 'later', '30', day(1));
    const state = ledger.replay({ asOf: day(2) });
    expectAmount(block(state, 'later').remaining, '70');
    expectAmount(state.current, '0');
    expectAmount(state.scheduled, '70');
    expect(blockStatus(block(state, 'later'), day(2))).toBe('scheduled');
    checkAll(state, day(2));
  });

  it('L6 a void after the block expired takes the whole amount from the other blocks', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '100', day(0), { expiresAt: day(5) });
    ledger.increment('b', '100', day(0));
    ledger.decrement('use', '30', day(1));
    ledger.void('refund', 'a', '50', day(6));
    const state = ledger.replay();
    expectAmount(block(state, 'a').expired, '70');
    expect(effectsOf(replayed(state, 'refund'))).toEqual([['void', 'b', '50']]);
    expectAmount(state.current, '50');
    checkAll(state, day(6));
  });

  it('L6 an amendment returns consumed credit, capped at initial − remaining', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '100', day(0));
    ledger.decrement('use', '30', day(1));
    ledger.amendment('m', 'a', '50', day(2));
    const state = ledger.replay();
    expectAmount(replayed(state, 'm').appliedAmount, '30');
    expect(effectsOf(replayed(state, 'm'))).toEqual([['amend', 'a', '30']]);
    expectAmount(block(state, 'a').remaining, '100');
    expectAmount(block(state, 'a').amended, '30');
    expectAmount(state.current, '100');
    checkAll(state, day(2));
  });

  it('L6 an amendment to a full block applies nothing', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '100', day(0));
    ledger.amendment('m', 'a', '10', day(1));
    const state = ledger.replay();
    expectAmount(replayed(state, 'm').appliedAmount, '0');
    expect(replayed(state, 'm').effects).toEqual([]);
    expectAmount(state.current, '100');
  });

  it('L6 an amendment repays the deficit first while the block is drawable', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '100', day(0));
    ledger.decrement('use', '130', day(1));
    ledger.amendment('m', 'a', '50', day(2));
    const state = ledger.replay();
    const amendment = replayed(state, 'm');
    expectAmount(amendment.appliedAmount, '50');
    expect(amendment.effects.some((effect) => effect.type === 'repay' && toCanonical(effect.amount) === '30')).toBe(true);
    expectAmount(block(state, 'a').remaining, '20');
    expectAmount(state.deficit, '0');
    expectAmount(state.current, '20');
    expectAmount(amendment.startingBalance, '-30');
    expectAmount(amendment.endingBalance, '20');
    checkAll(state, day(2));
  });

  it('L6 an amendment of a scheduled block waits for activation to repay the deficit', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('later', '100', day(0), { effectiveAt: day(5) });
    ledger.void('v', 'later', '40', day(1));
    ledger.decrement('use', '30', day(2));
    ledger.amendment('m', 'later', '40', day(3));
    const before = ledger.replay({ asOf: day(4) });
    expectAmount(block(before, 'later').remaining, '100');
    expectAmount(before.deficit, '30');
    expectAmount(before.current, '-30');
    expectAmount(before.scheduled, '100');
    const after = ledger.replay({ asOf: day(5) });
    expectAmount(block(after, 'later').remaining, '70');
    expectAmount(after.deficit, '0');
    expectAmount(after.current, '70');
  });

  it('L6 an amendment after a void-out makes the block active again', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '100', day(0));
    ledger.void('v', 'a', '100', day(1));
    ledger.amendment('m', 'a', '25', day(2));
    const state = ledger.replay();
    expectAmount(block(state, 'a').remaining, '25');
    expect(blockStatus(block(state, 'a'), day(2))).toBe('active');
    checkAll(state, day(2));
  });
});

describe('L7 expiration change', () => {
  it('L7 moves the amount into a new block with the target expiry, same cost, priority and effective_at', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '100', day(0), { effectiveAt: day(1), expiresAt: day(10), costBasis: '0.2', priority: 2 });
    ledger.expirationChange('move', '25', day(2), { blockId: 'a', targetExpiresAt: day(30) });
    const state = ledger.replay({ asOf: day(3) });
    const moved = block(state, 'move');
    expectAmount(moved.initial, '25');
    expectAmount(moved.remaining, '25');
    expect(moved.expiresAt).toBe(day(30));
    expect(moved.effectiveAt).toBe(day(1));
    expect(moved.priority).toBe(2);
    expect(moved.costBasis?.toFixed()).toBe('0.2');
    expect(moved.createdBy).toBe('move');
    expectAmount(block(state, 'a').remaining, '75');
    expectAmount(block(state, 'a').movedOut, '25');
    const change = replayed(state, 'move');
    expectAmount(change.startingBalance, '100');
    expectAmount(change.endingBalance, '100');
    expect(effectsOf(change)).toEqual(expect.arrayContaining([
      ['move_out', 'a', '25'],
      ['move_in', 'move', '25'],
    ]));
    expect(moved.createdSequence).toBe(change.sequence);
    checkAll(state, day(3));
  });

  it('L7 the source block may be identified by its expiry date', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '100', day(0), { expiresAt: day(10) });
    ledger.increment('b', '100', day(0), { expiresAt: day(20) });
    ledger.expirationChange('move', '10', day(1), { sourceExpiresAt: day(20), targetExpiresAt: day(40) });
    const state = ledger.replay({ asOf: day(2) });
    expectAmount(block(state, 'a').remaining, '100');
    expectAmount(block(state, 'b').remaining, '90');
    expectAmount(block(state, 'move').remaining, '10');
  });

  it('L7 an expiry date shared by several blocks identifies the one L1 would draw first', () => {
    // DESIGN is silent on ties; replay.ts documents "the block with that expiry that L1 would draw first".
    const ledger = new LedgerBuilder();
    ledger.increment('paid', '100', day(0), { expiresAt: day(10), costBasis: '5' });
    ledger.increment('free', '100', day(0), { expiresAt: day(10), costBasis: '0' });
    ledger.expirationChange('move', '10', day(1), { sourceExpiresAt: day(10), targetExpiresAt: day(40) });
    const state = ledger.replay({ asOf: day(2) });
    expectAmount(block(state, 'free').remaining, '90');
    expectAmount(block(state, 'paid').remaining, '100');
  });

  it('L7 the whole remaining may move, and to no expiry at all', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '100', day(0), { expiresAt: day(10) });
    ledger.decrement('use', '40', day(1));
    ledger.expirationChange('move', '60', day(2), { blockId: 'a', targetExpiresAt: null });
    const state = ledger.replay();
    expect(generatedExpiries(state)).toEqual([]);
    expectAmount(block(state, 'move').remaining, '60');
    expect(block(state, 'move').expiresAt).toBeNull();
    expectAmount(state.current, '60');
  });

  it('L7 the moved block draws in L1 order under its new expiry', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '100', day(0), { expiresAt: day(20) });
    ledger.expirationChange('sooner', '10', day(1), { blockId: 'a', targetExpiresAt: day(5) });
    ledger.decrement('use', '15', day(2));
    const state = ledger.replay({ asOf: day(3) });
    expect(effectsOf(replayed(state, 'use'))).toEqual([
      ['consume', 'sooner', '10'],
      ['consume', 'a', '5'],
    ]);
  });

  it('L7 an expiration change larger than its block remaining is a LedgerRuleError', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '100', day(0), { expiresAt: day(10) });
    ledger.decrement('use', '95', day(1));
    const bad = ledger.expirationChange('move', '10', day(2), { blockId: 'a', targetExpiresAt: day(20) });
    const error = expectRuleError(() => ledger.replay());
    expect(error.rule).toBe('L7');
    expect(error.entry).toBe(bad);
    expect(error.field).toBe('amount');
  });

  it('L7 an expiration change naming no block is a LedgerRuleError', () => {
    const byId = new LedgerBuilder();
    byId.increment('a', '100', day(0), { expiresAt: day(10) });
    byId.expirationChange('move', '10', day(1), { blockId: 'nope', targetExpiresAt: day(20) });
    expect(expectRuleError(() => byId.replay()).rule).toBe('L7');

    const byDate = new LedgerBuilder();
    byDate.increment('a', '100', day(0), { expiresAt: day(10) });
    const bad = byDate.expirationChange('move', '10', day(1), { sourceExpiresAt: day(11), targetExpiresAt: day(20) });
    const error = expectRuleError(() => byDate.replay());
    expect(error.rule).toBe('L7');
    expect(error.entry).toBe(bad);
  });

  it('L7 an expiration change of an expired block is a LedgerRuleError', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '100', day(0), { expiresAt: day(10) });
    ledger.expirationChange('late', '10', day(11), { blockId: 'a', targetExpiresAt: day(20) });
    expect(expectRuleError(() => ledger.replay()).rule).toBe('L7');
  });
});

describe('L8 sequence', () => {
  it('L8 sequence is gap-free from 1 in (at, ordinal) order whatever the input order, generated expiries included', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '50', day(0), { expiresAt: day(3) });
    ledger.increment('b', '50', day(1));
    ledger.decrement('use', '10', day(2));
    ledger.decrement('after', '10', day(4));
    const state = replayAccount(ACCOUNT, [...ledger.entries].reverse());
    expect(state.entries.map((entry) => [entry.sequence, entry.generated ? 'expiry' : entry.entry.sourceId])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'use'],
      [4, 'expiry'],
      [5, 'after'],
    ]);
    checkAll(state, day(4));
  });

  it('L8 entries at one instant replay by ordinal, not input order', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '10', day(0));
    ledger.decrement('first', '15', day(1));
    ledger.increment('b', '10', day(1));
    const state = replayAccount(ACCOUNT, [...ledger.entries].reverse());
    expect(effectsOf(replayed(state, 'first'))).toEqual([
      ['consume', 'a', '10'],
      ['deficit', null, '5'],
    ]);
    expect(effectsOf(replayed(state, 'b'))).toContainEqual(['repay', 'b', '5']);
  });

  it('L8 starting and ending balances chain from 0 to the current balance', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '50', day(0), { expiresAt: day(5) });
    ledger.decrement('use', '70', day(1));
    ledger.increment('b', '100', day(2));
    ledger.void('v', 'b', '10', day(3));
    ledger.decrement('p', '5', day(3), { status: 'pending' });
    const state = ledger.replay();
    expect(state.entries.map((entry) => [toCanonical(entry.startingBalance), toCanonical(entry.endingBalance)])).toEqual([
      ['0', '50'],
      ['50', '-20'],
      ['-20', '80'],
      ['80', '70'],
      ['70', '70'],
    ]);
    expectAmount(state.current, '70');
    checkAll(state, day(5));
  });
});

describe('L9 as-of', () => {
  it('L9 as of an instant before an expiry the block is active; from the expiry on it is expired', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '50', day(0), { expiresAt: day(10) });
    const before = ledger.replay({ asOf: day(10) - 1 });
    expectAmount(before.current, '50');
    expect(blockStatus(block(before, 'a'), day(10) - 1)).toBe('active');
    expect(generatedExpiries(before)).toEqual([]);
    const at = ledger.replay({ asOf: day(10) });
    expectAmount(at.current, '0');
    expect(blockStatus(block(at, 'a'), day(10))).toBe('expired');
    expect(at.asOf).toBe(day(10));
  });

  it('L9 entries at exactly asOf are applied, later ones are not', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '50', day(0));
    ledger.decrement('use', '20', day(3));
    expectAmount(ledger.replay({ asOf: day(3) - 1 }).current, '50');
    expectAmount(ledger.replay({ asOf: day(3) }).current, '30');
    expect(ledger.replay({ asOf: day(0) - 1 }).blocks).toEqual([]);
  });

  it('L9 without asOf every entry and every future expiry is applied', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '50', t('2099-01-01'), { expiresAt: t('2100-01-01') });
    const state = ledger.replay();
    expect(generatedExpiries(state)).toHaveLength(1);
    expectAmount(state.current, '0');
  });

  it('L9 block statuses as of an instant: scheduled, active, depleted, expired, voided, pending_payment', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('scheduled', '10', day(0), { effectiveAt: day(9) });
    ledger.increment('active', '10', day(0), { priority: 9 });
    ledger.increment('depleted', '10', day(0), { priority: 1 });
    ledger.increment('expired', '10', day(0), { expiresAt: day(2), priority: 5 });
    ledger.increment('voided', '10', day(0), { priority: 6 });
    ledger.increment('unpaid', '10', day(0), { status: 'pending' });
    ledger.decrement('use', '10', day(1));
    ledger.void('v', 'voided', '10', day(1));
    const asOf = day(3);
    const state = ledger.replay({ asOf });
    expect(Object.fromEntries(state.blocks.map((candidate) => [candidate.id, blockStatus(candidate, asOf)]))).toEqual({
      scheduled: 'scheduled',
      active: 'active',
      depleted: 'depleted',
      expired: 'expired',
      voided: 'voided',
      unpaid: 'pending_payment',
    });
  });

  it('L9 a block that expired after being used up is expired, not depleted', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '10', day(0), { expiresAt: day(2) });
    ledger.decrement('use', '10', day(1));
    const state = ledger.replay({ asOf: day(2) });
    expect(blockStatus(block(state, 'a'), day(2))).toBe('expired');
    expect(blockStatus(block(state, 'a'), day(1))).toBe('depleted');
  });

  it('L9 an as-of replay equals the prefix of the full replay', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('a', '50', day(0), { expiresAt: day(2) });
    ledger.decrement('use', '70', day(1));
    ledger.increment('b', '100', day(3), { effectiveAt: day(4) });
    const full = ledger.replay();
    for (const asOf of [day(0), day(1), day(2), day(3), day(4)]) {
      const state = ledger.replay({ asOf });
      expect(JSON.stringify(state.entries)).toBe(JSON.stringify(full.entries.filter((entry) => entry.entry.at <= asOf)));
    }
  });
});

describe('DESIGN §4 worked examples', () => {
  it('worked example 1: A 50 (expires in 14 days, cost 0) and B 100 (no expiry, cost 5); decrement 70 → A 50→0, B 100→80, balance 150 → 80', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('A', '50', day(0), { expiresAt: day(14), costBasis: '0' });
    ledger.increment('B', '100', day(0), { costBasis: '5' });
    ledger.decrement('use', '70', day(1));
    const state = ledger.replay({ asOf: day(1) });
    const decrement = replayed(state, 'use');
    expect(effectsOf(decrement)).toEqual([
      ['consume', 'A', '50'],
      ['consume', 'B', '20'],
    ]);
    expectAmount(decrement.startingBalance, '150');
    expectAmount(decrement.endingBalance, '80');
    expectAmount(block(state, 'A').remaining, '0');
    expectAmount(block(state, 'B').remaining, '80');
    expectAmount(state.current, '80');
    checkAll(state, day(1));
  });

  it('worked example 2: two blocks with the same expiry, cost 0 and cost 5; decrement 10 → the cost-0 block pays', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('cost-5', '100', day(0), { expiresAt: day(30), costBasis: '5' });
    ledger.increment('cost-0', '100', day(0), { expiresAt: day(30), costBasis: '0' });
    ledger.decrement('use', '10', day(1));
    const state = ledger.replay({ asOf: day(1) });
    expect(effectsOf(replayed(state, 'use'))).toEqual([['consume', 'cost-0', '10']]);
    expectAmount(block(state, 'cost-0').remaining, '90');
    expectAmount(block(state, 'cost-5').remaining, '100');
  });

  it('worked example 3: increment 100 at cost 0.20 expiring 2022-12-28; expiration_change 10 to 2023-12-28 → blocks 90 and 10; at 2022-12-28 an expiry of 90 → balance 10', () => {
    const ledger = new LedgerBuilder();
    ledger.increment('grant', '100', t('2022-06-01'), { expiresAt: t('2022-12-28'), costBasis: '0.20' });
    ledger.expirationChange('extend', '10', t('2022-07-01'), { blockId: 'grant', targetExpiresAt: t('2023-12-28') });
    const before = ledger.replay({ asOf: t('2022-12-28') - 1 });
    expectAmount(block(before, 'grant').remaining, '90');
    expectAmount(block(before, 'extend').remaining, '10');
    expectAmount(before.current, '100');
    const state = ledger.replay({ asOf: t('2022-12-28') });
    const expiries = generatedExpiries(state);
    expect(expiries.map((entry) => [entry.entry.blockId, toCanonical(entry.appliedAmount), entry.entry.at])).toEqual([
      ['grant', '90', t('2022-12-28')],
    ]);
    expectAmount(state.current, '10');
    expectAmount(block(state, 'extend').remaining, '10');
    expect(block(state, 'extend').costBasis?.toFixed()).toBe('0.2');
    checkAll(state, t('2022-12-28'));
  });

  it('worked example 4: balance 0; decrement 30 → −30 (deficit 30); increment 100 → balance 70, new block remaining 70', () => {
    const ledger = new LedgerBuilder();
    ledger.decrement('use', '30', day(0));
    ledger.increment('topup', '100', day(1));
    const afterDecrement = ledger.replay({ asOf: day(0) });
    expectAmount(afterDecrement.current, '-30');
    expectAmount(afterDecrement.deficit, '30');
    const state = ledger.replay();
    expectAmount(state.current, '70');
    expectAmount(state.deficit, '0');
    expectAmount(block(state, 'topup').remaining, '70');
    checkAll(state, day(1));
  });

  it('worked example 5: Moesif credit $100 expiring at T; usage $4 before T; at T the expiry removes $96 → balance 0', () => {
    const ledger = new LedgerBuilder({ customerId: 'moesif-co', subscriptionId: null, unit: 'USD' });
    const T = t('2025-03-01T00:00:00Z');
    ledger.increment('credit', '100', T - 10 * DAY_MS, { expiresAt: T });
    ledger.decrement('usage', '4', T - DAY_MS);
    const state = ledger.replay({ asOf: T });
    expect(generatedExpiries(state).map((entry) => [entry.entry.at, toCanonical(entry.appliedAmount)])).toEqual([[T, '96']]);
    expectAmount(state.current, '0');
    checkAll(state, T);
  });
});
