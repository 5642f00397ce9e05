// The Electron bridge between preload and main: channel names and what the preload exposes.
// Types only from the contract (core/api): the sandboxed preload bundles this file, so no runtime imports.
import type { ApiResult, MethodName, MethodOutput, MethodParams } from '../core/api/contract.js';
import type { HostEvent } from '../core/api/types.js';

/** The one channel the renderer calls main on (ipcRenderer.invoke → ipcMain.handle). */
export const IPC_CHANNEL = 'ledgerscope:invoke';
/** Main → renderer only: job progress, data changes, menu commands. */
export const EVENT_CHANNEL = 'ledgerscope:event';

/** What the preload exposes as `window.ledgerscope`. */
export interface LedgerscopeBridge {
  invoke<M extends MethodName>(method: M, input: MethodParams<M>): Promise<ApiResult<MethodOutput<M>>>;
  /** Returns the function that stops listening. */
  onEvent(listener: (event: HostEvent) => void): () => void;
}
