import type { ExportResult } from '../../../core/api/types';
import { call } from '../api/client';
import { asOfParam } from '../state/store';

/** Browser mode: the page received the file's text and downloads it. Desktop: main saved it (or the user cancelled). */
export function deliverExport(result: ExportResult, type: string): string {
  return deliver(result, type);
}

function deliver(result: ExportResult, type: string): string {
  if (result.text !== null) {
    const blob = new Blob([result.text], { type });
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
