import { abortableSleep } from '../../sync/retry-wait.js';
import { MoesifError, waitBeforeRetry, type MoesifClientOptions } from './client.js';

/*
 * Moesif's management API, read side: `GET /v1/~/billing/reports?type=balance_transaction&from=&to=`
 * (bearer MOESIF_MANAGEMENT_TOKEN, scope read:billing_reports) answers a JSON array of BillingReport
 * objects, one per balance transaction, with the filters `from`, `to` (ISO 8601), `company_id`,
 * `subscription_id`. Moesif's published reference names no page size or cursor, so the sync pages by
 * time (core/sync/moesif-sync.ts). The body is returned as text: the importer reads it losslessly, as it
 * reads a saved copy of the same response.
 */

export interface MoesifReportsQuery {
  /** ISO 8601 instants: created_at >= from and < to. */
  from: string;
  to: string;
}

export interface MoesifReportsPage {
  /** The response body (a JSON array). */
  text: string;
  /** Attempts this page took (a 429 or 5xx is retried with the same request). */
  attempts: number;
  rateLimited: number;
}

export function moesifReportsUrl(options: MoesifClientOptions, query: MoesifReportsQuery): string {
  const base = (options.apiBase ?? 'https://api.moesif.com').replace(/\/+$/, '');
  const params = new URLSearchParams({ type: 'balance_transaction', from: query.from, to: query.to });
  if (options.appId !== undefined) params.set('app_id', options.appId);
  return `${base}/v1/~/billing/reports?${params.toString()}`;
}

/** One GET, retried on network errors, 429 (after Retry-After) and 5xx; a 401/403 says which scope is needed. */
export async function getMoesifBalanceReports(options: MoesifClientOptions, query: MoesifReportsQuery, signal?: AbortSignal): Promise<MoesifReportsPage> {
  const url = moesifReportsUrl(options, query);
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? abortableSleep;
  const maxAttempts = options.maxAttempts ?? 4;
  const backoff = options.backoffMs ?? 500;
  let lastProblem = '';
  let rateLimited = 0;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let response: Response;
    try {
      response = await doFetch(url, { method: 'GET', headers: { Authorization: `Bearer ${options.token}`, Accept: 'application/json' }, ...(signal === undefined ? {} : { signal }) });
    } catch (error) {
      if (signal?.aborted === true) throw error;
      lastProblem = `could not reach Moesif (${(error as Error).message})`;
      if (attempt < maxAttempts) await sleep(Math.min(30_000, backoff * 2 ** (attempt - 1)), signal);
      continue;
    }
    const status = response.status;
    const text = await response.text().catch(() => '');
    if (status >= 200 && status < 300) return { text, attempts: attempt, rateLimited };
    if (status === 401 || status === 403) {
      throw new MoesifError(`the Moesif token was rejected (${status}) — check MOESIF_MANAGEMENT_TOKEN (it needs the read:billing_reports scope)`, status);
    }
    if (status === 429 || status >= 500) {
      if (status === 429) rateLimited++;
      lastProblem = `Moesif answered ${status}`;
      if (attempt < maxAttempts) {
        await waitBeforeRetry(options, response, `Moesif answered ${status}${status === 429 ? ' (rate limited)' : ''}`, Math.min(30_000, backoff * 2 ** (attempt - 1)), signal);
      }
      continue;
    }
    throw new MoesifError(`Moesif refused GET /v1/~/billing/reports (${status})`, status);
  }
  throw new MoesifError(`GET /v1/~/billing/reports from ${query.from} failed after ${maxAttempts} attempts: ${lastProblem}`, null);
}
