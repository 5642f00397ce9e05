import { call } from '../api/client';
import { asOfParam } from '../state/store';

/**
 * Every account's balances at the as-of instant. Desktop: main asks where to save it. Browser mode: the
 * page receives the text and downloads it.
 */
export async function exportBalances(asOf: string | null, format: 'csv' | 'json'): Promise<string> {
  const result = await call('export.balances', { ...asOfParam(asOf), format });
  if (result.text !== null) {
    const blob = new Blob([result.text], { type: format === 'csv' ? 'text/csv' : 'application/json' });
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
