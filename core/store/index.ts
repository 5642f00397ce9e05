// core/store: the only module that runs SQL (DESIGN §2). better-sqlite3, append-only migrations.
export { LedgerDbError } from './errors.js';
export { openLedgerDb, type LedgerDb, type OpenLedgerDbOptions } from './open.js';
export { MIGRATIONS, type Migration } from './migrations/index.js';
export {
  accountIdOf,
  accountsOfCustomer,
  countEntries,
  forEachAccountEntries,
  listAccounts,
  listEntryRecords,
  loadAccountEntries,
  loadEntryEvidence,
  type EntryEvidence,
  type EntryRecord,
} from './entries-read.js';
export {
  EntryWriter,
  forEachStoredEntry,
  insertImport,
  maxOrdinal,
  sourcesWithEntries,
  type AccountInsert,
  type ImportFileRecord,
  type ImportRecord,
  type NewEntryRecord,
  type OrdinalRange,
  type StoredEntry,
} from './import-write.js';
export { buildNewLedgerDb, withIndexesRebuilt, type NewDbBuild } from './new-db.js';
