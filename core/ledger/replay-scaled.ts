import type { Instant } from '../time/instant.js';

/**
 * replayAccount (replay.ts) for the common shape of an exported ledger, on scaled integers instead of
 * Decimals: every amount is an integer count of 10^−scale units, exact as a double while it stays below
 * 2^53 (checked after every sum). For the audit of large exports (core/audit/scanned-account.ts); the
 * general engine stays replay.ts, and a property test holds the two to the same balances.
 *
 * Covered: posted increments (effective at once, no priority; cost basis given as a rank, equal values
 * equal ranks, none ranked as 0), posted decrements (from the block they name, L1b, else in L1 order; L2
 * deficit and its repayment) and posted
 * expiry entries naming a block (L3; a block with a recorded expiry gets no generated one), plus the
 * generated expiries of the other blocks. Returns null where replay.ts would throw a LedgerRuleError (a
 * block id used twice, an expiry naming a block the account does not have yet, a block expiring before it
 * is effective), a decrement's named block cannot cover it (the engine's L1b warning), or a sum leaves
 * the exact range: the caller then takes the general engine.
 */

export const SCALED_INCREMENT = 0;
export const SCALED_DECREMENT = 1;
export const SCALED_EXPIRY = 2;

export interface ScaledEntries {
  count: number;
  /** SCALED_INCREMENT, SCALED_DECREMENT or SCALED_EXPIRY. */
  kind: ArrayLike<number>;
  at: ArrayLike<Instant>;
  /** Magnitude, scaled (a safe integer). */
  amount: ArrayLike<number>;
  /**
   * Increment: the block it creates; expiry: the block it names; decrement: the block it drew from (L1b),
   * −1 for none (block ids as integers, equal ids equal numbers).
   */
  block: ArrayLike<number>;
  /** Increment: its block's expires_at, NaN for none. */
  expiresAt: ArrayLike<number>;
  /** Increment: its cost basis's rank in L1 (no cost basis ranks as 0 does). */
  costRank: ArrayLike<number>;
}

const MAX = Number.MAX_SAFE_INTEGER;

/**
 * Replays entries given in replay order (time, then ordinal) as of the last entry's time. Writes each
 * entry's posted ending balance to `endings` and returns the final posted balance, or null (see above).
 */
export function replayScaled(entries: ScaledEntries, endings: Float64Array): number | null {
  const { count, kind, at, amount, block, expiresAt, costRank } = entries;
  const sourceExpired = new Set<number>();
  for (let i = 0; i < count; i++) if (kind[i] === SCALED_EXPIRY) sourceExpired.add(block[i]!);

  const local = new Map<number, number>();
  const remaining: number[] = [];
  const expires: number[] = []; // +Infinity: never
  const rank: number[] = [];
  const expiredOut: boolean[] = [];
  /** Drawable blocks (local numbers) in L1 order. */
  const drawable: number[] = [];
  /** Generated expiry events, sorted by (at, block); consumed from `head`. */
  const eventAt: number[] = [];
  const eventBlock: number[] = [];
  let head = 0;
  let current = 0;
  let deficit = 0;

  // L1 with no priorities: expires_at (never last), cost basis, then creation (effective_at is the
  // creating entry's time, which grows with creation order).
  const before = (a: number, b: number): boolean => {
    if (expires[a] !== expires[b]) return expires[a]! < expires[b]!;
    if (rank[a] !== rank[b]) return rank[a]! < rank[b]!;
    return a < b;
  };
  const removeDrawable = (b: number): void => {
    const index = drawable.indexOf(b);
    if (index >= 0) drawable.splice(index, 1);
  };
  const runEventsThrough = (limit: number): void => {
    while (head < eventAt.length && eventAt[head]! <= limit) {
      const b = eventBlock[head++]!;
      if (expiredOut[b]) continue;
      expiredOut[b] = true;
      const left = remaining[b]!;
      if (left === 0) continue;
      remaining[b] = 0;
      removeDrawable(b);
      current -= left;
    }
  };

  for (let i = 0; i < count; i++) {
    const t = at[i]!;
    runEventsThrough(t);
    const value = amount[i]!;
    switch (kind[i]) {
      case SCALED_INCREMENT: {
        const id = block[i]!;
        if (local.has(id)) return null; // L5: block already exists
        const expiry = Number.isNaN(expiresAt[i]!) ? Number.POSITIVE_INFINITY : expiresAt[i]!;
        if (expiry <= t) return null; // L3: expires at or before it becomes effective
        const b = remaining.length;
        local.set(id, b);
        remaining.push(value);
        expires.push(expiry);
        rank.push(costRank[i]!);
        expiredOut.push(false);
        current += value;
        if (current > MAX) return null;
        if (expiry !== Number.POSITIVE_INFINITY && !sourceExpired.has(id)) {
          // Insert after events at the same or an earlier time: ties go by creation.
          let k = eventAt.length;
          eventAt.push(expiry);
          eventBlock.push(b);
          while (k > head && eventAt[k - 1]! > expiry) {
            eventAt[k] = eventAt[k - 1]!;
            eventBlock[k] = eventBlock[k - 1]!;
            k--;
          }
          eventAt[k] = expiry;
          eventBlock[k] = b;
        }
        if (value === 0) break;
        let low = 0;
        let high = drawable.length;
        while (low < high) {
          const mid = (low + high) >>> 1;
          if (before(b, drawable[mid]!)) high = mid;
          else low = mid + 1;
        }
        drawable.splice(low, 0, b);
        if (deficit !== 0) {
          // L2: a block that becomes drawable repays the deficit first.
          const repaid = deficit < value ? deficit : value;
          remaining[b] = value - repaid;
          deficit -= repaid;
          if (remaining[b] === 0) removeDrawable(b);
        }
        break;
      }
      case SCALED_DECREMENT: {
        const named = block[i]!;
        if (named >= 0) {
          // L1b: the named block pays; where it cannot, the engine words a warning, so give up.
          const b = local.get(named);
          if (b === undefined || expiredOut[b] || t >= expires[b]! || remaining[b]! < value) return null;
          remaining[b] = remaining[b]! - value;
          if (remaining[b] === 0) removeDrawable(b);
          current -= value;
          if (current < -MAX) return null;
          break;
        }
        let left = value;
        let emptied = 0;
        for (let k = 0; k < drawable.length && left !== 0; k++) {
          const b = drawable[k]!;
          if (t >= expires[b]!) continue; // its expiry event has not run at this instant yet
          if (remaining[b]! > left) {
            remaining[b] = remaining[b]! - left;
            left = 0;
            break;
          }
          left -= remaining[b]!;
          remaining[b] = 0;
          emptied++;
        }
        if (emptied > 0) {
          let kept = 0;
          for (let k = 0; k < drawable.length; k++) if (remaining[drawable[k]!] !== 0) drawable[kept++] = drawable[k]!;
          drawable.length = kept;
        }
        if (left !== 0) {
          deficit += left;
          if (deficit > MAX) return null;
        }
        current -= value;
        if (current < -MAX) return null;
        break;
      }
      case SCALED_EXPIRY: {
        const b = local.get(block[i]!);
        if (b === undefined) return null; // L3: names a block the account does not have at that time
        expiredOut[b] = true;
        const left = remaining[b]!;
        if (left !== 0) {
          remaining[b] = 0;
          removeDrawable(b);
          current -= left;
        }
        break;
      }
      default:
        return null;
    }
    endings[i] = current;
  }
  if (count > 0) runEventsThrough(at[count - 1]!);
  return current;
}
