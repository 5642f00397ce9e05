import { getMoesifBalanceReports } from '../sources/moesif-api/reports.js';
import type { MoesifClientOptions } from '../sources/moesif-api/client.js';
import { formatProblem, parseImportFile, type ImportProblem } from '../sources/index.js';
import { loadSyncState, replacementWarnings, saveSyncState, type LedgerDb, type SyncState } from '../store/index.js';
import { formatInstant, parseInstant, type Instant } from '../time/instant.js';
import { writeLedgerEntries } from '../import/provider-entries.js';
import { SyncError } from './sync-errors.js';

/*
 * `ledgerscope sync moesif`: balance transactions through `GET /v1/~/billing/reports?type=balance_transaction`
 * (core/sources/moesif-api/reports.ts). Moesif publishes no cursor for that list, so it is paged by time:
 * ask for [from, start of this sync); the newest created_at in the answer is the next `from` (inclusive,
 * so transactions sharing that instant are asked for again and are unchanged by L5); stop when an answer
 * brings nothing newer. Each answer is read by the same parser as a saved response file and written with
 * the cursor in one transaction: a failed or cancelled sync resumes from the last committed instant, and a
 * second run adds nothing. A transaction whose content changed (a pending one now posted) is a conflict:
 * not applied, reported as a warning.
 */

export interface MoesifSyncOptions {
  db: LedgerDb;
  client: MoesifClientOptions;
  /** The sync's start: the window ends here (core never reads the clock). */
  now: Instant;
  /** Where a first sync starts (default 1970-01-01). */
  since?: Instant;
  /** The unit of transactions that name no currency (default USD, as for Moesif files). */
  unit?: string;
  signal?: AbortSignal;
  onProgress?: (progress: { stream: string; objects: number }) => void;
}

export interface MoesifSyncSummary {
  pages: number;
  transactions: number;
  entries: { inserted: number; unchanged: number; conflicts: number };
  requests: number;
  rateLimited: number;
  warnings: string[];
  cancelled: boolean;
  /** The `from` of the page the sync stopped before (cancelled), else null. */
  stoppedAt: string | null;
}

const STREAM = 'balance_transactions';
/** A bound on pages per run (each page must move the cursor forward, so this is never reached in practice). */
const MAX_PAGES = 1_000_000;

/** Read afresh (a cancel may come while a request is out). */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

export async function syncMoesif(options: MoesifSyncOptions): Promise<MoesifSyncSummary> {
  const { db, now } = options;
  const summary: MoesifSyncSummary = {
    pages: 0, transactions: 0, entries: { inserted: 0, unchanged: 0, conflicts: 0 }, requests: 0, rateLimited: 0, warnings: [], cancelled: false, stoppedAt: null,
  };
  const stored = loadSyncState(db, 'moesif', STREAM);
  let from: Instant = stored?.cursor != null ? parseInstant(stored.cursor) : (options.since ?? 0);
  const to = formatInstant(now);
  let objects = stored?.objects ?? 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    if (options.signal?.aborted === true) {
      summary.cancelled = true;
      summary.stoppedAt = formatInstant(from);
      return summary;
    }
    const query = { from: formatInstant(from), to };
    let answer;
    try {
      answer = await getMoesifBalanceReports(options.client, query, options.signal);
    } catch (error) {
      if (isAborted(options.signal)) {
        // Cancelled, during a request or a wait before a retry: what was committed is kept.
        summary.cancelled = true;
        summary.stoppedAt = formatInstant(from);
        return summary;
      }
      const status = (error as { status?: number | null }).status;
      throw new SyncError(status === 401 || status === 403 ? 'auth' : 'api', `${(error as Error).message}; what was committed is kept, run the same command to resume from ${query.from}`);
    }
    summary.requests += answer.attempts;
    summary.rateLimited += answer.rateLimited;
    summary.pages++;
    const origin = `moesif:/v1/~/billing/reports?type=balance_transaction&from=${query.from}&to=${to}`;
    const parsed = parseImportFile(origin, answer.text, { source: 'moesif', ...(options.unit === undefined ? {} : { unit: options.unit }) });
    if (parsed.problems.length > 0) {
      throw new SyncError('data', `Moesif's answer could not be read: ${parsed.problems.slice(0, 3).map(formatProblem).join('; ')}`);
    }
    const entries = parsed.entries;
    summary.transactions += entries.length;
    let newest = from;
    for (const { entry } of entries) if (entry.at > newest) newest = entry.at;
    const done = entries.length === 0 || newest === from;
    const problems: ImportProblem[] = [];
    db.transaction(() => {
      const result = writeLedgerEntries(db, entries, [], {
        mode: 'lenient', now, files: [{ path: origin, format: 'moesif', records: entries.length }], sourceOption: 'moesif-api', order: 'as-given',
      }, problems);
      if (problems.length > 0) throw new SyncError('data', problems.slice(0, 3).map(formatProblem).join('; '));
      summary.entries.inserted += result.inserted;
      summary.entries.unchanged += result.unchanged;
      summary.entries.conflicts += result.conflicts.length;
      summary.warnings.push(...replacementWarnings(result.replaced));
      for (const conflict of result.conflicts) summary.warnings.push(`not applied: ${formatProblem(conflict)}`);
      summary.warnings.push(...result.notes);
      objects += result.inserted;
      const state: SyncState = {
        provider: 'moesif', stream: STREAM, phase: done ? 'incremental' : 'backfill', windowGte: stored?.windowGte ?? options.since ?? null,
        windowLt: done ? now : null, cursor: formatInstant(newest), objects, updatedAt: now,
      };
      saveSyncState(db, state);
    }).immediate();
    options.onProgress?.({ stream: STREAM, objects: summary.transactions });
    if (done) return summary;
    from = newest;
  }
  throw new SyncError('api', `GET /v1/~/billing/reports: more than ${MAX_PAGES} pages`);
}
