// The request limiter with a fake clock: average rate, burst, call order, pauses after a 429.
import { describe, expect, it } from 'vitest';
import { RateLimiter, type PacingClock } from '../../core/sync/rate-limiter.js';

class FakeClock implements PacingClock {
  time = 0;
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.time += ms;
  }
}

async function grantTimes(limiter: RateLimiter, clock: FakeClock, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    await limiter.take();
    times.push(Math.round(clock.time));
  }
  return times;
}

describe('rate limiter (token bucket)', () => {
  it('100 requests/s with a burst of 10: ten at once, then one every 10 ms', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ ratePerSecond: 100, burst: 10, clock });
    const times = await grantTimes(limiter, clock, 30);
    expect(times.slice(0, 10)).toEqual(new Array(10).fill(0));
    expect(times.slice(10)).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 10));
    // 1,000 requests take ~9.9 s: 100 pages of 100 objects is the bound of 10,000 objects/s.
    const many = await grantTimes(limiter, clock, 1000);
    expect(many.at(-1)! - times.at(-1)!).toBe(10_000);
  });

  it('a pause (429 Retry-After) holds every request until it ends, then starts without a burst', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ ratePerSecond: 100, burst: 10, clock });
    await grantTimes(limiter, clock, 3);
    limiter.pause(2_000);
    const after = await grantTimes(limiter, clock, 3);
    expect(after).toEqual([2_000, 2_010, 2_020]);
  });

  it('rejects a rate that is not positive', () => {
    expect(() => new RateLimiter({ ratePerSecond: 0 })).toThrow('ratePerSecond must be a positive number');
  });
});
