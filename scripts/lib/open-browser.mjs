// `npm start` in browser mode opens the default browser at the tokened URL, where a desktop session can
// show one: macOS and Windows always, Linux and the BSDs when DISPLAY or WAYLAND_DISPLAY is set (a
// server over ssh has neither, and prints the URL only).
import { spawn } from 'node:child_process';

/**
 * The command that opens `url` in the default browser on this platform, or null where there is no
 * desktop session to open it in.
 * @returns {{ command: string, args: string[] } | null}
 */
export function browserOpener(url, platform = process.platform, env = process.env) {
  if (platform === 'darwin') return { command: 'open', args: [url] };
  // start is a cmd built-in; its first quoted argument is the window title.
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""', url.replace(/&/g, '^&')] };
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return { command: 'xdg-open', args: [url] };
  return null;
}

/** Opens the URL without waiting; a missing opener is reported in one line, and the URL stays printed. */
export function openBrowser(url, { platform = process.platform, env = process.env, log = console.log } = {}) {
  const opener = browserOpener(url, platform, env);
  if (opener === null) return false;
  const child = spawn(opener.command, opener.args, { stdio: 'ignore', detached: true, env });
  child.on('error', (error) => log(`Could not open a browser (${opener.command}: ${error.code ?? error.message}); open the URL above.`));
  child.unref();
  return true;
}
