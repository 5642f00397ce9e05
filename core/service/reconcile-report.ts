import { Decimal, toCanonical } from '../money/decimal.js';
import { isDifference, type ItemView } from '../reconcile/index.js';
import { csvRecord } from '../report/csv-write.js';
import { workbookBuffer, type SheetSpec } from '../report/xlsx-write.js';
import {
  findRun,
  importFilesOf,
  listAdjustments,
  listItemReviews,
  listRunItems,
  listSyncStates,
  type LedgerDb,
} from '../store/index.js';
import { formatInstant, formatOptionalInstant } from '../time/instant.js';
import { runSummaryView } from './reconcile-service.js';
import { currentDrift, runHistory, RunNotFound } from './run-close.js';

/*
 * The reconciliation report a finance team hands to an auditor (issue 13): per run, every item with its
 * status now (open, settled by adjustment <key>, accepted, ...), totals per category and currency, the
 * drift table as it stands, the run's inputs and its sign-off with the run's history. Written as XLSX
 * (one sheet per section, amounts as numbers) or CSV (one table; the `section` column names the part).
 */

export interface ReconcileReport {
  runId: string;
  items: (string | null)[][];
  totals: (string | number | null)[][];
  drift: (string | null)[][];
  inputs: [string, string][];
  signOff: [string, string | null][];
  history: (string | null)[][];
}

export const ITEM_COLUMNS = [
  'item_id', 'category', 'customer_id', 'subscription_id', 'unit', 'stripe_ids', 'ledger_ids', 'expected', 'actual', 'difference', 'status', 'proposal', 'note',
] as const;
const AMOUNT_ITEM_COLUMNS = new Set(['expected', 'actual', 'difference']);
export const TOTAL_COLUMNS = ['category', 'unit', 'items', 'open', 'expected', 'actual', 'difference'] as const;
export const DRIFT_COLUMNS = ['customer_id', 'subscription_id', 'unit', 'expected', 'actual', 'difference'] as const;
export const HISTORY_COLUMNS = ['at', 'event', 'by', 'reason', 'detail'] as const;

function statusOf(item: ItemView, inForce: ReadonlyMap<string, string>, review: 'accepted' | 'rejected' | undefined): string {
  const key = inForce.get(item.item_id);
  if (key !== undefined) return `settled by adjustment ${key}`;
  if (item.settled) return `settled by adjustment ${item.adjustment_ids.join(' ')}`;
  if (review === 'accepted') return 'accepted';
  if (review === 'rejected') return 'open (match rejected)';
  if (isDifference(item.category)) return 'open';
  if (item.category === 'pending') return 'pending';
  return item.category === 'matched' ? 'matched' : 'matched, not reviewed';
}

export function buildReconcileReport(db: LedgerDb, runId: string): ReconcileReport {
  const run = findRun(db, runId);
  if (run === null || run.state !== 'complete') throw new RunNotFound(runId);
  const summary = runSummaryView(db, run);
  const reviews = listItemReviews(db, runId);
  // The adjustment in force per item: posted for it, not reversed.
  const inForce = new Map(
    listAdjustments(db, { runId })
      .filter((adjustment) => adjustment.reversesKey === null && adjustment.reversedByKey === null)
      .map((adjustment) => [adjustment.itemId, adjustment.idempotencyKey]),
  );
  const totals = new Map<string, { category: string; unit: string; items: number; open: number; expected: Decimal; actual: Decimal; difference: Decimal }>();
  const items = listRunItems(db, runId).map((item) => {
    const status = statusOf(item, inForce, reviews.get(item.item_id)?.decision);
    const key = `${item.category}\u001f${item.unit}`;
    let total = totals.get(key);
    if (total === undefined) {
      total = { category: item.category, unit: item.unit, items: 0, open: 0, expected: new Decimal(0), actual: new Decimal(0), difference: new Decimal(0) };
      totals.set(key, total);
    }
    total.items++;
    if (status.startsWith('open')) total.open++;
    total.expected = total.expected.plus(item.expected);
    total.actual = total.actual.plus(item.actual);
    total.difference = total.difference.plus(item.difference);
    const proposal = item.proposal === null || !status.startsWith('open') ? null : `${item.proposal.provider} ${item.proposal.kind} ${item.proposal.amount} ${item.proposal.unit}`;
    return [
      item.item_id, item.category, item.customer_id, item.subscription_id, item.unit, item.payment_ids.join(' '), item.entry_ids.join(' '),
      item.expected, item.actual, item.difference, status, proposal, item.note,
    ];
  });
  const settings = run.settings as { date_window_days?: unknown; amount_tolerance?: unknown };
  const inputs = run.inputs as { import_ids?: unknown; [key: string]: unknown };
  const inputRows: [string, string][] = [
    ['run_id', run.id],
    ['as_of', formatInstant(run.asOf)],
    ['created_at', formatInstant(run.createdAt)],
    ['created_by', summary.created_by ?? ''],
    ['date_window_days', String(settings.date_window_days ?? '')],
    ['amount_tolerance', String(settings.amount_tolerance ?? '')],
  ];
  for (const [name, value] of Object.entries(inputs)) inputRows.push([name, Array.isArray(value) ? value.join(' ') : String(value)]);
  const importIds = Array.isArray(inputs.import_ids) ? inputs.import_ids.filter((id): id is number => typeof id === 'number') : [];
  for (const file of importFilesOf(db, importIds)) inputRows.push([`file (import ${file.importId})`, `${file.path} (${file.format}, ${file.records} records)`]);
  for (const provider of ['stripe', 'orb', 'moesif'] as const) {
    for (const state of listSyncStates(db, provider)) {
      inputRows.push([`sync cursor ${provider} ${state.stream}`, `${state.cursor ?? '(none)'} (${state.objects} objects, ${state.phase}, updated ${formatInstant(state.updatedAt)})`]);
    }
  }
  const signOff: [string, string | null][] = [
    ['state', summary.locked ? 'signed off (locked)' : 'not signed off'],
    ['signed_off_by', summary.sign_off?.by ?? null],
    ['signed_off_at', formatOptionalInstant(run.signOff?.at ?? null)],
    ['reason', summary.sign_off?.note ?? null],
    ['open_differences', String(summary.open_count)],
    ['open_differences_when_run', String(summary.open_count_at_run)],
    ['matches_reviewed', `${summary.review.reviewed} of ${summary.review.total}`],
  ];
  return {
    runId,
    items,
    totals: [...totals.values()].map((t) => [t.category, t.unit, t.items, t.open, toCanonical(t.expected), toCanonical(t.actual), toCanonical(t.difference)]),
    drift: currentDrift(db, runId).map((line) => [line.customer_id, line.subscription_id, line.unit, line.expected, line.actual, line.difference]),
    inputs: inputRows,
    signOff,
    history: runHistory(db, runId).map((event) => [
      event.at, event.kind, event.by, event.reason, Object.entries(event.detail).map(([key, value]) => `${key}=${value}`).join(' '),
    ]),
  };
}

export function reconcileReportSheets(report: ReconcileReport): SheetSpec[] {
  return [
    { name: 'Items', columns: ITEM_COLUMNS.map((header) => ({ header, numeric: AMOUNT_ITEM_COLUMNS.has(header) })), rows: report.items },
    { name: 'Totals', columns: TOTAL_COLUMNS.map((header) => ({ header, numeric: header !== 'category' && header !== 'unit' })), rows: report.totals },
    { name: 'Drift', columns: DRIFT_COLUMNS.map((header) => ({ header, numeric: header === 'expected' || header === 'actual' || header === 'difference' })), rows: report.drift },
    { name: 'Inputs', columns: [{ header: 'input', width: 32 }, { header: 'value', width: 60 }], rows: report.inputs },
    { name: 'Sign-off', columns: [{ header: 'field', width: 28 }, { header: 'value', width: 60 }], rows: report.signOff },
    { name: 'Run history', columns: HISTORY_COLUMNS.map((header) => ({ header, width: header === 'detail' ? 60 : 26 })), rows: report.history },
  ];
}

export function reconcileReportXlsx(report: ReconcileReport): Promise<Buffer> {
  return workbookBuffer(reconcileReportSheets(report));
}

/** One CSV table: `section` says which part a row belongs to; the other columns are the item columns. */
export function reconcileReportCsv(report: ReconcileReport): string {
  const header = ['section', ...ITEM_COLUMNS];
  const blank = (): (string | number | null)[] => new Array<string | number | null>(ITEM_COLUMNS.length).fill(null);
  const at = (name: (typeof ITEM_COLUMNS)[number]): number => ITEM_COLUMNS.indexOf(name);
  let out = csvRecord(header);
  for (const item of report.items) out += csvRecord(['item', ...item]);
  for (const [category, unit, items, open, expected, actual, difference] of report.totals) {
    const row = blank();
    row[at('category')] = category ?? null;
    row[at('unit')] = unit ?? null;
    row[at('expected')] = expected ?? null;
    row[at('actual')] = actual ?? null;
    row[at('difference')] = difference ?? null;
    row[at('note')] = `${items} items, ${open} open`;
    out += csvRecord(['total', ...row]);
  }
  for (const [customer, subscription, unit, expected, actual, difference] of report.drift) {
    const row = blank();
    Object.assign(row, { [at('customer_id')]: customer, [at('subscription_id')]: subscription, [at('unit')]: unit, [at('expected')]: expected, [at('actual')]: actual, [at('difference')]: difference });
    out += csvRecord(['drift', ...row]);
  }
  const keyed = (section: string, rows: readonly (readonly [string, string | null])[]): void => {
    for (const [name, value] of rows) {
      const row = blank();
      row[at('item_id')] = name;
      row[at('note')] = value;
      out += csvRecord([section, ...row]);
    }
  };
  keyed('input', report.inputs);
  keyed('sign_off', report.signOff);
  for (const [eventAt, kind, by, reason, detail] of report.history) {
    const row = blank();
    Object.assign(row, { [at('item_id')]: eventAt, [at('category')]: kind, [at('customer_id')]: by, [at('status')]: reason, [at('note')]: detail });
    out += csvRecord(['history', ...row]);
  }
  return out;
}
