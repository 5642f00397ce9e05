// replayAccountScaled (scaled integers, no per-entry records) against the general engine (Decimals) on
// random accounts of the shape it covers, with a few entries outside it: the same state, field for field,
// as of every instant, and null exactly where it leaves the account to the general engine (which then
// throws, words a warning, or needs what the scaled replay does not cover). An observer sees the same
// internals after every entry from both, and the import's stored replay states and summaries come out the
// same, text for text, whether the fast path served the replay or gave up part way. Seeded: LEDGER_SEED=<n>.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { summaryCollector } from '../../core/import/balance-summaries.js';
import { checkpointOf } from '../../core/ledger/checkpoint.js';
import { Decimal } from '../../core/money/decimal.js';
import { compareReplayOrder, replayAccount, type ReplayObserver } from '../../core/ledger/replay.js';
import { replayAccountScaled } from '../../core/ledger/replay-fast.js';
import { LedgerRuleError, type AccountState, type EntrySource, type LedgerEntry } from '../../core/ledger/types.js';

const seed = process.env.LEDGER_SEED === undefined ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : Number(process.env.LEDGER_SEED);
// eslint-disable-next-line no-console
console.log(`fast replay: LEDGER_SEED=${seed}`);

const HOUR = 3_600_000;
const START = Date.UTC(2025, 0, 1);
const KEY = { customerId: 'c', subscriptionId: null, unit: 'credits' };
/** Amount texts: short and long fractions, trailing zeros, whole numbers past one decimal.js word, and too long for doubles. */
const AMOUNTS = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 50_000 }).map((cents) => new Decimal(cents).dividedBy(100).toFixed()) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 9_999 }).map((n) => `0.${String(n).padStart(7, '0')}`) },
  { weight: 1, arbitrary: fc.constantFrom('10000000', '120000000.5', '0.1000000', '123456789.123456', '7', '0') },
  { weight: 1, arbitrary: fc.constantFrom('12345678901234567890', '0.1234567890123456789', '1.0000000000000001') },
);

type Op =
  | { type: 'increment'; dt: number; amount: string; expiresIn: number | null; backdate: number; cost: string | null; priority: number | null; block: number }
  | { type: 'decrement'; dt: number; amount: string; pending: boolean; named: number | null }
  | { type: 'expiry'; dt: number; block: number; source: EntrySource }
  | { type: 'other'; dt: number; kind: 'void' | 'amendment' | 'scheduled' | 'pending_increment'; block: number; amount: string };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant('increment' as const),
      dt: fc.constantFrom(0, 0, 1, 3, 10),
      amount: AMOUNTS,
      expiresIn: fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 40 }), fc.constantFrom(0, -2)),
      backdate: fc.constantFrom(0, 0, 0, 5),
      cost: fc.constantFrom(null, null, '0', '0.5', '2'),
      priority: fc.constantFrom(null, null, null, 1, 2),
      block: fc.nat({ max: 12 }),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      type: fc.constant('decrement' as const),
      dt: fc.constantFrom(0, 0, 1, 2, 5),
      amount: AMOUNTS,
      pending: fc.boolean(), // thinned to one in six by materialize
      named: fc.oneof(fc.constant(null), fc.constant(null), fc.constant(null), fc.nat({ max: 12 })),
    }),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('expiry' as const), dt: fc.constantFrom(0, 1, 4), block: fc.nat({ max: 12 }), source: fc.constantFrom<EntrySource>('orb', 'moesif', 'stripe') }) },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('other' as const),
      dt: fc.constantFrom(0, 1),
      kind: fc.constantFrom('void' as const, 'amendment' as const, 'scheduled' as const, 'pending_increment' as const),
      block: fc.nat({ max: 12 }),
      amount: AMOUNTS,
    }),
  },
);

function entry(i: number, at: number, fields: Partial<LedgerEntry> & Pick<LedgerEntry, 'kind' | 'amount'>): LedgerEntry {
  return {
    source: 'orb', sourceId: `e${i}`, customerId: KEY.customerId, subscriptionId: null, unit: KEY.unit, status: 'posted', at, ordinal: i,
    blockId: null, effectiveAt: null, expiresAt: null, costBasis: null, priority: null, targetExpiresAt: null, sourceExpiresAt: null,
    voidReason: null, description: null, ...fields,
  };
}

function materialize(ops: readonly Op[]): LedgerEntry[] {
  let at = START;
  return ops.map((o, i) => {
    at += o.dt * HOUR;
    switch (o.type) {
      case 'increment':
        return entry(i, at, {
          kind: 'increment', amount: new Decimal(o.amount), blockId: `b${o.block}`,
          effectiveAt: o.backdate === 0 ? null : at - o.backdate * HOUR,
          expiresAt: o.expiresIn === null ? null : at + o.expiresIn * HOUR,
          costBasis: o.cost === null ? null : new Decimal(o.cost), priority: o.priority,
        });
      case 'decrement':
        return entry(i, at, {
          kind: 'decrement', amount: new Decimal(o.amount), status: o.pending && i % 3 === 0 ? 'pending' : 'posted',
          blockId: o.named === null ? null : `b${o.named}`,
        });
      case 'expiry':
        return entry(i, at, { kind: 'expiry', amount: new Decimal(0), blockId: `b${o.block}`, source: o.source });
      case 'other':
        if (o.kind === 'scheduled') return entry(i, at, { kind: 'increment', amount: new Decimal(o.amount), blockId: `s${i}`, effectiveAt: at + 3 * HOUR });
        if (o.kind === 'pending_increment') return entry(i, at, { kind: 'increment', amount: new Decimal(o.amount), blockId: `p${i}`, status: 'pending' });
        return entry(i, at, { kind: o.kind, amount: new Decimal(o.amount), blockId: `b${o.block}` });
    }
  });
}

const LONG = new Set(['12345678901234567890', '0.1234567890123456789', '1.0000000000000001']);

/** The op made one the scaled replay covers (half the accounts): no void, amendment, scheduled or pending credit, stated expiry or long amount. */
function covered(o: Op): Op {
  if (o.type === 'other') return { type: 'decrement', dt: o.dt, amount: LONG.has(o.amount) ? '1.5' : o.amount, pending: false, named: null };
  if (o.type === 'expiry') return o.source === 'stripe' ? { ...o, source: 'orb' } : o;
  return LONG.has(o.amount) ? { ...o, amount: '2.25' } : o;
}

/**
 * An observer that writes down, after every entry, everything it is shown: the entry, the block count, the
 * internals (every field; Decimals as their values, zero's sign included) and the checkpoint the import stores.
 */
function recorder(): { observer: ReplayObserver; seen: string[]; restarts: number } {
  const record = { seen: [] as string[], restarts: 0, observer: undefined as unknown as ReplayObserver };
  record.observer = {
    restart() {
      record.restarts++;
      record.seen.length = 0;
    },
    after(applied, entry, blockCount, replay) {
      const internals = replay.internals();
      // The checkpoint as the import stores it: the fast path writes its own, the general engine's comes from its internals.
      const stored = replay.checkpointText?.(applied, entry.at, START) ?? JSON.stringify(checkpointOf(internals, applied, entry.at, START));
      record.seen.push(JSON.stringify([applied, entry.sourceId, blockCount, internals, stored]));
    },
  };
  return record;
}

/**
 * A long account (long enough for stored states): every increment its own block, expiring after it is
 * effective, and every expiry naming one of them, all of kinds the fast path covers. Unmixed, it covers the
 * account to the end (no decrement names a block); mixed, it gives up part way where a named block cannot
 * cover a decrement (the engine's warning), after the observer has seen the entries before.
 */
function longAccount(mixed: boolean, drawn: readonly Op[]): Op[] {
  const increments: number[] = [];
  return drawn.map((o, i): Op => {
    const plain = covered(o);
    if (plain.type === 'increment') {
      increments.push(i);
      return { ...plain, block: i, expiresIn: plain.expiresIn !== null && plain.expiresIn <= 0 ? null : plain.expiresIn };
    }
    if (plain.type === 'expiry') {
      if (increments.length === 0) return { type: 'decrement', dt: plain.dt, amount: '1', pending: false, named: null };
      return { ...plain, block: increments[plain.block % increments.length]! };
    }
    return plain.type === 'decrement' && !mixed ? { ...plain, named: null } : plain;
  });
}

/** The general engine's state without its per-entry records, or the rule error it throws. */
function general(entries: readonly LedgerEntry[], asOf: number, observer?: ReplayObserver): Omit<AccountState, 'entries'> | LedgerRuleError {
  try {
    // Per-entry records kept: always the general engine.
    const { entries: _kept, ...state } = replayAccount(KEY, entries, { asOf, observer });
    return state;
  } catch (error) {
    if (error instanceof LedgerRuleError) return error;
    throw error;
  }
}

describe('replayAccountScaled', () => {
  it('gives the general engine state field for field as of every instant, and leaves to it exactly what it does not cover', () => {
    let taken = 0;
    let left = 0;
    fc.assert(
      fc.property(fc.boolean(), fc.array(op, { minLength: 1, maxLength: 50 }), (mixed, drawn) => {
        const entries = materialize(mixed ? drawn : drawn.map(covered)).sort(compareReplayOrder);
        const instants = new Set<number>([START - 1]);
        for (const e of entries) {
          instants.add(e.at);
          instants.add(e.at + HOUR / 2);
          if (e.expiresAt !== null) instants.add(e.expiresAt);
        }
        instants.add(Number.POSITIVE_INFINITY);
        for (const asOf of instants) {
          const seenFast = recorder();
          const seenGeneral = recorder();
          const fast = replayAccountScaled(KEY, entries, asOf, seenFast.observer);
          const expected = general(entries, asOf, seenGeneral.observer);
          if (fast === null) {
            left++;
            continue;
          }
          taken++;
          expect(expected).not.toBeInstanceOf(LedgerRuleError);
          expect(seenFast.seen).toEqual(seenGeneral.seen);
          expect(seenFast.restarts).toBe(0);
          const { entries: records, ...state } = fast;
          expect(records).toEqual([]);
          expect(JSON.stringify(state)).toBe(JSON.stringify(expected));
          // The same Decimal values, not only the same text: zero's sign included.
          for (const name of ['current', 'pending', 'available', 'deficit', 'scheduled'] as const) {
            expect(Object.is((state[name] as Decimal).s, ((expected as AccountState)[name] as Decimal).s)).toBe(true);
          }
        }
      }),
      { seed, numRuns: 400 },
    );
    // Not vacuous: many accounts take the scaled replay, some are left to the engine.
    expect(taken).toBeGreaterThan((taken + left) / 8);
    expect(left).toBeGreaterThan(0);
  });

  it('an account whose entries are all covered takes the scaled replay (a Moesif-style account: credits, debits, pending debits, expiries)', () => {
    const entries = materialize([
      { type: 'increment', dt: 0, amount: '100', expiresIn: 10, backdate: 0, cost: null, priority: null, block: 1 },
      { type: 'increment', dt: 1, amount: '50.25', expiresIn: null, backdate: 0, cost: '0', priority: null, block: 2 },
      { type: 'decrement', dt: 1, amount: '120.5', pending: false, named: null },
      { type: 'decrement', dt: 0, amount: '3', pending: true, named: null },
      { type: 'decrement', dt: 20, amount: '40', pending: false, named: null },
      { type: 'increment', dt: 1, amount: '0.001', expiresIn: 2, backdate: 0, cost: null, priority: null, block: 3 },
    ]);
    const fast = replayAccountScaled(KEY, entries, Number.POSITIVE_INFINITY);
    expect(fast).not.toBeNull();
    // b1 then b2 pay 120.5 (L1: the expiring block first); 40 more leaves a deficit of 10.25, which b3 repays by 0.001.
    expect(fast!.current.toFixed()).toBe('-10.249');
    expect(fast!.deficit.toFixed()).toBe('10.249');
    expect(fast!.pending.toFixed()).toBe('-3');
    expect(fast!.entryCount).toBe(6);
    expect(fast!.blocks.map((block) => [block.id, block.remaining.toFixed(), block.consumed.toFixed(), block.expired.toFixed()])).toEqual([
      ['b1', '0', '100', '0'],
      ['b2', '0', '50.25', '0'],
      ['b3', '0', '0.001', '0'],
    ]);
    const { entries: _a, ...state } = fast!;
    const { entries: _b, ...expected } = replayAccount(KEY, entries);
    expect(JSON.stringify(state)).toBe(JSON.stringify(expected));
  });
  it("an import's replay states and summaries are the same rows, text for text, whether the fast path serves the replay or gives up part way", () => {
    const NOW = START + 200 * HOUR;
    let served = 0;
    let restarted = 0;
    let states = 0;
    fc.assert(
      fc.property(fc.boolean(), fc.array(op, { minLength: 1, maxLength: 140, size: 'max' }), (mixed, drawn) => {
        const entries = materialize(longAccount(mixed, drawn)).sort(compareReplayOrder);
        // As checkByReplay does (core/import/checks.ts): the summary collector observes, then collects.
        const take = (keepEntries: boolean): { rows: unknown; restarts: number } | LedgerRuleError => {
          const collector = summaryCollector([{ key: KEY }], NOW);
          const observer = collector.observe(0, entries.length, null);
          let restarts = 0;
          let seen = 0;
          const counted: ReplayObserver | undefined = observer && {
            after: (...args) => (seen++, observer.after(...args)),
            restart: () => {
              if (seen > 0) restarts++; // gave up part way, after the observer had seen entries
              observer.restart();
            },
          };
          try {
            collector.collect(0, entries, replayAccount(KEY, entries, { keepEntries, observer: counted }), null);
          } catch (error) {
            if (error instanceof LedgerRuleError) return error;
            throw error;
          }
          return { rows: collector.rows([7]), restarts };
        };
        const viaFast = take(false);
        const viaGeneral = take(true);
        if (viaGeneral instanceof LedgerRuleError) {
          expect(viaFast).toBeInstanceOf(LedgerRuleError);
          return;
        }
        expect(viaFast).not.toBeInstanceOf(LedgerRuleError);
        const fast = viaFast as { rows: unknown; restarts: number };
        expect(viaGeneral.restarts).toBe(0);
        expect(JSON.stringify(fast.rows)).toBe(JSON.stringify(viaGeneral.rows));
        if (fast.restarts > 0) restarted++;
        else if (replayAccountScaled(KEY, entries, Number.POSITIVE_INFINITY) !== null) served++;
        states += (viaGeneral.rows as { states?: { list: unknown[] } }[])[0]?.states?.list.length ?? 0;
      }),
      { seed, numRuns: 300 },
    );
    // Not vacuous: the fast path served many accounts, gave up part way on some, and states were taken.
    expect(served).toBeGreaterThan(20);
    expect(restarted).toBeGreaterThan(0);
    expect(states).toBeGreaterThan(20);
  });
});
