// The desktop host: the same contract as browser mode (core/host/browser-host.ts), answered in main.
// Reads go to the service; imports run in a worker thread; dialogs and keys stay in main.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { dialog, type BrowserWindow } from 'electron';
import type { Handlers } from '../../core/api/contract.js';
import type { ExportResult, HostEvent, Upload } from '../../core/api/types.js';
import { jobHandlers, Jobs, reconcileRunHandler, type JobExecutor } from '../../core/host/jobs.js';
import { adjustmentPushHandlers, PushSession } from '../../core/host/adjustment-push.js';
import { Settings, type KeyVault, type SettingsFile } from '../../core/host/settings.js';
import { AppService, serviceHandlers } from '../../core/service/app-service.js';
import { formatInstant } from '../../core/time/instant.js';
import { safeStorageKeys } from './keys.js';

export interface DesktopHostOptions {
  dbPath: string;
  settingsFile: SettingsFile;
  executor: JobExecutor;
  version: string;
  window: () => BrowserWindow | null;
  emit: (event: HostEvent) => void;
}

const clock = (): number => Date.now();

export class DesktopHost {
  private service: AppService;
  private jobs: Jobs;
  private readonly settings: Settings;
  private readonly keys: KeyVault;
  /** The push under way, if any: kept across handlers(), which is rebuilt per call. */
  private readonly pushes = new PushSession();

  constructor(private readonly options: DesktopHostOptions) {
    this.keys = safeStorageKeys(options.settingsFile);
    this.settings = new Settings(options.settingsFile, this.keys);
    this.service = new AppService({ dbPath: options.dbPath, clock });
    this.jobs = this.newJobs(options.dbPath);
  }

  get dbPath(): string {
    return this.service.dbPath;
  }

  private newJobs(dbPath: string): Jobs {
    return new Jobs({
      dbPath,
      clock,
      executor: this.options.executor,
      emit: this.options.emit,
      onDataChanged: () => this.service.invalidate(),
    });
  }

  /** File > Open database: every later call answers from `dbPath` (created by the first import). */
  async openDatabase(dbPath: string): Promise<void> {
    await this.jobs.idle();
    this.service.close();
    this.service = new AppService({ dbPath, clock });
    this.jobs = this.newJobs(dbPath);
    const stored = this.options.settingsFile.read();
    this.options.settingsFile.write({ ...stored, last_database: dbPath });
    this.options.emit({ type: 'data_changed' });
  }

  close(): void {
    this.service.close();
  }

  /** The open dialog is main's: the renderer never names a path. */
  private async pickFiles(): Promise<Upload | null> {
    const window = this.options.window();
    const options: Electron.OpenDialogOptions = {
      title: 'Import ledger files',
      properties: ['openFile', 'multiSelections'],
      filters: [
        { name: 'Ledger exports', extensions: ['json', 'jsonl', 'ndjson', 'csv'] },
        { name: 'All files', extensions: ['*'] },
      ],
    };
    const picked = window === null ? await dialog.showOpenDialog(options) : await dialog.showOpenDialog(window, options);
    if (picked.canceled || picked.filePaths.length === 0) return null;
    // Paths stay in main; the worker reads them (DESIGN §9).
    return this.jobs.addUpload(picked.filePaths.map((path) => ({ name: basename(path), path, sizeBytes: statSync(path).size })));
  }

  /** The handlers of the database open now (File > Open database swaps the service: ask again per call). */
  handlers(): Handlers {
    const service = this.service;
    return {
      ...serviceHandlers(service, () => this.options.emit({ type: 'data_changed' }), () => this.settings.operatorName()),
      ...jobHandlers(this.jobs),
      'reconcile.run': reconcileRunHandler(this.jobs, service, () => this.settings.view().reconciliation, () => this.settings.operatorName()),
      'app.info': () => ({
        host: 'desktop',
        version: this.options.version,
        now: formatInstant(clock()),
        database: service.databaseInfo(),
        features: { reconciliation: true, payments: true },
      }),
      'import.pick': () => this.pickFiles(),
      'settings.get': () => this.settings.view(),
      'settings.set': (input) => this.settings.update(input),
      'export.balances': (input) => this.saveFile('Export balances', service.exportBalances(input)),
      'adjustment.export': (input) => this.saveFile('Export adjustments (provider request bodies)', service.adjustmentExport(input)),
      'report.liabilityExport': async (input) =>
        this.saveFile(input.what === 'journal' ? 'Export the journal' : 'Export credit liability', await service.reportLiabilityFile(input, this.settings.journalAccounts())),
      'reconcile.reportExport': async (input) => this.saveFile('Export the reconciliation report', await service.reconcileReportFile(input)),
      // Keys from safeStorage (Settings); never sent to the renderer.
      ...adjustmentPushHandlers(service, this.keys, this.pushes, this.options.emit, process.env, () => this.settings.operatorName()),
    };
  }

  /** The save dialog is main's too: the renderer never names where a file goes. */
  private async saveFile(title: string, file: { file_name: string; text: string | null; bytes?: Buffer | null }): Promise<ExportResult> {
    const window = this.options.window();
    const options: Electron.SaveDialogOptions = { title, defaultPath: file.file_name };
    const target = window === null ? await dialog.showSaveDialog(options) : await dialog.showSaveDialog(window, options);
    if (target.canceled || target.filePath === undefined) return { file_name: file.file_name, text: null, saved_to: null };
    // XLSX files are bytes; the rest text.
    writeFileSync(target.filePath, file.bytes ?? file.text ?? '');
    return { file_name: file.file_name, text: null, saved_to: target.filePath };
  }
}

/** The package version, read once (app.getVersion() is the same in a packaged app). */
export function packageVersion(packageJsonPath: string): string {
  try {
    return (JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
