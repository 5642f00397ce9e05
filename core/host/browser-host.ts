import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Handlers } from '../api/contract.js';
import { ApiError } from '../api/errors.js';
import { adjustmentsForDownload, AppService, exportForDownload, serviceHandlers } from '../service/app-service.js';
import { fileForDownload } from '../service/close-exports.js';
import { formatInstant, type Instant } from '../time/instant.js';
import { adjustmentPushHandlers, PushSession } from './adjustment-push.js';
import { EventHub } from './events.js';
import { startHttpHost } from './http-host.js';
import { jobHandlers, Jobs, reconcileRunHandler, type JobExecutor } from './jobs.js';
import { environmentKeys, Settings, SettingsFile } from './settings.js';

/*
 * Browser mode assembled: the service, the jobs, the settings and the HTTP host, answering every
 * contract method (the Handlers type makes a missing one a compile error).
 */

export interface BrowserHostOptions {
  dbPath: string;
  port: number;
  rendererDir: string;
  clock: () => Instant;
  executor: JobExecutor;
  version: string;
  /** Where settings.json lives (default: the user's config directory). */
  configDir?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

export interface BrowserHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** $LEDGERSCOPE_CONFIG_DIR, else the platform's per-user config directory. */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['LEDGERSCOPE_CONFIG_DIR']) return env['LEDGERSCOPE_CONFIG_DIR'];
  if (process.platform === 'win32' && env['APPDATA']) return join(env['APPDATA'], 'Ledgerscope');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Ledgerscope');
  return join(env['XDG_CONFIG_HOME'] || join(homedir(), '.config'), 'ledgerscope');
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const env = options.env ?? process.env;
  const service = new AppService({ dbPath: options.dbPath, clock: options.clock });
  const events = new EventHub();
  const jobs = new Jobs({
    dbPath: options.dbPath,
    clock: options.clock,
    executor: options.executor,
    emit: (event) => events.emit(event),
    onDataChanged: () => service.invalidate(),
  });
  const keys = environmentKeys(env);
  const settings = new Settings(new SettingsFile(join(options.configDir ?? defaultConfigDir(env), 'settings.json')), keys);
  const handlers: Handlers = {
    ...serviceHandlers(service, () => events.emit({ type: 'data_changed' }), () => settings.operatorName()),
    ...jobHandlers(jobs),
    'reconcile.run': reconcileRunHandler(jobs, service, () => settings.view().reconciliation, () => settings.operatorName()),
    'app.info': () => ({
      host: 'browser',
      version: options.version,
      now: formatInstant(service.now()),
      database: service.databaseInfo(),
      features: { reconciliation: true, payments: true },
    }),
    'import.pick': () => {
      throw new ApiError('unavailable', "browser mode cannot open a file dialog on the host: choose or drop files in the page");
    },
    'settings.get': () => settings.view(),
    'settings.set': (input) => settings.update(input),
    'export.balances': (input) => exportForDownload(service, input),
    'adjustment.export': (input) => adjustmentsForDownload(service, input),
    'report.liabilityExport': async (input) => fileForDownload(await service.reportLiabilityFile(input, settings.journalAccounts())),
    'reconcile.reportExport': async (input) => fileForDownload(await service.reconcileReportFile(input)),
    ...adjustmentPushHandlers(service, keys, new PushSession(), (event) => events.emit(event), env, () => settings.operatorName()),
  };
  // Open the database (and count it) now, not on the page's first request.
  service.databaseInfo();
  const token = randomBytes(32).toString('hex');
  const http = await startHttpHost({
    handlers,
    rendererDir: options.rendererDir,
    token,
    port: options.port,
    subscribe: (listener) => events.subscribe(listener),
  });
  return {
    url: http.url,
    port: http.port,
    token,
    close: async () => {
      await http.close();
      await jobs.idle();
      service.close();
    },
  };
}
