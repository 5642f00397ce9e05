import { Decimal, ZERO, minDecimal } from '../money/decimal.js';
import type { Instant } from '../time/instant.js';
import { DrawableBlocks, compareDeductionOrder } from './deduction-order.js';
import { ACTIVATION, EXPIRY, EventQueue, type BlockEvent } from './event-queue.js';
import { newBlockState, type BlockTerms } from './block-state.js';
import { assertAccountInvariants } from './invariants.js';
import { replayAccountScaled } from './replay-fast.js';
import { expiryStatesAmount } from './stated-expiry.js';
import { isDrawable } from './status.js';
import {
  LedgerRuleError,
  type AccountKey,
  type AllocationShortfall,
  type AllocationWarning,
  type AccountState,
  type BlockState,
  type Effect,
  type EffectType,
  type LedgerEntry,
  type ReplayedEntry,
} from './types.js';

export interface ReplayOptions {
  /** Apply entries and events at or before this instant (L9). Default: everything, future expiries included. */
  asOf?: Instant;
  /** Assert I1/I2 after every step (tests); I1/I2 are always asserted once at the end. */
  checkEveryStep?: boolean;
  /**
   * Keep each entry's sequence, balances and effects (default true). Balance and block queries
   * don't need them; skipping them keeps a whole-database replay free of per-entry garbage.
   */
  keepEntries?: boolean;
  /**
   * Sees the state after each entry: how stored states inside the history are taken. From a checkpoint
   * (replayFromCheckpoint), `applied` counts on from the checkpoint's position.
   */
  observer?: ReplayObserver;
}

/**
 * Called after each entry is applied, before any later event: `replay.internals()` is the state replayPrefix
 * gives for the first `applied` entries (the observer of a replayAccount, which starts from the first entry).
 * It returns live objects, changed by the next entry: copy what is kept. The integer fast path calls it as
 * the general engine does; where that path gives up part way, `restart()` comes before the general engine
 * replays from the first entry again: forget what was seen.
 */
export interface ReplayObserver {
  after(applied: number, entry: LedgerEntry, blockCount: number, replay: ObservedReplay): void;
  restart(): void;
}

/** What an observer is shown after each entry. */
export interface ObservedReplay {
  internals(): ReplayInternals;
  /**
   * JSON.stringify(checkpointOf(internals(), position, validFrom, firstEntryAt)) (checkpoint.ts), written
   * directly by a replay that can say it more cheaply (the integer fast path: from its integers, no Decimal).
   */
  checkpointText?(position: number, validFrom: Instant, firstEntryAt: Instant): string;
}

/** Replay order: by time, then ingestion order (I3: deterministic for any input order). */
export function compareReplayOrder(a: LedgerEntry, b: LedgerEntry): number {
  return a.at - b.at || a.ordinal - b.ordinal;
}

/**
 * Replays one account's entries (any order; sorted here by at, then ordinal) and returns its
 * state as of `options.asOf`. Throws LedgerRuleError for entries that break a rule (unknown
 * block, L7 amount above remaining, a block id used twice).
 */
export function replayAccount(key: AccountKey, entries: readonly LedgerEntry[], options: ReplayOptions = {}): AccountState {
  const asOf = options.asOf ?? Number.POSITIVE_INFINITY;
  const ordered = isSorted(entries) ? entries : [...entries].sort(compareReplayOrder);
  if (options.keepEntries === false && options.checkEveryStep !== true) {
    // Balance and block queries over the common shape: the same state on scaled integers (replay-fast.ts),
    // observed as the general engine is (the import's replay states).
    const state = replayAccountScaled(key, ordered, asOf, options.observer);
    if (state !== null) return state;
    options.observer?.restart();
  }
  const replay = new AccountReplay(key, blockIdsExpiredBySource(ordered), options.checkEveryStep === true, options.keepEntries !== false);
  return replay.run(ordered, asOf, options.observer);
}

/**
 * The replay's whole state between two entries: what a checkpoint stores (checkpoint.ts). Blocks in
 * creation order; `drawable` in L1 order; `events` in no particular order (the queue orders them).
 */
export interface ReplayInternals {
  blocks: BlockState[];
  drawable: BlockState[];
  events: BlockEvent[];
  sourceExpiredBlocks: string[];
  expiryCounts: [string, number][];
  current: Decimal;
  pending: Decimal;
  deficit: Decimal;
  sequence: number;
  /** Σ remaining of posted blocks not yet effective (L3): not in `current`. */
  scheduled: Decimal;
  /**
   * The first `checkedBlocks` blocks passed I1 and I2 when restored (checkpoint.ts): the final check
   * skips each of them that still holds the very amounts it was restored with.
   */
  checkedBlocks?: number;
}

/**
 * Replays the first `count` of the account's entries (sorted, all of them given: which blocks the source
 * expires itself depends on every entry) and stops right after the last one, before any later event.
 * That state is the same for every as-of at or after entries[count - 1].at, so replayFrom can go on from it.
 */
export function replayPrefix(key: AccountKey, entries: readonly LedgerEntry[], count: number): ReplayInternals {
  if (!isSorted(entries)) throw new Error('replayPrefix: entries must be in replay order');
  if (!Number.isSafeInteger(count) || count < 0 || count > entries.length) throw new Error(`replayPrefix: count ${count} outside 0..${entries.length}`);
  const replay = new AccountReplay(key, blockIdsExpiredBySource(entries), false, false);
  for (let i = 0; i < count; i++) {
    const entry = entries[i]!;
    replay.runEventsThrough(entry.at);
    replay.apply(entry);
  }
  return replay.internals();
}

/**
 * Goes on from `internals` (replayPrefix's, restored) with the entries after it, to `options.asOf`: the
 * same state replayAccount gives over all entries, but `entries` holds only the ones replayed here.
 * The caller guarantees asOf is at or after the last entry the internals include; `position` is how many
 * entries they include (where an observer's count goes on from).
 */
export function replayFrom(key: AccountKey, internals: ReplayInternals, tail: readonly LedgerEntry[], options: ReplayOptions = {}, position = 0): AccountState {
  if (!isSorted(tail)) throw new Error('replayFrom: entries must be in replay order');
  const replay = new AccountReplay(key, new Set(internals.sourceExpiredBlocks), options.checkEveryStep === true, options.keepEntries !== false, internals);
  return replay.run(tail, options.asOf ?? Number.POSITIVE_INFINITY, options.observer, position);
}

/** Blocks whose expiry the source recorded itself: no generated expiry for them (no double expiry). */
function blockIdsExpiredBySource(entries: readonly LedgerEntry[]): Set<string> {
  const ids = new Set<string>();
  for (const entry of entries) if (entry.kind === 'expiry' && entry.blockId !== null) ids.add(entry.blockId);
  return ids;
}

function isSorted(entries: readonly LedgerEntry[]): boolean {
  for (let i = 1; i < entries.length; i++) {
    if (compareReplayOrder(entries[i - 1]!, entries[i]!) > 0) return false;
  }
  return true;
}

class AccountReplay {
  private readonly blocks = new Map<string, BlockState>();
  private readonly blockList: BlockState[] = [];
  private readonly drawable = new DrawableBlocks();
  private readonly events = new EventQueue();
  private readonly replayed: ReplayedEntry[] = [];
  private readonly expiryCounts = new Map<string, number>();
  /** L1b: decrements whose named block could not cover them. */
  private readonly allocationWarnings: AllocationWarning[] = [];
  private current: Decimal = ZERO;
  private pending: Decimal = ZERO;
  private deficit: Decimal = ZERO;
  /** L3: Σ remaining of posted blocks whose effective_at is still ahead; they join `current` at activation. */
  private scheduled: Decimal = ZERO;
  private sequence = 0;
  /** The amounts of the blocks checked at restore, as restored: initial, remaining, consumed, expired, voided, movedOut, amended. */
  private readonly checkedAmounts: Decimal[] = [];

  constructor(
    private readonly key: AccountKey,
    /** Blocks whose expiry the source recorded itself: no generated expiry for them (no double expiry). */
    private readonly sourceExpiredBlocks: ReadonlySet<string>,
    private readonly checkEveryStep: boolean,
    private readonly keepEntries: boolean,
    from?: ReplayInternals,
  ) {
    if (from === undefined) return;
    for (const block of from.blocks) {
      this.blocks.set(block.id, block);
      this.blockList.push(block);
    }
    for (const block of from.drawable) this.drawable.ordered.push(block);
    for (const event of from.events) this.events.push(event);
    for (const [id, count] of from.expiryCounts) this.expiryCounts.set(id, count);
    this.current = from.current;
    this.pending = from.pending;
    this.deficit = from.deficit;
    this.scheduled = from.scheduled;
    this.sequence = from.sequence;
    const checked = from.checkedBlocks ?? 0;
    if (!(Number.isSafeInteger(checked) && checked >= 0 && checked <= from.blocks.length)) throw new Error(`replayFrom: checkedBlocks ${checked}`);
    for (let index = 0; index < checked; index++) {
      const block = from.blocks[index]!;
      this.checkedAmounts.push(block.initial, block.remaining, block.consumed, block.expired, block.voided, block.movedOut, block.amended);
    }
  }

  /** The replay loop (L3: at each entry's instant, events first): entries at or before asOf, then events through it. */
  run(ordered: readonly LedgerEntry[], asOf: Instant, observer?: ReplayObserver, appliedBefore = 0): AccountState {
    let applied = appliedBefore;
    for (const entry of ordered) {
      if (entry.at > asOf) break;
      this.runEventsThrough(entry.at);
      this.apply(entry);
      applied++;
      observer?.after(applied, entry, this.blockList.length, this); // no closure per entry
    }
    this.runEventsThrough(asOf);
    return this.finish(asOf);
  }

  internals(): ReplayInternals {
    return {
      blocks: [...this.blockList],
      drawable: [...this.drawable.ordered],
      events: this.events.items(),
      sourceExpiredBlocks: [...this.sourceExpiredBlocks],
      expiryCounts: [...this.expiryCounts],
      current: this.current,
      pending: this.pending,
      deficit: this.deficit,
      sequence: this.sequence,
      scheduled: this.scheduled,
    };
  }

  /** Processes every block event at or before `limit` (events at an entry's instant come before it). */
  runEventsThrough(limit: Instant): void {
    for (let next = this.events.peek(); next !== undefined && next.at <= limit; next = this.events.peek()) {
      this.events.pop();
      if (next.type === EXPIRY) {
        if (!next.block.expiredOut) this.expire(next.block, next.at, null);
      } else {
        this.activate(next.block, next.at);
      }
      if (this.checkEveryStep) this.assertInvariants(next.at);
    }
  }

  apply(entry: LedgerEntry): void {
    const step = new Step(entry, ++this.sequence, this.ledgerBalance(), this.keepEntries);
    if (entry.status === 'pending') this.applyPending(entry, step);
    else {
      switch (entry.kind) {
        case 'increment':
          this.increment(entry, step);
          break;
        case 'decrement':
          this.decrement(entry, step);
          break;
        case 'void':
          this.void(entry, step);
          break;
        case 'amendment':
          this.amend(entry, step);
          break;
        case 'expiration_change':
          this.changeExpiration(entry, step);
          break;
        case 'expiry': {
          const block = this.namedBlock(entry, 'L3');
          if (expiryStatesAmount(entry)) this.expireStated(block, entry, step);
          else this.expire(block, entry.at, { entry, step });
          return; // expire() records the step itself
        }
      }
    }
    this.record(step);
    if (this.checkEveryStep) this.assertInvariants(entry.at);
  }

  finish(asOf: Instant): AccountState {
    this.assertInvariants(asOf);
    return {
      key: this.key,
      asOf,
      blocks: this.blockList,
      current: this.current,
      pending: this.pending,
      available: this.current.plus(this.pending),
      deficit: this.deficit,
      entryCount: this.sequence,
      entries: this.replayed,
      scheduled: this.scheduled,
      allocationWarnings: this.allocationWarnings,
    };
  }

  // ----- posted entries -----

  private increment(entry: LedgerEntry, step: Step): void {
    const block = this.createBlock(entry, entry.blockId ?? entry.sourceId, entry.amount, {
      effectiveAt: entry.effectiveAt ?? entry.at,
      expiresAt: entry.expiresAt,
      costBasis: entry.costBasis,
      priority: entry.priority,
      pending: false,
    }, step.sequence);
    step.effect('credit', block.id, entry.amount);
    // L3: a block not yet effective is scheduled, not current, until its activation.
    if (block.effectiveAt > entry.at) this.scheduled = this.scheduled.plus(entry.amount);
    else this.current = this.current.plus(entry.amount);
    step.applied = entry.amount;
    this.scheduleBlock(block, entry.at, step);
  }

  /** L1b: the block the source names first; L1 decides the rest (all of it where no block is named), then L2. */
  private decrement(entry: LedgerEntry, step: Step): void {
    const left = entry.blockId === null ? entry.amount : this.drawNamed(entry, entry.blockId, step);
    if (!left.isZero()) this.drawInOrder(left, entry.at, 'consume', step);
    this.current = this.current.minus(entry.amount);
    step.applied = entry.amount;
  }

  /**
   * L1b: takes what the named block can give (nothing unless it is drawable now) and returns what is left
   * for L6's rule (other blocks in L1 order, then deficit); a named block that falls short is a warning.
   */
  private drawNamed(entry: LedgerEntry, blockId: string, step: Step): Decimal {
    const block = this.blocks.get(blockId);
    let reason: AllocationShortfall | null = null;
    if (block === undefined) reason = 'unknown';
    else if (block.pending) reason = 'pending';
    else if (!block.activated) reason = 'scheduled';
    else if (block.expiredOut || (block.expiresAt !== null && entry.at >= block.expiresAt)) reason = 'expired';
    else if (block.remaining.isZero()) reason = 'empty';
    if (reason !== null || block === undefined) {
      this.allocationWarnings.push({ entry, blockId, reason: reason ?? 'unknown', covered: ZERO });
      return entry.amount;
    }
    if (block.remaining.gte(entry.amount)) {
      this.takeFrom(block, entry.amount, 'consume', step);
      return ZERO;
    }
    const covered = block.remaining;
    this.takeFrom(block, covered, 'consume', step);
    this.allocationWarnings.push({ entry, blockId, reason: 'short', covered });
    return entry.amount.minus(covered);
  }

  /** L6: the named block first, then the other drawable blocks in L1 order, then deficit. */
  private void(entry: LedgerEntry, step: Step): void {
    const block = this.namedBlock(entry, 'L6');
    if (block.pending) {
      // Voiding a block still awaiting payment only cancels pending credit.
      const taken = minDecimal(entry.amount, block.remaining);
      this.takeFrom(block, taken, 'void', step);
      this.pending = this.pending.minus(taken);
      block.voidedOut = block.remaining.isZero();
      // appliedAmount is what moved the posted balance (I1); the pending balance moved instead.
      step.applied = ZERO;
      return;
    }
    const taken = minDecimal(entry.amount, block.remaining);
    if (!taken.isZero()) this.takeFrom(block, taken, 'void', step);
    // Only a void that leaves nothing makes the block "voided"; a partial void leaves it usable.
    block.voidedOut = block.remaining.isZero();
    const excess = entry.amount.minus(taken);
    if (!excess.isZero()) this.drawInOrder(excess, entry.at, 'void', step);
    if (block.activated) this.current = this.current.minus(entry.amount);
    else {
      // L3: what the scheduled block held leaves scheduled; only the excess drawn elsewhere leaves current.
      this.scheduled = this.scheduled.minus(taken);
      this.current = this.current.minus(excess);
    }
    step.applied = entry.amount;
  }

  /** L6: adds back at most initial − remaining; a drawable block repays any deficit first. */
  private amend(entry: LedgerEntry, step: Step): void {
    const block = this.namedBlock(entry, 'L6');
    const added = minDecimal(entry.amount, block.initial.minus(block.remaining));
    step.applied = block.pending ? ZERO : added;
    if (added.isZero()) return;
    const wasEmpty = block.remaining.isZero();
    block.remaining = block.remaining.plus(added);
    block.amended = block.amended.plus(added);
    block.voidedOut = false;
    step.effect('amend', block.id, added);
    if (block.pending) {
      this.pending = this.pending.plus(added);
      return;
    }
    if (!block.activated) {
      // L3: credit returned to a block not yet effective stays scheduled until its activation.
      this.scheduled = this.scheduled.plus(added);
      return;
    }
    this.current = this.current.plus(added);
    if (block.expiredOut || (block.expiresAt !== null && entry.at >= block.expiresAt)) {
      // Credit returned to an expired block cannot be drawn: it expires again at once.
      this.record(step);
      this.expire(block, entry.at, null);
      step.recorded = true;
      return;
    }
    if (block.activated && isDrawable(block, entry.at)) {
      if (wasEmpty) this.drawable.insert(block);
      this.repayDeficit(block, step);
    }
  }

  /** L7: moves amount from a block to a new block with the target expiry; the balance is unchanged. */
  private changeExpiration(entry: LedgerEntry, step: Step): void {
    const source = this.expirationChangeSource(entry);
    if (entry.amount.gt(source.remaining)) {
      throw new LedgerRuleError(
        'L7',
        entry,
        'amount',
        `expiration_change of ${entry.amount.toFixed()} is larger than block ${source.id}'s remaining ${source.remaining.toFixed()}`,
      );
    }
    this.takeFrom(source, entry.amount, 'move_out', step);
    const moved = this.createBlock(entry, entry.sourceId, entry.amount, {
      effectiveAt: source.effectiveAt,
      expiresAt: entry.targetExpiresAt,
      costBasis: source.costBasis,
      priority: source.priority,
      pending: source.pending,
    }, step.sequence);
    step.effect('move_in', moved.id, entry.amount);
    step.applied = entry.amount;
    this.scheduleBlock(moved, entry.at, step);
  }

  // ----- pending entries (L4): they never touch posted blocks -----

  private applyPending(entry: LedgerEntry, step: Step): void {
    // A pending entry must still name a block this account has.
    if (entry.kind === 'void' || entry.kind === 'amendment' || entry.kind === 'expiry') this.namedBlock(entry, 'L4');
    if (entry.kind === 'expiration_change') this.expirationChangeSource(entry);
    let delta = ZERO;
    switch (entry.kind) {
      case 'increment': {
        const block = this.createBlock(entry, entry.blockId ?? entry.sourceId, entry.amount, {
          effectiveAt: entry.effectiveAt ?? entry.at,
          expiresAt: entry.expiresAt,
          costBasis: entry.costBasis,
          priority: entry.priority,
          pending: true,
        }, step.sequence);
        if (block.expiresAt !== null && !this.sourceExpiredBlocks.has(block.id)) this.events.push({ at: Math.max(block.expiresAt, entry.at), type: EXPIRY, block });
        delta = entry.amount;
        step.effect('pending', block.id, entry.amount);
        break;
      }
      case 'decrement':
      case 'void':
      case 'expiry':
        delta = entry.amount.negated();
        step.effect('pending', entry.blockId, entry.amount);
        break;
      case 'amendment':
        delta = entry.amount;
        step.effect('pending', entry.blockId, entry.amount);
        break;
      case 'expiration_change':
        break; // moves credit between blocks: no change to any balance
    }
    this.pending = this.pending.plus(delta);
    step.applied = entry.amount;
  }

  // ----- events -----

  private activate(block: BlockState, at: Instant): void {
    block.activated = true;
    if (!block.pending && !block.remaining.isZero()) {
      // L3: at effective_at the block's credit leaves scheduled and counts in current (deficit repaid below).
      this.scheduled = this.scheduled.minus(block.remaining);
      this.current = this.current.plus(block.remaining);
    }
    if (!isDrawable(block, at)) return;
    this.drawable.insert(block);
    if (!this.deficit.isZero()) {
      // Repayment at activation belongs to no entry: it moves deficit into the block, balance unchanged.
      const repaid = minDecimal(this.deficit, block.remaining);
      block.remaining = block.remaining.minus(repaid);
      block.consumed = block.consumed.plus(repaid);
      this.deficit = this.deficit.minus(repaid);
      if (block.remaining.isZero()) this.drawable.remove(block);
    }
  }

  /**
   * Removes what remains of a block. `recorded` is the source's own expiry entry; without it the
   * expiry is generated (L3) and recorded only when something remained.
   */
  private expire(block: BlockState, at: Instant, recorded: { entry: LedgerEntry; step: Step } | null, amount: Decimal = block.remaining): void {
    block.expiredOut = true;
    if (recorded === null && amount.isZero()) return;
    const entry = recorded?.entry ?? this.generatedExpiry(block, amount, at);
    const step = recorded?.step ?? new Step(entry, ++this.sequence, this.ledgerBalance(), this.keepEntries);
    step.generated = recorded === null;
    if (!amount.isZero()) {
      this.takeFrom(block, amount, 'expire', step);
      if (block.pending) this.pending = this.pending.minus(amount);
      else if (!block.activated) this.scheduled = this.scheduled.minus(amount);
      else this.current = this.current.minus(amount);
    }
    // A posted entry expiring a pending block moves only the pending balance (I1 counts posted moves).
    step.applied = block.pending && entry.status === 'posted' ? ZERO : amount;
    this.record(step);
  }

  /**
   * An expiry that states its amount (stated-expiry.ts): removes exactly that, capped at what the block
   * holds; what the block holds beyond it expires at once as a generated expiry. A stated amount other
   * than what the block held is an allocation warning.
   */
  private expireStated(block: BlockState, entry: LedgerEntry, step: Step): void {
    const held = block.remaining;
    if (!entry.amount.eq(held)) this.allocationWarnings.push({ entry, blockId: block.id, reason: 'expiry_differs', covered: held });
    this.expire(block, entry.at, { entry, step }, minDecimal(entry.amount, held));
    this.expire(block, entry.at, null);
  }

  private generatedExpiry(block: BlockState, amount: Decimal, at: Instant): LedgerEntry {
    // A block expires once, unless an amendment returns credit after its expiry: then again.
    const count = (this.expiryCounts.get(block.id) ?? 0) + 1;
    this.expiryCounts.set(block.id, count);
    return {
      source: 'ledgerscope',
      sourceId: count === 1 ? `expiry:${block.id}` : `expiry:${block.id}:${count}`,
      customerId: this.key.customerId,
      subscriptionId: this.key.subscriptionId,
      unit: this.key.unit,
      kind: 'expiry',
      status: block.pending ? 'pending' : 'posted',
      amount,
      at,
      ordinal: -1,
      blockId: block.id,
      effectiveAt: null,
      expiresAt: null,
      costBasis: null,
      priority: null,
      targetExpiresAt: null,
      sourceExpiresAt: null,
      voidReason: null,
      description: 'credit block expired',
    };
  }

  // ----- block mechanics -----

  private createBlock(
    entry: LedgerEntry,
    id: string,
    amount: Decimal,
    terms: BlockTerms,
    sequence: number,
  ): BlockState {
    if (this.blocks.has(id)) {
      throw new LedgerRuleError('L5', entry, 'block_id', `block ${id} already exists in this account`);
    }
    if (terms.expiresAt !== null && terms.expiresAt <= terms.effectiveAt) {
      throw new LedgerRuleError('L3', entry, 'expires_at', `block ${id} expires at or before it becomes effective`);
    }
    const block = newBlockState(id, entry.sourceId, sequence, amount, terms, false);
    this.blocks.set(id, block);
    this.blockList.push(block);
    return block;
  }

  /** Activation now or later, the expiry event, and deficit repayment for a block that is drawable at once. */
  private scheduleBlock(block: BlockState, at: Instant, step: Step): void {
    if (block.expiresAt !== null && !this.sourceExpiredBlocks.has(block.id)) {
      this.events.push({ at: Math.max(block.expiresAt, at), type: EXPIRY, block });
    }
    if (block.effectiveAt > at) {
      this.events.push({ at: block.effectiveAt, type: ACTIVATION, block });
      return;
    }
    block.activated = true;
    if (!isDrawable(block, at)) return;
    this.drawable.insert(block);
    this.repayDeficit(block, step);
  }

  /** L2: a block that becomes drawable repays the deficit first. */
  private repayDeficit(block: BlockState, step: Step): void {
    if (this.deficit.isZero()) return;
    const repaid = minDecimal(this.deficit, block.remaining);
    this.takeFrom(block, repaid, 'repay', step);
    this.deficit = this.deficit.minus(repaid);
  }

  /** Draws `amount` from drawable blocks in L1 order; what no block covers becomes deficit (L2). */
  private drawInOrder(amount: Decimal, at: Instant, type: 'consume' | 'void', step: Step): void {
    let left = amount;
    const ordered = this.drawable.ordered;
    // Positions of blocks this draw empties, ascending: removed afterwards, last first.
    let emptied: number[] | null = null;
    for (let i = 0; i < ordered.length && !left.isZero(); i++) {
      const block = ordered[i]!;
      if (block.expiresAt !== null && at >= block.expiresAt) continue; // expiry event not yet run at this instant
      if (block.remaining.gt(left)) {
        // The common case: one block covers the rest, no subtraction on `left` needed.
        this.takeFrom(block, left, type, step, false);
        left = ZERO;
        break;
      }
      const taken = block.remaining;
      this.takeFrom(block, taken, type, step, false);
      (emptied ??= []).push(i);
      left = left.minus(taken);
    }
    if (emptied !== null) for (let k = emptied.length - 1; k >= 0; k--) ordered.splice(emptied[k]!, 1);
    if (!left.isZero()) {
      this.deficit = this.deficit.plus(left);
      step.effect('deficit', null, left);
    }
  }

  private takeFrom(block: BlockState, amount: Decimal, type: EffectType, step: Step, maintainDrawable = true): void {
    block.remaining = block.remaining.minus(amount);
    switch (type) {
      case 'consume':
      case 'repay':
        block.consumed = block.consumed.plus(amount);
        break;
      case 'void':
        block.voided = block.voided.plus(amount);
        break;
      case 'expire':
        block.expired = block.expired.plus(amount);
        break;
      case 'move_out':
        block.movedOut = block.movedOut.plus(amount);
        break;
      default:
        throw new Error(`takeFrom: ${type} does not take credit from a block`);
    }
    step.effect(type, block.id, amount);
    if (maintainDrawable && block.remaining.isZero()) this.drawable.remove(block);
  }

  private namedBlock(entry: LedgerEntry, rule: string): BlockState {
    const block = entry.blockId === null ? undefined : this.blocks.get(entry.blockId);
    if (block === undefined) {
      throw new LedgerRuleError(
        rule,
        entry,
        'block_id',
        entry.blockId === null
          ? `${entry.kind} must name a block`
          : `${entry.kind} names block ${entry.blockId}, which this account (customer ${this.key.customerId}, ${this.key.unit}) does not have at that time`,
      );
    }
    return block;
  }

  /** L7: the block named by id, else the block with that expiry that L1 would draw first. */
  private expirationChangeSource(entry: LedgerEntry): BlockState {
    if (entry.blockId !== null || entry.sourceExpiresAt === null) return this.namedBlock(entry, 'L7');
    let found: BlockState | undefined;
    for (const block of this.blockList) {
      if (block.pending || block.expiresAt !== entry.sourceExpiresAt || block.remaining.isZero()) continue;
      if (found === undefined || compareDeductionOrder(block, found) < 0) found = block;
    }
    if (found === undefined) {
      throw new LedgerRuleError('L7', entry, 'expiry_date', `no block with credit left expires at ${new Date(entry.sourceExpiresAt).toISOString()}`);
    }
    return found;
  }

  private record(step: Step): void {
    if (step.recorded) return;
    step.recorded = true;
    if (!this.keepEntries) return;
    this.replayed.push({
      entry: step.entry,
      sequence: step.sequence,
      startingBalance: step.startingBalance,
      endingBalance: this.ledgerBalance(),
      pendingBalance: this.pending,
      appliedAmount: step.applied,
      effects: step.effects,
      generated: step.generated,
    });
  }

  /**
   * What an entry's starting and ending balances hold: current + scheduled (all posted credit, usable or
   * not yet), so they chain (L8) across activations, which move credit from scheduled to current.
   */
  private ledgerBalance(): Decimal {
    return this.scheduled.isZero() ? this.current : this.current.plus(this.scheduled);
  }

  private assertInvariants(at: Instant): void {
    const amounts = this.checkedAmounts;
    // Same objects, same values: Decimals are immutable, and every change assigns a new one.
    const unchanged = (block: BlockState, index: number): boolean => {
      const first = index * 7;
      return (
        first < amounts.length &&
        block.initial === amounts[first] &&
        block.remaining === amounts[first + 1] &&
        block.consumed === amounts[first + 2] &&
        block.expired === amounts[first + 3] &&
        block.voided === amounts[first + 4] &&
        block.movedOut === amounts[first + 5] &&
        block.amended === amounts[first + 6]
      );
    };
    assertAccountInvariants(this.key, this.blockList, this.current, this.deficit, this.drawable.ordered, at, amounts.length === 0 ? undefined : unchanged, this.scheduled);
  }
}

/** The entry being applied, collecting its effects (one per block touched). */
class Step {
  readonly effects: Effect[] = [];
  applied: Decimal = ZERO;
  generated = false;
  recorded = false;

  constructor(
    readonly entry: LedgerEntry,
    readonly sequence: number,
    readonly startingBalance: Decimal,
    private readonly keep: boolean,
  ) {}

  effect(type: EffectType, blockId: string | null, amount: Decimal): void {
    if (this.keep) this.effects.push({ type, blockId, amount });
  }
}
