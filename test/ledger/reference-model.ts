// A deliberately simple reference implementation of DESIGN §4 (L1–L4, L1b, L6–L9) for the property tests.
// L3 as corrected: a posted block before its effective_at is `scheduled`, not in current; entries'
// starting and ending balances hold current + scheduled.
// It shares no code with core/ledger: it walks time instant by instant, rescans every block at every
// step and sorts with a plain comparator. Slow and obvious on purpose; only core/money and the entry types are reused.
import { Decimal, ZERO } from '../../core/money/decimal.js';
import type { Instant } from '../../core/time/instant.js';
import type { BlockStatus, EntryKind, LedgerEntry } from '../../core/ledger/types.js';

export interface RefBlock {
  id: string;
  createdSequence: number;
  initial: Decimal;
  remaining: Decimal;
  consumed: Decimal;
  expired: Decimal;
  voided: Decimal;
  movedOut: Decimal;
  amended: Decimal;
  effectiveAt: Instant;
  expiresAt: Instant | null;
  costBasis: Decimal | null;
  priority: number | null;
  pending: boolean;
  activated: boolean;
  expiredOut: boolean;
  voidedOut: boolean;
  /** False when the semantics leave the status open (a void named the block when nothing remained). */
  statusCertain: boolean;
}

export interface RefEntry {
  sequence: number;
  kind: EntryKind;
  /** The input entry; null for a generated expiry. */
  source: LedgerEntry | null;
  blockId: string | null;
  at: Instant;
  startingBalance: Decimal;
  endingBalance: Decimal;
  pendingBalance: Decimal;
  appliedAmount: Decimal;
}

export interface RefState {
  blocks: RefBlock[];
  deficit: Decimal;
  pending: Decimal;
  current: Decimal;
  available: Decimal;
  entries: RefEntry[];
  /** L3: Σ remaining of posted blocks not yet effective; not in current. */
  scheduled: Decimal;
  /** L1b: decrements whose named block could not cover them, as `<source id>:<reason>`, in replay order. */
  allocationWarnings: string[];
}

/** The entries break a rule (unknown block, L7 amount above remaining): the engine must throw too. */
export class RefRuleError extends Error {}

/** An input the reference does not define; the generator must never produce one. */
export class RefUnsupportedInput extends Error {}

function isPosted(entry: LedgerEntry): boolean {
  return entry.status === 'posted';
}

/** L1: priority asc (absent last), expires_at asc (none last), cost asc (absent = 0), effective_at asc, sequence asc. */
export function refDeductionOrder(a: RefBlock, b: RefBlock): number {
  const pa = a.priority ?? Number.POSITIVE_INFINITY;
  const pb = b.priority ?? Number.POSITIVE_INFINITY;
  if (pa !== pb) return pa < pb ? -1 : 1;
  const ea = a.expiresAt ?? Number.POSITIVE_INFINITY;
  const eb = b.expiresAt ?? Number.POSITIVE_INFINITY;
  if (ea !== eb) return ea < eb ? -1 : 1;
  const ca = a.costBasis ?? ZERO;
  const cb = b.costBasis ?? ZERO;
  if (!ca.eq(cb)) return ca.lt(cb) ? -1 : 1;
  if (a.effectiveAt !== b.effectiveAt) return a.effectiveAt < b.effectiveAt ? -1 : 1;
  return a.createdSequence - b.createdSequence;
}

/** Inside its drawable window at t (L3), whatever it holds. */
function inWindow(block: RefBlock, at: Instant): boolean {
  return !block.pending && block.effectiveAt <= at && (block.expiresAt === null || at < block.expiresAt);
}

function drawable(block: RefBlock, at: Instant): boolean {
  return inWindow(block, at) && block.remaining.gt(ZERO);
}

export function refBlockStatus(block: RefBlock, asOf: Instant): BlockStatus {
  if (block.pending) return 'pending_payment';
  if (block.voidedOut && block.remaining.isZero()) return 'voided';
  if (block.expiresAt !== null && asOf >= block.expiresAt) return 'expired';
  if (asOf < block.effectiveAt) return 'scheduled';
  if (block.remaining.isZero()) return 'depleted';
  return 'active';
}

class Replay {
  readonly blocks: RefBlock[] = [];
  readonly entries: RefEntry[] = [];
  deficit: Decimal = ZERO;
  pending: Decimal = ZERO;
  readonly allocationWarnings: string[] = [];
  /** Blocks whose expiry an imported `expiry` entry carries instead of a generated one. */
  readonly importedExpiry: Set<string>;

  constructor(all: readonly LedgerEntry[]) {
    this.importedExpiry = new Set(
      all.filter((e) => e.kind === 'expiry' && e.blockId !== null).map((e) => e.blockId as string),
    );
  }

  /** L3: only blocks that have become effective count; the deficit is owed against them. */
  current(): Decimal {
    let total = ZERO;
    for (const block of this.blocks) if (!block.pending && block.activated) total = total.plus(block.remaining);
    return total.minus(this.deficit);
  }

  /** L3: posted blocks before their effective_at. */
  scheduled(): Decimal {
    let total = ZERO;
    for (const block of this.blocks) if (!block.pending && !block.activated) total = total.plus(block.remaining);
    return total;
  }

  /** What an entry's balances hold: every posted credit, usable or scheduled (so they chain across activations). */
  ledgerBalance(): Decimal {
    return this.current().plus(this.scheduled());
  }

  find(id: string | null, entry: LedgerEntry): RefBlock {
    const found = this.blocks.find((block) => block.id === id);
    if (found === undefined) throw new RefRuleError(`${entry.sourceId}: unknown block ${String(id)}`);
    return found;
  }

  record(kind: EntryKind, source: LedgerEntry | null, blockId: string | null, at: Instant, start: Decimal, applied: Decimal): void {
    this.entries.push({
      sequence: this.entries.length + 1,
      kind,
      source,
      blockId,
      at,
      startingBalance: start,
      endingBalance: this.ledgerBalance(),
      pendingBalance: this.pending,
      appliedAmount: applied,
    });
  }

  /** Newly active block repays the deficit first (L2). */
  repayFrom(block: RefBlock): void {
    const repaid = Decimal.min(block.remaining, this.deficit);
    block.remaining = block.remaining.minus(repaid);
    block.consumed = block.consumed.plus(repaid);
    this.deficit = this.deficit.minus(repaid);
  }

  /** Draws amount from drawable blocks in L1 order (optionally skipping one); returns what is left. */
  draw(amount: Decimal, at: Instant, kind: 'consume' | 'void', skip: RefBlock | null): Decimal {
    let left = amount;
    const order = this.blocks.filter((block) => block !== skip && drawable(block, at)).sort(refDeductionOrder);
    for (const block of order) {
      if (left.isZero()) break;
      const taken = Decimal.min(left, block.remaining);
      block.remaining = block.remaining.minus(taken);
      if (kind === 'consume') block.consumed = block.consumed.plus(taken);
      else block.voided = block.voided.plus(taken);
      left = left.minus(taken);
    }
    return left;
  }

  nextEventAt(): Instant {
    let next = Number.POSITIVE_INFINITY;
    for (const block of this.blocks) {
      if (block.pending) continue;
      if (!block.expiredOut && block.expiresAt !== null && !this.importedExpiry.has(block.id)) next = Math.min(next, block.expiresAt);
      if (!block.activated) next = Math.min(next, block.effectiveAt);
    }
    return next;
  }

  expireAt(at: Instant): void {
    for (const block of this.blocks) {
      if (block.pending || block.expiredOut || block.expiresAt === null || block.expiresAt > at) continue;
      if (this.importedExpiry.has(block.id)) continue;
      block.expiredOut = true;
      if (block.remaining.isZero()) continue;
      const start = this.ledgerBalance();
      const amount = block.remaining;
      block.expired = block.expired.plus(amount);
      block.remaining = ZERO;
      this.record('expiry', null, block.id, block.expiresAt, start, amount);
    }
  }

  activateAt(at: Instant): void {
    const due = this.blocks.filter((block) => !block.pending && !block.activated && block.effectiveAt <= at).sort(refDeductionOrder);
    for (const block of due) {
      block.activated = true;
      if (inWindow(block, at)) this.repayFrom(block);
    }
  }

  newBlock(id: string, entry: LedgerEntry, fields: Pick<RefBlock, 'initial' | 'effectiveAt' | 'expiresAt' | 'costBasis' | 'priority' | 'pending'>): RefBlock {
    if (this.blocks.some((block) => block.id === id)) throw new RefUnsupportedInput(`${entry.sourceId}: duplicate block id ${id}`);
    if (fields.expiresAt !== null && fields.expiresAt <= Math.max(entry.at, fields.effectiveAt)) {
      throw new RefUnsupportedInput(`${entry.sourceId}: block expires before it is drawable`);
    }
    const block: RefBlock = {
      id,
      createdSequence: this.entries.length + 1,
      remaining: fields.initial,
      consumed: ZERO,
      expired: ZERO,
      voided: ZERO,
      movedOut: ZERO,
      amended: ZERO,
      activated: fields.pending || fields.effectiveAt <= entry.at,
      expiredOut: false,
      voidedOut: false,
      statusCertain: true,
      ...fields,
    };
    this.blocks.push(block);
    return block;
  }

  applyPending(entry: LedgerEntry): void {
    const start = this.ledgerBalance();
    switch (entry.kind) {
      case 'increment':
        this.newBlock(entry.blockId ?? entry.sourceId, entry, {
          initial: entry.amount,
          effectiveAt: entry.effectiveAt ?? entry.at,
          expiresAt: entry.expiresAt,
          costBasis: entry.costBasis,
          priority: entry.priority,
          pending: true,
        });
        this.pending = this.pending.plus(entry.amount);
        break;
      case 'amendment':
        this.pending = this.pending.plus(entry.amount);
        break;
      case 'decrement':
      case 'void':
        this.pending = this.pending.minus(entry.amount);
        break;
      case 'expiration_change':
        break;
      case 'expiry':
        throw new RefUnsupportedInput(`${entry.sourceId}: pending expiry`);
    }
    this.record(entry.kind, entry, entry.blockId, entry.at, start, entry.amount);
  }

  applyPosted(entry: LedgerEntry): void {
    const start = this.ledgerBalance();
    const at = entry.at;
    let applied = entry.amount;
    switch (entry.kind) {
      case 'increment': {
        const block = this.newBlock(entry.blockId ?? entry.sourceId, entry, {
          initial: entry.amount,
          effectiveAt: entry.effectiveAt ?? at,
          expiresAt: entry.expiresAt,
          costBasis: entry.costBasis,
          priority: entry.priority,
          pending: false,
        });
        if (block.activated && inWindow(block, at)) this.repayFrom(block);
        break;
      }
      case 'decrement': {
        // L1b: the block the source names pays what it can; L1 (then the deficit) takes the rest.
        let left = entry.amount;
        const named = entry.blockId === null ? undefined : this.blocks.find((block) => block.id === entry.blockId);
        if (entry.blockId !== null) {
          const reason =
            named === undefined ? 'unknown'
            : named.pending ? 'pending'
            : at < named.effectiveAt ? 'scheduled'
            : !inWindow(named, at) ? 'expired'
            : named.remaining.isZero() ? 'empty'
            : named.remaining.lt(left) ? 'short'
            : null;
          if (named !== undefined && drawable(named, at)) {
            const taken = Decimal.min(left, named.remaining);
            named.remaining = named.remaining.minus(taken);
            named.consumed = named.consumed.plus(taken);
            left = left.minus(taken);
          }
          if (reason !== null) this.allocationWarnings.push(`${entry.sourceId}:${reason}`);
        }
        left = this.draw(left, at, 'consume', named ?? null);
        this.deficit = this.deficit.plus(left);
        break;
      }
      case 'void': {
        const block = this.find(entry.blockId, entry);
        if (block.pending) throw new RefUnsupportedInput(`${entry.sourceId}: posted void of a pending block`);
        const own = Decimal.min(entry.amount, block.remaining);
        if (own.isZero()) block.statusCertain = false;
        block.remaining = block.remaining.minus(own);
        block.voided = block.voided.plus(own);
        if (block.remaining.isZero()) block.voidedOut = true;
        const left = this.draw(entry.amount.minus(own), at, 'void', block);
        this.deficit = this.deficit.plus(left);
        break;
      }
      case 'amendment': {
        const block = this.find(entry.blockId, entry);
        if (block.pending || block.expiredOut) throw new RefUnsupportedInput(`${entry.sourceId}: amendment of a pending or expired block`);
        applied = Decimal.min(entry.amount, block.initial.minus(block.remaining));
        block.amended = block.amended.plus(applied);
        block.remaining = block.remaining.plus(applied);
        // Credit added back ends a void-out: emptied again later, the block is depleted, not voided.
        if (applied.gt(ZERO)) block.voidedOut = false;
        if (inWindow(block, at)) {
          const repaid = Decimal.min(applied, this.deficit);
          block.remaining = block.remaining.minus(repaid);
          block.consumed = block.consumed.plus(repaid);
          this.deficit = this.deficit.minus(repaid);
        }
        break;
      }
      case 'expiration_change': {
        let source: RefBlock;
        if (entry.blockId !== null) {
          source = this.find(entry.blockId, entry);
        } else {
          const matches = this.blocks.filter((block) => entry.sourceExpiresAt !== null && block.expiresAt === entry.sourceExpiresAt);
          if (matches.length === 0) throw new RefRuleError(`${entry.sourceId}: no block expires at ${String(entry.sourceExpiresAt)}`);
          if (matches.length > 1) throw new RefUnsupportedInput(`${entry.sourceId}: several blocks expire at ${String(entry.sourceExpiresAt)}`);
          source = matches[0] as RefBlock;
        }
        if (source.pending) throw new RefUnsupportedInput(`${entry.sourceId}: expiration change of a pending block`);
        if (entry.amount.gt(source.remaining)) throw new RefRuleError(`${entry.sourceId}: L7 amount above remaining`);
        source.remaining = source.remaining.minus(entry.amount);
        source.movedOut = source.movedOut.plus(entry.amount);
        const moved = this.newBlock(entry.sourceId, entry, {
          initial: entry.amount,
          effectiveAt: source.effectiveAt,
          expiresAt: entry.targetExpiresAt,
          costBasis: source.costBasis,
          priority: source.priority,
          pending: false,
        });
        if (moved.activated && inWindow(moved, at)) this.repayFrom(moved);
        break;
      }
      case 'expiry': {
        const block = this.find(entry.blockId, entry);
        if (entry.source === 'stripe') {
          // Stated over derived: Stripe's credits_expired removes the amount it states (at most what the
          // block holds); the rest expires with it as a generated expiry; a difference is a warning.
          const held = block.remaining;
          if (!held.eq(entry.amount)) this.allocationWarnings.push(`${entry.sourceId}:expiry_differs`);
          const stated = Decimal.min(held, entry.amount);
          block.remaining = held.minus(stated);
          block.expired = block.expired.plus(stated);
          block.expiredOut = true;
          this.record(entry.kind, entry, entry.blockId, at, start, stated);
          const rest = block.remaining;
          if (!rest.isZero()) {
            const restStart = this.ledgerBalance();
            block.expired = block.expired.plus(rest);
            block.remaining = ZERO;
            this.record('expiry', null, block.id, at, restStart, rest);
          }
          return;
        }
        applied = block.remaining;
        block.expired = block.expired.plus(applied);
        block.remaining = ZERO;
        block.expiredOut = true;
        break;
      }
    }
    this.record(entry.kind, entry, entry.blockId, at, start, applied);
  }
}

/**
 * Replays one account's entries as of `asOf` (default: everything, future expiries included).
 * Each instant, in time order: expiries, then activations, then the entries at that instant by ordinal.
 */
export function referenceReplay(entries: readonly LedgerEntry[], asOf: Instant = Number.POSITIVE_INFINITY): RefState {
  const sorted = entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => a.entry.at - b.entry.at || a.entry.ordinal - b.entry.ordinal || a.index - b.index)
    .map(({ entry }) => entry);
  const replay = new Replay(entries);
  let next = 0;
  let previous = Number.NEGATIVE_INFINITY;
  // Bounded: each round consumes an entry, an expiry or an activation.
  for (let round = 0; round <= 3 * entries.length + 1; round += 1) {
    const entryAt = next < sorted.length ? (sorted[next] as LedgerEntry).at : Number.POSITIVE_INFINITY;
    const at = Math.min(entryAt, replay.nextEventAt());
    if (at === Number.POSITIVE_INFINITY || at > asOf) break;
    if (at < previous) throw new RefUnsupportedInput(`event at ${at} before ${previous}`);
    previous = at;
    replay.expireAt(at);
    replay.activateAt(at);
    while (next < sorted.length && (sorted[next] as LedgerEntry).at === at) {
      const entry = sorted[next] as LedgerEntry;
      if (isPosted(entry)) replay.applyPosted(entry);
      else replay.applyPending(entry);
      next += 1;
    }
  }
  if (next < sorted.length && (sorted[next] as LedgerEntry).at <= asOf) throw new Error('reference replay: round bound reached');
  const current = replay.current();
  return {
    blocks: replay.blocks,
    deficit: replay.deficit,
    pending: replay.pending,
    current,
    available: current.plus(replay.pending),
    entries: replay.entries,
    scheduled: replay.scheduled(),
    allocationWarnings: replay.allocationWarnings,
  };
}
