// Session and web-contents hardening (DESIGN §9): strict CSP, no remote content,
// no navigation, no new windows, no webviews, every permission denied.
import { app, session, type Session } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../../core/api/content-security-policy.js';

export function hardenSession(target: Session, devOrigin: string | undefined): void {
  target.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  target.setPermissionCheckHandler(() => false);

  // Only our own files (and the dev server while developing) may load; nothing remote.
  target.webRequest.onBeforeRequest((details, callback) => {
    const url = details.url;
    const allowed =
      url.startsWith('file:') ||
      url.startsWith('devtools:') ||
      url.startsWith('data:') ||
      (devOrigin !== undefined && (url.startsWith(`${devOrigin}/`) || url.startsWith(devOrigin.replace(/^http/, 'ws'))));
    callback({ cancel: !allowed });
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

export function hardenDefaultSession(devOrigin: string | undefined): void {
  hardenSession(session.defaultSession, devOrigin);
}
