import type { JobProgress, ReconciliationSettings } from '../api/types.js';
import { runReconciliation } from '../service/reconcile-service.js';
import { runSummary } from '../service/reconcile-queries.js';
import { LedgerDbError, openLedgerDb, storageFailure } from '../store/index.js';
import type { Instant } from '../time/instant.js';
import { runImportJob, type ImportJobRequest, type JobOutcome } from './import-job.js';

/*
 * Every kind of job a worker runs (core/host/job-worker.ts), or a test runs inline: imports, and
 * reconciliation runs (100,000 payments against 100,000 credits take about a second to match and more to
 * save, so a run never happens on the host's main thread).
 */

export interface ReconcileJobRequest {
  kind: 'reconcile.run';
  dbPath: string;
  asOf: Instant;
  now: Instant;
  /** The host's settings, snake_case, as parseReconcileSettings reads them. */
  settings: ReconciliationSettings;
  /** Who runs it (Settings' operator name), recorded in the run's history. */
  by?: string | null;
}

export type JobRequest = ImportJobRequest | ReconcileJobRequest;

/** A run is one step: matching cannot stop half-way, so a cancel request is not honoured once it started. */
function runReconcileJob(request: ReconcileJobRequest, onProgress: (progress: JobProgress) => void, isCancelled: () => boolean): JobOutcome {
  if (isCancelled()) return { type: 'cancelled' };
  onProgress({ phase: 'check', done: 0, total: 1 });
  let db;
  try {
    db = openLedgerDb(request.dbPath, { create: false });
  } catch (error) {
    return { type: 'error', message: error instanceof LedgerDbError ? error.message : (storageFailure(request.dbPath, error)?.message ?? String(error)) };
  }
  try {
    const outcome = runReconciliation(db, { asOf: request.asOf, now: request.now, settings: request.settings, by: request.by ?? null });
    onProgress({ phase: 'check', done: 1, total: 1 });
    return { type: 'reconciled', run: runSummary(outcome.run) };
  } catch (error) {
    // A read-only or full ledger: the CLI's one line (the run's first write is refused; nothing changed).
    const storage = storageFailure(request.dbPath, error);
    if (storage !== null) return { type: 'error', message: storage.message };
    return { type: 'error', message: error instanceof Error ? error.message : String(error) };
  } finally {
    db.close();
  }
}

export function runJob(request: JobRequest, onProgress: (progress: JobProgress) => void, isCancelled: () => boolean): JobOutcome {
  return request.kind === 'reconcile.run' ? runReconcileJob(request, onProgress, isCancelled) : runImportJob(request, onProgress, isCancelled);
}
