import type { ImportProblem } from '../sources/index.js';
import {
  EntryWriter,
  insertImport,
  maxOrdinal,
  replaceAdjustmentCopies,
  withIndexesRebuilt,
  writeAccountSummaries,
  type AccountSummaryWrite,
  type LedgerDb,
  type ReplacedAdjustment,
} from '../store/index.js';
import type { Instant } from '../time/instant.js';
import { CONFLICT, INSERT, numberEntries, type ImportBatch, type SourceIdIndex } from './batch.js';
import { summaryCollector } from './balance-summaries.js';
import {
  checkByReplay,
  checkStoredIdentity,
  replayNoteWarnings,
  touchedAccounts,
  writeReplayNotes,
  type AccountReplayNotes,
  type TouchedAccounts,
} from './checks.js';

/*
 * The import pipeline's last two steps, which every ledger file, Stripe file and sync page goes
 * through: validate the parsed batch against what is stored (L5 identity, provider copies of posted
 * adjustments, replay of every touched account), then write it once (the import row, the entries, the
 * balance summaries and replay notes) in the caller's transaction. Parsing is the caller's
 * (core/import/batch.ts for files, the sync clients for pages), as is the transaction.
 */

export interface CheckOptions {
  now: Instant;
  /**
   * Where an L5 conflict goes. Absent (files): it is a problem and nothing is written. Given (API sync):
   * the stored entry stays, the new one is skipped and the conflict lands here: the ledger is
   * append-only, and a change to a stored entry is a question for the user, not for a sync.
   */
  conflicts?: ImportProblem[];
}

/** A batch every check passed: what writeChecked writes. */
export interface CheckedBatch {
  batch: ImportBatch;
  touched: TouchedAccounts;
  notes: (AccountReplayNotes | null)[];
  summaryRows: (accountIds: readonly number[]) => AccountSummaryWrite[];
  /** Per touched account, the stored replay states its check started after: they stay (0: none). */
  keptStates: Int32Array;
  /** Posted adjustments whose local entry a new entry (the provider's copy) replaced. */
  replaced: ReplacedAdjustment[];
  inserted: number;
  /** The highest ordinal stored before this batch. */
  storedMax: number;
}

/**
 * Numbers the batch after what is stored and runs every check; `db` null is a database that does not
 * exist yet (nothing stored). `identity` is checkBatchIdentity's index of the batch. Returns null when
 * `problems` received any; nothing has been written then, but replaced copies must be rolled back by
 * the caller's transaction.
 */
export function checkAgainstStore(
  db: LedgerDb | null,
  batch: ImportBatch,
  identity: SourceIdIndex,
  options: CheckOptions,
  problems: ImportProblem[],
): CheckedBatch | null {
  const storedMax = db === null ? 0 : maxOrdinal(db);
  numberEntries(batch, storedMax);
  let replaced: ReplacedAdjustment[] = [];
  if (db !== null) {
    checkStoredIdentity(db, batch, identity, problems, options.conflicts);
    if (problems.length > 0) return null;
    // Before the replay check, so it replays each account as it will be stored (rolled back on any problem).
    replaced = replaceAdjustmentCopies(db, batch.entries, (i) => batch.status[i] === INSERT, options.now, problems);
    if (problems.length > 0) return null;
  }
  const touched = touchedAccounts(batch);
  const summaries = summaryCollector(touched.accounts, options.now);
  const notes = checkByReplay(db, batch, touched.accounts, options.now, problems, summaries.collect, summaries.observe);
  if (problems.length > 0) return null;
  let inserted = 0;
  for (let i = 0; i < batch.status.length; i++) if (batch.status[i] === INSERT) inserted++;
  return { batch, touched, notes, summaryRows: summaries.rows, keptStates: summaries.keptStates, replaced, inserted, storedMax };
}

export interface ImportRow {
  startedAt: Instant;
  sourceOption: string | null;
  unitOption: string | null;
  /** The import's files, as import_files rows. */
  files: { path: string; format: string; records: number }[];
  /** The index in `files` of the file the entry at a batch position came from. */
  fileOf: (position: number) => number;
}

export interface WriteOptions {
  /** Record the import even when nothing is new (a file import says so in its history; a sync page does not). */
  recordEmpty: boolean;
  /** Drop and rebuild the entries indexes around the insert: cheaper for a batch far larger than the store. */
  rebuildIndexes?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface WrittenBatch {
  /** The imports row, or null when nothing was new and recordEmpty was false. */
  importId: number | null;
  inserted: number;
  /** Entries already stored with the same content, or repeated within the batch (L5): not written again. */
  unchanged: number;
  accountsTouched: number;
  /** The parsers' notes and what the replay noticed about the source's statements, one line each. */
  warnings: string[];
}

const PROGRESS_EVERY = 10_000;

/** Writes a checked batch in the caller's transaction: the import, the new entries, the accounts, their summaries and notes. */
export function writeChecked(db: LedgerDb, checked: CheckedBatch, row: ImportRow, options: WriteOptions): WrittenBatch {
  const { batch, touched, notes, inserted } = checked;
  const { entries, status } = batch;
  const unchanged = entries.length - inserted - countConflicts(status);
  if (inserted === 0) {
    // A copy is always a new entry: replacing without inserting would lose the movement.
    if (checked.replaced.length > 0) throw new Error(`replaced ${checked.replaced.length} adjustments without inserting their copies`);
    if (!options.recordEmpty) return { importId: null, inserted, unchanged, accountsTouched: 0, warnings: [...(batch.notes ?? [])] };
  }
  const firstOrdinal = batch.firstOrdinal;
  const lastOrdinal = firstOrdinal + entries.length - 1;
  const { importId, fileIds } = insertImport(db, {
    startedAt: row.startedAt,
    sourceOption: row.sourceOption,
    unitOption: row.unitOption,
    inserted,
    unchanged,
    accountsTouched: touched.accounts.length,
    firstOrdinal,
    lastOrdinal,
    files: row.files,
  });

  const progress = options.onProgress;
  progress?.(0, inserted);
  const accounts = touched.accounts;
  const writer = new EntryWriter(
    db,
    accounts.map((account, index) => ({ key: account.key, entries: account.positions.length, keepStatesThrough: checked.keptStates[index]! })),
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
        writer.insert(entries[position]!, fileIds[row.fileOf(position)]!, account);
        if (progress !== undefined && writer.inserted % PROGRESS_EVERY === 0) progress(writer.inserted, inserted);
      }
    }
  };
  if (options.rebuildIndexes === true) withIndexesRebuilt(db, 'entries', fill);
  else fill();
  progress?.(writer.inserted, inserted);
  // Assert right after writing: what was written is what was checked.
  writer.finish();
  if (writer.inserted !== inserted) throw new Error(`wrote ${writer.inserted} entries, checked ${inserted}`);
  // After finish() (which drops the old ones), in the same transaction: balances then reads these rows.
  writeAccountSummaries(db, checked.summaryRows(writer.accountIds));
  writeReplayNotes(db, writer.accountIds, notes);
  const warnings = [...(batch.notes ?? []), ...replayNoteWarnings(batch, accounts, notes)];
  return { importId, inserted, unchanged, accountsTouched: accounts.length, warnings };
}

function countConflicts(status: Uint8Array): number {
  let conflicts = 0;
  for (let i = 0; i < status.length; i++) if (status[i] === CONFLICT) conflicts++;
  return conflicts;
}

/** True when the positions (ascending) are also in ascending `at` order: the common case, no sort. */
function isInReplayOrder(batch: ImportBatch, positions: readonly number[]): boolean {
  for (let i = 1; i < positions.length; i++) {
    if (batch.entries[positions[i - 1]!]!.entry.at > batch.entries[positions[i]!]!.entry.at) return false;
  }
  return true;
}
