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
