/*
 * A token bucket for API requests (GCRA form: one "theoretical arrival time" instead of a token
 * count). `ratePerSecond` requests per second on average, at most `burst` at once. Requests are
 * granted in call order. A 429 pauses every request until the time the server asked for.
 *
 * This is I/O pacing, not ledger time: it reads a monotonic clock, injected so tests need not wait.
 */
import { abortableSleep } from './retry-wait.js';

export interface PacingClock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: PacingClock = {
  now: () => performance.now(),
  sleep: abortableSleep,
};

export interface RateLimiterOptions {
  /** Average requests per second (Stripe's live-mode budget is 100). */
  ratePerSecond: number;
  /** Requests that may go at once after an idle spell. */
  burst?: number;
  clock?: PacingClock;
}

export class RateLimiter {
  readonly ratePerSecond: number;
  readonly burst: number;
  private readonly intervalMs: number;
  private readonly clock: PacingClock;
  /** When the next request would be due if requests went exactly at the rate. */
  private theoreticalArrival = Number.NEGATIVE_INFINITY;
  private pausedUntil = Number.NEGATIVE_INFINITY;
  /** Requests granted so far (for tests and progress). */
  granted = 0;

  constructor(options: RateLimiterOptions) {
    if (!(options.ratePerSecond > 0) || !Number.isFinite(options.ratePerSecond)) {
      throw new Error(`rate limiter: ratePerSecond must be a positive number, found ${options.ratePerSecond}`);
    }
    this.ratePerSecond = options.ratePerSecond;
    this.burst = Math.max(1, Math.floor(options.burst ?? Math.max(1, Math.round(options.ratePerSecond / 10))));
    this.intervalMs = 1000 / options.ratePerSecond;
    this.clock = options.clock ?? systemClock;
  }

  /** Waits for a request slot (reserved at call time, so callers go in call order). */
  async take(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const now = this.clock.now();
    const arrival = Math.max(this.theoreticalArrival, now, this.pausedUntil);
    const allowedAt = arrival - (this.burst - 1) * this.intervalMs;
    this.theoreticalArrival = arrival + this.intervalMs;
    if (allowedAt > now) await this.clock.sleep(allowedAt - now, signal);
    // A 429 seen while this request waited: wait for the pause too (bounded: each pause is finite).
    for (let guard = 0; guard < 100; guard++) {
      const left = this.pausedUntil - this.clock.now();
      if (left <= 0) break;
      await this.clock.sleep(left, signal);
    }
    this.granted++;
  }

  /** No request before `ms` from now (the server said Retry-After, or a backoff after a 429). */
  pause(ms: number): void {
    const until = this.clock.now() + Math.max(0, ms);
    if (until > this.pausedUntil) this.pausedUntil = until;
    // The bucket starts empty after a pause: no burst right after the server said stop.
    if (this.theoreticalArrival < until + (this.burst - 1) * this.intervalMs) {
      this.theoreticalArrival = until + (this.burst - 1) * this.intervalMs;
    }
  }
}
