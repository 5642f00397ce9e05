// The IPC door's decisions, kept free of Electron so a test can prove a forged call is refused.
// electron/main/ipc.ts wires this to ipcMain; nothing else should call it.
import type { ApiResult, Handlers } from '../../core/api/contract.js';
import { dispatch } from '../../core/host/dispatch.js';

export interface SenderInfo {
  /** URL of the frame that sent the message ('' when Electron could not tell). */
  url: string;
  /** True when the sender is the top frame of our window, not an iframe. */
  isMainFrame: boolean;
}

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

/** The sender is checked first; then the contract's door (core/host/dispatch.ts) validates and calls. */
export function createRouter(handlers: Handlers | (() => Handlers), isTrustedSender: (sender: SenderInfo) => boolean) {
  return async function route(sender: SenderInfo, method: unknown, input: unknown): Promise<ApiResult<unknown>> {
    if (!isTrustedSender(sender)) {
      return { ok: false, error: { code: 'forbidden', message: `IPC call refused: sender ${sender.url || '(unknown)'} is not the Ledgerscope window` } };
    }
    return dispatch(typeof handlers === 'function' ? handlers() : handlers, method, input);
  };
}
