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

// boot.ts (the entry) imports the app's chunk at run time; this link fetches that chunk while boot.ts
// itself loads, so it is not asked for after boot.ts's opening API requests (first paint, DESIGN §8).
function preloadAppChunk(): Plugin {
  let base = './';
  return {
    name: 'ledgerscope:preload-app-chunk',
    apply: 'build',
    configResolved(config) {
      base = config.base;
    },
    transformIndexHtml: {
      order: 'post',
      handler(_html, context) {
        const app = Object.values(context.bundle ?? {}).find(
          (output) => output.type === 'chunk' && output.isDynamicEntry && output.facadeModuleId?.endsWith('/renderer/src/main.tsx') === true,
        );
        if (app === undefined) throw new Error('ledgerscope:preload-app-chunk: no chunk for renderer/src/main.tsx');
        return [{ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `${base}${app.fileName}` }, injectTo: 'head' }];
      },
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
    plugins: [react(), devContentSecurityPolicy(), preloadAppChunk()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      // Browser mode serves this over HTTP and the first paint of the account view is a target (DESIGN §8).
      minify: true,
      rolldownOptions: { input: resolve(root, 'renderer/index.html') },
    },
  },
});
