// A Moesif management-API server on 127.0.0.1 for the balance-transaction client: POST
// /v1/~/billing/reports/balance_transactions with a bearer token, one transaction per transaction_id,
// and injectable failures (a 500 after storing, to prove a retry does not post twice).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class MoesifWireServer {
  readonly token: string;
  /** Stored transactions by transaction_id, with the exact body text received. */
  readonly transactions = new Map<string, string>();
  readonly requests: { status: number; body: string }[] = [];
  /** The next N posts are stored and then answered 500 (the response is lost on the way back). */
  failAfterStoring = 0;
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
        if (req.method !== 'POST' || url.pathname !== '/v1/~/billing/reports/balance_transactions') return answer(404, '{"message":"not found"}');
        if (req.headers.authorization !== `Bearer ${this.token}`) return answer(401, '{"message":"Unauthorized"}');
        let id: unknown;
        try {
          id = (JSON.parse(body) as { transaction_id?: unknown }).transaction_id;
        } catch {
          return answer(400, '{"message":"bad json"}');
        }
        if (typeof id !== 'string') return answer(400, '{"message":"transaction_id is required"}');
        // Moesif keys balance transactions by transaction_id: the same id again is the same transaction.
        if (!this.transactions.has(id)) this.transactions.set(id, body);
        if (this.failAfterStoring > 0) {
          this.failAfterStoring--;
          return answer(500, '{"message":"internal error"}');
        }
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
