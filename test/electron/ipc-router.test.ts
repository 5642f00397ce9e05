import { describe, expect, it } from 'vitest';
import { createRouter, isTrustedRendererUrl, type Handlers, type SenderInfo } from '../../electron/main/ipc-router.js';

const trusted = { fileUrl: 'file:///opt/ledgerscope/out/renderer/index.html' };
const handlers: Handlers = { 'app.version': () => ({ version: '1.2.3' }) };
const route = createRouter(handlers, (sender) => sender.isMainFrame && isTrustedRendererUrl(sender.url, trusted));
const ourWindow: SenderInfo = { url: 'file:///opt/ledgerscope/out/renderer/index.html#/accounts', isMainFrame: true };

describe('IPC door (DESIGN §9: one channel, sender checked, input validated)', () => {
  it('answers a known method from our renderer', async () => {
    expect(await route(ourWindow, 'app.version', undefined)).toEqual({ ok: true, value: { version: '1.2.3' } });
  });

  it('refuses a forged call from a remote page', async () => {
    const result = await route({ url: 'https://evil.example/index.html', isMainFrame: true }, 'app.version', undefined);
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
  });

  it('refuses another local file and an iframe inside our window', async () => {
    expect(await route({ url: 'file:///tmp/evil.html', isMainFrame: true }, 'app.version', undefined)).toMatchObject({
      ok: false,
      error: { code: 'forbidden_sender' },
    });
    expect(await route({ ...ourWindow, isMainFrame: false }, 'app.version', undefined)).toMatchObject({
      ok: false,
      error: { code: 'forbidden_sender' },
    });
  });

  it('refuses a sender Electron could not identify', async () => {
    expect(await route({ url: '', isMainFrame: true }, 'app.version', undefined)).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
  });

  it('refuses unknown methods, including inherited property names', async () => {
    for (const method of ['ledger.drop', 'constructor', '__proto__', 42, null]) {
      expect(await route(ourWindow, method, undefined)).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    }
  });

  it('refuses input that does not match the method schema', async () => {
    expect(await route(ourWindow, 'app.version', { injected: true })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('reports a failing handler as a value', async () => {
    const failing = createRouter({ 'app.version': () => { throw new Error('disk full'); } }, () => true);
    expect(await failing(ourWindow, 'app.version', undefined)).toEqual({
      ok: false,
      error: { code: 'internal', message: 'app.version: disk full' },
    });
  });

  it('trusts the dev server only by exact origin', () => {
    const dev = { ...trusted, devOrigin: 'http://localhost:5173' };
    expect(isTrustedRendererUrl('http://localhost:5173/', dev)).toBe(true);
    expect(isTrustedRendererUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isTrustedRendererUrl('http://localhost:5173/', trusted)).toBe(false);
    expect(isTrustedRendererUrl('not a url', dev)).toBe(false);
  });
});
