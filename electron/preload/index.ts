// Sandboxed preload: exposes one narrow function, never ipcRenderer itself.
import { contextBridge, ipcRenderer } from 'electron';
import { IPC_CHANNEL, type LedgerscopeBridge } from '../contract.js';

const bridge: LedgerscopeBridge = {
  invoke: (method, input) => ipcRenderer.invoke(IPC_CHANNEL, method, input),
};

contextBridge.exposeInMainWorld('ledgerscope', bridge);
