// A Moesif management-API server on 127.0.0.1 for the balance-transaction client: POST
// /v1/~/billing/reports/balance_transactions with a bearer token, one transaction per transaction_id,
// and injectable failures (a 500 after storing, to prove a retry does not post twice). A transaction_id
// already stored answers 409 (the client reads it as already posted); a body that is not Moesif's
// documented shape answers 400. GET /v1/~/billing/reports?type=balance_transaction&from=&to= answers the
// stored reports (BillingReport objects) with from <= created_at < to, oldest first, at most `pageSize`
// of them (Moesif publishes no page size: the cap stands for whatever the real server does), and
// injectable 429 (with Retry-After) and 500 answers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class MoesifWireServer {
  readonly token: string;
  /** Stored transactions by transaction_id, with the exact body text received. */
  readonly transactions = new Map<string, string>();
  readonly requests: { status: number; body: string }[] = [];
  /** The next N posts are stored and then answered 500 (the response is lost on the way back). */
  failAfterStoring = 0;
  /** Balance-transaction reports the GET serves (created_at ISO 8601). */
  readonly reports: Record<string, unknown>[] = [];
  /** Most reports one GET answers. */
  pageSize = 1000;
  /** Statuses the next GETs answer instead of the reports (429 carries Retry-After: retryAfterSeconds; 200 serves the page). */
  readonly failNextGets: number[] = [];
  /** The Retry-After of an injected 429 (3600 stands for a server that asks for an hour). */
  retryAfterSeconds = 0;
  /** The next posts are answered with these redirects (nothing stored), e.g. 307 to another host. */
  readonly redirectNextPosts: { status: number; location: string }[] = [];
  /** Statuses the next posts answer before anything is stored (429 carries Retry-After: retryAfterSeconds). */
  readonly failNextPosts: number[] = [];
  readonly gets: string[] = [];
  private server: Server | null = null;
  url = '';

  constructor(token = 'moesif_mgmt_token_0000') {
    this.token = token;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const answer = (status: number, text = ''): void => {
          this.requests.push({ status, body });
          res.writeHead(status, { 'Content-Type': 'application/json' });
          res.end(text);
        };
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (req.method === 'GET' && url.pathname === '/v1/~/billing/reports') {
          this.gets.push(url.search);
          if (req.headers.authorization !== `Bearer ${this.token}`) return answer(401, '{"message":"Unauthorized"}');
          const failure = this.failNextGets.shift();
          if (failure !== undefined && failure !== 200) {
            if (failure === 429) res.setHeader('Retry-After', String(this.retryAfterSeconds));
            return answer(failure, JSON.stringify({ message: failure === 429 ? 'Too Many Requests' : 'internal error' }));
          }
          const type = url.searchParams.get('type');
          const from = Date.parse(url.searchParams.get('from') ?? '1970-01-01T00:00:00Z');
          const to = Date.parse(url.searchParams.get('to') ?? '9999-12-31T00:00:00Z');
          const page = this.reports
            .filter((r) => (type === null || r.type === type) && Date.parse(String(r.created_at)) >= from && Date.parse(String(r.created_at)) < to)
            .sort((a, b) => Date.parse(String(a.created_at)) - Date.parse(String(b.created_at)))
            .slice(0, this.pageSize);
          return answer(200, JSON.stringify(page));
        }
        if (req.method !== 'POST' || url.pathname !== '/v1/~/billing/reports/balance_transactions') return answer(404, '{"message":"not found"}');
        if (req.headers.authorization !== `Bearer ${this.token}`) return answer(401, '{"message":"Unauthorized"}');
        const failure = this.failNextPosts.shift();
        if (failure !== undefined) {
          if (failure === 429) res.setHeader('Retry-After', String(this.retryAfterSeconds));
          return answer(failure, JSON.stringify({ message: failure === 429 ? 'Too Many Requests' : 'internal error' }));
        }
        const redirect = this.redirectNextPosts.shift();
        if (redirect !== undefined) {
          res.setHeader('Location', redirect.location);
          return answer(redirect.status, '');
        }
        let parsed: Record<string, unknown>;
        try {
          parsed = JSON.parse(body) as Record<string, unknown>;
        } catch {
          return answer(400, '{"message":"bad json"}');
        }
        const id = parsed.transaction_id;
        if (typeof id !== 'string') return answer(400, '{"message":"transaction_id is required"}');
        if (typeof parsed.company_id !== 'string') return answer(400, '{"message":"company_id is required"}');
        if (typeof parsed.amount !== 'number') return answer(400, '{"message":"amount must be a number"}');
        if (!['credit', 'debit', 'promotion', 'adjustment'].includes(parsed.type as string)) return answer(400, '{"message":"type must be credit, debit, promotion or adjustment"}');
        // Moesif keys balance transactions by transaction_id: the same id again is the same transaction.
        const duplicate = this.transactions.has(id);
        if (!duplicate) this.transactions.set(id, body);
        if (this.failAfterStoring > 0) {
          this.failAfterStoring--;
          return answer(500, '{"message":"internal error"}');
        }
        if (duplicate) return answer(409, JSON.stringify({ message: `transaction_id ${id} already exists` }));
        return answer(201, '');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
