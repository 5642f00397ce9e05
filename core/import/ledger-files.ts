import { existsSync } from 'node:fs';
import type { ImportProblem, SourceFormat } from '../sources/index.js';
import { formatProblem } from '../sources/index.js';
import { buildNewLedgerDb, LedgerDbError, openLedgerDb, replacementWarnings, type LedgerDb, type ReplacedAdjustment } from '../store/index.js';
import type { Instant } from '../time/instant.js';
import { fileIndexOf, parseBatch, type ImportBatch, type SourceIdIndex } from './batch.js';
import { checkAgainstStore, writeChecked, type CheckedBatch } from './check-and-write.js';
import { checkBatchIdentity } from './checks.js';

/*
 * `ledgerscope import` of ledger files: one user action, one transaction (DESIGN §5, STYLE habit 5).
 * Parse every file (batch.ts), check L5 identity within the import, then validate against what is
 * stored and write everything at once (check-and-write.ts); any problem anywhere and nothing is written.
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
    const checked = checkAgainstStore(null, batch, identity, { now: options.now }, problems);
    if (checked === null) throw new ImportRejected(problems);
    checkDone(checked, options);
    const built = buildNewLedgerDb(dbPath, options.now, (db) => writeFiles(db, checked, options, true));
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
  // IMMEDIATE: the write lock is held from the first read, so what was checked is what gets written.
  return db
    .transaction(() => {
      const checked = checkAgainstStore(db, batch, identity, { now: options.now }, problems);
      if (checked === null) throw new ImportRejected(problems);
      checkDone(checked, options);
      // Ordinals are dense but for skipped entries, so the highest one approximates the stored count.
      const rebuildIndexes = batch.entries.length >= REBUILD_INDEXES_MIN && batch.entries.length >= 2 * checked.storedMax;
      const summary = writeFiles(db, checked, options, rebuildIndexes);
      return { ...summary, replaced: checked.replaced, warnings: [...replacementWarnings(checked.replaced), ...summary.warnings] };
    })
    .immediate();
}

/** Every check passed: say so (the preview's dry run stops in onChecked). */
function checkDone(checked: CheckedBatch, options: ImportOptions): void {
  const total = checked.batch.entries.length;
  options.onProgress?.({ phase: 'check', done: total, total });
  options.onChecked?.({ inserted: checked.inserted, unchanged: total - checked.inserted });
}

function writeFiles(db: LedgerDb, checked: CheckedBatch, options: ImportOptions, rebuildIndexes: boolean): ImportSummary {
  const batch = checked.batch;
  const files = batch.files.map((file) => ({ path: file.path, format: file.format, records: file.count }));
  const progress = options.onProgress;
  const written = writeChecked(
    db,
    checked,
    { startedAt: options.now, sourceOption: options.source ?? null, unitOption: options.unit ?? null, files, fileOf: fileIndexOf(batch) },
    {
      recordEmpty: true,
      rebuildIndexes,
      ...(progress === undefined ? {} : { onProgress: (done: number, total: number) => progress({ phase: 'write', done, total }) }),
    },
  );
  return {
    importId: written.importId!,
    files,
    inserted: written.inserted,
    unchanged: written.unchanged,
    accountsTouched: written.accountsTouched,
    replaced: [],
    warnings: written.warnings,
  };
}
