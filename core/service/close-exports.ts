import type { MethodInput } from '../api/contract.js';
import { ApiError } from '../api/errors.js';
import type { ExportResult } from '../api/types.js';
import { liabilityXlsx, type JournalAccountNames } from '../report/index.js';
import type { LedgerDb } from '../store/index.js';
import { liabilityExport, liabilityView } from './liability-queries.js';
import { asApiError } from './reconcile-queries.js';
import { buildReconcileReport, reconcileReportCsv, reconcileReportXlsx } from './reconcile-report.js';

/*
 * The month-end files the screens export (issue 13): a run's reconciliation report (XLSX or CSV, the same
 * file the CLI's `reconcile --report` writes) and the credit liability roll-forward as XLSX. XLSX is
 * binary: a file carries either text or bytes, and the browser host sends bytes as base64.
 */

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export type ExportFile =
  | { file_name: string; mime_type: string; text: string; bytes: null }
  | { file_name: string; mime_type: string; text: null; bytes: Buffer };

function baseName(databaseName: string): string {
  return databaseName.replace(/\.[^.]*$/, '');
}

export async function reconcileReportFile(db: LedgerDb, input: MethodInput<'reconcile.reportExport'>, databaseName: string): Promise<ExportFile> {
  const report = asApiError(() => buildReconcileReport(db, input.run_id));
  const file_name = `${baseName(databaseName)}-reconciliation-${input.run_id}.${input.format}`;
  if (input.format === 'csv') return { file_name, mime_type: 'text/csv', text: reconcileReportCsv(report), bytes: null };
  return { file_name, mime_type: XLSX_MIME, text: null, bytes: await reconcileReportXlsx(report) };
}

/** The roll-forward as CSV or XLSX, or the journal (CSV only: it is posted from, not read). */
export async function liabilityFile(
  db: LedgerDb,
  input: MethodInput<'report.liabilityExport'>,
  accounts: JournalAccountNames,
  databaseName: string,
): Promise<ExportFile> {
  if (input.format !== 'xlsx') {
    const file = liabilityExport(db, input, accounts, databaseName);
    return { ...file, mime_type: 'text/csv', bytes: null };
  }
  if (input.what === 'journal') throw new ApiError('invalid_input', 'the journal exports as CSV only');
  const view = liabilityView(db, { from: input.from, to: input.to, ...(input.unit === undefined ? {} : { unit: input.unit }) });
  // Named like the CSV (liabilityExport), with the other extension.
  const file_name = `${baseName(databaseName)}-liability-${view.from.slice(0, 10)}-${view.to.slice(0, 10)}.xlsx`;
  return { file_name, mime_type: XLSX_MIME, text: null, bytes: await liabilityXlsx(view) };
}

/** Browser mode: the page downloads the file itself (text as is, bytes as base64). */
export function fileForDownload(file: ExportFile): ExportResult {
  if (file.bytes === null) return { file_name: file.file_name, text: file.text, saved_to: null, mime_type: file.mime_type };
  return { file_name: file.file_name, text: null, saved_to: null, content_base64: file.bytes.toString('base64'), mime_type: file.mime_type };
}
