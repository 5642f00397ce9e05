// An Orb wire-format server on 127.0.0.1: `{data, pagination_metadata: {has_more, next_cursor}}` pages
// with opaque cursors, the credits ledger newest first, credit blocks, invoices with payment attempts,
// bearer auth (401 in Orb's error shape) and injectable faults. The real `orb-billing` SDK is pointed at
// it with its baseURL option. POST /customers/{id}/credits/ledger_entry creates an entry (validated as
// Orb documents the body, deduped by Idempotency-Key) and records the request text exactly.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Decimal } from '../../core/money/decimal.js';
import { isLosslessNumber, parseJsonLosslessly } from '../../core/sources/lossless-json.js';

export type OrbJson = Record<string, unknown>;

export interface OrbFault {
  status: number;
  headers?: Record<string, string>;
  times: number;
  path?: RegExp;
  /** The answer's body (default: Orb's error shape); a 302/307 fault names its target in headers.Location. */
  body?: string;
}

/** Amount fields Orb sends as JSON numbers; builders may hold them as decimal strings. */
const NUMBER_FIELDS = new Set(['amount', 'starting_balance', 'ending_balance', 'void_amount', 'balance']);

/** Serialises with decimal-string amounts written as number literals (their exact text). */
function toOrbJson(value: unknown): string {
  return JSON.stringify(value, (key, item: unknown) => (NUMBER_FIELDS.has(key) && typeof item === 'string' && /^-?\d+(\.\d+)?$/.test(item) ? `\u0000${item}\u0000` : item)).replace(
    /"\\u0000(-?\d+(?:\.\d+)?)\\u0000"/g,
    '$1',
  );
}

export class OrbWireServer {
  readonly apiKey: string;
  readonly faults: OrbFault[] = [];
  readonly requests: { method: string; path: string; query: string; status: number }[] = [];
  /** Every create-entry request as received: the body text byte for byte, and the answer's status. */
  readonly createRequests: { customerId: string; idempotencyKey: string | null; body: string; status: number }[] = [];
  /** Idempotency-Key → the first request's body and the answer it got (replayed for the same body). */
  private readonly idempotent = new Map<string, { body: string; status: number; response: string }>();
  private nextEntry = 1;
  readonly customers: OrbJson[] = [];
  /** Per customer, in ledger sequence order (oldest first). */
  readonly ledgers = new Map<string, OrbJson[]>();
  readonly blocks = new Map<string, OrbJson[]>();
  readonly invoices: OrbJson[] = [];
  /** Lists whose path matches ignore the cursor: every page is the first, with the same next_cursor (a list that does not advance). */
  stuckCursor: RegExp | null = null;
  /** Milliseconds each answer waits, as a network round trip would (0: none). */
  latencyMs = 0;
  /** Requests received and not yet answered, and the most at once (a client's concurrency, seen from here). */
  inFlight = 0;
  maxInFlight = 0;
  private server: Server | null = null;
  url = '';

  constructor(options: { apiKey?: string } = {}) {
    this.apiKey = options.apiKey ?? 'orb_test_key_0000';
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  addCustomer(id: string, externalId: string | null = null): OrbJson {
    const customer = { id, external_customer_id: externalId, name: id, email: `${id}@example.com`, currency: 'USD', balance: '0.00', created_at: '2025-01-01T00:00:00+00:00', metadata: {} };
    this.customers.push(customer);
    return customer;
  }

  /** Appends ledger records (as an OrbExport builder makes them) to a customer's ledger. */
  addLedger(customerId: string, records: readonly OrbJson[]): void {
    const ledger = this.ledgers.get(customerId) ?? [];
    ledger.push(...records.map((record) => structuredClone(record)));
    this.ledgers.set(customerId, ledger);
  }

  count(pathPart: string): number {
    return this.requests.filter((r) => r.path.includes(pathPart)).length;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/^\/v1(?=\/)/, '');
    const method = req.method ?? 'GET';
    let text = '';
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const send = (status: number, body: string, headers: Record<string, string> = {}): void => {
      this.inFlight--;
      this.requests.push({ method, path, query: url.search, status });
      const create = /^\/customers\/([^/]+)\/credits\/ledger_entry$/.exec(path);
      if (create !== null && method === 'POST') {
        const key = req.headers['idempotency-key'];
        this.createRequests.push({ customerId: decodeURIComponent(create[1]!), idempotencyKey: typeof key === 'string' ? key : null, body: text, status });
      }
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(body);
    };
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => (this.latencyMs > 0 ? setTimeout(answer, this.latencyMs) : answer()));
    const answer = (): void => {
      const fault = this.faults.find((f) => f.times > 0 && (f.path === undefined || f.path.test(path)));
      if (fault !== undefined) {
        fault.times--;
        send(fault.status, fault.body ?? JSON.stringify({ status: fault.status, title: 'injected', type: 'https://docs.withorb.com/reference/error-responses' }), fault.headers);
        return;
      }
      if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
        send(401, JSON.stringify({ type: 'https://docs.withorb.com/reference/error-responses#401-authentication-error', status: 401, title: 'Authentication error', detail: 'Invalid API key' }));
        return;
      }
      const create = /^\/customers\/([^/]+)\/credits\/ledger_entry$/.exec(path);
      if (create !== null) {
        if (method !== 'POST') return send(405, orbError(405, 'Method not allowed'));
        const key = req.headers['idempotency-key'];
        const answer = this.createEntry(decodeURIComponent(create[1]!), text, typeof key === 'string' && key !== '' ? key : null);
        return send(answer.status, answer.body, answer.headers);
      }
      const page = (items: readonly OrbJson[]): void => {
        const limit = Number(url.searchParams.get('limit') ?? '20');
        const cursor = this.stuckCursor?.test(path) === true ? '' : (url.searchParams.get('cursor') ?? '');
        const offset = Number(Buffer.from(cursor, 'base64url').toString() || '0');
        const slice = items.slice(offset, offset + limit);
        const hasMore = offset + limit < items.length;
        send(200, `{"data":[${slice.map(toOrbJson).join(',')}],"pagination_metadata":{"has_more":${hasMore},"next_cursor":${hasMore ? JSON.stringify(Buffer.from(String(offset + limit)).toString('base64url')) : 'null'}}}`);
      };
      if (path === '/customers') return page(this.customers);
      const ledger = /^\/customers\/([^/]+)\/credits\/ledger$/.exec(path);
      if (ledger !== null) return page([...(this.ledgers.get(decodeURIComponent(ledger[1]!)) ?? [])].reverse());
      const credits = /^\/customers\/([^/]+)\/credits$/.exec(path);
      if (credits !== null) return page(this.blocks.get(decodeURIComponent(credits[1]!)) ?? []);
      if (path === '/invoices') {
        const customerId = url.searchParams.get('customer_id');
        return page(this.invoices.filter((invoice) => customerId === null || (invoice.customer as OrbJson).id === customerId));
      }
      send(404, JSON.stringify({ status: 404, title: 'Not found', type: 'https://docs.withorb.com/reference/error-responses#404-url-not-found' }));
    };
  }

  /**
   * Create ledger entry as Orb documents it. The same Idempotency-Key with the same body answers the
   * first response again (no second entry); with another body, 409 (never retried: it cannot succeed).
   */
  private createEntry(customerId: string, text: string, key: string | null): { status: number; body: string; headers?: Record<string, string> } {
    if (key !== null) {
      const seen = this.idempotent.get(key);
      if (seen !== undefined) {
        if (seen.body === text) return { status: seen.status, body: seen.response };
        return {
          status: 409,
          body: orbError(409, 'Resource conflict', `Idempotency-Key ${key} was already used with a different request body`, '#409-resource-conflict'),
          headers: { 'x-should-retry': 'false' },
        };
      }
    }
    const answer = this.validateAndAppend(customerId, text);
    // Only successes are remembered: a request Orb refused may be corrected and sent again with its key.
    if (key !== null && answer.status < 300) this.idempotent.set(key, { body: text, status: answer.status, response: answer.body });
    return answer;
  }

  private validateAndAppend(customerId: string, text: string): { status: number; body: string } {
    const customer = this.customers.find((c) => c.id === customerId);
    if (customer === undefined) return { status: 404, body: orbError(404, 'Resource not found', `customer ${customerId} does not exist`, '#404-resource-not-found') };
    let body: unknown;
    try {
      body = parseJsonLosslessly(text);
    } catch (error) {
      return invalid([`body is not JSON: ${(error as Error).message}`]);
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return invalid(['body must be a JSON object']);
    const fields = body as Record<string, unknown>;
    const problems = validateCreateEntry(fields);
    const currency = typeof fields.currency === 'string' ? fields.currency : null;
    if (currency !== null && /^[A-Z]{3}$/.test(currency) && currency !== customer.currency) {
      problems.push(`currency ${currency} must match the customer's invoicing currency ${String(customer.currency)}`);
    }
    if (problems.length > 0) return invalid(problems);
    const entryType = fields.entry_type as string;
    const amount = isLosslessNumber(fields.amount) ? fields.amount.value : null;
    const ledger = this.ledgers.get(customerId) ?? [];
    const before = ledger.reduce((total, entry) => total.plus(new Decimal(String(entry.amount ?? '0'))), new Decimal(0));
    const signed = amount === null ? new Decimal(0) : entryType === 'decrement' || entryType === 'void' ? new Decimal(amount).neg() : new Decimal(amount);
    const id = `orb_entry_${this.nextEntry++}`;
    const blockId = typeof fields.block_id === 'string' ? fields.block_id : entryType === 'increment' ? id : null;
    const entry: OrbJson = {
      id,
      ledger_sequence_number: ledger.length + 1,
      entry_type: entryType,
      entry_status: 'committed',
      amount: signed.toFixed(),
      starting_balance: before.toFixed(),
      ending_balance: before.plus(signed).toFixed(),
      created_at: '2025-03-31T00:00:00+00:00',
      currency: currency ?? 'credits',
      customer: { id: customerId, external_customer_id: customer.external_customer_id ?? null },
      credit_block: { id: blockId, expiry_date: fields.expiry_date ?? null, per_unit_cost_basis: fields.per_unit_cost_basis ?? null },
      description: fields.description ?? null,
      metadata: fields.metadata ?? {},
      ...(entryType === 'void' ? { void_amount: amount, void_reason: fields.void_reason ?? null } : {}),
    };
    ledger.push(entry);
    this.ledgers.set(customerId, ledger);
    return { status: 201, body: toOrbJson(entry) };
  }
}

function orbError(status: number, title: string, detail: string | null = null, anchor = ''): string {
  return JSON.stringify({ type: `https://docs.withorb.com/reference/error-responses${anchor}`, status, title, detail });
}

function invalid(problems: string[]): { status: number; body: string } {
  return {
    status: 400,
    body: JSON.stringify({
      type: 'https://docs.withorb.com/reference/error-responses#400-request-validation-errors',
      status: 400,
      title: 'Request validation error',
      validation_errors: problems,
    }),
  };
}

const COMMON_FIELDS = ['entry_type', 'amount', 'currency', 'description', 'metadata'];
/** Per entry type, the fields Orb's Create ledger entry documents (any other is refused). */
const ENTRY_FIELDS: Record<string, string[]> = {
  increment: [...COMMON_FIELDS, 'effective_date', 'expiry_date', 'filters', 'invoice_settings', 'per_unit_cost_basis'],
  decrement: COMMON_FIELDS,
  expiration_change: [...COMMON_FIELDS, 'target_expiry_date', 'block_id', 'expiry_date'],
  void: [...COMMON_FIELDS, 'block_id', 'void_reason'],
  amendment: [...COMMON_FIELDS, 'block_id'],
};

function validateCreateEntry(body: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const type = body.entry_type;
  if (typeof type !== 'string' || ENTRY_FIELDS[type] === undefined) return [`entry_type must be one of ${Object.keys(ENTRY_FIELDS).join(', ')}, found ${JSON.stringify(type)}`];
  for (const field of Object.keys(body)) if (!ENTRY_FIELDS[type]!.includes(field)) problems.push(`${field}: not a field of a ${type} entry`);
  const amount = body.amount;
  if (type === 'expiration_change') {
    if (amount !== undefined && amount !== null && !isLosslessNumber(amount)) problems.push('amount must be a number');
    if (typeof body.target_expiry_date !== 'string') problems.push('target_expiry_date is required');
  } else if (!isLosslessNumber(amount)) {
    problems.push(`amount must be a number, found ${JSON.stringify(amount)}`);
  } else if (!new Decimal(amount.value).gt(0)) {
    problems.push(`amount must be positive, found ${amount.value}`);
  }
  if ((type === 'void' || type === 'amendment') && typeof body.block_id !== 'string') problems.push(`block_id is required for ${type}`);
  if (type === 'void' && body.void_reason !== undefined && body.void_reason !== null && body.void_reason !== 'refund') problems.push('void_reason must be "refund" or null');
  for (const field of ['currency', 'description', 'per_unit_cost_basis', 'expiry_date', 'effective_date']) {
    if (body[field] !== undefined && body[field] !== null && typeof body[field] !== 'string') problems.push(`${field} must be a string or null`);
  }
  if (body.metadata !== undefined && body.metadata !== null) {
    if (typeof body.metadata !== 'object' || Array.isArray(body.metadata)) problems.push('metadata must be an object');
    else for (const [key, value] of Object.entries(body.metadata)) if (value !== null && typeof value !== 'string') problems.push(`metadata.${key} must be a string or null`);
  }
  return problems;
}

export async function startOrbServer(options: { apiKey?: string } = {}): Promise<OrbWireServer> {
  return new OrbWireServer(options).start();
}

/** An Orb invoice with payment attempts (the fields the sync reads, in Orb's shape). */
export function orbInvoice(fields: { id: string; customerId: string; amount: string; stripePayment?: string | null; succeeded?: boolean }): OrbJson {
  return {
    id: fields.id,
    object: 'invoice',
    invoice_number: fields.id.toUpperCase(),
    customer: { id: fields.customerId, external_customer_id: null },
    currency: 'USD',
    total: fields.amount,
    amount_due: fields.amount,
    status: fields.succeeded === false ? 'issued' : 'paid',
    created_at: '2025-01-02T00:00:00+00:00',
    invoice_date: '2025-01-02T00:00:00+00:00',
    payment_attempts:
      fields.stripePayment === undefined || fields.stripePayment === null
        ? []
        : [{ id: `pa_${fields.id}`, amount: fields.amount, created_at: '2025-01-02T00:00:05+00:00', payment_provider: 'stripe', payment_provider_id: fields.stripePayment, receipt_pdf: null, succeeded: fields.succeeded ?? true }],
  };
}
