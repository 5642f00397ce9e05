// The only file that imports ipcMain: one channel, sender checked, input validated, unknown methods refused.
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import type { Handlers } from '../../core/api/contract.js';
import type { HostEvent } from '../../core/api/types.js';
import { EVENT_CHANNEL, IPC_CHANNEL } from '../bridge.js';
import { createRouter, isTrustedRendererUrl } from './ipc-router.js';

export interface TrustedRenderer {
  fileUrl: string;
  devOrigin?: string | undefined;
}

export function registerIpc(trusted: TrustedRenderer, handlers: () => Handlers): void {
  const route = createRouter(handlers, (sender) => sender.isMainFrame && isTrustedRendererUrl(sender.url, trusted));
  ipcMain.handle(IPC_CHANNEL, (event: IpcMainInvokeEvent, method: unknown, input: unknown) => {
    const frame = event.senderFrame;
    const sender = { url: frame?.url ?? '', isMainFrame: frame !== null && frame !== undefined && frame.parent === null };
    return route(sender, method, input);
  });
}

/** Main → renderer: job progress, data changes, menu commands (never a reply to the page's own message). */
export function sendEvent(window: BrowserWindow | null, event: HostEvent): void {
  if (window !== null && !window.isDestroyed()) window.webContents.send(EVENT_CHANNEL, event);
}
