// Electron main: one hardened window over the built renderer, one IPC door (./ipc.ts).
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog } from 'electron';
import { registerIpc } from './ipc.js';
import { probeDatabase } from './database.js';
import { denyNavigationAndWindows, hardenDefaultSession } from './security.js';

const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));
const rendererFile = fileURLToPath(new URL('../renderer/index.html', import.meta.url));
// electron-vite dev sets this; a packaged app never trusts it.
const devServerUrl = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined;
const devOrigin = devServerUrl === undefined ? undefined : new URL(devServerUrl).origin;

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Ledgerscope',
    backgroundColor: '#f6f7f9',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  if (devServerUrl !== undefined) void window.loadURL(devServerUrl);
  else void window.loadFile(rendererFile);
  return window;
}

denyNavigationAndWindows();

void app.whenReady().then(() => {
  const probe = probeDatabase();
  if (!probe.ok) {
    dialog.showErrorBox('Ledgerscope cannot open its database engine', probe.message);
    app.exit(1);
    return;
  }
  hardenDefaultSession(devOrigin);
  registerIpc({ fileUrl: pathToFileURL(rendererFile).href, devOrigin });
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
