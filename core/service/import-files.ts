import { existsSync } from 'node:fs';
import type { ImportProblem, SourceFormat } from '../sources/index.js';
import { formatProblem } from '../sources/index.js';
import {
  buildNewLedgerDb,
  EntryWriter,
  LedgerDbError,
  insertImport,
  maxOrdinal,
  openLedgerDb,
  replaceAdjustmentCopies,
  replacementWarnings,
  withIndexesRebuilt,
  writeAccountSummaries,
  type ReplacedAdjustment,
  type AccountSummaryWrite,
  type LedgerDb,
} from '../store/index.js';
import type { Instant } from '../time/instant.js';
import { INSERT, numberEntries, parseBatch, type ImportBatch, type SourceIdIndex } from './import-batch.js';
import { summaryCollector } from './balance-summaries.js';
import {
  checkBatchIdentity,
  checkByReplay,
  checkStoredIdentity,
  replayNoteWarnings,
  touchedAccounts,
  writeReplayNotes,
  type AccountReplayNotes,
  type TouchedAccounts,
} from './import-checks.js';

/*
 * `ledgerscope import`: one user action, one transaction (DESIGN §5, STYLE habit 5). Parse every file,
 * check L5 identity, validate every touched account by replay, then write everything at once; any
 * problem anywhere and nothing is written.
 */

/** The import found problems; nothing was written. */
export class ImportRejected extends Error {
  constructor(readonly problems: ImportProblem[]) {
    super(
      `import rejected, nothing was written: ${problems.length} problem${problems.length === 1 ? '' : 's'}` +
        (problems.length > 0 ? `, first: ${formatProblem(problems[0]!)}` : ''),
    );
    this.name = 'ImportRejected';
  }
}

export interface ImportFileInput {
  /** The file's name as the user gave it: problems and evidence name it so. */
  path: string;
  text: string;
}

export interface ImportProgress {
  phase: 'parse' | 'check' | 'write';
  /** Entries (files, while parsing) done so far, out of total. */
  done: number;
  total: number;
}

export interface ImportOptions {
  /** `--source`: read every file as this format instead of detecting it. */
  source?: SourceFormat;
  /** `--unit`: Moesif records without `currency`. */
  unit?: string;
  /** `--created-at-field`: a Moesif body log's time field, for records without `created_at`. */
  createdAtField?: string;
  /** Recorded as the import's started_at (core never reads the clock). */
  now: Instant;
  /** Called between steps and every PROGRESS_EVERY entries while writing. */
  onProgress?: (progress: ImportProgress) => void;
  /** Called once every check passed, before anything is written: the preview's dry run stops here. */
  onChecked?: (counts: { inserted: number; unchanged: number }) => void;
}

export interface ImportSummary {
  importId: number;
  files: { path: string; format: SourceFormat; records: number }[];
  /** New entries written. */
  inserted: number;
  /** Entries already stored with the same content, or repeated within this import (L5): not written again. */
  unchanged: number;
  /** Accounts that received at least one new entry. */
  accountsTouched: number;
  /** Posted adjustments whose local entry a new entry (the provider's copy) replaced. */
  replaced: ReplacedAdjustment[];
  /**
   * One line each: a provider copy that differs from what was posted, an adjustment remapped to the copy's
   * block; an account whose replay disagrees with the balances its source states; an entry whose named
   * block could not cover it.
   */
  warnings: string[];
}

const PROGRESS_EVERY = 10_000;
/** Below this many new entries, keeping the indexes beats dropping and rebuilding them. */
const REBUILD_INDEXES_MIN = 100_000;

export function importFiles(dbPath: string, files: readonly ImportFileInput[], options: ImportOptions): ImportSummary {
  if (files.length === 0) throw new Error('importFiles: no files to import');
  const progress = options.onProgress ?? (() => {});
  progress({ phase: 'parse', done: 0, total: files.length });
  const { batch, problems } = parseBatch(files, options);
  if (problems.length > 0) throw new ImportRejected(problems);
  progress({ phase: 'check', done: 0, total: batch.entries.length });
  const identity = checkBatchIdentity(batch, problems);
  if (problems.length > 0) throw new ImportRejected(problems);

  if (!existsSync(dbPath)) {
    // A new database: nothing stored to check against, so validate first and create the file only
    // when the import is good, built aside and published whole (core/store/new-db.ts).
    numberEntries(batch, 0);
    const touched = touchedAccounts(batch);
    const summaries = summaryCollector(touched.accounts, options.now);
    const notes = checkByReplay(null, batch, touched.accounts, problems, summaries.collect, summaries.observe);
    if (problems.length > 0) throw new ImportRejected(problems);
    progress({ phase: 'check', done: batch.entries.length, total: batch.entries.length });
    options.onChecked?.(checkedCounts(batch));
    const built = buildNewLedgerDb(dbPath, options.now, (db) => writeBatch(db, batch, touched, notes, options, true, summaries.rows));
    if (built.created) return built.value;
    // Someone created the file meanwhile: import into it like into any existing database.
  }

  const db = openLedgerDb(dbPath, { create: true, now: options.now });
  try {
    return importIntoOpenDb(db, batch, identity, options, problems);
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new LedgerDbError(dbPath, `${dbPath}: another process is writing to this database; nothing was written, try again when it is done`);
    }
    throw error;
  } finally {
    db.close();
  }
}

function importIntoOpenDb(
  db: LedgerDb,
  batch: ImportBatch,
  identity: SourceIdIndex,
  options: ImportOptions,
  problems: ImportProblem[],
): ImportSummary {
  const progress = options.onProgress ?? (() => {});
  // IMMEDIATE: the write lock is held from the first read, so what was checked is what gets written.
  return db
    .transaction(() => {
      const storedMax = maxOrdinal(db);
      numberEntries(batch, storedMax);
      checkStoredIdentity(db, batch, identity, problems);
      if (problems.length > 0) throw new ImportRejected(problems);
      // Before the replay check, so it replays each account as it will be stored (rolled back on any problem).
      const replaced = replaceAdjustmentCopies(db, batch.entries, (i) => batch.status[i] === INSERT, options.now, problems);
      if (problems.length > 0) throw new ImportRejected(problems);
      const touched = touchedAccounts(batch);
      const summaries = summaryCollector(touched.accounts, options.now);
      const notes = checkByReplay(db, batch, touched.accounts, problems, summaries.collect, summaries.observe);
      if (problems.length > 0) throw new ImportRejected(problems);
      progress({ phase: 'check', done: batch.entries.length, total: batch.entries.length });
      options.onChecked?.(checkedCounts(batch));
      // Ordinals are dense but for skipped entries, so the highest one approximates the stored count.
      const rebuildIndexes = batch.entries.length >= REBUILD_INDEXES_MIN && batch.entries.length >= 2 * storedMax;
      const summary = writeBatch(db, batch, touched, notes, options, rebuildIndexes, summaries.rows);
      return { ...summary, replaced, warnings: [...replacementWarnings(replaced), ...summary.warnings] };
    })
    .immediate();
}

/** New entries and entries stored already (or repeated within the batch), once checked. */
function checkedCounts(batch: ImportBatch): { inserted: number; unchanged: number } {
  let inserted = 0;
  for (let i = 0; i < batch.status.length; i++) if (batch.status[i] === INSERT) inserted++;
  return { inserted, unchanged: batch.entries.length - inserted };
}

/** Writes the checked batch: the import, its files, the new entries, the accounts catalog and their balance summaries. */
function writeBatch(
  db: LedgerDb,
  batch: ImportBatch,
  touched: TouchedAccounts,
  notes: readonly (AccountReplayNotes | null)[],
  options: ImportOptions,
  rebuildIndexes: boolean,
  summaryRows: (accountIds: readonly number[]) => AccountSummaryWrite[],
): ImportSummary {
  const { entries, status } = batch;
  let inserted = 0;
  for (let i = 0; i < status.length; i++) if (status[i] === INSERT) inserted++;
  const files = batch.files.map((file) => ({ path: file.path, format: file.format, records: file.count }));
  const firstOrdinal = batch.firstOrdinal;
  const lastOrdinal = firstOrdinal + entries.length - 1;
  const { importId, fileIds } = insertImport(db, {
    startedAt: options.now,
    sourceOption: options.source ?? null,
    unitOption: options.unit ?? null,
    inserted,
    unchanged: entries.length - inserted,
    accountsTouched: touched.accounts.length,
    firstOrdinal,
    lastOrdinal,
    files,
  });
  const fileIdOf = new Int32Array(entries.length);
  batch.files.forEach((file, f) => fileIdOf.fill(fileIds[f]!, file.start, file.start + file.count));

  const progress = options.onProgress;
  progress?.({ phase: 'write', done: 0, total: inserted });
  const accounts = touched.accounts;
  const writer = new EntryWriter(
    db,
    accounts.map((account) => ({ key: account.key, entries: account.positions.length })),
    { first: firstOrdinal, last: lastOrdinal },
  );
  // Account by account (by accounts.id, so a new database's rows come out in index order), each in
  // replay order: an account's rows then share pages, and building the account index sorts little.
  const accountOrder = accounts.map((_, index) => index).sort((a, b) => writer.accountIds[a]! - writer.accountIds[b]!);
  const fill = (): void => {
    for (const account of accountOrder) {
      const positions = accounts[account]!.positions;
      if (!isInReplayOrder(batch, positions)) positions.sort((a, b) => entries[a]!.entry.at - entries[b]!.entry.at || a - b);
      for (const position of positions) {
        writer.insert(entries[position]!, fileIdOf[position]!, account);
        if (progress !== undefined && writer.inserted % PROGRESS_EVERY === 0) {
          progress({ phase: 'write', done: writer.inserted, total: inserted });
        }
      }
    }
  };
  if (rebuildIndexes) withIndexesRebuilt(db, 'entries', fill);
  else fill();
  progress?.({ phase: 'write', done: writer.inserted, total: inserted });
  // Assert right after writing: what was written is what was checked.
  writer.finish();
  if (writer.inserted !== inserted) throw new Error(`wrote ${writer.inserted} entries, checked ${inserted}`);
  // After finish() (which drops the old ones), in the same transaction: balances then reads these rows.
  writeAccountSummaries(db, summaryRows(writer.accountIds));
  writeReplayNotes(db, writer.accountIds, notes);
  const warnings = [...(batch.notes ?? []), ...replayNoteWarnings(batch, accounts, notes)];
  return { importId, files, inserted, unchanged: entries.length - inserted, accountsTouched: accounts.length, replaced: [], warnings };
}

/** True when the positions (ascending) are also in ascending `at` order: the common case, no sort. */
function isInReplayOrder(batch: ImportBatch, positions: readonly number[]): boolean {
  for (let i = 1; i < positions.length; i++) {
    if (batch.entries[positions[i - 1]!]!.entry.at > batch.entries[positions[i]!]!.entry.at) return false;
  }
  return true;
}
