/*
 * Waiting before a retry (issue 10 §5): a provider's Retry-After is obeyed only up to MAX_RETRY_WAIT_MS
 * (an hour's Retry-After would otherwise stall a sync silently), every wait is announced (the CLI says it
 * on stderr, a job in its progress) with how long it is, and a cancel (Ctrl-C, the Cancel button: an
 * AbortSignal) ends it at once. I/O pacing only: this reads the wall clock for an HTTP-date Retry-After.
 */

export const MAX_RETRY_WAIT_MS = 60_000;

export type WaitingProvider = 'stripe' | 'orb' | 'moesif';

export interface RetryWait {
  provider: WaitingProvider;
  /** How long it waits now (at most MAX_RETRY_WAIT_MS). */
  waitMs: number;
  /** What the provider asked for (Retry-After), when more than the wait. */
  askedMs: number | null;
  /** "Stripe answered 429 (rate limited)". */
  reason: string;
}

export type OnRetryWait = (wait: RetryWait) => void;

/** Retry-After as milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, nowMs: number = Date.now()): number | null {
  if (header === null || header === undefined) return null;
  const text = header.trim();
  if (text === '') return null;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : null;
}

/** The wait for a retry: what the provider asked (else the fallback backoff), capped. */
export function retryWait(provider: WaitingProvider, reason: string, askedMs: number | null, fallbackMs: number): RetryWait {
  const wanted = askedMs ?? fallbackMs;
  const waitMs = Math.min(Math.max(0, wanted), MAX_RETRY_WAIT_MS);
  return { provider, waitMs, askedMs: askedMs !== null && askedMs > waitMs ? askedMs : null, reason };
}

/** One line for stderr or a job's progress: "Stripe answered 429 (rate limited): waiting 60 s before retrying (it asked for 3600 s; Ctrl-C or Cancel stops the sync)". */
export function describeRetryWait(wait: RetryWait): string {
  const seconds = (ms: number): string => `${Math.ceil(ms / 1000)} s`;
  const asked = wait.askedMs === null ? '' : `; it asked for ${seconds(wait.askedMs)}, more than the ${seconds(MAX_RETRY_WAIT_MS)} Ledgerscope waits at most`;
  return `${wait.reason}: waiting ${seconds(wait.waitMs)} before retrying${asked}`;
}

/** Resolves after `ms`; rejects with the signal's reason as soon as it is aborted. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
