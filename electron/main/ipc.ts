// The only file that imports ipcMain: one channel, sender checked, unknown methods refused.
import { app, ipcMain, type IpcMainInvokeEvent } from 'electron';
import { IPC_CHANNEL } from '../contract.js';
import { createRouter, isTrustedRendererUrl, type Handlers } from './ipc-router.js';

export interface TrustedRenderer {
  fileUrl: string;
  devOrigin?: string | undefined;
}

export function registerIpc(trusted: TrustedRenderer): void {
  const handlers: Handlers = {
    'app.version': () => ({ version: app.getVersion() }),
  };
  const route = createRouter(handlers, (sender) => sender.isMainFrame && isTrustedRendererUrl(sender.url, trusted));

  ipcMain.handle(IPC_CHANNEL, (event: IpcMainInvokeEvent, method: unknown, input: unknown) => {
    const frame = event.senderFrame;
    const sender = { url: frame?.url ?? '', isMainFrame: frame !== null && frame.parent === null };
    return route(sender, method, input);
  });
}
