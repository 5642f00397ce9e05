import { isDecimalLiteral } from '../money/decimal.js';
import { ADJUSTMENT_METADATA, providerBodyJson, type Provider, type ProviderBody } from '../reconcile/index.js';
import { postMoesifBalanceTransaction, type MoesifBalanceTransaction, type MoesifClientOptions, type MoesifTransactionType } from '../sources/moesif-api/client.js';
import { OrbApi } from '../sync/orb-client.js';
import { RateLimiter } from '../sync/rate-limiter.js';
import type { OnRetryWait } from '../sync/retry-wait.js';
import { redactKeys } from '../sync/sync-errors.js';
import type { AdjustmentPushClient, AdjustmentPushRequest } from './adjustments.js';

/*
 * The real provider clients behind pushAdjustments: Orb's Create ledger entry through the `orb-billing`
 * SDK (OrbApi), Moesif's balance transactions through postMoesifBalanceTransaction. Each turns the stored
 * ProviderBody (amounts as decimal strings) into the request with the amount as its exact number literal.
 * Keys come from the host (environment, or the desktop's encrypted settings) and never reach a message.
 */

/** Orb body fields that are request fields; `customer_id` rides beside the body (it is the path). */
function orbRequestJson(request: AdjustmentPushRequest): string {
  const { customer_id: customerId, ...fields } = request.body;
  if (customerId !== undefined && customerId !== request.customerId) {
    throw new Error(`adjustment ${request.idempotencyKey}: its body names customer ${String(customerId)}, not ${request.customerId}`);
  }
  const amount = fields.amount;
  if (typeof amount !== 'string' || !isDecimalLiteral(amount)) {
    throw new Error(`adjustment ${request.idempotencyKey}: amount must be a decimal string, found ${JSON.stringify(amount)}`);
  }
  return providerBodyJson(fields);
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * Why Orb's answer is not the entry this request created, or null (issue 10 §4): the answer must be
 * the customer's entry of the type sent, carrying the idempotency key the body's metadata named.
 */
export function orbAnswerProblem(request: AdjustmentPushRequest, entry: Record<string, unknown>): string | null {
  const customerId = field(entry.customer, 'id');
  if (customerId !== undefined && customerId !== request.customerId) return `Orb answered with an entry of customer ${JSON.stringify(customerId)}, not ${request.customerId}`;
  const sentType = request.body.entry_type;
  if (entry.entry_type !== undefined && typeof sentType === 'string' && entry.entry_type !== sentType) {
    return `Orb answered with a ${JSON.stringify(entry.entry_type)} entry, not the ${sentType} sent`;
  }
  const key = field(request.body.metadata, ADJUSTMENT_METADATA.idempotencyKey);
  if (typeof key === 'string') {
    const answered = field(entry.metadata, ADJUSTMENT_METADATA.idempotencyKey);
    if (answered !== key) return `Orb's answer does not name this adjustment (its metadata ${ADJUSTMENT_METADATA.idempotencyKey} is ${JSON.stringify(answered ?? null)})`;
  }
  return null;
}

export function orbPushClient(api: OrbApi): AdjustmentPushClient {
  return {
    push: async (request) => {
      const created = await api.createLedgerEntry(request.customerId, orbRequestJson(request), request.idempotencyKey, request.signal);
      const problem = orbAnswerProblem(request, created.entry);
      if (problem !== null) throw new Error(`adjustment ${request.idempotencyKey}: ${problem}; not recorded as pushed`);
      return { providerEntryId: created.id };
    },
  };
}

const MOESIF_TYPES: ReadonlySet<string> = new Set<MoesifTransactionType>(['credit', 'debit', 'promotion', 'adjustment']);

function text(body: ProviderBody, field: string): string | null {
  const value = body[field];
  return typeof value === 'string' ? value : null;
}

/** The stored Moesif body as the client's transaction (checked: a stored body is data read back). */
export function moesifTransaction(request: AdjustmentPushRequest): MoesifBalanceTransaction {
  const body = request.body;
  const type = text(body, 'type');
  const amount = text(body, 'amount');
  const transactionId = text(body, 'transaction_id');
  if (type === null || !MOESIF_TYPES.has(type)) throw new Error(`adjustment ${request.idempotencyKey}: Moesif type must be credit, debit, promotion or adjustment, found ${JSON.stringify(body.type)}`);
  if (amount === null || !isDecimalLiteral(amount)) throw new Error(`adjustment ${request.idempotencyKey}: amount must be a decimal string, found ${JSON.stringify(body.amount)}`);
  if (transactionId !== request.idempotencyKey) throw new Error(`adjustment ${request.idempotencyKey}: its body's transaction_id is ${JSON.stringify(body.transaction_id)}`);
  return {
    company_id: request.customerId,
    subscription_id: text(body, 'subscription_id'),
    transaction_id: transactionId,
    type: type as MoesifTransactionType,
    amount,
    description: text(body, 'description'),
    active_at: text(body, 'active_at'),
    expire_at: text(body, 'expire_at'),
  };
}

export function moesifPushClient(options: MoesifClientOptions): AdjustmentPushClient {
  return {
    push: async (request) => {
      try {
        await postMoesifBalanceTransaction(options, moesifTransaction(request), request.signal);
      } catch (error) {
        throw new Error(redactKeys(error instanceof Error ? error.message : String(error), options.token));
      }
      // Moesif answers a balance transaction with no id of its own: its id is our transaction_id.
      return { providerEntryId: request.idempotencyKey };
    },
  };
}

export interface PushKeys {
  orbApiKey?: string | null | undefined;
  moesifToken?: string | null | undefined;
  /** The API base URLs (tests point them at local servers; default: the providers' live APIs). */
  orbApiBase?: string | undefined;
  moesifApiBase?: string | undefined;
}

export interface PushClients {
  clients: Partial<Record<Provider, AdjustmentPushClient>>;
  /** Why a provider has no client (its key is missing): pushAdjustments skips its adjustments. */
  missing: Partial<Record<Provider, string>>;
}

/** The environment variables the push reads: keys as `sync` reads them, and the API bases tests set. */
export const PUSH_ENVIRONMENT = {
  orbApiKey: 'ORB_API_KEY',
  moesifToken: 'MOESIF_MANAGEMENT_TOKEN',
  orbApiBase: 'LEDGERSCOPE_ORB_API_BASE',
  moesifApiBase: 'LEDGERSCOPE_MOESIF_API_BASE',
} as const;

/** The API bases from LEDGERSCOPE_ORB_API_BASE / LEDGERSCOPE_MOESIF_API_BASE (unset: live APIs). */
export function pushApiBasesFromEnvironment(env: Record<string, string | undefined>): Pick<PushKeys, 'orbApiBase' | 'moesifApiBase'> {
  const orb = env[PUSH_ENVIRONMENT.orbApiBase];
  const moesif = env[PUSH_ENVIRONMENT.moesifApiBase];
  return { ...(orb ? { orbApiBase: orb } : {}), ...(moesif ? { moesifApiBase: moesif } : {}) };
}

/** One client per provider whose key is given; the others are named in `missing` with what to set. */
export function pushClientsFromKeys(keys: PushKeys, options: { maxRetries?: number; sleep?: (ms: number) => Promise<void>; onWait?: OnRetryWait } = {}): PushClients {
  const clients: PushClients['clients'] = {};
  const missing: PushClients['missing'] = {};
  if (keys.orbApiKey) {
    const api = new OrbApi({
      apiKey: keys.orbApiKey,
      ...(keys.orbApiBase === undefined ? {} : { apiBase: keys.orbApiBase }),
      // One request per adjustment: a modest pace well inside Orb's documented limits.
      limiter: new RateLimiter({ ratePerSecond: 10 }),
      maxRetries: options.maxRetries ?? 3,
      ...(options.onWait === undefined ? {} : { onWait: options.onWait }),
    });
    clients.orb = orbPushClient(api);
  } else {
    missing.orb = 'no Orb API key (set ORB_API_KEY, or add it in Settings)';
  }
  if (keys.moesifToken) {
    clients.moesif = moesifPushClient({
      token: keys.moesifToken,
      ...(keys.moesifApiBase === undefined ? {} : { apiBase: keys.moesifApiBase }),
      ...(options.maxRetries === undefined ? {} : { maxAttempts: options.maxRetries + 1 }),
      ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
      ...(options.onWait === undefined ? {} : { onWait: options.onWait }),
    });
  } else {
    missing.moesif = 'no Moesif management token (set MOESIF_MANAGEMENT_TOKEN, or add it in Settings)';
  }
  return { clients, missing };
}
