import { toCanonical } from '../money/decimal.js';
import type { LedgerEntry } from '../ledger/types.js';
import type { AdjustmentRef, ProviderBody } from '../reconcile/types.js';
import type { ProposalView } from '../reconcile/view.js';
import type { Instant } from '../time/instant.js';
import { EntryWriter, insertImport, maxOrdinal } from './import-write.js';
import type { LedgerDb } from './open.js';
import { prepared } from './statements.js';

/*
 * Posted balancing adjustments (migration 0003). Posting writes, in the caller's one transaction: an
 * `imports` row reserving one ordinal, its `import_files` row, the canonical ledger entry (source
 * 'ledgerscope', source id = idempotency key) and the adjustment row naming the run and item it settles.
 */

export interface AdjustmentRecord {
  idempotencyKey: string;
  runId: string;
  itemId: string;
  provider: 'orb' | 'moesif';
  customerId: string;
  subscriptionId: string | null;
  unit: string;
  kind: string;
  amount: string;
  /** The proposal as posted (after the user's edits). */
  proposal: ProposalView;
  body: ProviderBody;
  /**
   * The entry that represents the adjustment in the ledger now: the local 'ledgerscope' entry, or the
   * provider's copy that replaced it (migration 0005). Readers follow these, never the posted key.
   */
  entrySource: 'ledgerscope' | 'orb' | 'moesif';
  entrySourceId: string;
  /** The local entry's id as posted (the idempotency key), kept when a provider copy replaced it. */
  postedEntrySourceId: string;
  /** When the provider's copy arrived and replaced the local entry (the provider's confirmation); null while local. */
  replacedAt: Instant | null;
  /** Where the provider's copy differs from what was posted (one line); null when it matches or none arrived. */
  copyDifference: string | null;
  postedAt: Instant;
  postedBy: string | null;
  pushAttempts: number;
  pushedAt: Instant | null;
  pushAttemptedAt: Instant | null;
  pushError: string | null;
  providerEntryId: string | null;
  /** A reversal: the key of the adjustment it reverses (migration 0009). */
  reversesKey: string | null;
  /** The key of the reversal that undid this one, if any. */
  reversedByKey: string | null;
  /** Who pushed it (the operator name), when known. */
  pushedBy: string | null;
}

const COLUMNS =
  'idempotency_key, run_id, item_id, provider, customer_id, subscription_id, unit, kind, amount, proposal, body, entry_source_id, ' +
  'posted_at, posted_by, push_attempts, pushed_at, push_attempted_at, push_error, provider_entry_id, ' +
  'replaced_by_source, replaced_by_source_id, replaced_at, copy_difference, reverses_key, ' +
  '(SELECT r.idempotency_key FROM reconcile_adjustments r WHERE r.reverses_key = reconcile_adjustments.idempotency_key), pushed_by';

type Row = [
  string, string, string, string, string, string | null, string, string, string, string, string, string,
  number, string | null, number, number | null, number | null, string | null, string | null,
  string | null, string | null, number | null, string | null, string | null, string | null, string | null,
];

function decode(row: Row): AdjustmentRecord {
  const [replacedBySource, replacedBySourceId, replacedAt] = [row[19], row[20], row[21]];
  // Assert right after reading: the three are written together (core/store/adjustment-copies.ts).
  if ((replacedBySource === null) !== (replacedBySourceId === null) || (replacedBySource === null) !== (replacedAt === null)) {
    throw new Error(`adjustment ${row[0]}: replaced_by_source, replaced_by_source_id and replaced_at must be set together`);
  }
  return {
    idempotencyKey: row[0],
    runId: row[1],
    itemId: row[2],
    provider: row[3] as 'orb' | 'moesif',
    customerId: row[4],
    subscriptionId: row[5],
    unit: row[6],
    kind: row[7],
    amount: row[8],
    proposal: JSON.parse(row[9]) as ProposalView,
    body: JSON.parse(row[10]) as ProviderBody,
    entrySource: replacedBySource === null ? 'ledgerscope' : (replacedBySource as 'orb' | 'moesif'),
    entrySourceId: replacedBySourceId ?? row[11],
    postedEntrySourceId: row[11],
    replacedAt,
    copyDifference: row[22],
    postedAt: row[12],
    postedBy: row[13],
    pushAttempts: row[14],
    pushedAt: row[15],
    pushAttemptedAt: row[16],
    pushError: row[17],
    providerEntryId: row[18],
    reversesKey: row[23],
    reversedByKey: row[24],
    pushedBy: row[25],
  };
}

export function findAdjustment(db: LedgerDb, idempotencyKey: string): AdjustmentRecord | null {
  const row = prepared(db, `SELECT ${COLUMNS} FROM reconcile_adjustments WHERE idempotency_key = ?`).raw().get(idempotencyKey) as Row | undefined;
  return row === undefined ? null : decode(row);
}

export interface AdjustmentFilter {
  runId?: string;
  itemId?: string;
  customerId?: string;
  provider?: 'orb' | 'moesif';
  /** Only those not at the provider yet: not pushed, and no copy of theirs arrived from the provider. */
  unpushed?: boolean;
}

/** Adjustments in the order they were posted. */
export function listAdjustments(db: LedgerDb, filter: AdjustmentFilter = {}): AdjustmentRecord[] {
  const rows = prepared(
    db,
    `SELECT ${COLUMNS} FROM reconcile_adjustments
      WHERE (@run IS NULL OR run_id = @run) AND (@item IS NULL OR item_id = @item) AND (@unpushed = 0 OR (pushed_at IS NULL AND replaced_at IS NULL))
        AND (@customer IS NULL OR customer_id = @customer) AND (@provider IS NULL OR provider = @provider)
      ORDER BY posted_at, rowid`,
  )
    .raw()
    .all({
      run: filter.runId ?? null,
      item: filter.itemId ?? null,
      unpushed: filter.unpushed === true ? 1 : 0,
      customer: filter.customerId ?? null,
      provider: filter.provider ?? null,
    }) as Row[];
  return rows.map(decode);
}

/** What the engine needs to recognise posted adjustments (and their re-imported provider copies). */
export function adjustmentRefs(db: LedgerDb): AdjustmentRef[] {
  const rows = prepared(db, 'SELECT idempotency_key, run_id, item_id, replaced_by_source, replaced_by_source_id FROM reconcile_adjustments ORDER BY rowid')
    .raw()
    .all() as [string, string, string, string | null, string | null][];
  return rows.map(([idempotencyKey, runId, itemId, source, sourceId]) =>
    source === null || sourceId === null ? { idempotencyKey, runId, itemId } : { idempotencyKey, runId, itemId, replacedBy: { source: source as 'orb' | 'moesif', sourceId } },
  );
}

export interface NewAdjustment {
  entry: LedgerEntry;
  /** Stored beside the entry as its evidence. */
  raw: string;
  metadata: Record<string, string>;
  proposal: ProposalView;
  postedAt: Instant;
  postedBy: string | null;
  /** A reversal: the key of the adjustment it reverses. */
  reversesKey?: string | null;
}

/**
 * Writes the adjustment's ledger entry and its record. Inside the caller's write transaction; the
 * caller has checked the key is new. The entry's ordinal is taken here (after every import's).
 */
export function insertAdjustment(db: LedgerDb, adjustment: NewAdjustment): { ordinal: number } {
  const ordinal = maxOrdinal(db) + 1;
  const entry: LedgerEntry = { ...adjustment.entry, ordinal };
  const key = { customerId: entry.customerId, subscriptionId: entry.subscriptionId, unit: entry.unit };
  const { fileIds } = insertImport(db, {
    startedAt: adjustment.postedAt,
    sourceOption: 'ledgerscope',
    unitOption: null,
    inserted: 1,
    unchanged: 0,
    accountsTouched: 1,
    firstOrdinal: ordinal,
    lastOrdinal: ordinal,
    files: [{ path: `ledgerscope:adjustment/${entry.sourceId}`, format: 'ledgerscope-adjustment', records: 1 }],
  });
  const writer = new EntryWriter(db, [{ key, entries: 1 }], { first: ordinal, last: ordinal });
  writer.insert({ entry, origin: { line: null, pointer: null }, raw: adjustment.raw, metadata: adjustment.metadata, stated: null }, fileIds[0]!, 0);
  writer.finish();
  const p = adjustment.proposal;
  prepared(
    db,
    `INSERT INTO reconcile_adjustments (idempotency_key, run_id, item_id, provider, customer_id, subscription_id, unit, kind, amount, proposal, body,
       entry_source_id, posted_at, posted_by, reverses_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    p.idempotency_key, p.run_id, p.item_id, p.provider, p.customer_id, p.subscription_id, p.unit, p.kind, toCanonical(entry.amount),
    JSON.stringify(p), JSON.stringify(p.body), entry.sourceId, adjustment.postedAt, adjustment.postedBy, adjustment.reversesKey ?? null,
  );
  return { ordinal };
}

export function recordPushSuccess(db: LedgerDb, idempotencyKey: string, result: { at: Instant; providerEntryId: string | null; by?: string | null }): void {
  prepared(
    db,
    'UPDATE reconcile_adjustments SET pushed_at = @at, push_attempted_at = @at, push_attempts = push_attempts + 1, push_error = NULL, ' +
      'provider_entry_id = @entry, pushed_by = @by WHERE idempotency_key = @key AND pushed_at IS NULL',
  ).run({ at: result.at, entry: result.providerEntryId, key: idempotencyKey, by: result.by ?? null });
}

/** A failed push: the record stays unpushed, with the provider's error. */
export function recordPushFailure(db: LedgerDb, idempotencyKey: string, failure: { at: Instant; error: string }): void {
  prepared(
    db,
    'UPDATE reconcile_adjustments SET push_attempted_at = @at, push_attempts = push_attempts + 1, push_error = @error WHERE idempotency_key = @key AND pushed_at IS NULL',
  ).run({ at: failure.at, error: failure.error, key: idempotencyKey });
}
