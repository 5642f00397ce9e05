import type { LedgerscopeBridge } from '../../electron/contract';

declare global {
  interface Window {
    /** Present in the Electron window (preload); absent in browser mode. */
    readonly ledgerscope?: LedgerscopeBridge;
  }
}

export {};
