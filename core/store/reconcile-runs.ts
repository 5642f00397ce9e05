import type { ItemView, ReconcileJsonAccount } from '../reconcile/view.js';
import type { ItemCategory } from '../reconcile/types.js';
import { formatInstant, parseInstant, type Instant } from '../time/instant.js';
import type { LedgerDb } from './open.js';
import { prepared } from './statements.js';

/*
 * Reconciliation runs (migration 0003). The caller (core/service/reconcile-service) holds the
 * transactions: reserve a run, compute, then write its results in one transaction.
 */

export type RunState = 'running' | 'complete' | 'failed';

export interface RunRecord {
  id: string;
  seq: number;
  state: RunState;
  createdAt: Instant;
  asOf: Instant;
  /** JSON as the service wrote it (settings text, inputs). */
  settings: unknown;
  inputs: unknown;
  itemCount: number;
  /** Unsettled differences. */
  openCount: number;
  /** Accounts whose difference is beyond the tolerance. */
  driftCount: number;
  /** Items per category, and settled. */
  summary: Record<string, number> | null;
  error: string | null;
  signOff: { by: string; at: Instant; note: string | null } | null;
}

const RUN_COLUMNS =
  'id, seq, state, created_at, as_of, settings, inputs, item_count, open_count, drift_count, summary, error, signed_off_by, signed_off_at, sign_off_note';

type RunRow = [string, number, string, number, number, string, string, number, number, number, string | null, string | null, string | null, number | null, string | null];

function decodeRun(row: RunRow): RunRecord {
  const [id, seq, state, createdAt, asOf, settings, inputs, itemCount, openCount, driftCount, summary, error, by, at, note] = row;
  return {
    id,
    seq,
    state: state as RunState,
    createdAt,
    asOf,
    settings: JSON.parse(settings) as unknown,
    inputs: JSON.parse(inputs) as unknown,
    itemCount,
    openCount,
    driftCount,
    summary: summary === null ? null : (JSON.parse(summary) as Record<string, number>),
    error,
    signOff: by === null || at === null ? null : { by, at, note },
  };
}

/** This database's id (8 hex digits, made by migration 0003): part of every run id. */
export function databaseId(db: LedgerDb): string {
  return prepared(db, 'SELECT database_id FROM reconcile_meta WHERE id = 1').pluck().get() as string;
}

/** Inserts a run in state 'running' and returns its id "R<seq>-<database id>". Call inside a write transaction. */
export function reserveRun(db: LedgerDb, run: { createdAt: Instant; asOf: Instant; settings: unknown; inputs: unknown }): string {
  const seq = (prepared(db, 'SELECT coalesce(max(seq), 0) + 1 FROM reconcile_runs').pluck().get() as number);
  const id = `R${seq}-${databaseId(db)}`;
  prepared(db, "INSERT INTO reconcile_runs (id, seq, state, created_at, as_of, settings, inputs) VALUES (?, ?, 'running', ?, ?, ?, ?)").run(
    id, seq, run.createdAt, run.asOf, JSON.stringify(run.settings), JSON.stringify(run.inputs),
  );
  return id;
}

export interface RunResults {
  items: readonly ItemView[];
  accounts: readonly ReconcileJsonAccount[];
  openCount: number;
  driftCount: number;
  summary: Record<string, number>;
}

/** ItemView.at is formatInstant's output; Date.parse reads that exact form (UTC, milliseconds) fast. */
function instantOf(text: string): Instant {
  const instant = Date.parse(text);
  return Number.isSafeInteger(instant) ? instant : parseInstant(text);
}

/** Writes a reserved run's items and drift lines and marks it complete. Call inside a write transaction. */
export function completeRun(db: LedgerDb, runId: string, results: RunResults): void {
  const insertItem = prepared(
    db,
    'INSERT INTO reconcile_items (run_id, item_id, position, category, settled, customer_id, subscription_id, unit, expected, actual, difference, at, ' +
      'payment_ids, entry_ids, adjustment_ids, note, proposal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  results.items.forEach((item, position) => {
    insertItem.run(
      runId, item.item_id, position, item.category, item.settled ? 1 : 0, item.customer_id, item.subscription_id, item.unit, item.expected,
      item.actual, item.difference, instantOf(item.at), JSON.stringify(item.payment_ids), JSON.stringify(item.entry_ids),
      JSON.stringify(item.adjustment_ids), item.note, item.proposal === null ? null : JSON.stringify(item.proposal),
    );
  });
  const insertAccount = prepared(
    db,
    'INSERT INTO reconcile_accounts (run_id, position, customer_id, subscription_id, unit, expected, actual, difference) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  results.accounts.forEach((line, position) => {
    insertAccount.run(runId, position, line.customer_id, line.subscription_id, line.unit, line.expected, line.actual, line.difference);
  });
  const changed = prepared(
    db,
    "UPDATE reconcile_runs SET state = 'complete', item_count = ?, open_count = ?, drift_count = ?, summary = ? WHERE id = ? AND state = 'running'",
  ).run(results.items.length, results.openCount, results.driftCount, JSON.stringify(results.summary), runId).changes;
  if (changed !== 1) throw new Error(`reconcile run ${runId} is not a reserved, running run`);
}

export function failRun(db: LedgerDb, runId: string, error: string): void {
  prepared(db, "UPDATE reconcile_runs SET state = 'failed', error = ? WHERE id = ? AND state = 'running'").run(error, runId);
}

/** Every run, newest first. */
export function listRuns(db: LedgerDb): RunRecord[] {
  return (prepared(db, `SELECT ${RUN_COLUMNS} FROM reconcile_runs ORDER BY seq DESC`).raw().all() as RunRow[]).map(decodeRun);
}

export function findRun(db: LedgerDb, runId: string): RunRecord | null {
  const row = prepared(db, `SELECT ${RUN_COLUMNS} FROM reconcile_runs WHERE id = ?`).raw().get(runId) as RunRow | undefined;
  return row === undefined ? null : decodeRun(row);
}

const ITEM_COLUMNS =
  'item_id, category, settled, customer_id, subscription_id, unit, expected, actual, difference, at, payment_ids, entry_ids, adjustment_ids, note, proposal';

type ItemRow = [string, string, number, string | null, string | null, string, string, string, string, number, string, string, string, string, string | null];

function decodeItem(row: ItemRow): ItemView {
  const [itemId, category, settled, customerId, subscriptionId, unit, expected, actual, difference, at, paymentIds, entryIds, adjustmentIds, note, proposal] = row;
  return {
    item_id: itemId,
    category: category as ItemCategory,
    settled: settled === 1,
    customer_id: customerId,
    subscription_id: subscriptionId,
    unit,
    payment_ids: JSON.parse(paymentIds) as string[],
    entry_ids: JSON.parse(entryIds) as string[],
    expected,
    actual,
    difference,
    at: formatInstant(at),
    note,
    adjustment_ids: JSON.parse(adjustmentIds) as string[],
    proposal: proposal === null ? null : (JSON.parse(proposal) as ItemView['proposal']),
  };
}

/** A run's items in output order; `offset`/`limit` page through them. */
export function listRunItems(db: LedgerDb, runId: string, page: { offset?: number; limit?: number } = {}): ItemView[] {
  const rows = prepared(db, `SELECT ${ITEM_COLUMNS} FROM reconcile_items WHERE run_id = ? ORDER BY id LIMIT ? OFFSET ?`)
    .raw()
    .all(runId, page.limit ?? -1, page.offset ?? 0) as ItemRow[];
  return rows.map(decodeItem);
}

export function findRunItem(db: LedgerDb, runId: string, itemId: string): ItemView | null {
  const row = prepared(db, `SELECT ${ITEM_COLUMNS} FROM reconcile_items WHERE run_id = ? AND item_id = ?`).raw().get(runId, itemId) as ItemRow | undefined;
  return row === undefined ? null : decodeItem(row);
}

export function listRunAccounts(db: LedgerDb, runId: string): ReconcileJsonAccount[] {
  const rows = prepared(db, 'SELECT customer_id, subscription_id, unit, expected, actual, difference FROM reconcile_accounts WHERE run_id = ? ORDER BY position')
    .raw()
    .all(runId) as [string | null, string | null, string, string, string, string][];
  return rows.map(([customerId, subscriptionId, unit, expected, actual, difference]) => ({
    customer_id: customerId,
    subscription_id: subscriptionId,
    unit,
    expected,
    actual,
    difference,
  }));
}

/** Signs a complete run off once: false when it is already signed off (the first sign-off stands). */
export function signOffRun(db: LedgerDb, runId: string, signOff: { by: string; at: Instant; note: string | null }): boolean {
  return (
    prepared(
      db,
      "UPDATE reconcile_runs SET signed_off_by = ?, signed_off_at = ?, sign_off_note = ? WHERE id = ? AND state = 'complete' AND signed_off_by IS NULL",
    ).run(signOff.by, signOff.at, signOff.note, runId).changes === 1
  );
}

/** What a run reads: the imports so far (ids and when), and the ledger's size. */
export function ledgerInputsSnapshot(db: LedgerDb): { importIds: number[]; entryCount: number; lastOrdinal: number } {
  const importIds = prepared(db, 'SELECT id FROM imports ORDER BY id').pluck().all() as number[];
  const entryCount = prepared(db, 'SELECT count(*) FROM entries').pluck().get() as number;
  const lastOrdinal = prepared(db, 'SELECT coalesce(max(last_ordinal), 0) FROM imports').pluck().get() as number;
  return { importIds, entryCount, lastOrdinal };
}
