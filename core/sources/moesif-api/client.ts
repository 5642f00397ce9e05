/*
 * Moesif management API: post a balance transaction (the documented
 * `POST /v1/~/billing/reports/balance_transactions`, bearer MOESIF_MANAGEMENT_TOKEN): what the
 * adjustments work uses to push balancing entries. Reading them back is reports.ts (`sync moesif`).
 *
 * Idempotency: Moesif identifies a balance transaction by its `transaction_id`, so the same body
 * posted twice is one transaction. This client therefore retries a failed post (network error, 429,
 * 5xx) with the very same body, and treats a 409 (that id exists) as already posted.
 */

import { abortableSleep, retryAfterMs, retryWait, type OnRetryWait } from '../../sync/retry-wait.js';

export type MoesifTransactionType = 'credit' | 'debit' | 'promotion' | 'adjustment';

/** The request body, as Moesif documents it; amounts are decimal strings here and sent as JSON numbers. */
export interface MoesifBalanceTransaction {
  company_id: string;
  subscription_id?: string | null;
  transaction_id: string;
  type: MoesifTransactionType;
  /** Major units, signed (debits negative), canonical decimal text ("-12.5"). */
  amount: string;
  description?: string | null;
  active_at?: string | null;
  expire_at?: string | null;
}

export interface MoesifClientOptions {
  token: string;
  /** Default https://api.moesif.com. */
  apiBase?: string;
  /** Moesif's app_id query parameter, when the token spans several apps. */
  appId?: string;
  /** Attempts in all (first post + retries). */
  maxAttempts?: number;
  /** First backoff (doubles each retry, capped at 30 s) when the server names no Retry-After. */
  backoffMs?: number;
  fetch?: typeof fetch;
  /** How a retry waits (default: a timer a cancel ends). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Told before each wait for a retry (Retry-After capped at 60 s), so the user hears why it pauses. */
  onWait?: OnRetryWait;
}

/** Waits before a retry: Retry-After (capped) or the backoff; announced; a cancel ends it. */
export async function waitBeforeRetry(options: MoesifClientOptions, response: Response, reason: string, backoffMs: number, signal?: AbortSignal): Promise<void> {
  const wait = retryWait('moesif', reason, retryAfterMs(response.headers.get('retry-after')), backoffMs);
  if (wait.waitMs > 0) options.onWait?.(wait);
  await (options.sleep ?? abortableSleep)(wait.waitMs, signal);
}

export type MoesifPostResult = { outcome: 'created' | 'already_posted'; status: number; attempts: number };

export class MoesifError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'MoesifError';
  }
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** The JSON body with the amount as a number literal taken from its decimal text (never through a float). */
export function moesifRequestBody(transaction: MoesifBalanceTransaction): string {
  if (!DECIMAL.test(transaction.amount)) throw new MoesifError(`amount must be a decimal like "-12.5", found ${JSON.stringify(transaction.amount)}`, null);
  if (transaction.transaction_id === '' || transaction.company_id === '') throw new MoesifError('company_id and transaction_id must not be empty', null);
  const { amount, ...rest } = transaction;
  const fields = Object.entries(rest).filter(([, value]) => value !== undefined && value !== null);
  const parts = fields.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`);
  parts.push(`"amount":${amount}`);
  return `{${parts.join(',')}}`;
}

/**
 * Why a response is not Moesif's own answer to the request sent to `url`: a 3xx (never followed for a
 * write), or a response a custom fetch reached by following one. Null when it is.
 */
export function redirectProblem(response: Response, url: string): string | null {
  const location = response.headers.get('location');
  if ((response.status >= 300 && response.status < 400) || response.type === 'opaqueredirect') {
    return `Moesif answered ${response.status} (a redirect${location === null ? '' : ` to ${location}`}); a write is not sent on to another address`;
  }
  if (response.redirected || (response.url !== '' && response.url !== new URL(url).href)) return `the answer came from ${response.url || 'a redirect'}, not from ${url}`;
  return null;
}

/** The transaction_id a 2xx body names, when it is a JSON object naming one (Moesif's documented answer has no body). */
function answeredTransactionId(text: string): string | null {
  if (text.trim() === '') return null;
  try {
    const value = JSON.parse(text) as unknown;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const id = (value as Record<string, unknown>).transaction_id;
      return typeof id === 'string' ? id : null;
    }
  } catch {
    // Not JSON: Moesif's answer to a post is its status; the body carries nothing we check.
  }
  return null;
}

export async function postMoesifBalanceTransaction(options: MoesifClientOptions, transaction: MoesifBalanceTransaction, signal?: AbortSignal): Promise<MoesifPostResult> {
  const body = moesifRequestBody(transaction);
  const base = (options.apiBase ?? 'https://api.moesif.com').replace(/\/+$/, '');
  const url = `${base}/v1/~/billing/reports/balance_transactions${options.appId === undefined ? '' : `?app_id=${encodeURIComponent(options.appId)}`}`;
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? abortableSleep;
  const maxAttempts = options.maxAttempts ?? 4;
  const backoff = options.backoffMs ?? 500;
  let lastProblem = '';
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let response: Response;
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers: { Authorization: `Bearer ${options.token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
        body,
        // A write is never followed to another address: only Moesif's own answer counts (issue 10 §4).
        redirect: 'manual',
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error) {
      if (signal?.aborted === true) throw error;
      lastProblem = `could not reach Moesif (${(error as Error).message})`;
      if (attempt < maxAttempts) await sleep(Math.min(30_000, backoff * 2 ** (attempt - 1)), signal);
      continue;
    }
    const status = response.status;
    // Read the body so the connection is released; it is not echoed (it may quote the request).
    const answer = await response.text().catch(() => '');
    const redirect = redirectProblem(response, url);
    if (redirect !== null) throw new MoesifError(`balance transaction ${transaction.transaction_id} was not posted: ${redirect}`, status);
    if (status >= 200 && status < 300) {
      const named = answeredTransactionId(answer);
      if (named !== null && named !== transaction.transaction_id) {
        throw new MoesifError(`balance transaction ${transaction.transaction_id}: Moesif's answer names transaction ${JSON.stringify(named)}, not this one; not recorded as posted`, status);
      }
      return { outcome: 'created', status, attempts: attempt };
    }
    if (status === 409) return { outcome: 'already_posted', status, attempts: attempt };
    if (status === 401 || status === 403) {
      throw new MoesifError(`the Moesif token was rejected (${status}) — check MOESIF_MANAGEMENT_TOKEN (it needs the create:billing_reports scope)`, status);
    }
    if (status === 429 || status >= 500) {
      lastProblem = `Moesif answered ${status}`;
      if (attempt < maxAttempts) {
        await waitBeforeRetry(options, response, `Moesif answered ${status}`, Math.min(30_000, backoff * 2 ** (attempt - 1)), signal);
      }
      continue;
    }
    throw new MoesifError(`Moesif refused balance transaction ${transaction.transaction_id} (${status})`, status);
  }
  throw new MoesifError(`balance transaction ${transaction.transaction_id} was not posted after ${maxAttempts} attempts: ${lastProblem}`, null);
}
