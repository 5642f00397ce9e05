// The IPC door's decisions, kept free of Electron so a test can prove a forged call is refused.
// electron/main/ipc.ts wires this to ipcMain; nothing else should call it.
import { z } from 'zod';
import type { InvokeResult, MethodName, Methods } from '../contract.js';

export interface SenderInfo {
  /** URL of the frame that sent the message ('' when Electron could not tell). */
  url: string;
  /** True when the sender is the top frame of our window, not an iframe. */
  isMainFrame: boolean;
}

type Handler<M extends MethodName> = (input: Methods[M]['input']) => Promise<Methods[M]['output']> | Methods[M]['output'];

export type Handlers = { [M in MethodName]: Handler<M> };

// Every input is parsed as unknown against its schema before it reaches a handler.
const inputSchemas: { [M in MethodName]: z.ZodType<Methods[M]['input']> } = {
  'app.version': z.undefined(),
};

/** True when `url` is our renderer: the built index.html (file:) or the dev server's origin. */
export function isTrustedRendererUrl(url: string, trusted: { fileUrl: string; devOrigin?: string | undefined }): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'file:') {
    const expected = new URL(trusted.fileUrl);
    return parsed.pathname === expected.pathname;
  }
  return trusted.devOrigin !== undefined && parsed.origin === trusted.devOrigin;
}

export function createRouter(handlers: Handlers, isTrustedSender: (sender: SenderInfo) => boolean) {
  return async function route(sender: SenderInfo, method: unknown, input: unknown): Promise<InvokeResult<unknown>> {
    if (!isTrustedSender(sender)) {
      return { ok: false, error: { code: 'forbidden_sender', message: `IPC call refused: sender ${sender.url || '(unknown)'} is not the Ledgerscope window` } };
    }
    if (typeof method !== 'string' || !Object.hasOwn(inputSchemas, method)) {
      return { ok: false, error: { code: 'unknown_method', message: `Unknown method ${JSON.stringify(method)}` } };
    }
    const name = method as MethodName;
    const parsed = inputSchemas[name].safeParse(input);
    if (!parsed.success) {
      return { ok: false, error: { code: 'invalid_input', message: `${name}: ${z.prettifyError(parsed.error)}` } };
    }
    try {
      return { ok: true, value: await handlers[name](parsed.data) };
    } catch (error) {
      // A handler's failure is reported, not rethrown: Electron would mangle the message.
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, error: { code: 'internal', message: `${name}: ${message}` } };
    }
  };
}
