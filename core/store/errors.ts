/**
 * A ledger database that cannot be used as asked: missing (read commands never create one), not a
 * SQLite file, not a Ledgerscope database, or written by a newer or diverged version. The message
 * names the path and says what to do.
 */
export class LedgerDbError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'LedgerDbError';
  }
}

/**
 * A write SQLite refused because of where the file lives (issue 10 item 7), as a LedgerDbError a user can
 * act on; null for any other error. SQLite rolls the transaction back, and new databases are built
 * aside, so nothing was changed.
 */
export function storageFailure(path: string, error: unknown): LedgerDbError | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    return new LedgerDbError(path, `${path}: the disk is full; nothing was changed (free some space and run the command again)`);
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') return readOnlyLedger(path);
  return null;
}

/** The one line for a write to a ledger whose file, folder or disk cannot be written (CLI and app). */
export function readOnlyLedger(path: string): LedgerDbError {
  return new LedgerDbError(
    path,
    `${path}: the ledger is read-only (its file, folder or disk cannot be written); nothing was changed (reading commands work on it; to change it, copy it with its -wal file, or with Ledgerscope closed, to a writable place)`,
  );
}
