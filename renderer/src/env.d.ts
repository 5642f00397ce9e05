import type { LedgerscopeBridge } from '../../electron/bridge';

declare global {
  interface Window {
    /** Present in the Electron window (preload); absent in browser mode. */
    readonly ledgerscope?: LedgerscopeBridge;
  }
}

export {};
