// A Stripe wire-format server on 127.0.0.1 for tests and the sync benchmark: list envelopes with
// starting_after / ending_before / created[...] filters, /v1/events, Stripe's error envelope and status
// codes, 401 for a wrong key, injectable 429 (Retry-After, Stripe-Should-Retry) and 5xx faults, and
// /v1/billing/credit_balance_summary computed from the grants and their transactions it holds.
// The real `stripe` SDK is pointed at it with its host/port/protocol options.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { event, IdMaker, paymentIntent, type StripeJson } from './stripe-objects.js';

/** A list Stripe returns newest first: index 0 is the newest object. */
interface Collection {
  readonly size: number;
  idAt(index: number): string;
  createdAt(index: number): number;
  indexOf(id: string): number | undefined;
  json(index: number): string;
  objectAt(index: number): StripeJson;
}

class ArrayCollection implements Collection {
  private items: { object: StripeJson; seq: number }[] = [];
  private byId = new Map<string, number>();
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  put(object: StripeJson): void {
    const id = object.id as string;
    const at = this.byId.get(id);
    if (at !== undefined) this.items[at]!.object = object;
    else this.items.push({ object, seq: this.seq++ });
    this.items.sort((a, b) => (b.object.created as number) - (a.object.created as number) || b.seq - a.seq);
    this.byId = new Map(this.items.map((item, index) => [item.object.id as string, index]));
  }

  get(id: string): StripeJson | undefined {
    const at = this.byId.get(id);
    return at === undefined ? undefined : this.items[at]!.object;
  }

  filtered(keep: (object: StripeJson) => boolean): ArrayCollection {
    const view = new ArrayCollection();
    view.items = this.items.filter((item) => keep(item.object));
    view.byId = new Map(view.items.map((item, index) => [item.object.id as string, index]));
    return view;
  }

  idAt(index: number): string {
    return this.items[index]!.object.id as string;
  }
  createdAt(index: number): number {
    return this.items[index]!.object.created as number;
  }
  indexOf(id: string): number | undefined {
    return this.byId.get(id);
  }
  json(index: number): string {
    return JSON.stringify(this.items[index]!.object);
  }
  objectAt(index: number): StripeJson {
    return this.items[index]!.object;
  }
}

/**
 * `count` payment intents made on demand (the benchmark's 100,000 would hold ~200 MB as objects):
 * index i is pi_<count - 1 - i>, created one second apart, so newest first is index order.
 */
class GeneratedPaymentIntents implements Collection {
  /** The template's text split at its variable fields; slots[i] says what goes between parts[i] and parts[i+1]. */
  private readonly parts: string[] = [];
  private readonly slots: ('id' | 'amount' | 'created' | 'customer')[] = [];

  constructor(
    readonly size: number,
    private readonly firstCreated: number,
  ) {
    // Sentinels mark the fields that vary; the rest of the JSON is shared by every object.
    const text = JSON.stringify(
      paymentIntent({ id: 'pi_SENTINELID', created: 999_999_993, amount: 999_999_991, customer: 'cus_SENTINELCUS', status: 'succeeded' }),
    ).replace('"amount_received":999999991', '"amount_received":999999991');
    const sentinel = /pi_SENTINELID|999999991|999999993|cus_SENTINELCUS/g;
    let last = 0;
    for (const match of text.matchAll(sentinel)) {
      this.parts.push(text.slice(last, match.index));
      this.slots.push(match[0] === 'pi_SENTINELID' ? 'id' : match[0] === '999999991' ? 'amount' : match[0] === '999999993' ? 'created' : 'customer');
      last = match.index! + match[0].length;
    }
    this.parts.push(text.slice(last));
  }

  private number(index: number): number {
    return this.size - 1 - index;
  }
  idAt(index: number): string {
    return `pi_gen${String(this.number(index)).padStart(9, '0')}`;
  }
  createdAt(index: number): number {
    return this.firstCreated + this.number(index);
  }
  indexOf(id: string): number | undefined {
    const match = /^pi_gen(\d{9})$/.exec(id);
    if (match === null) return undefined;
    const n = Number(match[1]);
    return n < this.size ? this.size - 1 - n : undefined;
  }
  json(index: number): string {
    const n = this.number(index);
    const values = { id: this.idAt(index), amount: String(1000 + (n % 5000)), created: String(this.createdAt(index)), customer: `cus_gen${n % 1000}` };
    let out = this.parts[0]!;
    for (let i = 0; i < this.slots.length; i++) out += values[this.slots[i]!] + this.parts[i + 1]!;
    return out;
  }
  objectAt(index: number): StripeJson {
    return JSON.parse(this.json(index)) as StripeJson;
  }
}

/** An injected response: the next `times` requests whose path matches get it instead of the real one. */
export interface Fault {
  status: number;
  headers?: Record<string, string>;
  error?: { type: string; code?: string; message: string };
  times: number;
  /** Only requests whose path (without query) matches. */
  path?: RegExp;
  /** Let this many matching requests through first. */
  after?: number;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  status: number;
  at: number;
}

const LIST_ROUTES: Record<string, string> = {
  '/v1/payment_intents': 'payment_intent',
  '/v1/charges': 'charge',
  '/v1/refunds': 'refund',
  '/v1/disputes': 'dispute',
  '/v1/checkout/sessions': 'checkout.session',
  '/v1/invoices': 'invoice',
  '/v1/customers': 'customer',
  '/v1/balance_transactions': 'balance_transaction',
  '/v1/billing/credit_grants': 'billing.credit_grant',
  '/v1/billing/credit_balance_transactions': 'billing.credit_balance_transaction',
  '/v1/events': 'event',
};

const ID_PREFIX: Record<string, string> = {
  payment_intent: 'pi',
  charge: 'ch',
  refund: 're',
  dispute: 'dp',
  'checkout.session': 'cs',
  invoice: 'in',
  customer: 'cus',
  customer_balance_transaction: 'cbtxn',
  balance_transaction: 'txn',
  'billing.credit_grant': 'credgr',
  'billing.credit_balance_transaction': 'cbtxn',
  event: 'evt',
};

export interface StripeServerOptions {
  /** The key the server accepts (Authorization: Bearer ...). */
  apiKey?: string;
  /** Unix seconds the server's clock starts at (also its Date header). */
  clock?: number;
}

export class StripeWireServer {
  readonly apiKey: string;
  /** Unix seconds; tests move it forward with tick(). */
  clock: number;
  readonly faults: Fault[] = [];
  readonly requests: RequestRecord[] = [];
  /** Record requests (off for the benchmark). */
  logRequests = true;
  /** Milliseconds each answer waits, as a network round trip would (0: none). */
  latencyMs = 0;
  /** Requests received and not yet answered, and the most at once (a client's concurrency, seen from here). */
  inFlight = 0;
  maxInFlight = 0;
  /**
   * The balances a test states instead of the computed ones (a Stripe that disagrees with its own
   * transactions as the sync sees them): customer (or customer_account) → currency (lower case) → minor
   * units; the whole `balances` list (an empty record: an empty list).
   */
  readonly statedCreditBalances = new Map<string, Record<string, number>>();
  /** Called with each authorized request's path before it is answered (a test changes Stripe meanwhile). */
  beforeAnswer: ((path: string) => void) | null = null;
  /** Lists whose path matches ignore starting_after: every page is the first again (a cursor that does not advance). */
  ignoreStartingAfter: RegExp | null = null;
  readonly ids = new IdMaker();
  private readonly collections = new Map<string, ArrayCollection>();
  private generated: GeneratedPaymentIntents | null = null;
  private server: Server | null = null;
  url = '';
  port = 0;

  constructor(options: StripeServerOptions = {}) {
    this.apiKey = options.apiKey ?? 'rk_test_wire0000000000';
    this.clock = options.clock ?? 1_736_000_000;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  tick(seconds = 1): number {
    this.clock += seconds;
    return this.clock;
  }

  /** A new id for an object type ("pi_0000000001"). */
  newId(type: string): string {
    return this.ids.make(ID_PREFIX[type] ?? 'obj');
  }

  private collection(type: string): ArrayCollection {
    let found = this.collections.get(type);
    if (found === undefined) this.collections.set(type, (found = new ArrayCollection()));
    return found;
  }

  /** Stores (or replaces) an object in its list, by its `object` type. */
  put(object: StripeJson): StripeJson {
    this.collection(object.object as string).put(object);
    return object;
  }

  get(type: string, id: string): StripeJson | undefined {
    return this.collection(type).get(id);
  }

  /** Records an event about `object` (its state now), at the server clock. */
  emit(type: string, object: StripeJson): StripeJson {
    return this.put(event({ id: this.newId('event'), created: this.clock, type, object }));
  }

  /** Changes a stored object and emits the event Stripe would (`<type>.updated` by default). */
  update(type: string, id: string, patch: StripeJson, eventType?: string): StripeJson {
    const current = this.get(type, id);
    if (current === undefined) throw new Error(`no ${type} ${id}`);
    const next = { ...current, ...patch };
    this.put(next);
    this.emit(eventType ?? `${type}.updated`, next);
    return next;
  }

  /** Serves `count` generated payment intents at /v1/payment_intents (the benchmark). */
  generatePaymentIntents(count: number, firstCreated = this.clock - count): void {
    this.generated = new GeneratedPaymentIntents(count, firstCreated);
  }

  count(pathPrefix: string): number {
    return this.requests.filter((r) => r.path.startsWith(pathPrefix)).length;
  }

  // ----- HTTP -----

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const send = (status: number, body: string, headers: Record<string, string> = {}): void => {
      this.inFlight--;
      if (this.logRequests) this.requests.push({ method: req.method ?? 'GET', path, query: url.search, status, at: performance.now() });
      res.writeHead(status, {
        'Content-Type': 'application/json',
        'Request-Id': `req_${this.requests.length}`,
        'Stripe-Version': '2025-09-30.clover',
        Date: new Date(this.clock * 1000).toUTCString(),
        ...headers,
      });
      res.end(body);
    };
    const error = (status: number, type: string, message: string, code?: string, headers?: Record<string, string>): void => {
      send(status, JSON.stringify({ error: { type, message, ...(code === undefined ? {} : { code }) } }), headers);
    };
    // Drain the body (the SDK sends none for GET) before answering.
    req.resume();
    req.on('end', () => (this.latencyMs > 0 ? setTimeout(answer, this.latencyMs) : answer()));
    const answer = (): void => {
      const fault = this.takeFault(path);
      if (fault !== null) {
        error(fault.status, fault.error?.type ?? (fault.status === 429 ? 'rate_limit_error' : 'api_error'), fault.error?.message ?? `injected ${fault.status}`, fault.error?.code, fault.headers);
        return;
      }
      const auth = req.headers.authorization ?? '';
      const key = auth.startsWith('Bearer ') ? auth.slice(7) : '';
      if (key !== this.apiKey) {
        // Stripe names the key it rejected, masked; the client must not repeat even that.
        const masked = key.length > 8 ? `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}` : '***';
        error(401, 'invalid_request_error', `Invalid API Key provided: ${masked}`, 'api_key_invalid');
        return;
      }
      if (req.method !== 'GET') {
        error(405, 'invalid_request_error', `${req.method} is not supported by this test server`);
        return;
      }
      this.beforeAnswer?.(path);
      this.route(path, url.searchParams, send, error);
    };
  }

  private takeFault(path: string): Fault | null {
    for (const fault of this.faults) {
      if (fault.times <= 0 || (fault.path !== undefined && !fault.path.test(path))) continue;
      if (fault.after !== undefined && fault.after > 0) {
        fault.after--;
        return null;
      }
      fault.times--;
      return fault;
    }
    return null;
  }

  private route(
    path: string,
    query: URLSearchParams,
    send: (status: number, body: string) => void,
    error: (status: number, type: string, message: string, code?: string) => void,
  ): void {
    const customerTxns = /^\/v1\/customers\/([^/]+)\/balance_transactions$/.exec(path);
    if (customerTxns !== null) {
      const customerId = decodeURIComponent(customerTxns[1]!);
      const list = this.collection('customer_balance_transaction').filtered((o) => o.customer === customerId);
      this.list(list, path, query, send, error, 'customer_balance_transaction');
      return;
    }
    if (path === '/v1/billing/credit_balance_summary') {
      this.creditBalanceSummary(query, send, error);
      return;
    }
    const type = LIST_ROUTES[path];
    if (type !== undefined) {
      let list: Collection = this.collection(type);
      if (type === 'payment_intent' && this.generated !== null) list = this.generated;
      const customerFilter = query.get('customer');
      if (type === 'billing.credit_balance_transaction') {
        const grant = query.get('credit_grant');
        const accountFilter = query.get('customer_account');
        if (grant === null && customerFilter === null && accountFilter === null) {
          error(400, 'invalid_request_error', 'Missing required param: customer.', 'parameter_missing');
          return;
        }
        const grants = this.collection('billing.credit_grant');
        list = this.collection(type).filtered((o) =>
          grant !== null ? o.credit_grant === grant
            : customerFilter !== null ? grants.get(o.credit_grant as string)?.customer === customerFilter
              : grants.get(o.credit_grant as string)?.customer_account === accountFilter,
        );
      } else if (customerFilter !== null && list instanceof ArrayCollection) {
        list = list.filtered((o) => o.customer === customerFilter);
      }
      this.list(list, path, query, send, error, type);
      return;
    }
    const retrieve = /^\/v1\/(billing\/credit_grants|customers|payment_intents|charges|refunds|disputes|invoices)\/([^/]+)$/.exec(path);
    if (retrieve !== null) {
      const routeType = LIST_ROUTES[`/v1/${retrieve[1]}`]!;
      const found = this.collection(routeType).get(decodeURIComponent(retrieve[2]!));
      if (found === undefined) error(404, 'invalid_request_error', `No such ${routeType}: '${retrieve[2]}'`, 'resource_missing');
      else send(200, JSON.stringify(found));
      return;
    }
    error(404, 'invalid_request_error', `Unrecognized request URL (GET: ${path}).`);
  }

  /**
   * GET /v1/billing/credit_balance_summary?customer=…&filter[type]=applicability_scope&filter[applicability_scope][price_type]=metered
   * (or filter[type]=credit_grant&filter[credit_grant]=…): one balance per currency of the grants in the
   * filter, even when zero. A grant's ledger balance is its amount once effective (until voided or
   * expired without a transaction saying how much), plus its other credits, minus its debits, as of the
   * server clock. statedCreditBalances replaces the ledger balance; available_balance equals it (no draft invoices here).
   */
  private creditBalanceSummary(
    query: URLSearchParams,
    send: (status: number, body: string) => void,
    error: (status: number, type: string, message: string, code?: string) => void,
  ): void {
    const customer = query.get('customer');
    const account = query.get('customer_account');
    if (customer === null && account === null) {
      error(400, 'invalid_request_error', 'Missing required param: customer.', 'parameter_missing');
      return;
    }
    const filterType = query.get('filter[type]');
    if (filterType === null) {
      error(400, 'invalid_request_error', 'Missing required param: filter[type].', 'parameter_missing');
      return;
    }
    const grants: StripeJson[] = [];
    const all = this.collection('billing.credit_grant');
    for (let i = 0; i < all.size; i++) {
      const grant = all.objectAt(i);
      const owner = customer !== null ? (typeof grant.customer === 'string' ? grant.customer : (grant.customer as { id?: string } | null)?.id) : grant.customer_account;
      if (owner === (customer ?? account)) grants.push(grant);
    }
    const owner = (customer ?? account)!;
    if (grants.length === 0 && this.collection('customer').get(owner) === undefined) {
      error(404, 'invalid_request_error', `No such customer: '${owner}'`, 'resource_missing');
      return;
    }
    let scoped: StripeJson[];
    if (filterType === 'applicability_scope') {
      if (query.get('filter[applicability_scope][price_type]') !== 'metered') {
        error(400, 'invalid_request_error', 'Invalid filter[applicability_scope][price_type]: must be metered', 'parameter_invalid');
        return;
      }
      scoped = grants.filter((grant) => (grant.applicability_config as { scope?: { price_type?: string } } | undefined)?.scope?.price_type === 'metered');
    } else if (filterType === 'credit_grant') {
      const id = query.get('filter[credit_grant]');
      scoped = grants.filter((grant) => grant.id === id);
      if (scoped.length === 0) {
        error(404, 'invalid_request_error', `No such credit grant: '${id}'`, 'resource_missing');
        return;
      }
    } else {
      error(400, 'invalid_request_error', `Invalid filter[type]: must be one of applicability_scope, credit_grant`, 'parameter_invalid');
      return;
    }
    const txns = this.collection('billing.credit_balance_transaction');
    const byCurrency = new Map<string, number>();
    for (const grant of scoped) {
      const money = (grant.amount as { monetary: { currency: string; value: number } }).monetary;
      let balance = 0;
      let closed = false;
      for (let i = 0; i < txns.size; i++) {
        const txn = txns.objectAt(i);
        if (txn.credit_grant !== grant.id || (txn.effective_at as number) > this.clock) continue;
        const credit = txn.credit as { type: string; amount: { monetary: { value: number } } } | null;
        const debit = txn.debit as { type: string; amount: { monetary: { value: number } } } | null;
        if (credit !== null && credit.type !== 'credits_granted') balance += credit.amount.monetary.value;
        if (debit !== null) {
          balance -= debit.amount.monetary.value;
          if (debit.type === 'credits_voided' || debit.type === 'credits_expired') closed = true;
        }
      }
      const effective = (grant.effective_at as number | null) ?? (grant.created as number);
      const ended = (grant.voided_at !== null && grant.voided_at !== undefined) || (typeof grant.expires_at === 'number' && grant.expires_at <= this.clock);
      if (effective <= this.clock) balance += money.value;
      // Voided or expired with no transaction stating it: nothing of it is left.
      if (ended && !closed) balance = 0;
      byCurrency.set(money.currency, (byCurrency.get(money.currency) ?? 0) + balance);
    }
    const stated = this.statedCreditBalances.get(owner);
    const listed = stated === undefined ? byCurrency : new Map(Object.entries(stated));
    const amount = (currency: string, value: number): StripeJson => ({ monetary: { currency, value }, type: 'monetary' });
    const balances = [...listed].map(([currency, value]) => ({ available_balance: amount(currency, value), ledger_balance: amount(currency, value) }));
    send(200, JSON.stringify({ balances, customer, customer_account: account, livemode: false, object: 'billing.credit_balance_summary' }));
  }

  private list(
    list: Collection,
    path: string,
    query: URLSearchParams,
    send: (status: number, body: string) => void,
    error: (status: number, type: string, message: string, code?: string) => void,
    type: string,
  ): void {
    const limitText = query.get('limit');
    const limit = limitText === null ? 10 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      error(400, 'invalid_request_error', 'Invalid integer: limit must be between 1 and 100', 'parameter_invalid_integer');
      return;
    }
    // created filters select a contiguous range: the list is sorted by created, newest first.
    let lo = 0;
    let hi = list.size;
    const bound = (name: string): number | null => {
      const text = query.get(`created[${name}]`);
      return text === null ? null : Number(text);
    };
    const firstBelow = (limitExclusive: number): number => {
      // First index whose created < limitExclusive.
      let a = 0;
      let b = list.size;
      while (a < b) {
        const mid = (a + b) >> 1;
        if (list.createdAt(mid) < limitExclusive) b = mid;
        else a = mid + 1;
      }
      return a;
    };
    const lt = bound('lt');
    const lte = bound('lte');
    const gte = bound('gte');
    const gt = bound('gt');
    if (lt !== null) lo = Math.max(lo, firstBelow(lt));
    if (lte !== null) lo = Math.max(lo, firstBelow(lte + 1));
    if (gte !== null) hi = Math.min(hi, firstBelow(gte));
    if (gt !== null) hi = Math.min(hi, firstBelow(gt + 1));
    const typeFilter = type === 'event' ? query.get('type') : null;
    const after = this.ignoreStartingAfter?.test(path) === true ? null : query.get('starting_after');
    const before = query.get('ending_before');
    let start: number;
    let end: number;
    let hasMore: boolean;
    const position = (id: string): number | null => {
      const at = list.indexOf(id);
      if (at === undefined) {
        error(400, 'invalid_request_error', `No such ${type}: '${id}'`, 'resource_missing');
        return null;
      }
      return at;
    };
    if (before !== null) {
      const at = position(before);
      if (at === null) return;
      end = Math.min(hi, at);
      start = Math.max(lo, end - limit);
      hasMore = start > lo;
    } else {
      if (after !== null) {
        const at = position(after);
        if (at === null) return;
        lo = Math.max(lo, at + 1);
      }
      start = lo;
      end = Math.min(hi, lo + limit);
      hasMore = end < hi;
    }
    const parts: string[] = [];
    for (let i = start; i < end; i++) {
      if (typeFilter !== null && list.objectAt(i).type !== typeFilter) continue;
      parts.push(list.json(i));
    }
    send(200, `{"object":"list","data":[${parts.join(',')}],"has_more":${hasMore},"url":${JSON.stringify(path)}}`);
  }
}

export async function startStripeServer(options: StripeServerOptions = {}): Promise<StripeWireServer> {
  return new StripeWireServer(options).start();
}
