import { Decimal, ZERO, toCanonical } from '../money/decimal.js';
import type { Instant } from '../time/instant.js';
import { newBlockState } from './block-state.js';
import { ACTIVATED, CHECKPOINT_VERSION, EXPIRED_OUT } from './checkpoint-format.js';
import { compareDeductionOrder } from './deduction-order.js';
import { EXPIRY, EventQueue, type BlockEvent } from './event-queue.js';
import { InvariantViolation } from './invariants.js';
import type { ReplayInternals, ReplayObserver } from './replay.js';
import { expiryStatesAmount } from './stated-expiry.js';
import type { AccountKey, AccountState, BlockState, LedgerEntry } from './types.js';

/**
 * replayAccount (replay.ts) without per-entry records, for balance and block queries over the common
 * shape of an account, on scaled integers instead of Decimals: every amount is an integer count of
 * 10^−scale units (scale = the most decimal places any entry has), exact as a double because the sum of
 * all the account's amounts is below 2^53, which bounds every balance, remainder and deficit. The result
 * is the general engine's, field for field (a property test holds the two together); the Decimals are
 * made once per block at the end instead of three or four per entry.
 *
 * Covered: posted increments effective at once (effective_at absent or not after the entry), with any
 * expiry, cost basis and priority; decrements, posted (from the block they name, L1b, else in L1 order;
 * L2 deficit and its repayment) or pending (L4: the pending balance only); posted expiry entries whose
 * amount is informational (not stated-expiry.ts's); the generated expiries (L3). Anything else — voids,
 * amendments, expiration changes, pending increments, scheduled blocks, an allocation warning, an entry
 * the engine refuses, an amount too long for the integer range — returns null before or during the
 * replay, and replay.ts runs the general engine instead.
 *
 * An observer sees what the general engine's would, entry for entry: `internals()` gives the same state
 * (the same blocks, drawable order, event heap layout and amounts), made on demand from the integers. When
 * the replay gives up part way, the observer has seen a prefix: the caller restarts it (replay.ts).
 */
export function replayAccountScaled(key: AccountKey, ordered: readonly LedgerEntry[], asOf: Instant, observer?: ReplayObserver): AccountState | null {
  const count = ordered.length;
  const amounts = new Float64Array(count);
  const places = new Uint8Array(count);
  let scale = 0;
  for (let i = 0; i < count; i++) {
    const entry = ordered[i]!;
    switch (entry.kind) {
      case 'increment':
        if (entry.status !== 'posted' || (entry.effectiveAt !== null && entry.effectiveAt > entry.at)) return null;
        break;
      case 'decrement':
        break;
      case 'expiry':
        if (entry.status !== 'posted' || expiryStatesAmount(entry)) return null;
        break;
      default:
        return null;
    }
    const mantissa = readMantissa(entry.amount);
    if (Number.isNaN(mantissa)) return null;
    amounts[i] = mantissa;
    places[i] = readPlaces;
    if (readPlaces > scale) scale = readPlaces;
  }
  let total = 0;
  for (let i = 0; i < count; i++) {
    if (places[i] !== scale) amounts[i] = amounts[i]! * POW10[scale - places[i]!]!;
    total += amounts[i]!;
  }
  // Every balance, remainder and deficit is at most the sum of all amounts: exact below 2^53.
  if (!(total <= Number.MAX_SAFE_INTEGER)) return null;
  return new ScaledReplay(key, ordered, amounts, scale).run(asOf, observer);
}

/** Most decimal places taken; beyond them the general engine runs. */
const MAX_SCALE = 15;
/** 10^k for k = 0..22, exact doubles. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
/** decimal.js keeps a value's digits in words of LOG_BASE decimal digits (`d`), the exponent in `e`. */
const LOG_BASE = 7;
const WORD = 1e7;

/** The decimal places of the value readMantissa read last. */
let readPlaces = 0;

/**
 * A finite amount ≥ 0 as mantissa / 10^readPlaces with the fewest places, read from decimal.js's digits
 * (no string, no Decimal made); NaN for a negative or non-finite amount, more than 15 significant digits
 * or more than MAX_SCALE places.
 */
function readMantissa(value: Decimal): number {
  const words = value.d;
  if (value.s !== 1 || words === undefined || words === null) return NaN;
  const first = words[0]!;
  readPlaces = 0;
  if (first === 0) return 0;
  if (words.length > 3) return NaN;
  let digits = first;
  for (let w = 1; w < words.length; w++) digits = digits * WORD + words[w]!;
  if (digits > Number.MAX_SAFE_INTEGER) return NaN;
  let firstLength = 1;
  for (let w = first; w >= 10; w = Math.floor(w / 10)) firstLength++;
  // value = digits × 10^exponent
  let exponent = value.e - (firstLength + LOG_BASE * (words.length - 1) - 1);
  while (exponent < 0 && digits % 10 === 0) {
    digits /= 10;
    exponent++;
  }
  if (exponent >= 0) {
    if (exponent > 22) return NaN;
    const whole = digits * POW10[exponent]!;
    return Number.isSafeInteger(whole) ? whole : NaN;
  }
  if (-exponent > MAX_SCALE) return NaN;
  readPlaces = -exponent;
  return digits;
}

/** mantissa / 10^scale as canonical text (toCanonical of fromScaled's Decimal): no trailing zeros, '0' for zero. */
function scaledText(mantissa: number, scale: number): string {
  if (mantissa === 0) return '0';
  const negative = mantissa < 0;
  let digits = String(negative ? -mantissa : mantissa);
  if (scale > 0) {
    if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
    const point = digits.length - scale;
    let end = digits.length;
    while (end > point && digits.charCodeAt(end - 1) === 48) end--;
    digits = end === point ? digits.slice(0, point) : `${digits.slice(0, point)}.${digits.slice(point, end)}`;
  }
  return negative ? `-${digits}` : digits;
}

/** mantissa / 10^scale as a Decimal (mantissa a safe integer). */
function fromScaled(mantissa: number, scale: number): Decimal {
  if (mantissa === 0) return ZERO;
  if (scale === 0) return new Decimal(mantissa);
  const negative = mantissa < 0;
  let digits = String(negative ? -mantissa : mantissa);
  if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
  const text = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return new Decimal(negative ? `-${text}` : text);
}

/** replay.ts's AccountReplay for the covered entries, step for step, on scaled integers. */
class ScaledReplay {
  private readonly blocks: BlockState[] = [];
  private readonly byId = new Map<string, number>();
  /** Per block (creation order): remaining, consumed (deficit repaid included), expired; scaled. */
  private readonly remaining: number[] = [];
  private readonly consumed: number[] = [];
  private readonly expired: number[] = [];
  /** Per block: its initial amount, scaled (what I1 holds the other three to). */
  private readonly initial: number[] = [];
  /** Block numbers a decrement may draw from, in L1 order (DrawableBlocks). */
  private readonly drawable: number[] = [];
  /**
   * Generated expiry events still ahead, in the general engine's own heap: pushed and popped as it does,
   * so an observer's internals list them in the very same order.
   */
  private readonly events = new EventQueue();
  /** Blocks whose expiry the source recorded itself: no generated expiry for them. */
  private readonly sourceExpired = new Set<string>();
  /** Ids of the blocks a generated expiry emptied, in that order (each block expires once here). */
  private readonly generatedExpiries: string[] = [];
  /** Per block: its checkpoint tuple's text as last written, and the remaining and expiry flag it was written at. */
  private readonly tupleTexts: ({ remaining: number; expiredOut: boolean; text: string } | undefined)[] = [];
  private current = 0;
  private pending = 0;
  private deficit = 0;
  private sequence = 0;

  constructor(
    private readonly key: AccountKey,
    private readonly entries: readonly LedgerEntry[],
    private readonly amounts: Float64Array,
    private readonly scale: number,
  ) {
    for (const entry of entries) if (entry.kind === 'expiry' && entry.blockId !== null) this.sourceExpired.add(entry.blockId);
  }

  run(asOf: Instant, observer?: ReplayObserver): AccountState | null {
    const entries = this.entries;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      if (entry.at > asOf) break;
      this.runEventsThrough(entry.at);
      if (!this.apply(entry, this.amounts[i]!)) return null;
      observer?.after(i + 1, entry, this.blocks.length, this);
    }
    this.runEventsThrough(asOf);
    return this.finish(asOf);
  }

  private runEventsThrough(limit: Instant): void {
    const events = this.events;
    for (let next = events.peek(); next !== undefined && next.at <= limit; next = events.peek()) {
      events.pop();
      const block = next.block;
      if (block.expiredOut) continue;
      block.expiredOut = true;
      const b = this.byId.get(block.id)!;
      const left = this.remaining[b]!;
      if (left === 0) continue; // nothing remained: no entry generated
      this.sequence++;
      this.generatedExpiries.push(block.id);
      this.expireAll(b, left);
    }
  }

  /**
   * JSON.stringify(checkpointOf(this.internals(), ...)) (checkpoint.ts), character for character, written
   * straight from the integers: no Decimal, no tuple arrays to serialise. Amount texts are digits, a point
   * and a sign (nothing to escape); ids go through JSON.stringify.
   */
  checkpointText(position: number, validFrom: Instant, firstEntryAt: Instant): string {
    const scale = this.scale;
    const blocks = this.blocks;
    // Pieces joined once at the end: one flat string kept until the write, not a rope of every piece.
    const parts: string[] = [
      `{"version":${CHECKPOINT_VERSION},"position":${position},"validFrom":${validFrom},"firstEntryAt":${firstEntryAt},"sequence":${this.sequence},`,
      `"current":"${scaledText(this.current, scale)}","pending":"${scaledText(this.pending, scale)}","deficit":"${scaledText(this.deficit, scale)}","blocks":[`,
    ];
    const cache = this.tupleTexts;
    for (let b = 0; b < blocks.length; b++) {
      const block = blocks[b]!;
      const remaining = this.remaining[b]!;
      if (b > 0) parts.push(',');
      // Remaining only falls here (no amendment), and expired or consumed grow only as it does: the same
      // remaining and expiry flag are the same tuple, so a block spent before the last state is not written again.
      const cached = cache[b];
      if (cached !== undefined && cached.remaining === remaining && cached.expiredOut === block.expiredOut) {
        parts.push(cached.text);
        continue;
      }
      const consumed = this.consumed[b]!;
      const expired = this.expired[b]!;
      const initial = scaledText(remaining + consumed + expired, scale);
      const left = consumed === 0 && expired === 0 ? initial : scaledText(remaining, scale);
      const createdBy = block.createdBy === block.id ? 'null' : JSON.stringify(block.createdBy);
      const costBasis = block.costBasis === null ? 'null' : `"${toCanonical(block.costBasis)}"`;
      const flags = ACTIVATED | (block.expiredOut ? EXPIRED_OUT : 0);
      const tuple =
        `[${JSON.stringify(block.id)},${createdBy},${block.createdSequence},"${initial}","${left}","${scaledText(consumed, scale)}",` +
        `"${scaledText(expired, scale)}","0","0","0",${block.effectiveAt},${block.expiresAt},${costBasis},${block.priority},${flags}]`;
      cache[b] = { remaining, expiredOut: block.expiredOut, text: tuple };
      parts.push(tuple);
    }
    parts.push(`],"drawable":[${this.drawable.join(',')}],"events":[`);
    const events = this.events.items();
    for (let k = 0; k < events.length; k++) parts.push(`${k === 0 ? '' : ','}[${events[k]!.at},${EXPIRY},${this.byId.get(events[k]!.block.id)!}]`);
    parts.push(`],"sourceExpiredBlocks":${JSON.stringify([...this.sourceExpired])},"expiryCounts":[`);
    for (let k = 0; k < this.generatedExpiries.length; k++) parts.push(`${k === 0 ? '' : ','}[${JSON.stringify(this.generatedExpiries[k])},1]`);
    parts.push('],"scheduled":"0"}');
    return parts.join('');
  }

  /**
   * The general engine's internals at this point (ReplayInternals), for an observer: blocks copied with
   * their amounts made from the integers, so the copies stay as they are while the replay goes on.
   */
  internals(): ReplayInternals {
    const scale = this.scale;
    const blocks = this.blocks.map((block, b): BlockState => {
      const remaining = this.remaining[b]!;
      const consumed = this.consumed[b]!;
      const expired = this.expired[b]!;
      if (consumed === 0 && expired === 0) return { ...block }; // nothing moved: remaining is the initial Decimal
      return { ...block, remaining: fromScaled(remaining, scale), consumed: fromScaled(consumed, scale), expired: fromScaled(expired, scale) };
    });
    return {
      blocks,
      drawable: this.drawable.map((b) => blocks[b]!),
      events: this.events.items().map((event): BlockEvent => ({ at: event.at, type: event.type, block: blocks[this.byId.get(event.block.id)!]! })),
      sourceExpiredBlocks: [...this.sourceExpired],
      expiryCounts: this.generatedExpiries.map((id): [string, number] => [id, 1]),
      current: fromScaled(this.current, scale),
      pending: fromScaled(this.pending, scale),
      deficit: fromScaled(this.deficit, scale),
      sequence: this.sequence,
      scheduled: ZERO,
    };
  }

  /** False where the general engine throws or words a warning: the caller then runs it instead. */
  private apply(entry: LedgerEntry, amount: number): boolean {
    const sequence = ++this.sequence;
    if (entry.status === 'pending') {
      // Only decrements get here (L4): the pending balance moves, no block does.
      this.pending -= amount;
      return true;
    }
    switch (entry.kind) {
      case 'increment':
        return this.increment(entry, amount, sequence);
      case 'decrement': {
        let left = amount;
        if (entry.blockId !== null) {
          // L1b: the named block pays; where it cannot, the engine words a warning.
          const b = this.byId.get(entry.blockId);
          if (b === undefined) return false;
          const block = this.blocks[b]!;
          const held = this.remaining[b]!;
          if (block.expiredOut || (block.expiresAt !== null && entry.at >= block.expiresAt) || held === 0 || held < amount) return false;
          if (amount !== 0) this.take(b, amount);
          left = 0;
        }
        if (left !== 0) this.drawInOrder(left, entry.at);
        this.current -= amount;
        return true;
      }
      case 'expiry': {
        const b = entry.blockId === null ? undefined : this.byId.get(entry.blockId);
        if (b === undefined) return false; // L3: names no block this account has
        this.blocks[b]!.expiredOut = true;
        const left = this.remaining[b]!;
        if (left !== 0) this.expireAll(b, left);
        return true;
      }
      default:
        return false;
    }
  }

  private increment(entry: LedgerEntry, amount: number, sequence: number): boolean {
    const id = entry.blockId ?? entry.sourceId;
    if (this.byId.has(id)) return false; // L5: the engine refuses a block id used twice
    const effectiveAt = entry.effectiveAt ?? entry.at;
    if (entry.expiresAt !== null && entry.expiresAt <= effectiveAt) return false; // L3: refused
    const terms = { effectiveAt, expiresAt: entry.expiresAt, costBasis: entry.costBasis, priority: entry.priority, pending: false };
    const block = newBlockState(id, entry.sourceId, sequence, entry.amount, terms, true);
    const b = this.blocks.length;
    this.blocks.push(block);
    this.byId.set(id, b);
    this.remaining.push(amount);
    this.consumed.push(0);
    this.initial.push(amount);
    this.expired.push(0);
    this.current += amount;
    if (block.expiresAt !== null && !this.sourceExpired.has(id)) this.events.push({ at: Math.max(block.expiresAt, entry.at), type: EXPIRY, block });
    // Drawable now (effective at once): unless it has expired already or holds nothing.
    if ((block.expiresAt !== null && entry.at >= block.expiresAt) || amount === 0) return true;
    this.insertDrawable(b);
    if (this.deficit !== 0) {
      // L2: a block that becomes drawable repays the deficit first.
      const repaid = this.deficit < amount ? this.deficit : amount;
      this.take(b, repaid);
      this.deficit -= repaid;
    }
    return true;
  }

  private insertDrawable(b: number): void {
    const list = this.drawable;
    const block = this.blocks[b]!;
    let low = 0;
    let high = list.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareDeductionOrder(this.blocks[list[mid]!]!, block) <= 0) low = mid + 1;
      else high = mid;
    }
    list.splice(low, 0, b);
  }

  private removeDrawable(b: number): void {
    const index = this.drawable.indexOf(b);
    if (index >= 0) this.drawable.splice(index, 1);
  }

  /** A draw (consume or deficit repayment) from block b; an emptied block leaves the drawable list. */
  private take(b: number, amount: number): void {
    this.remaining[b] = this.remaining[b]! - amount;
    this.consumed[b] = this.consumed[b]! + amount;
    if (this.remaining[b] === 0) this.removeDrawable(b);
  }

  /** The expiry (recorded or generated) of what block b still holds. */
  private expireAll(b: number, left: number): void {
    this.remaining[b] = 0;
    this.expired[b] = this.expired[b]! + left;
    this.removeDrawable(b);
    this.current -= left;
  }

  /** L1 then L2, as replay.ts drawInOrder. */
  private drawInOrder(amount: number, at: Instant): void {
    let left = amount;
    const ordered = this.drawable;
    let emptied = 0;
    for (let k = 0; k < ordered.length && left !== 0; k++) {
      const b = ordered[k]!;
      const expiresAt = this.blocks[b]!.expiresAt;
      if (expiresAt !== null && at >= expiresAt) continue; // its expiry event has not run at this instant yet
      const remaining = this.remaining[b]!;
      if (remaining > left) {
        this.remaining[b] = remaining - left;
        this.consumed[b] = this.consumed[b]! + left;
        left = 0;
        break;
      }
      this.remaining[b] = 0;
      this.consumed[b] = this.consumed[b]! + remaining;
      left -= remaining;
      emptied++;
    }
    if (emptied > 0) {
      let kept = 0;
      for (let k = 0; k < ordered.length; k++) if (this.remaining[ordered[k]!] !== 0) ordered[kept++] = ordered[k]!;
      ordered.length = kept;
    }
    if (left !== 0) this.deficit += left;
  }

  /**
   * invariants.ts's assertAccountInvariants (I1, I2, the deduction list) on the integers, of which the state's
   * Decimals are exact images: the same checks without a Decimal operation per block.
   */
  private assertInvariants(at: Instant): void {
    const key = this.key;
    const text = (value: number): string => scaledText(value, this.scale);
    let remainingTotal = 0;
    for (let b = 0; b < this.blocks.length; b++) {
      const id = this.blocks[b]!.id;
      const initial = this.initial[b]!;
      const remaining = this.remaining[b]!;
      if (remaining < 0 || remaining > initial) throw new InvariantViolation('I2', key, `block ${id} remaining ${text(remaining)} outside 0..${text(initial)}`);
      if (remaining + this.consumed[b]! + this.expired[b]! !== initial) throw new InvariantViolation('I1', key, `block ${id} does not conserve its initial ${text(initial)}`);
      remainingTotal += remaining; // every block here is posted and effective
    }
    const deficit = this.deficit;
    if (deficit < 0) throw new InvariantViolation('I2', key, `deficit ${text(deficit)} is negative`);
    if (deficit !== 0) {
      for (let b = 0; b < this.blocks.length; b++) {
        const block = this.blocks[b]!;
        if (this.remaining[b] !== 0 && block.effectiveAt <= at && (block.expiresAt === null || at < block.expiresAt)) {
          throw new InvariantViolation('I2', key, `deficit ${text(deficit)} while block ${block.id} is drawable`);
        }
      }
    }
    if (remainingTotal - deficit !== this.current) {
      throw new InvariantViolation('I1', key, `balance ${text(this.current)} ≠ Σ remaining ${text(remainingTotal)} − deficit ${text(deficit)}`);
    }
    for (const b of this.drawable) {
      if (this.remaining[b] === 0) throw new InvariantViolation('L1', key, `depleted block ${this.blocks[b]!.id} left in the deduction list`);
    }
  }

  private finish(asOf: Instant): AccountState {
    this.assertInvariants(asOf);
    const scale = this.scale;
    const blocks = this.blocks;
    for (let b = 0; b < blocks.length; b++) {
      const block = blocks[b]!;
      const remaining = this.remaining[b]!;
      // The initial Decimal itself where nothing moved, as the general engine leaves it.
      if (remaining === 0) block.remaining = ZERO;
      else if (this.consumed[b] !== 0 || this.expired[b] !== 0) block.remaining = fromScaled(remaining, scale);
      block.consumed = fromScaled(this.consumed[b]!, scale);
      block.expired = fromScaled(this.expired[b]!, scale);
    }
    const current = fromScaled(this.current, scale);
    const pending = fromScaled(this.pending, scale);
    const deficit = fromScaled(this.deficit, scale);
    return {
      key: this.key,
      asOf,
      blocks,
      current,
      pending,
      available: current.plus(pending),
      deficit,
      entryCount: this.sequence,
      entries: [],
      scheduled: ZERO,
      allocationWarnings: [],
    };
  }
}
