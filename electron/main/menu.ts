// Native menus (File, Edit, View, Help). Commands that concern the page are sent to it as events;
// File > Open database is main's own (a dialog, then the host switches databases).
import { app, dialog, Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../../core/api/types.js';

export interface MenuActions {
  window(): BrowserWindow | null;
  send(command: MenuCommand): void;
  openDatabase(path: string): Promise<void>;
}

async function chooseDatabase(actions: MenuActions): Promise<void> {
  const window = actions.window();
  const options: Electron.SaveDialogOptions = {
    title: 'Open or create a ledger database',
    buttonLabel: 'Open',
    filters: [{ name: 'Ledger database', extensions: ['sqlite', 'db'] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
  // A save dialog lets the user name a new file as well as pick an existing one; nothing is overwritten.
  const chosen = window === null ? await dialog.showSaveDialog(options) : await dialog.showSaveDialog(window, options);
  if (!chosen.canceled && chosen.filePath) await actions.openDatabase(chosen.filePath);
}

export function installMenu(actions: MenuActions, isDev: boolean): void {
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        { label: 'Open Database…', accelerator: 'CmdOrCtrl+O', click: () => void chooseDatabase(actions) },
        { label: 'Import Files…', accelerator: 'CmdOrCtrl+I', click: () => actions.send('import_files') },
        { label: 'Export Balances…', accelerator: 'CmdOrCtrl+E', click: () => actions.send('export_balances') },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { label: '&Edit', submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }] },
    {
      label: '&View',
      submenu: [
        { label: 'Accounts', accelerator: 'CmdOrCtrl+1', click: () => actions.send('go_accounts') },
        { label: 'Customer Timeline', accelerator: 'CmdOrCtrl+2', click: () => actions.send('go_customer') },
        { label: 'Import', accelerator: 'CmdOrCtrl+3', click: () => actions.send('go_import') },
        { label: 'Reconciliation', accelerator: 'CmdOrCtrl+4', click: () => actions.send('go_reconciliation') },
        { label: 'Settings', accelerator: 'CmdOrCtrl+,', click: () => actions.send('go_settings') },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(isDev ? [{ type: 'separator' as const }, { role: 'reload' as const }, { role: 'toggleDevTools' as const }] : []),
      ],
    },
    {
      label: '&Help',
      submenu: [
        { label: 'Keyboard Shortcuts', accelerator: 'CmdOrCtrl+/', click: () => actions.send('show_shortcuts') },
        {
          label: 'About Ledgerscope',
          click: () =>
            void dialog.showMessageBox({
              type: 'info',
              title: 'About Ledgerscope',
              message: `Ledgerscope ${app.getVersion()}`,
              detail: 'Prepaid credit ledgers (Orb, Moesif, Stripe credit grants), replayed and reconciled offline.',
            }),
        },
      ],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
