import { describe, expect, it } from 'vitest';
import { browserOpener } from '../../scripts/lib/open-browser.mjs';

const URL_WITH_TOKEN = 'http://127.0.0.1:5000/#token=abc123';

describe('npm start opens the browser only where a desktop session exists', () => {
  it('Linux with DISPLAY or WAYLAND_DISPLAY: xdg-open with the tokened URL', () => {
    expect(browserOpener(URL_WITH_TOKEN, 'linux', { DISPLAY: ':0' })).toEqual({ command: 'xdg-open', args: [URL_WITH_TOKEN] });
    expect(browserOpener(URL_WITH_TOKEN, 'linux', { WAYLAND_DISPLAY: 'wayland-0' })).toEqual({ command: 'xdg-open', args: [URL_WITH_TOKEN] });
  });

  it('Linux without a display (a server over ssh): nothing is opened, the URL is only printed', () => {
    expect(browserOpener(URL_WITH_TOKEN, 'linux', {})).toBeNull();
    expect(browserOpener(URL_WITH_TOKEN, 'freebsd', { DISPLAY: '' })).toBeNull();
  });

  it('macOS and Windows: open and start', () => {
    expect(browserOpener(URL_WITH_TOKEN, 'darwin', {})).toEqual({ command: 'open', args: [URL_WITH_TOKEN] });
    expect(browserOpener(URL_WITH_TOKEN, 'win32', {})).toEqual({ command: 'cmd', args: ['/c', 'start', '""', URL_WITH_TOKEN] });
  });
});
