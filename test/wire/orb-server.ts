// An Orb wire-format server on 127.0.0.1: `{data, pagination_metadata: {has_more, next_cursor}}` pages
// with opaque cursors, the credits ledger newest first, credit blocks, invoices with payment attempts,
// bearer auth (401 in Orb's error shape) and injectable faults. The real `orb-billing` SDK is pointed at
// it with its baseURL option.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type OrbJson = Record<string, unknown>;

export interface OrbFault {
  status: number;
  headers?: Record<string, string>;
  times: number;
  path?: RegExp;
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
  readonly requests: { path: string; query: string; status: number }[] = [];
  readonly customers: OrbJson[] = [];
  /** Per customer, in ledger sequence order (oldest first). */
  readonly ledgers = new Map<string, OrbJson[]>();
  readonly blocks = new Map<string, OrbJson[]>();
  readonly invoices: OrbJson[] = [];
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
    const send = (status: number, body: string, headers: Record<string, string> = {}): void => {
      this.requests.push({ path, query: url.search, status });
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(body);
    };
    req.resume();
    req.on('end', () => {
      const fault = this.faults.find((f) => f.times > 0 && (f.path === undefined || f.path.test(path)));
      if (fault !== undefined) {
        fault.times--;
        send(fault.status, JSON.stringify({ status: fault.status, title: 'injected', type: 'https://docs.withorb.com/reference/error-responses' }), fault.headers);
        return;
      }
      if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
        send(401, JSON.stringify({ type: 'https://docs.withorb.com/reference/error-responses#401-authentication-error', status: 401, title: 'Authentication error', detail: 'Invalid API key' }));
        return;
      }
      const page = (items: readonly OrbJson[]): void => {
        const limit = Number(url.searchParams.get('limit') ?? '20');
        const offset = Number(Buffer.from(url.searchParams.get('cursor') ?? '', 'base64url').toString() || '0');
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
    });
  }
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
