import Orb from 'orb-billing';
import { isRecord } from '../sources/fields.js';
import { parseJsonExact, stringifyExact } from '../sources/lossless-json.js';
import { RateLimiter } from './rate-limiter.js';
import { redactKeys, SyncError } from './sync-errors.js';

/*
 * The official `orb-billing` SDK behind our pacing. The SDK retries 408, 409, 429 (honouring
 * Retry-After) and 5xx itself (maxRetries). Pages are read as raw text (`asResponse()`) and parsed
 * losslessly: Orb sends amounts as JSON numbers, and the SDK's JSON.parse would take them through a float.
 */

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
}

export class OrbApi {
  private readonly orb: Orb;
  private readonly limiter: RateLimiter;
  private readonly key: string;
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
      maxRetries: options.maxRetries ?? 3,
      timeout: options.timeoutMs ?? 60_000,
      // The SDK logs nothing by default; keep it so (a debug log would print request headers).
      logLevel: 'off',
    });
    this.limiter = options.limiter;
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
    await this.limiter.take(signal);
    this.requests++;
    let text: string;
    try {
      const response = await send();
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw error;
      throw this.explain(error, what);
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
