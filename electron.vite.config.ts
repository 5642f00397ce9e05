import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';

const root = import.meta.dirname;

// The dev server needs an inline HMR preamble and a websocket; only `electron-vite dev` gets this CSP.
function devContentSecurityPolicy(): Plugin {
  return {
    name: 'ledgerscope:dev-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html.replace(
        /script-src 'self'; style-src 'self';/,
        "script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline';",
      ).replace(/connect-src 'self';/, "connect-src 'self' ws://localhost:* ws://127.0.0.1:*;");
    },
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      // The job worker is its own entry: imports run in a worker thread, off the window's main thread.
      lib: { entry: { index: resolve(root, 'electron/main/index.ts'), 'job-worker': resolve(root, 'electron/main/job-worker.ts') } },
      // Loaded at run time with an Electron-ABI nativeBinding (docs/native-module.md); never bundled.
      rolldownOptions: { external: ['better-sqlite3'] },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      lib: { entry: resolve(root, 'electron/preload/index.ts') },
      // A sandboxed preload cannot require node_modules and cannot be ESM: bundle everything into one CJS file.
      externalizeDeps: false,
      rolldownOptions: { output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [react(), devContentSecurityPolicy()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      // Browser mode serves this over HTTP and the first paint of the account view is a target (DESIGN §8).
      minify: true,
      rolldownOptions: { input: resolve(root, 'renderer/index.html') },
    },
  },
});
