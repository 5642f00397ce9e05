import Stripe from 'stripe';
import type { Instant } from '../time/instant.js';
import type { RateLimiter } from './rate-limiter.js';
import { retryAfterMs, retryWait, type OnRetryWait } from './retry-wait.js';
import { redactKeys, SyncError } from './sync-errors.js';

/*
 * The official `stripe` SDK behind our own pacing. Every request first takes a slot from the rate
 * limiter (Stripe's live budget is 100 requests/s). The SDK retries 5xx, 409 and network errors
 * itself (maxNetworkRetries, exponential backoff) and a 429 only when Stripe says Stripe-Should-Retry:
 * true; a plain 429 reaches us, and we pause every request for Retry-After (or an exponential backoff)
 * and try again. Pages are fetched one by one with starting_after, not with the SDK's auto-pagination,
 * because each page is committed with its cursor (see stripe-sync.ts).
 */

export type StripeJson = Record<string, unknown>;

/** The lists the sync reads (the SDK resource behind each is in `listPage`). */
export type StripeListName =
  | 'payment_intents'
  | 'charges'
  | 'refunds'
  | 'disputes'
  | 'checkout_sessions'
  | 'invoices'
  | 'customers'
  | 'customer_balance_transactions'
  | 'balance_transactions'
  | 'credit_grants'
  | 'credit_balance_transactions'
  | 'events';

export interface StripeListParams {
  limit?: number;
  starting_after?: string;
  ending_before?: string;
  created?: { gte?: number; lt?: number };
  /** customer_balance_transactions: the customer whose list it is. */
  customer?: string;
  /** credit_balance_transactions: the grant. */
  credit_grant?: string;
  /** credit_balance_transactions: the Accounts v2 account a grant belongs to (its `customer` is null). */
  customer_account?: string;
}

/** Whose credit balance summary, and over which grants (all scoped to metered prices, or one grant). */
export interface CreditBalanceSummaryQuery {
  customerId: string;
  /** The customer is an Accounts v2 customer_account (acct_...). */
  viaAccount: boolean;
  /** One grant's summary (filter[type]=credit_grant); else the customer's metered scope. */
  grantId?: string;
}

export interface StripePage {
  data: StripeJson[];
  hasMore: boolean;
  /** Stripe's clock when the page was produced (the response's Date header), or null. */
  observedAt: Instant | null;
}

export interface StripeApiOptions {
  apiKey: string;
  /** http(s)://host[:port] of the API (tests, proxies); default https://api.stripe.com. */
  apiBase?: string;
  limiter: RateLimiter;
  /** SDK retries of 5xx, 409 and network errors. */
  maxNetworkRetries?: number;
  /** Our retries of a plain 429 before giving up. */
  maxRateLimitRetries?: number;
  /** First backoff after a 429 without Retry-After (doubles each time, capped at 30 s). */
  rateLimitBackoffMs?: number;
  timeoutMs?: number;
  /** Told before each wait for a retry, with its length (Retry-After capped at 60 s). */
  onWait?: OnRetryWait;
}

/** Request statistics, for the summary and the tests. */
export interface StripeApiStats {
  requests: number;
  rateLimited: number;
}

function dateHeader(headers: Record<string, string> | undefined): Instant | null {
  const value = headers?.date;
  if (value === undefined) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

export class StripeApi {
  private readonly stripe: Stripe;
  private readonly limiter: RateLimiter;
  private readonly maxRateLimitRetries: number;
  private readonly backoffMs: number;
  private readonly key: string;
  private readonly onWait: OnRetryWait | undefined;
  readonly stats: StripeApiStats = { requests: 0, rateLimited: 0 };

  constructor(options: StripeApiOptions) {
    this.key = options.apiKey;
    const config: Stripe.StripeConfig = {
      maxNetworkRetries: options.maxNetworkRetries ?? 3,
      timeout: options.timeoutMs ?? 80_000,
      telemetry: false,
    };
    if (options.apiBase !== undefined) {
      let url: URL;
      try {
        url = new URL(options.apiBase);
      } catch {
        throw new SyncError('usage', `--api-base: expected a URL like http://127.0.0.1:12111, found ${JSON.stringify(options.apiBase)}`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SyncError('usage', `--api-base: expected http or https, found ${url.protocol}`);
      config.host = url.hostname;
      config.protocol = url.protocol === 'http:' ? 'http' : 'https';
      config.port = url.port === '' ? (url.protocol === 'http:' ? 80 : 443) : Number(url.port);
    }
    this.stripe = new Stripe(options.apiKey, config);
    this.limiter = options.limiter;
    this.maxRateLimitRetries = options.maxRateLimitRetries ?? 8;
    this.backoffMs = options.rateLimitBackoffMs ?? 1000;
    this.onWait = options.onWait;
  }

  /** One page of a list. */
  async list(name: StripeListName, params: StripeListParams, signal?: AbortSignal): Promise<StripePage> {
    const page = (await this.call(() => this.listRequest(name, params), `GET ${name}`, signal)) as unknown as {
      data: StripeJson[];
      has_more: boolean;
      lastResponse?: { headers?: Record<string, string> };
    };
    return { data: page.data, hasMore: page.has_more, observedAt: dateHeader(page.lastResponse?.headers) };
  }

  /** A credit grant by id (an event names a grant the store does not hold yet). */
  async retrieveCreditGrant(id: string, signal?: AbortSignal): Promise<{ object: StripeJson; observedAt: Instant | null }> {
    const grant = (await this.call(() => this.stripe.billing.creditGrants.retrieve(id), `GET credit_grants/${id}`, signal)) as unknown as StripeJson & {
      lastResponse?: { headers?: Record<string, string> };
    };
    return { object: grant, observedAt: dateHeader(grant.lastResponse?.headers) };
  }

  /**
   * A customer's credit balance summary (GET /v1/billing/credit_balance_summary): for the customer (or
   * Accounts v2 customer_account), over its grants scoped to metered prices, or over one grant.
   */
  async retrieveCreditBalanceSummary(params: CreditBalanceSummaryQuery, signal?: AbortSignal): Promise<{ object: StripeJson; observedAt: Instant | null }> {
    const owner = params.viaAccount ? { customer_account: params.customerId } : { customer: params.customerId };
    const filter: Stripe.Billing.CreditBalanceSummaryRetrieveParams.Filter =
      params.grantId === undefined
        ? { type: 'applicability_scope', applicability_scope: { price_type: 'metered' } }
        : { type: 'credit_grant', credit_grant: params.grantId };
    const what = `GET billing/credit_balance_summary for ${params.customerId}${params.grantId === undefined ? '' : ` (grant ${params.grantId})`}`;
    const summary = (await this.call(() => this.stripe.billing.creditBalanceSummaries.retrieve({ ...owner, filter }), what, signal)) as unknown as StripeJson & {
      lastResponse?: { headers?: Record<string, string> };
    };
    // The SDK adds lastResponse (not enumerable); the stored evidence is Stripe's object only.
    return { object: summary, observedAt: dateHeader(summary.lastResponse?.headers) };
  }

  private listRequest(name: StripeListName, params: StripeListParams): Promise<unknown> {
    const s = this.stripe;
    const { customer, credit_grant: creditGrant, customer_account: customerAccount, ...rest } = params;
    const listParams = rest as Stripe.PaginationParams & { created?: Stripe.RangeQueryParam };
    switch (name) {
      case 'payment_intents':
        return s.paymentIntents.list(listParams);
      case 'charges':
        return s.charges.list(listParams);
      case 'refunds':
        return s.refunds.list(listParams);
      case 'disputes':
        return s.disputes.list(listParams);
      case 'checkout_sessions':
        return s.checkout.sessions.list(listParams);
      case 'invoices':
        return s.invoices.list(listParams);
      case 'customers':
        return s.customers.list(listParams);
      case 'customer_balance_transactions':
        if (customer === undefined) throw new Error('customer_balance_transactions needs a customer');
        return s.customers.listBalanceTransactions(customer, listParams);
      case 'balance_transactions':
        return s.balanceTransactions.list(listParams);
      case 'credit_grants':
        return s.billing.creditGrants.list(listParams);
      case 'credit_balance_transactions':
        return s.billing.creditBalanceTransactions.list({ ...listParams, ...(creditGrant === undefined ? {} : { credit_grant: creditGrant }), ...(customer === undefined ? {} : { customer }), ...(customerAccount === undefined ? {} : { customer_account: customerAccount }) });
      case 'events':
        return s.events.list(listParams);
    }
  }

  /** Paced, with our 429 handling; errors become SyncErrors a user can act on (no key in them). */
  private async call<T>(request: () => Promise<T>, what: string, signal?: AbortSignal): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      await this.limiter.take(signal);
      this.stats.requests++;
      try {
        return await request();
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        const headers = (error as { headers?: Record<string, string> }).headers ?? {};
        if (status === 429) {
          this.stats.rateLimited++;
          if (headers['stripe-should-retry'] === 'false') {
            throw new SyncError('rate-limit', `${what}: Stripe answered 429 and asked not to retry (Stripe-Should-Retry: false)`);
          }
          if (attempt >= this.maxRateLimitRetries) {
            throw new SyncError('rate-limit', `${what}: Stripe answered 429 (rate limited) ${attempt + 1} times in a row; try again later or lower the request rate`);
          }
          // Retry-After is obeyed up to a minute, said aloud, and a cancel ends the wait (the limiter's sleep takes the signal).
          const wait = retryWait('stripe', `${what}: Stripe answered 429 (rate limited)`, retryAfterMs(headers['retry-after']), Math.min(30_000, this.backoffMs * 2 ** attempt));
          if (wait.waitMs > 0) this.onWait?.(wait);
          this.limiter.pause(wait.waitMs);
          continue;
        }
        throw this.explain(error, what, status);
      }
    }
  }

  private explain(error: unknown, what: string, status: number | undefined): SyncError {
    if (status === 401) return new SyncError('auth', 'the Stripe key was rejected (401) — check STRIPE_API_KEY');
    const message = redactKeys((error as Error).message ?? String(error), this.key);
    if (status === 403) {
      return new SyncError('permission', `${what}: the Stripe key may not read this (403): give the restricted key read access to it (${message})`);
    }
    if (status === undefined) return new SyncError('network', `${what}: could not reach Stripe after retries (${message})`);
    const code = (error as { code?: string }).code;
    return new SyncError('api', `${what}: Stripe answered ${status}${code === undefined ? '' : ` ${code}`}: ${message}`, code);
  }
}
