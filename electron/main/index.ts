// Electron main: one hardened window over the built renderer, one IPC door (./ipc.ts), native menus,
// imports in a worker thread (./job-worker.ts), keys in safeStorage (./keys.ts).
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog } from 'electron';
import { workerExecutor } from '../../core/host/jobs.js';
import { SettingsFile } from '../../core/host/settings.js';
import { electronSqliteBindingPath, probeDatabase, useSqliteBinding } from './database.js';
import { DesktopHost, packageVersion } from './desktop-host.js';
import { registerIpc, sendEvent } from './ipc.js';
import { installMenu } from './menu.js';
import { trustedDevServerUrl } from './dev-trust.js';
import { denyNavigationAndWindows, hardenDefaultSession } from './security.js';

const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));
const rendererFile = fileURLToPath(new URL('../renderer/index.html', import.meta.url));
const jobWorker = new URL('./job-worker.js', import.meta.url);
// Only `electron-vite dev` (a dev build it started) may point the window at its server (./dev-trust.ts).
const devServerUrl = trustedDevServerUrl({ isPackaged: app.isPackaged, builtForDev: import.meta.env?.DEV === true, env: process.env });
const devOrigin = devServerUrl === undefined ? undefined : new URL(devServerUrl).origin;

let mainWindow: BrowserWindow | null = null;

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 760,
    minHeight: 520,
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
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null;
  });
  if (devServerUrl !== undefined) void window.loadURL(devServerUrl);
  else void window.loadFile(rendererFile);
  return window;
}

denyNavigationAndWindows();

void app.whenReady().then(() => {
  const sqliteBinding = electronSqliteBindingPath(app.getAppPath());
  useSqliteBinding(sqliteBinding);
  const probe = probeDatabase();
  if (!probe.ok) {
    dialog.showErrorBox('Ledgerscope cannot open its database engine', probe.message);
    app.exit(1);
    return;
  }
  hardenDefaultSession(dirname(rendererFile), devOrigin);

  const settingsFile = new SettingsFile(join(app.getPath('userData'), 'settings.json'));
  // npm start names the database; otherwise the one opened last, else one in the user's data directory.
  const dbPath = process.env['LEDGERSCOPE_DB'] || settingsFile.read().last_database || join(app.getPath('userData'), 'ledger.sqlite');
  const host = new DesktopHost({
    dbPath,
    settingsFile,
    executor: workerExecutor(jobWorker, { sqliteBinding }),
    version: app.isPackaged ? app.getVersion() : packageVersion(join(app.getAppPath(), 'package.json')),
    window: () => mainWindow,
    emit: (event) => sendEvent(mainWindow, event),
  });
  registerIpc({ fileUrl: pathToFileURL(rendererFile).href, devOrigin }, () => host.handlers());
  installMenu(
    {
      window: () => mainWindow,
      send: (command) => sendEvent(mainWindow, { type: 'menu', command }),
      openDatabase: (path) => host.openDatabase(path),
    },
    !app.isPackaged,
  );
  mainWindow = createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
  });
  app.on('will-quit', () => host.close());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
