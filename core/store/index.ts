// core/store: the only module that runs SQL (DESIGN §2). better-sqlite3, append-only migrations.
export { LedgerDbError, readOnlyLedger, storageFailure } from './errors.js';
export { isLedgerWritable, openLedgerDb, type LedgerDb, type OpenLedgerDbOptions } from './open.js';
export { MIGRATIONS, type Migration } from './migrations/index.js';
export {
  accountIdOf,
  accountRowsOfCustomer,
  accountsOfCustomer,
  countEntries,
  forEachAccountEntries,
  forEachAccountLazily,
  moesifAdjustmentDecrements,
  listAccounts,
  listEntryRecords,
  loadAccountEntries,
  loadEntriesById,
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
export { CHECKPOINT_MIN_ENTRIES, CHECKPOINT_TAIL_ENTRIES, loadCheckpoint, rebuildCheckpoints, type CheckpointSizes, type StoredCheckpoint } from './checkpoints.js';
export { RECENT_GENERATED_ROWS, RECENT_ROWS_FORMAT, loadRecentEntries, type RecentEntriesPage } from './recent-entries.js';
export {
  countEntriesThrough,
  deleteAccountStates,
  keepAccountStatesThrough,
  loadAccountStateAt,
  loadAccountStateBefore,
  loadAccountStateThrough,
  writeAccountStates,
  type AccountStateWrite,
  type StoredStateAt,
} from './account-states.js';
export { accountIdRunsInOrder, accountsInRun, joinedSummaryTexts, withFileMapped, type AccountIdRun, type AccountInRun } from './balances-read.js';
export { DecimalInterner } from './entry-row.js';
export { SUMMARY_FORMAT, accountSummaryReader, deleteAccountSummaries, loadAccountSummaries, writeAccountSummaries, type AccountSummaryWrite } from './account-summaries.js';
export {
  allocationNotes,
  disagreementKey,
  loadSourceDisagreement,
  loadSourceDisagreements,
  rebuildReplayNotes,
  storedDisagreement,
  writeAllocationNotes,
  writeSourceDisagreement,
  type AllocationNote,
  type StoredDisagreement,
} from './replay-notes.js';
export { buildNewLedgerDb, withIndexesRebuilt, type NewDbBuild } from './new-db.js';
export * from './reconcile-runs.js';
export * from './reconcile-item-lookup.js';
export * from './reconcile-adjustments.js';
export { replaceAdjustmentCopies, replacementWarnings, type IncomingEntry, type ReplacedAdjustment } from './adjustment-copies.js';
export * from './reconcile-links.js';
export * from './reconcile-close.js';
export * from './reconcile-ledger.js';
export {
  addEntryMetadata,
  countPayments,
  countSourceObjects,
  entriesWithMetadata,
  entryAccount,
  forEachPayment,
  hasEntry,
  insertPaymentIfNew,
  listPayments,
  listSourceObjects,
  listStripeCustomers,
  loadPayment,
  paymentHadFingerprint,
  paymentHistory,
  paymentIdsStartingWith,
  paymentsNamingId,
  paymentState,
  supersedePayment,
  upsertSourceObject,
  type ObjectWriteResult,
  type PaymentFilter,
  type PaymentOrigin,
  type PaymentVersion,
  type PaymentWrite,
  type SourceObjectWrite,
  type StoredPayment,
  type StoredSourceObject,
  type StripeCustomerRecord,
} from './payments.js';
export { listStripeGrantOwners, type StripeGrantOwner } from './stripe-grant-owners.js';
export { listSyncStates, loadSyncState, saveSyncState, type SyncPhase, type SyncProvider, type SyncState } from './sync-state.js';
export { accountScale, accountScales } from './account-scale.js';
