// Random operation sequences for the ledger property tests. fast-check generates abstract operations
// (shrinkable); `materialize` turns them into valid LedgerEntry lists, asking the reference model what
// each block holds at the operation's instant so that named blocks exist and expiration changes fit.
import fc from 'fast-check';
import { Decimal, toCanonical } from '../../core/money/decimal.js';
import type { Instant } from '../../core/time/instant.js';
import type { AccountKey, EntryStatus, LedgerEntry } from '../../core/ledger/types.js';
import { referenceReplay, type RefBlock } from './reference-model.js';

/** One hour: every instant sits on this grid, so entries, expiries and activations collide often. */
export const STEP_MS = 3_600_000;
export const START_AT: Instant = Date.UTC(2025, 0, 1);
/** Imported expiries take ordinals below this; every other entry above it (first at their instant). */
const ORDINAL_BASE = 10_000;

interface Timed {
  /** Steps after the previous operation (0: same instant). */
  stepsAfter: number;
  cents: number;
  pending: boolean;
}

export type Op =
  | (Timed & {
      type: 'increment';
      /** Steps from the entry to effective_at (may be ≤ 0), or null for the default. */
      effectiveSteps: number | null;
      /** Steps from max(at, effective_at) to expires_at, or null: never expires. */
      expiresSteps: number | null;
      costBasis: string | null;
      priority: number | null;
      namedBlock: boolean;
      importExpiry: boolean;
    })
  /** named: 0 no block named (L1), 1 a block of the account picked by `pick` (L1b), 2 a block it does not have. */
  | (Timed & { type: 'decrement'; named: 0 | 1 | 2; pick: number })
  | (Timed & { type: 'void' | 'amendment'; pick: number })
  | (Timed & { type: 'expiration_change'; pick: number; targetSteps: number | null; bySourceExpiry: boolean });

const timed = {
  stepsAfter: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.integer({ min: 1, max: 4 }) }),
  cents: fc.integer({ min: 1, max: 15_000 }),
  pending: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
};

const incrementOp: fc.Arbitrary<Op> = fc.record({
  type: fc.constant('increment' as const),
  ...timed,
  effectiveSteps: fc.option(fc.integer({ min: -2, max: 6 }), { nil: null, freq: 2 }),
  expiresSteps: fc.option(fc.integer({ min: 1, max: 10 }), { nil: null, freq: 3 }),
  costBasis: fc.option(fc.constantFrom('0', '0.05', '0.2', '5'), { nil: null, freq: 3 }),
  priority: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null, freq: 2 }),
  namedBlock: fc.boolean(),
  importExpiry: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
});

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: incrementOp },
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant('decrement' as const),
      ...timed,
      named: fc.constantFrom<0 | 1 | 2>(0, 0, 1, 1, 1, 2),
      pick: fc.nat(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ type: fc.constantFrom('void' as const, 'amendment' as const), ...timed, pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('expiration_change' as const),
      ...timed,
      pick: fc.nat(),
      targetSteps: fc.option(fc.integer({ min: 1, max: 10 }), { nil: null, freq: 3 }),
      bySourceExpiry: fc.boolean(),
    }),
  },
);

export function accountKey(index: number): AccountKey {
  return { customerId: `cus_${index}`, subscriptionId: index % 2 === 0 ? null : `sub_${index}`, unit: 'credits' };
}

function cents(value: number): Decimal {
  return new Decimal(value).dividedBy(100);
}

function pickFrom<T>(candidates: readonly T[], pick: number): T | undefined {
  return candidates.length === 0 ? undefined : candidates[pick % candidates.length];
}

function notYetExpired(block: RefBlock, at: Instant): boolean {
  return block.expiresAt === null || at < block.expiresAt;
}

/** Valid entries for one account: every named block exists and every expiration change fits (L7). */
export function materialize(key: AccountKey, ops: readonly Op[]): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  let at = START_AT;
  let importedCount = 0;
  const base = (sourceId: string, status: EntryStatus, ordinal: number): LedgerEntry => ({
    source: 'orb',
    sourceId,
    customerId: key.customerId,
    subscriptionId: key.subscriptionId,
    unit: key.unit,
    kind: 'increment',
    status,
    amount: cents(1),
    at,
    ordinal,
    blockId: null,
    effectiveAt: null,
    expiresAt: null,
    costBasis: null,
    priority: null,
    targetExpiresAt: null,
    sourceExpiresAt: null,
    voidReason: null,
    description: null,
  });
  ops.forEach((op, index) => {
    at += op.stepsAfter * STEP_MS;
    const status: EntryStatus = op.pending ? 'pending' : 'posted';
    const entry = base(`${key.customerId}-e${index}`, status, ORDINAL_BASE + index);
    const blocks = referenceReplay(entries, at).blocks;
    switch (op.type) {
      case 'increment': {
        const effectiveAt = op.pending || op.effectiveSteps === null ? null : at + op.effectiveSteps * STEP_MS;
        const drawableFrom = Math.max(at, effectiveAt ?? at);
        const expiresAt = op.pending || op.expiresSteps === null ? null : drawableFrom + op.expiresSteps * STEP_MS;
        const blockId = op.namedBlock ? `${key.customerId}-blk${index}` : null;
        entries.push({
          ...entry,
          kind: 'increment',
          amount: cents(op.cents),
          blockId,
          effectiveAt,
          expiresAt,
          costBasis: op.costBasis === null ? null : new Decimal(op.costBasis),
          priority: op.priority,
        });
        if (op.importExpiry && expiresAt !== null) {
          importedCount += 1;
          // Orb's amount is informational (the engine applies what remains): deliberately unrelated to it.
          // Stripe's is stated (the engine removes it, the rest expires beside it): sometimes the
          // block's initial amount (all of it when nothing was drawn), sometimes unrelated.
          const stripe = op.cents % 3 === 0;
          entries.push({
            ...base(`${key.customerId}-x${index}`, 'posted', importedCount),
            source: stripe ? 'stripe' : 'orb',
            kind: 'expiry',
            at: expiresAt,
            amount: stripe && op.cents % 2 === 0 ? cents(op.cents) : cents(1 + ((op.cents * 7919) % 15_000)),
            blockId: blockId ?? entry.sourceId,
          });
        }
        return;
      }
      case 'decrement': {
        // L1b: any block may be named, usable or not (scheduled, pending, expired, empty: a warning then).
        const named = op.named === 0 ? null : op.named === 2 ? `${key.customerId}-nowhere` : (pickFrom(blocks, op.pick)?.id ?? null);
        entries.push({ ...entry, kind: 'decrement', amount: cents(op.cents), blockId: named });
        return;
      }
      case 'void':
      case 'amendment': {
        // Posted ones name posted blocks; an amendment only one not yet expired (credit returned to an
        // expired block is left open by the rules), a void any (its excess is drawn from the others).
        const candidates = op.pending
          ? blocks
          : blocks.filter((block) => !block.pending && (op.type === 'void' || notYetExpired(block, at)));
        const target = pickFrom(candidates, op.pick);
        if (target === undefined) return;
        entries.push({ ...entry, kind: op.type, amount: cents(op.cents), blockId: target.id });
        return;
      }
      case 'expiration_change': {
        const candidates = blocks.filter((block) => !block.pending && notYetExpired(block, at) && block.remaining.gt(0));
        const source = pickFrom(candidates, op.pick);
        if (source === undefined) return;
        const remainingCents = source.remaining.times(100).toNumber();
        const amount = cents(1 + (op.cents % remainingCents));
        const targetExpiresAt = op.targetSteps === null ? null : Math.max(at, source.effectiveAt) + op.targetSteps * STEP_MS;
        const unique = source.expiresAt !== null && blocks.filter((block) => block.expiresAt === source.expiresAt).length === 1;
        const bySourceExpiry = op.bySourceExpiry && unique;
        entries.push({
          ...entry,
          kind: 'expiration_change',
          amount,
          blockId: bySourceExpiry ? null : source.id,
          sourceExpiresAt: bySourceExpiry ? source.expiresAt : null,
          targetExpiresAt,
        });
        return;
      }
    }
  });
  return entries;
}

export interface RandomAccount {
  key: AccountKey;
  entries: LedgerEntry[];
  /** Drives shuffles and other per-case choices in the properties. */
  shuffleSeed: number;
}

/** One to `maxAccounts` accounts, each with up to `maxOps` operations. */
export function randomAccounts(maxOps: number, maxAccounts = 2): fc.Arbitrary<RandomAccount[]> {
  return fc
    .array(fc.record({ ops: fc.array(opArbitrary, { maxLength: maxOps, size: 'max' }), shuffleSeed: fc.integer() }), {
      minLength: 1,
      maxLength: maxAccounts,
    })
    .map((accounts) =>
      accounts.map(({ ops, shuffleSeed }, index) => {
        const key = accountKey(index);
        return { key, entries: materialize(key, ops), shuffleSeed };
      }),
    );
}

/** Deterministic Fisher–Yates with a small PRNG (mulberry32), so a failing shuffle replays. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(next() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

function offset(at: Instant | null): string {
  if (at === null) return '-';
  const steps = (at - START_AT) / STEP_MS;
  return `${steps}h`;
}

/** One line per entry, hours from START_AT: short enough to paste into a unit test. */
export function describeEntries(entries: readonly LedgerEntry[]): string {
  return [...entries]
    .sort((a, b) => a.at - b.at || a.ordinal - b.ordinal)
    .map((entry) => {
      const parts = [
        `at=${offset(entry.at)}`,
        `ord=${entry.ordinal}`,
        entry.status === 'pending' ? 'PENDING' : '',
        entry.kind,
        entry.sourceId,
        toCanonical(entry.amount),
        entry.blockId === null ? '' : `block=${entry.blockId}`,
        entry.effectiveAt === null ? '' : `eff=${offset(entry.effectiveAt)}`,
        entry.expiresAt === null ? '' : `exp=${offset(entry.expiresAt)}`,
        entry.costBasis === null ? '' : `cost=${toCanonical(entry.costBasis)}`,
        entry.priority === null ? '' : `prio=${entry.priority}`,
        entry.kind === 'expiration_change' ? `target=${offset(entry.targetExpiresAt)}` : '',
        entry.sourceExpiresAt === null ? '' : `sourceExp=${offset(entry.sourceExpiresAt)}`,
      ];
      return `  ${parts.filter((part) => part !== '').join(' ')}`;
    })
    .join('\n');
}
