import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import type { ApiErrorBody, ApiErrorCode, ApiResult, Handlers } from '../api/contract.js';
import type { HostEvent } from '../api/types.js';
import { dispatch, validateInput } from './dispatch.js';
import { resolveStaticFile } from './static-files.js';
import { CONTENT_SECURITY_POLICY } from '../api/content-security-policy.js';

/*
 * Browser mode's loopback host (DESIGN §9): 127.0.0.1 only, a random token per start, the built renderer
 * as static files, and `POST /api/<method>` for every contract method. Refused, in this order: another
 * Host header (DNS rebinding), a method other than POST, a missing or wrong token, an unknown method,
 * a body that is not JSON or is too large, input outside the method's schema.
 */

export const TOKEN_HEADER = 'x-ledgerscope-token';
/** Bodies of every method but import.upload (file contents). */
export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_UPLOAD_BODY_BYTES = 500 * 1024 * 1024;

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

const STATUS: Record<ApiErrorCode, number> = {
  unknown_method: 404,
  invalid_input: 400,
  forbidden: 403,
  not_found: 404,
  unavailable: 503,
  conflict: 409,
  method_not_allowed: 405,
  payload_too_large: 413,
  internal: 500,
};

export interface HttpHostOptions {
  handlers: Handlers;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  token: string;
  /** 0 picks a free port. */
  port: number;
  subscribe: (listener: (event: HostEvent) => void) => () => void;
}

export interface HttpHost {
  port: number;
  /** The URL to open: the token rides in the fragment, which never reaches a server or a log. */
  url: string;
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, body: string, contentType: string, extra: Record<string, string> = {}): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': contentType, 'cache-control': 'no-store', ...extra });
  response.end(body);
}

function sendResult(response: ServerResponse, result: ApiResult<unknown>): void {
  const status = result.ok ? 200 : STATUS[result.error.code];
  send(response, status, JSON.stringify(result), 'application/json; charset=utf-8');
}

function refuse(response: ServerResponse, code: ApiErrorCode, message: string, extra: Record<string, string> = {}): void {
  const error: ApiErrorBody = { code, message };
  response.writeHead(STATUS[code], { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...extra });
  response.end(JSON.stringify({ ok: false, error }));
}

function tokenMatches(given: string | string[] | undefined, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(token, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The body, or null when it passed `limit` (the request is then answered and drained). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? '0');
    if (declared > limit) {
      request.resume();
      resolve(null);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    request.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(over ? null : Buffer.concat(chunks, size)));
    request.on('error', reject);
  });
}

export async function startHttpHost(options: HttpHostOptions): Promise<HttpHost> {
  let port = options.port;
  const allowedHosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  async function handleApi(request: IncomingMessage, response: ServerResponse, name: string): Promise<void> {
    if (request.method !== 'POST') {
      refuse(response, 'method_not_allowed', `${request.method ?? '?'} ${request.url ?? ''}: the API answers POST only`, { allow: 'POST' });
      request.resume();
      return;
    }
    if (!tokenMatches(request.headers[TOKEN_HEADER], options.token)) {
      refuse(response, 'forbidden', `missing or wrong ${TOKEN_HEADER} header: open the URL \`ledgerscope serve\` printed`);
      request.resume();
      return;
    }
    if (name === 'events') {
      streamEvents(request, response);
      return;
    }
    const known = validateInput(name, undefined);
    if (!known.ok && known.error.code === 'unknown_method') {
      refuse(response, 'unknown_method', known.error.message);
      request.resume();
      return;
    }
    const contentType = request.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(contentType)) {
      refuse(response, 'invalid_input', `${name}: the body must be JSON (content-type: application/json)`);
      request.resume();
      return;
    }
    const limit = name === 'import.upload' ? MAX_UPLOAD_BODY_BYTES : MAX_BODY_BYTES;
    const body = await readBody(request, limit);
    if (body === null) {
      refuse(response, 'payload_too_large', `${name}: the body is larger than ${limit} bytes`, { connection: 'close' });
      return;
    }
    let input: unknown;
    try {
      input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch (error) {
      refuse(response, 'invalid_input', `${name}: the body is not valid JSON (${(error as Error).message})`);
      return;
    }
    sendResult(response, await dispatch(options.handlers, name, input));
  }

  /** NDJSON, one HostEvent per line, for as long as the page listens. */
  function streamEvents(request: IncomingMessage, response: ServerResponse): void {
    request.resume();
    response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
    response.write('\n');
    const unsubscribe = options.subscribe((event) => response.write(JSON.stringify(event) + '\n'));
    // A blank line now and then keeps idle proxies and the browser from timing the stream out.
    const keepAlive = setInterval(() => response.write('\n'), 15_000);
    const stop = (): void => {
      clearInterval(keepAlive);
      unsubscribe();
    };
    response.on('close', stop);
  }

  async function handleStatic(request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      refuse(response, 'method_not_allowed', `${request.method ?? '?'}: static files answer GET only`, { allow: 'GET, HEAD' });
      return;
    }
    const resolved = resolveStaticFile(options.rendererDir, pathname);
    if (resolved.kind === 'outside') {
      send(response, 403, 'forbidden\n', 'text/plain; charset=utf-8');
      return;
    }
    try {
      if (resolved.kind === 'missing') throw new Error('not found');
      const file = resolved.path;
      // Read synchronously: one thread answers everything, and a chunk the page asked for first must not
      // wait behind an API call that arrived while an asynchronous read was pending (first paint, DESIGN §8).
      const body = readFileSync(file);
      const isHtml = extname(file) === '.html';
      response.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        // Hashed asset names never change content; the page itself is always fetched fresh.
        'cache-control': isHtml ? 'no-store' : 'max-age=31536000, immutable',
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch {
      if (pathname === '/') {
        send(response, 503, 'The Ledgerscope page is not built: run `npm run build`, then open this URL again.\n', 'text/plain; charset=utf-8');
      } else {
        send(response, 404, 'not found\n', 'text/plain; charset=utf-8');
      }
    }
  }

  const server: Server = createServer((request, response) => {
    const host = request.headers.host ?? '';
    if (!allowedHosts().has(host)) {
      send(response, 403, `forbidden host ${JSON.stringify(host)}\n`, 'text/plain; charset=utf-8');
      request.resume();
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      send(response, 400, 'bad request\n', 'text/plain; charset=utf-8');
      return;
    }
    const work = pathname.startsWith('/api/') ? handleApi(request, response, pathname.slice('/api/'.length)) : handleStatic(request, response, pathname);
    work.catch((error: unknown) => {
      if (!response.headersSent) refuse(response, 'internal', error instanceof Error ? error.message : String(error));
      else response.destroy();
    });
  });
  // Long imports upload big bodies; the default 5-minute request timeout is kept, headers must come fast.
  server.headersTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/#token=${options.token}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
