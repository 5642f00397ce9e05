import Orb from 'orb-billing';
import { isRecord } from '../sources/fields.js';
import { parseJsonExact, stringifyExact } from '../sources/lossless-json.js';
import { RateLimiter } from './rate-limiter.js';
import { retryAfterMs, retryWait, type OnRetryWait } from './retry-wait.js';
import { redactKeys, SyncError } from './sync-errors.js';

/*
 * The official `orb-billing` SDK behind our pacing. Retries are ours, not the SDK's (its own would obey
 * any Retry-After, an hour included, in a wait nothing can cancel): 408, 409, 429 and 5xx and network
 * errors, as the SDK decides them (x-should-retry first), after Retry-After capped at 60 s or a backoff,
 * announced through onWait and ended by the signal (issue 10 §5). Writes never follow a redirect: the
 * SDK is given a fetch that answers a 3xx as it is, and a 3xx is an error (issue 10 §4). Pages are read
 * as raw text (`asResponse()`) and parsed losslessly: Orb sends amounts as JSON numbers, and the SDK's
 * JSON.parse would take them through a float.
 */

/** fetch for the SDK: a write (any method but GET and HEAD) gets the provider's own answer, a 3xx included, never a redirect's. */
export function fetchRefusingRedirectsForWrites(base: typeof fetch = fetch): typeof fetch {
  return (input, init) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    if (method === 'GET' || method === 'HEAD') return base(input, init);
    return base(input, { ...init, redirect: 'manual' });
  };
}

/** The SDK's retry rule (x-should-retry, then 408, 409, 429, 5xx, no answer at all); a 3xx never. */
function isRetryable(status: number | undefined, headers: Headers | undefined): boolean {
  if (status !== undefined && status >= 300 && status < 400) return false;
  const said = headers?.get('x-should-retry');
  if (said === 'true') return true;
  if (said === 'false') return false;
  return status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;
}

export interface OrbPage {
  /** The page's text exactly as Orb sent it. */
  text: string;
  /** The page's items, numbers lossless. */
  items: Record<string, unknown>[];
  /** Each item re-serialised exactly (evidence). */
  raws: string[];
  hasMore: boolean;
  nextCursor: string | null;
}

export interface OrbApiOptions {
  apiKey: string;
  /** The API's base URL including its version path (default https://api.withorb.com/v1). */
  apiBase?: string;
  limiter: RateLimiter;
  maxRetries?: number;
  timeoutMs?: number;
  /** Told before each wait for a retry, with its length (Retry-After capped at 60 s). */
  onWait?: OnRetryWait;
  /** The fetch under the SDK (tests); writes through it still refuse redirects. */
  fetch?: typeof fetch;
}

export class OrbApi {
  private readonly orb: Orb;
  private readonly limiter: RateLimiter;
  private readonly key: string;
  private readonly maxRetries: number;
  private readonly onWait: OnRetryWait | undefined;
  requests = 0;

  constructor(options: OrbApiOptions) {
    this.key = options.apiKey;
    if (options.apiBase !== undefined) {
      try {
        new URL(options.apiBase);
      } catch {
        throw new SyncError('usage', `--api-base: expected a URL like https://api.withorb.com/v1, found ${JSON.stringify(options.apiBase)}`);
      }
    }
    this.orb = new Orb({
      apiKey: options.apiKey,
      ...(options.apiBase === undefined ? {} : { baseURL: options.apiBase }),
      // Ours retry (request()): the SDK's waits cannot be capped or cancelled.
      maxRetries: 0,
      fetch: fetchRefusingRedirectsForWrites(options.fetch),
      timeout: options.timeoutMs ?? 60_000,
      // The SDK logs nothing by default; keep it so (a debug log would print request headers).
      logLevel: 'off',
    });
    this.limiter = options.limiter;
    this.maxRetries = options.maxRetries ?? 3;
    this.onWait = options.onWait;
  }

  customers(cursor: string | null, limit: number, signal?: AbortSignal): Promise<OrbPage> {
    return this.page('GET /customers', () => this.orb.customers.list({ limit, ...(cursor === null ? {} : { cursor }) }, { signal: signal ?? null }).asResponse(), signal);
  }

  ledger(customerId: string, cursor: string | null, limit: number, signal?: AbortSignal): Promise<OrbPage> {
    return this.page(`GET /customers/${customerId}/credits/ledger`, () =>
      this.orb.customers.credits.ledger.list(customerId, { limit, ...(cursor === null ? {} : { cursor }) }, { signal: signal ?? null }).asResponse(), signal);
  }

  credits(customerId: string, cursor: string | null, limit: number, signal?: AbortSignal): Promise<OrbPage> {
    return this.page(`GET /customers/${customerId}/credits`, () =>
      this.orb.customers.credits.list(customerId, { limit, include_all_blocks: true, ...(cursor === null ? {} : { cursor }) }, { signal: signal ?? null }).asResponse(), signal);
  }

  invoices(customerId: string, cursor: string | null, limit: number, signal?: AbortSignal): Promise<OrbPage> {
    return this.page(`GET /invoices?customer_id=${customerId}`, () =>
      this.orb.invoices.list({ customer_id: customerId, limit, ...(cursor === null ? {} : { cursor }) }, { signal: signal ?? null }).asResponse(), signal);
  }

  /**
   * Create ledger entry (`POST /customers/{customer_id}/credits/ledger_entry`) with the Idempotency-Key
   * header. `bodyJson` is sent byte for byte: the SDK passes a string body through unchanged when the
   * request names its content type (client.ts buildBody), so an amount's number literal is exactly the
   * text we wrote (the typed createEntry would take `amount: number`, and JSON.stringify of a float).
   * The SDK retries 409, 429 and 5xx with the same key, and Orb answers a repeated key with the first
   * entry. Resolves with the created entry, read losslessly.
   */
  async createLedgerEntry(customerId: string, bodyJson: string, idempotencyKey: string, signal?: AbortSignal): Promise<{ id: string; entry: Record<string, unknown>; text: string }> {
    const what = `POST /customers/${customerId}/credits/ledger_entry`;
    if (idempotencyKey === '') throw new SyncError('usage', `${what}: an idempotency key is required`);
    const { text, value } = await this.request(
      what,
      () =>
        this.orb
          .post(`/customers/${encodeURIComponent(customerId)}/credits/ledger_entry`, {
            body: bodyJson,
            headers: { 'Content-Type': 'application/json' },
            idempotencyKey,
            signal: signal ?? null,
          })
          .asResponse(),
      signal,
    );
    if (!isRecord(value) || typeof value.id !== 'string' || value.id === '') throw new SyncError('api', `${what}: expected the created ledger entry with its id`);
    return { id: value.id, entry: value, text };
  }

  private async page(what: string, send: () => Promise<Response>, signal?: AbortSignal): Promise<OrbPage> {
    const { text, value } = await this.request(what, send, signal);
    if (!isRecord(value) || !Array.isArray(value.data) || !isRecord(value.pagination_metadata)) {
      throw new SyncError('api', `${what}: expected Orb's page {data, pagination_metadata}`);
    }
    const items = value.data.filter(isRecord);
    const meta = value.pagination_metadata;
    return {
      text,
      items,
      raws: items.map((item) => stringifyExact(item)),
      hasMore: meta.has_more === true,
      nextCursor: typeof meta.next_cursor === 'string' ? meta.next_cursor : null,
    };
  }

  /** One paced request: its text exactly as Orb sent it, and that text parsed losslessly. */
  private async request(what: string, send: () => Promise<Response>, signal?: AbortSignal): Promise<{ text: string; value: unknown }> {
    let text: string | null = null;
    for (let attempt = 0; text === null; attempt++) {
      await this.limiter.take(signal);
      this.requests++;
      try {
        const response = await send();
        text = await response.text();
      } catch (error) {
        if (signal?.aborted) throw error;
        const status = (error as { status?: number }).status;
        const headers = (error as { headers?: unknown }).headers;
        const known = headers instanceof Headers ? headers : undefined;
        if (attempt >= this.maxRetries || !isRetryable(status, known)) throw this.explain(error, what);
        const askedMs = known?.get('retry-after-ms');
        const asked = askedMs != null && /^\d+(\.\d+)?$/.test(askedMs) ? Number(askedMs) : retryAfterMs(known?.get('retry-after'));
        const wait = retryWait('orb', `${what}: Orb ${status === undefined ? 'did not answer' : `answered ${status}`}`, asked, Math.min(8000, 500 * 2 ** attempt));
        if (wait.waitMs > 0) this.onWait?.(wait);
        // The same request again after the pause (the limiter's wait ends at once on a cancel).
        this.limiter.pause(wait.waitMs);
      }
    }
    try {
      return { text, value: parseJsonExact(text) };
    } catch (error) {
      throw new SyncError('api', `${what}: Orb sent something that is not JSON (${(error as Error).message})`);
    }
  }

  private explain(error: unknown, what: string): SyncError {
    const status = (error as { status?: number }).status;
    if (status === 401) return new SyncError('auth', 'the Orb key was rejected (401) — check ORB_API_KEY');
    if (status !== undefined && status >= 300 && status < 400) {
      const location = ((error as { headers?: unknown }).headers as Headers | undefined)?.get?.('location');
      return new SyncError('api', `${what}: Orb answered ${status} (a redirect${location ? ` to ${redactKeys(location, this.key)}` : ''}); a write is not sent on to another address, so nothing was recorded`);
    }
    const message = redactKeys((error as Error).message ?? String(error), this.key);
    if (status === 403) return new SyncError('permission', `${what}: the Orb key may not read this (403) (${message})`);
    if (status === undefined) return new SyncError('network', `${what}: could not reach Orb after retries (${message})`);
    const said = orbErrorText((error as { error?: unknown }).error);
    // A 4xx says what Orb did not accept: its own words (detail, else title, and validation errors).
    if (status >= 400 && status < 500 && said !== null) return new SyncError('api', `${what}: Orb answered ${status}: ${redactKeys(said, this.key)}`);
    return new SyncError('api', `${what}: Orb answered ${status}: ${message}`);
  }
}

/** Orb's error body (`{type, status, title, detail, validation_errors}`) as one line, or null. */
function orbErrorText(body: unknown): string | null {
  if (!isRecord(body)) return null;
  const detail = typeof body.detail === 'string' && body.detail !== '' ? body.detail : null;
  const title = typeof body.title === 'string' && body.title !== '' ? body.title : null;
  const text = detail ?? title;
  if (!Array.isArray(body.validation_errors) || body.validation_errors.length === 0) return text;
  const problems = body.validation_errors.slice(0, 5).map((problem) => (typeof problem === 'string' ? problem : JSON.stringify(problem)));
  if (detail !== null && problems.length === 1 && problems[0] === detail) return detail;
  return `${text ?? 'validation failed'}: ${problems.join('; ')}`;
}
