// What main trusts besides its own files (issue 10 §10), kept free of Electron so tests can check it.
// The dev server's URL is trusted only in a build made by `electron-vite dev` (Vite's DEV flag is compiled
// in, so no shell variable can turn it on) that electron-vite itself started (it sets
// NODE_ENV_ELECTRON_VITE=development), and never in a packaged app. A stale ELECTRON_RENDERER_URL left in a
// user's shell is ignored by `npm start`, which builds for production and also drops it from Electron's
// environment (scripts/lib/electron-env.mjs).
import { fileURLToPath } from 'node:url';
import { isWithin } from '../../core/host/static-files.js';

export interface DevServerInputs {
  isPackaged: boolean;
  /** import.meta.env.DEV of the main bundle: true only when electron-vite's dev command built it. */
  builtForDev: boolean;
  env: Record<string, string | undefined>;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The dev server's URL when every condition holds, else undefined (load the built renderer). */
export function trustedDevServerUrl(inputs: DevServerInputs): string | undefined {
  if (inputs.isPackaged || !inputs.builtForDev) return undefined;
  if (inputs.env['NODE_ENV_ELECTRON_VITE'] !== 'development') return undefined;
  const raw = inputs.env['ELECTRON_RENDERER_URL'];
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  // electron-vite serves on this machine; anything else is not its dev server.
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return raw;
}

export interface RequestPolicy {
  /** The real path of the built renderer folder (out/renderer). */
  rendererDirReal: string;
  devOrigin?: string | undefined;
  /** fs.realpathSync in main; null when the file does not exist. */
  realpath: (path: string) => string | null;
}

/** May the window load this URL? Only files whose real path is inside the renderer folder, the dev server, devtools and data URLs. */
export function isAllowedAppRequest(url: string, policy: RequestPolicy): boolean {
  if (url.startsWith('devtools:') || url.startsWith('data:')) return true;
  const devOrigin = policy.devOrigin;
  if (devOrigin !== undefined && (url.startsWith(`${devOrigin}/`) || url.startsWith(`${devOrigin.replace(/^http/, 'ws')}/`) || url === devOrigin.replace(/^http/, 'ws'))) return true;
  if (!url.startsWith('file:')) return false;
  let path: string;
  try {
    const parsed = new URL(url);
    // file://host/share/... names another machine's file.
    if (parsed.host !== '') return false;
    path = fileURLToPath(parsed);
  } catch {
    return false;
  }
  const real = policy.realpath(path);
  return real !== null && isWithin(policy.rendererDirReal, real);
}
