import { describe, expect, it } from 'vitest';
import { METHOD_NAMES, type Handlers } from '../../core/api/contract.js';
import { createRouter, isTrustedRendererUrl, type SenderInfo } from '../../electron/main/ipc-router.js';

/** Every contract method, answering "not in this test" unless overridden. */
function stubHandlers(overrides: Partial<Handlers>): Handlers {
  const stubs = Object.fromEntries(
    METHOD_NAMES.map((name) => [
      name,
      () => {
        throw new Error(`${name} is not in this test`);
      },
    ]),
  );
  return { ...stubs, ...overrides } as Handlers;
}

const info = {
  host: 'desktop' as const,
  version: '1.2.3',
  now: '2025-01-01T00:00:00.000Z',
  database: { name: 'ledger.sqlite', exists: true, entry_count: 0, account_count: 0 },
  features: { reconciliation: false, payments: false },
};
const trusted = { fileUrl: 'file:///opt/ledgerscope/out/renderer/index.html' };
const handlers = stubHandlers({ 'app.info': () => info });
const route = createRouter(handlers, (sender) => sender.isMainFrame && isTrustedRendererUrl(sender.url, trusted));
const ourWindow: SenderInfo = { url: 'file:///opt/ledgerscope/out/renderer/index.html#/accounts', isMainFrame: true };

describe('IPC door (DESIGN §9: one channel, sender checked, input validated)', () => {
  it('answers a known method from our renderer', async () => {
    expect(await route(ourWindow, 'app.info', {})).toEqual({ ok: true, value: info });
  });

  it('refuses a forged call from a remote page', async () => {
    const result = await route({ url: 'https://evil.example/index.html', isMainFrame: true }, 'app.info', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('refuses another local file and an iframe inside our window', async () => {
    expect(await route({ url: 'file:///tmp/evil.html', isMainFrame: true }, 'app.info', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(await route({ ...ourWindow, isMainFrame: false }, 'app.info', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('refuses a sender Electron could not identify', async () => {
    expect(await route({ url: '', isMainFrame: true }, 'app.info', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('refuses unknown methods, including inherited property names', async () => {
    for (const method of ['ledger.drop', 'constructor', '__proto__', 42, null]) {
      expect(await route(ourWindow, method, {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    }
  });

  it('refuses input that does not match the method schema', async () => {
    expect(await route(ourWindow, 'app.info', { injected: true })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await route(ourWindow, 'entries.evidence', { source: 'orb', id: 7 })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    // A renderer cannot hand main a path: uploads carry names and contents only.
    expect(await route(ourWindow, 'import.upload', { files: [{ name: '../../etc/passwd', text: '' }] })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
  });

  it('reports a failing handler as a value', async () => {
    const failing = createRouter(stubHandlers({ 'app.info': () => { throw new Error('disk full'); } }), () => true);
    expect(await failing(ourWindow, 'app.info', {})).toEqual({ ok: false, error: { code: 'internal', message: 'app.info: disk full' } });
  });

  it('trusts the dev server only by exact origin', () => {
    const dev = { ...trusted, devOrigin: 'http://localhost:5173' };
    expect(isTrustedRendererUrl('http://localhost:5173/', dev)).toBe(true);
    expect(isTrustedRendererUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isTrustedRendererUrl('http://localhost:5173/', trusted)).toBe(false);
    expect(isTrustedRendererUrl('not a url', dev)).toBe(false);
  });
});
