// Session and web-contents hardening (DESIGN §9): strict CSP, no remote content,
// no navigation, no new windows, no webviews, every permission denied.
import { app, session, type Session } from 'electron';
import { realpathSync } from 'node:fs';
import { CONTENT_SECURITY_POLICY } from '../../core/api/content-security-policy.js';
import { isAllowedAppRequest } from './dev-trust.js';

function realpathOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

function realpathOrSelf(path: string): string {
  return realpathOrNull(path) ?? path;
}

export function hardenSession(target: Session, rendererDir: string, devOrigin: string | undefined): void {
  target.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  target.setPermissionCheckHandler(() => false);

  // Only files inside our renderer folder (real paths), and the dev server while developing; nothing remote.
  const policy = { rendererDirReal: realpathOrSelf(rendererDir), devOrigin, realpath: realpathOrNull };
  target.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isAllowedAppRequest(details.url, policy) });
  });

  // The dev server's HTML is relaxed by Vite (inline HMR preamble); only production responses get the header.
  if (devOrigin === undefined) {
    target.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
    });
  }
}

export function denyNavigationAndWindows(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

export function hardenDefaultSession(rendererDir: string, devOrigin: string | undefined): void {
  hardenSession(session.defaultSession, rendererDir, devOrigin);
}
