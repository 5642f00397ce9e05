import { realpathSync } from 'node:fs';
import { join, normalize, relative, isAbsolute, sep } from 'node:path';

/*
 * Which file a static request may read (browser mode serves the built renderer, issue 10 §11). The name
 * is checked twice: lexically (no `..` out of the folder), then by real path, so a symlink inside
 * out/renderer that points elsewhere (a file or a folder) is refused like a `..` would be.
 */

export type StaticFile = { kind: 'file'; path: string } | { kind: 'outside' } | { kind: 'missing' };

/** True when `path` is `root` itself or lies under it (both already resolved the same way). */
export function isWithin(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The real path to read for `pathname` ("/" is index.html), or why not. */
export function resolveStaticFile(rendererDir: string, pathname: string): StaticFile {
  const root = normalize(rendererDir);
  const file = normalize(join(root, pathname === '/' ? 'index.html' : pathname));
  if (!isWithin(root, file)) return { kind: 'outside' };
  let realRoot: string;
  let realFile: string;
  try {
    realRoot = realpathSync(root);
    realFile = realpathSync(file);
  } catch {
    return { kind: 'missing' };
  }
  return isWithin(realRoot, realFile) ? { kind: 'file', path: realFile } : { kind: 'outside' };
}
