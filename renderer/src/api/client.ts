// The renderer's one way to reach the engine: the preload bridge in the desktop window, or fetch with
// this start's token in browser mode. Both are typed from the contract (core/api), nothing else.
import type { ApiErrorBody, ApiResult, MethodName, MethodOutput, MethodParams } from '../../../core/api/contract';
import type { HostEvent } from '../../../core/api/types';

export class ApiCallError extends Error {
  constructor(readonly code: ApiErrorBody['code'] | 'network', message: string) {
    super(message);
    this.name = 'ApiCallError';
  }
}

const TOKEN_KEY = 'ledgerscope.token';
const TOKEN_HEADER = 'x-ledgerscope-token';

/**
 * Browser mode: `ledgerscope serve` prints a URL whose fragment carries the token (`#token=…`, or after
 * a route and its keys: `#/account/…?asof=…&token=…`). It is read once, kept in this tab's sessionStorage, and removed from
 * the address bar.
 */
export function takeTokenFromUrl(): void {
  const hash = window.location.hash.replace(/^#/, '');
  const at = hash.indexOf('?');
  // "#token=…" is a query of its own; "#/route?asof=…&token=…" carries it beside the route's keys.
  const [path, query] = hash.startsWith('token=') ? ['', hash] : at === -1 ? [hash, ''] : [hash.slice(0, at), hash.slice(at + 1)];
  const params = new URLSearchParams(query);
  const found = params.get('token');
  if (found === null || !/^[0-9a-f]{16,128}$/.test(found)) return;
  sessionStorage.setItem(TOKEN_KEY, found);
  params.delete('token');
  const rest = params.toString();
  history.replaceState(null, '', `${window.location.pathname}${window.location.search}#${path === '' ? '/' : path}${rest === '' ? '' : `?${rest}`}`);
}

function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function isDesktop(): boolean {
  return window.ledgerscope !== undefined;
}

async function overHttp(method: string, input: unknown): Promise<ApiResult<unknown>> {
  const key = token();
  if (key === null) {
    return { ok: false, error: { code: 'forbidden', message: 'This page has no access token: open the URL that ledgerscope serve printed.' } };
  }
  let response: Response;
  try {
    response = await fetch(`/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TOKEN_HEADER]: key },
      body: JSON.stringify(input),
    });
  } catch (error) {
    throw new ApiCallError('network', `Ledgerscope is not answering (${(error as Error).message}). Is ledgerscope serve still running?`);
  }
  return (await response.json()) as ApiResult<unknown>;
}

/** The same request whatever order its keys were written in. */
function requestKey(method: string, input: unknown): string {
  return JSON.stringify([method, input], (_key, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}

const prefetched = new Map<string, Promise<ApiResult<unknown>>>();

function send(method: string, input: unknown): Promise<ApiResult<unknown>> {
  const bridge = window.ledgerscope;
  return bridge !== undefined ? bridge.invoke(method as MethodName, input as never) : overHttp(method, input);
}

/**
 * Sends a request before the screen that needs it has rendered (boot.ts, from the route): the screen's
 * own identical call then takes this reply instead of asking again.
 */
export function prefetch<M extends MethodName>(method: M, input: MethodParams<M>): void {
  const key = requestKey(method, input);
  if (!prefetched.has(key)) prefetched.set(key, send(method, input).catch((error: unknown) => ({ ok: false, error: { code: 'internal', message: String(error) } })));
}

/** Calls a contract method; resolves with its output or throws ApiCallError with a message to show. */
export async function call<M extends MethodName>(method: M, input: MethodParams<M>): Promise<MethodOutput<M>> {
  const key = requestKey(method, input);
  const early = prefetched.get(key);
  prefetched.delete(key);
  const result = early !== undefined ? await early : await send(method, input);
  if (!result.ok) throw new ApiCallError(result.error.code, result.error.message);
  return result.value as MethodOutput<M>;
}

/** Listens to host events (job progress, data changes, menu commands) until the returned function is called. */
export function subscribeEvents(listener: (event: HostEvent) => void): () => void {
  const bridge = window.ledgerscope;
  if (bridge !== undefined) return bridge.onEvent(listener);
  let stopped = false;
  let controller: AbortController | null = null;
  const connect = async (attempt: number): Promise<void> => {
    const key = token();
    if (stopped || key === null) return;
    controller = new AbortController();
    try {
      const response = await fetch('/api/events', { method: 'POST', headers: { [TOKEN_HEADER]: key }, signal: controller.signal });
      if (!response.ok || response.body === null) throw new Error(`events: ${response.status}`);
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffered = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += decoder.decode(value, { stream: true });
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) if (line.trim() !== '') listener(JSON.parse(line) as HostEvent);
      }
      attempt = 0;
    } catch {
      // reconnect below
    }
    if (!stopped) setTimeout(() => void connect(attempt + 1), Math.min(10_000, 500 * 2 ** attempt));
  };
  void connect(0);
  return () => {
    stopped = true;
    controller?.abort();
  };
}
