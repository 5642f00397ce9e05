/**
 * The page's Content-Security-Policy (DESIGN §9): nothing remote, no inline script, no frames. One policy
 * for both hosts: the loopback HTTP host sends it as a header, Electron's session adds it to responses;
 * renderer/index.html carries the same policy in its meta tag for file:// loads.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');
