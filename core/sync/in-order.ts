/*
 * Per-customer requests with several in flight, results used strictly in order. A sync asks one
 * question per customer (Stripe: balance transactions, credit balance summaries; Orb: invoices, ledger,
 * credits) and each answer waits a network round trip: one at a time, 10,000 customers at ~150 ms a trip
 * wait 25 minutes with the rate limit nowhere near (the bench: 150 customers at 40 ms, 19 s one at a
 * time, 5 s with 8 in flight). With `width` requests in flight the provider's rate limiter
 * (core/sync/rate-limiter.ts, shared by every request) becomes the bound.
 *
 * Order is kept where it matters: `consume` (the commit, its cursor, its warnings) runs for item i only
 * after it ran for every earlier item, so a sync stopped anywhere has committed a prefix and resumes after
 * it, exactly as when it went one at a time. A failed fetch surfaces when its turn comes (the earlier
 * items are committed first); the fetches started after it are not consumed, and their own failures are
 * caught here so none goes unhandled. They are not awaited: a cancel aborts them through the caller's
 * signal, and an error's stray answers are dropped.
 */

/** Requests in flight per sync by default: Stripe's live budget is 100/s, which 8 in flight reach at round trips up to ~80 ms. */
export const DEFAULT_SYNC_CONCURRENCY = 8;

export async function fetchInOrder<T, R>(
  items: readonly T[],
  width: number,
  fetch: (item: T) => Promise<R>,
  consume: (item: T, result: R) => void | Promise<void>,
  /** Called as item i's turn comes, before its answer is awaited: where a sync notes its position and checks for a cancel. */
  onTurn?: (item: T) => void,
): Promise<void> {
  if (!Number.isInteger(width) || width < 1) throw new Error(`concurrency must be a positive integer, found ${width}`);
  const inFlight: Promise<R>[] = [];
  let started = 0;
  const startNext = (): void => {
    const item = items[started++]!;
    let promise: Promise<R>;
    try {
      promise = fetch(item);
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.catch(() => {});
    inFlight.push(promise);
  };
  while (started < items.length && inFlight.length < width) startNext();
  for (let i = 0; i < items.length; i++) {
    onTurn?.(items[i]!);
    const result = await inFlight.shift()!;
    if (started < items.length) startNext();
    await consume(items[i]!, result);
  }
}
