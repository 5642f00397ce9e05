// Sandboxed preload: exposes two narrow functions, never ipcRenderer itself.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { HostEvent } from '../../core/api/types.js';
import { EVENT_CHANNEL, IPC_CHANNEL, type LedgerscopeBridge } from '../bridge.js';

const bridge: LedgerscopeBridge = {
  invoke: (method, input) => ipcRenderer.invoke(IPC_CHANNEL, method, input),
  onEvent: (listener) => {
    const forward = (_event: IpcRendererEvent, hostEvent: HostEvent): void => listener(hostEvent);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.off(EVENT_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld('ledgerscope', bridge);
