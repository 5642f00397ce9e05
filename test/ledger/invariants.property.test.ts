// I1–I4 (DESIGN §4) over random operation sequences, and the engine against the reference model.
// Seeded: LEDGER_SEED=<n> replays a run; LEDGER_PATH=<path> (printed on failure) jumps to the shrunk case.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, ZERO, toCanonical } from '../../core/money/decimal.js';
import type { Instant } from '../../core/time/instant.js';
import { replayAccount } from '../../core/ledger/replay.js';
import { blockStatus } from '../../core/ledger/status.js';
import { LedgerRuleError, type AccountKey, type AccountState, type LedgerEntry } from '../../core/ledger/types.js';
import { checkAll } from './invariant-checks.js';
import { RefRuleError, refBlockStatus, referenceReplay, type RefState } from './reference-model.js';
import { STEP_MS, START_AT, describeEntries, randomAccounts, shuffled, type RandomAccount } from './random-ledger.js';

const DEFAULT_SEED = 20_251_123;

function seedFromEnv(): number {
  const text = process.env['LEDGER_SEED'];
  if (text === undefined || text === '') return DEFAULT_SEED;
  if (!/^-?\d+$/.test(text)) throw new Error(`LEDGER_SEED must be an integer, found ${JSON.stringify(text)}`);
  return Number(text);
}

const SEED = seedFromEnv();
const PATH = process.env['LEDGER_PATH'] || undefined;
const SHRINK_LIMIT_MS = 30_000;
/** Passing runs take a second or two; a failing one may shrink for SHRINK_LIMIT_MS. */
const PROPERTY_TIMEOUT_MS = SHRINK_LIMIT_MS + 30_000;
console.info(`ledger properties: seed ${SEED}${PATH === undefined ? '' : `, path ${PATH}`} (LEDGER_SEED=${SEED} npx vitest run test/ledger)`);

/** fc.check with our seed; a failure message leads with the command that replays it. */
function holds<T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => void, numRuns: number): void {
  const details = fc.check(fc.property(arbitrary, predicate), {
    seed: SEED,
    numRuns,
    verbose: true,
    // Shrinking a long failing sequence can take minutes; report the best counterexample found by then.
    interruptAfterTimeLimit: SHRINK_LIMIT_MS,
    ...(PATH === undefined ? {} : { path: PATH }),
  });
  if (details.failed) {
    const replay = `LEDGER_SEED=${details.seed} LEDGER_PATH=${details.counterexamplePath ?? ''} npx vitest run test/ledger`;
    const cut = details.interrupted ? ` Shrinking stopped after ${SHRINK_LIMIT_MS / 1000} s: the counterexample may not be minimal; run the replay command to shrink further from it.` : '';
    const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(
      `${cause}\n\nProperty failed (seed ${details.seed}, path ${details.counterexamplePath ?? '?'}). Replay: ${replay}${cut}\n` +
        (fc.defaultReportMessage(details) ?? ''),
    );
  }
}

/** Runs the checks for one account; a failure names the entries (hours from START_AT) that produced it. */
function forEachAccount(accounts: readonly RandomAccount[], check: (account: RandomAccount) => void): void {
  for (const account of accounts) {
    try {
      check(account);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`${message}\naccount ${account.key.customerId} entries:\n${describeEntries(account.entries)}`, { cause: error });
    }
  }
}

function replay(key: AccountKey, entries: readonly LedgerEntry[], asOf?: Instant, checkEveryStep = false): AccountState {
  return replayAccount(key, entries, asOf === undefined ? { checkEveryStep } : { asOf, checkEveryStep });
}

/** The last instant anything happens: entries, expiries, activations. */
function lastInstant(state: AccountState): Instant {
  let last = START_AT;
  for (const replayed of state.entries) last = Math.max(last, replayed.entry.at);
  for (const block of state.blocks) last = Math.max(last, block.effectiveAt, block.expiresAt ?? last);
  return last;
}

/** Instants worth asking about: every entry, expiry and activation instant, the gaps between, and before all. */
function probeInstants(full: AccountState): Instant[] {
  const instants = new Set<Instant>([START_AT - 1]);
  for (const replayed of full.entries) instants.add(replayed.entry.at);
  for (const block of full.blocks) {
    instants.add(block.effectiveAt);
    if (block.expiresAt !== null) instants.add(block.expiresAt);
  }
  for (const at of [...instants]) {
    instants.add(at - 1);
    instants.add(at + STEP_MS / 2);
  }
  return [...instants].sort((a, b) => a - b);
}

function expectSame(label: string, actual: Decimal, expected: Decimal): void {
  if (!actual.eq(expected)) throw new Error(`${label}: engine ${toCanonical(actual)}, reference ${toCanonical(expected)}`);
}

/** Engine vs reference: balances, each block's amounts (and status as of `asOf`), each entry's balances. */
function compareWithReference(state: AccountState, reference: RefState, asOf: Instant | null): void {
  const where = asOf === null ? 'full replay' : `as of ${(asOf - START_AT) / STEP_MS}h`;
  expectSame(`${where}: current`, state.current, reference.current);
  expectSame(`${where}: deficit`, state.deficit, reference.deficit);
  expectSame(`${where}: pending`, state.pending, reference.pending);
  expectSame(`${where}: available`, state.available, reference.available);
  expectSame(`${where}: scheduled`, state.scheduled, reference.scheduled);
  const engineIds = state.blocks.map((block) => block.id).join(',');
  const referenceIds = reference.blocks.map((block) => block.id).join(',');
  if (engineIds !== referenceIds) throw new Error(`${where}: blocks [${engineIds}], reference [${referenceIds}]`);
  state.blocks.forEach((block, index) => {
    const expected = reference.blocks[index];
    if (expected === undefined) return;
    expectSame(`${where}: block ${block.id} remaining`, block.remaining, expected.remaining);
    expectSame(`${where}: block ${block.id} initial`, block.initial, expected.initial);
    expectSame(`${where}: block ${block.id} expired`, block.expired, expected.expired);
    expectSame(`${where}: block ${block.id} movedOut`, block.movedOut, expected.movedOut);
    expectSame(`${where}: block ${block.id} consumed`, block.consumed, expected.consumed);
    if (block.pending !== expected.pending) throw new Error(`${where}: block ${block.id} pending ${block.pending}, reference ${expected.pending}`);
    if (block.effectiveAt !== expected.effectiveAt || block.expiresAt !== expected.expiresAt) {
      throw new Error(`${where}: block ${block.id} window ${block.effectiveAt}..${block.expiresAt}, reference ${expected.effectiveAt}..${expected.expiresAt}`);
    }
    if (asOf !== null && expected.statusCertain) {
      const status = blockStatus(block, asOf);
      const referenceStatus = refBlockStatus(expected, asOf);
      if (status !== referenceStatus) throw new Error(`${where}: block ${block.id} status ${status}, reference ${referenceStatus}`);
    }
  });
  if (state.entries.length !== reference.entries.length) {
    throw new Error(`${where}: ${state.entries.length} replayed entries, reference ${reference.entries.length}`);
  }
  // Expiries at one instant: their relative order is open, so compare them as a set per instant.
  const expiriesOf = (list: Array<{ at: Instant; key: string }>): string =>
    list.map(({ at, key }) => `${at}:${key}`).sort().join('|');
  const engineExpiries: Array<{ at: Instant; key: string }> = [];
  const referenceExpiries: Array<{ at: Instant; key: string }> = [];
  state.entries.forEach((replayed, index) => {
    const expected = reference.entries[index];
    if (expected === undefined) return;
    if (replayed.entry.kind === 'expiry' || expected.kind === 'expiry') {
      engineExpiries.push({ at: replayed.entry.at, key: `${replayed.entry.kind}:${replayed.entry.blockId}:${toCanonical(replayed.appliedAmount)}:${replayed.generated}` });
      referenceExpiries.push({ at: expected.at, key: `${expected.kind}:${expected.blockId}:${toCanonical(expected.appliedAmount)}:${expected.source === null}` });
      return;
    }
    const label = `${where}: #${replayed.sequence} ${replayed.entry.kind} ${replayed.entry.sourceId}`;
    if (expected.source?.sourceId !== replayed.entry.sourceId || expected.sequence !== replayed.sequence) {
      throw new Error(`${label}: reference has #${expected.sequence} ${expected.kind} ${expected.source?.sourceId ?? '(generated)'} here`);
    }
    expectSame(`${label} startingBalance`, replayed.startingBalance, expected.startingBalance);
    expectSame(`${label} endingBalance`, replayed.endingBalance, expected.endingBalance);
    expectSame(`${label} pendingBalance`, replayed.pendingBalance, expected.pendingBalance);
    if (replayed.entry.status === 'posted') expectSame(`${label} appliedAmount`, replayed.appliedAmount, expected.appliedAmount);
  });
  const engineWarnings = state.allocationWarnings.map((warning) => `${warning.entry.sourceId}:${warning.reason}`).join(',');
  const referenceWarnings = reference.allocationWarnings.join(',');
  if (engineWarnings !== referenceWarnings) throw new Error(`${where}: L1b warnings [${engineWarnings}], reference [${referenceWarnings}]`);
  const engineSet = expiriesOf(engineExpiries);
  const referenceSet = expiriesOf(referenceExpiries);
  if (engineSet !== referenceSet) throw new Error(`${where}: expiries ${engineSet}, reference ${referenceSet}`);
}

describe('ledger invariants over random operation sequences (DESIGN §4)', () => {
  it('I1 conservation holds per block and per account, recomputed from blocks and from entries', () => {
    holds(randomAccounts(30), (accounts) => {
      forEachAccount(accounts, ({ key, entries }) => {
        const full = replay(key, entries, undefined, true);
        checkAll(full, lastInstant(full));
        for (const asOf of probeInstants(full)) checkAll(replay(key, entries, asOf), asOf);
      });
    }, 200);
  }, PROPERTY_TIMEOUT_MS);

  it('I2 0 ≤ remaining ≤ initial, deficit ≥ 0, and a deficit only while no block is drawable', () => {
    holds(randomAccounts(30), (accounts) => {
      forEachAccount(accounts, ({ key, entries }) => {
        for (const asOf of probeInstants(replay(key, entries))) {
          const state = replay(key, entries, asOf);
          expect(state.deficit.gte(ZERO)).toBe(true);
          for (const block of state.blocks) {
            if (block.remaining.lt(ZERO) || block.remaining.gt(block.initial)) {
              throw new Error(`I2 block ${block.id}: remaining ${toCanonical(block.remaining)} outside [0, ${toCanonical(block.initial)}]`);
            }
          }
          checkAll(state, asOf);
        }
      });
    }, 200);
  }, PROPERTY_TIMEOUT_MS);

  it('I3 replaying the same entries gives the same state byte for byte, in any input order', () => {
    holds(randomAccounts(30), (accounts) => {
      forEachAccount(accounts, ({ key, entries, shuffleSeed }) => {
        const first = JSON.stringify(replay(key, entries));
        const second = JSON.stringify(replay(key, entries));
        if (first !== second) throw new Error('I3: two replays of the same input differ');
        // Ordinals are distinct, so (at, ordinal) fixes the order whatever the input order.
        const fromShuffled = JSON.stringify(replay(key, shuffled(entries, shuffleSeed)));
        if (first !== fromShuffled) throw new Error(`I3: shuffled input (seed ${shuffleSeed}) gives a different state`);
        const reversed = JSON.stringify(replay(key, [...entries].reverse()));
        if (first !== reversed) throw new Error('I3: reversed input gives a different state');
        // Balance queries replay without per-entry records: the balances and blocks must not change.
        const { entries: _kept, ...withEntries } = replay(key, entries);
        const { entries: none, ...withoutEntries } = replayAccount(key, entries, { keepEntries: false });
        if (none.length !== 0) throw new Error('keepEntries false still recorded entries');
        if (JSON.stringify(withEntries) !== JSON.stringify(withoutEntries)) {
          throw new Error('I3: replaying without per-entry records gives different balances or blocks');
        }
      });
    }, 200);
  }, PROPERTY_TIMEOUT_MS);

  it('I4 balance (current + scheduled, L3) as of t equals the ending balance of the last entry at or before t; as-of replays are prefixes (L9)', () => {
    holds(randomAccounts(30), (accounts) => {
      forEachAccount(accounts, ({ key, entries }) => {
        const full = replay(key, entries);
        for (const asOf of probeInstants(full)) {
          const upTo = full.entries.filter((replayed) => replayed.entry.at <= asOf);
          const last = upTo.at(-1);
          const state = replay(key, entries, asOf);
          expectSame(`I4 current + scheduled as of ${(asOf - START_AT) / STEP_MS}h`, state.current.plus(state.scheduled), last?.endingBalance ?? ZERO);
          expectSame(`L4 pending as of ${(asOf - START_AT) / STEP_MS}h`, state.pending, last?.pendingBalance ?? ZERO);
          if (state.asOf !== asOf) throw new Error(`L9 state.asOf ${state.asOf}, asked ${asOf}`);
          if (JSON.stringify(state.entries) !== JSON.stringify(upTo)) {
            throw new Error(`L9 as of ${(asOf - START_AT) / STEP_MS}h: replayed entries are not the full replay's prefix`);
          }
        }
      });
    }, 150);
  }, PROPERTY_TIMEOUT_MS);

  it('the engine agrees with the reference model on balances, blocks, entries and L1b stated allocations (named blocks, their shortfall warnings), in full and as of every instant', () => {
    holds(randomAccounts(30), (accounts) => {
      forEachAccount(accounts, ({ key, entries }) => {
        const full = replay(key, entries);
        compareWithReference(full, referenceReplay(entries), null);
        for (const asOf of probeInstants(full)) compareWithReference(replay(key, entries, asOf), referenceReplay(entries, asOf), asOf);
      });
    }, 200);
  }, PROPERTY_TIMEOUT_MS);

  it('L6/L7 rule errors: a void of an unknown block and an expiration change above remaining throw LedgerRuleError', () => {
    holds(randomAccounts(20, 1), (accounts) => {
      forEachAccount(accounts, ({ key, entries, shuffleSeed }) => {
        const end = entries.reduce((latest, entry) => Math.max(latest, entry.at), START_AT);
        const ordinal = entries.reduce((highest, entry) => Math.max(highest, entry.ordinal), 0) + 1;
        const template: LedgerEntry = {
          source: 'orb',
          sourceId: 'bad',
          customerId: key.customerId,
          subscriptionId: key.subscriptionId,
          unit: key.unit,
          kind: 'void',
          status: 'posted',
          amount: new Decimal('1'),
          at: end,
          ordinal,
          blockId: 'no-such-block',
          effectiveAt: null,
          expiresAt: null,
          costBasis: null,
          priority: null,
          targetExpiresAt: null,
          sourceExpiresAt: null,
          voidReason: null,
          description: null,
        };
        expectRuleError(key, [...entries, template], template);
        const candidates = referenceReplay(entries, end).blocks.filter(
          (block) => !block.pending && (block.expiresAt === null || end < block.expiresAt),
        );
        const source = candidates[Math.abs(shuffleSeed) % Math.max(candidates.length, 1)];
        if (source === undefined) return;
        const tooMuch: LedgerEntry = {
          ...template,
          kind: 'expiration_change',
          blockId: source.id,
          amount: source.remaining.plus('0.01'),
          targetExpiresAt: null,
        };
        expect(() => referenceReplay([...entries, tooMuch])).toThrow(RefRuleError);
        const error = expectRuleError(key, [...entries, tooMuch], tooMuch);
        if (error.rule !== 'L7') throw new Error(`L7: LedgerRuleError.rule is ${error.rule}`);
      });
    }, 150);
  }, PROPERTY_TIMEOUT_MS);
});

function expectRuleError(key: AccountKey, entries: readonly LedgerEntry[], culprit: LedgerEntry): LedgerRuleError {
  try {
    replayAccount(key, entries);
  } catch (error) {
    if (!(error instanceof LedgerRuleError)) throw new Error(`${culprit.kind} ${culprit.sourceId}: threw ${String(error)}, not a LedgerRuleError`);
    if (error.entry.sourceId !== culprit.sourceId) throw new Error(`LedgerRuleError names ${error.entry.sourceId}, not ${culprit.sourceId}`);
    return error;
  }
  throw new Error(`${culprit.kind} ${culprit.sourceId} (amount ${toCanonical(culprit.amount)}, block ${String(culprit.blockId)}): no LedgerRuleError`);
}
