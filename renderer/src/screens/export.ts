import type { ExportResult } from '../../../core/api/types';
import { call } from '../api/client';
import { asOfParam } from '../state/store';

/** Browser mode: the page received the file's text and downloads it. Desktop: main saved it (or the user cancelled). */
export function deliverExport(result: ExportResult, type: string): string {
  return deliver(result, type);
}

/** base64 to bytes (XLSX arrives so in browser mode). */
function bytesOf(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

function deliver(result: ExportResult, type: string): string {
  const content = result.content_base64 === undefined ? result.text : bytesOf(result.content_base64);
  if (content !== null) {
    const blob = new Blob([content], { type: result.mime_type ?? type });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = result.file_name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    return `Downloaded ${result.file_name}`;
  }
  return result.saved_to === null ? 'Export cancelled' : `Saved ${result.saved_to}`;
}

/**
 * Every account's balances at the as-of instant. Desktop: main asks where to save it. Browser mode: the
 * page receives the text and downloads it.
 */
export async function exportBalances(asOf: string | null, format: 'csv' | 'json'): Promise<string> {
  const result = await call('export.balances', { ...asOfParam(asOf), format });
  return deliver(result, format === 'csv' ? 'text/csv' : 'application/json');
}

/** A run's adjustments as the providers' API request bodies (JSON Lines): posted ones, or the open proposals. */
export async function exportAdjustments(runId: string, which: 'posted' | 'proposed'): Promise<string> {
  const result = await call('adjustment.export', { run_id: runId, which });
  return deliver(result, 'application/x-ndjson');
}

/** A saved run's reconciliation report (items, totals, drift, inputs, sign-off, history) as XLSX or CSV. */
export async function exportRunReport(runId: string, format: 'xlsx' | 'csv'): Promise<string> {
  const result = await call('reconcile.reportExport', { run_id: runId, format });
  return deliver(result, format === 'csv' ? 'text/csv' : 'application/octet-stream');
}
