import { compareText } from '../ledger/account-key.js';
import { isDifference } from './types.js';
import type { ItemView } from './view.js';

/*
 * Comparing two runs by item id (stable across runs: the payment or entry an item is about).
 *   appeared  an open difference in the later run that was not one in the earlier run
 *   resolved  an open difference in the earlier run that is not one any more (matched, settled, gone)
 *   changed   an open difference in both whose category or amounts changed
 * "Open" = a difference category not settled by posted adjustments.
 */

export interface ItemChange {
  item_id: string;
  before: ItemView;
  after: ItemView;
  /** Which of category, expected, actual, difference, payment_ids, entry_ids differ. */
  fields: string[];
}

export interface RunComparison {
  from_run_id: string;
  to_run_id: string;
  appeared: ItemView[];
  resolved: { item_id: string; before: ItemView; after: ItemView | null }[];
  changed: ItemChange[];
  /** Open differences in each run. */
  open_before: number;
  open_after: number;
}

export function isOpen(item: ItemView): boolean {
  return isDifference(item.category) && !item.settled;
}

const COMPARED = ['category', 'expected', 'actual', 'difference', 'payment_ids', 'entry_ids'] as const;

export function compareRunItems(fromRunId: string, before: readonly ItemView[], toRunId: string, after: readonly ItemView[]): RunComparison {
  const earlier = new Map(before.map((item) => [item.item_id, item]));
  const later = new Map(after.map((item) => [item.item_id, item]));
  const appeared: ItemView[] = [];
  const resolved: RunComparison['resolved'] = [];
  const changed: ItemChange[] = [];
  for (const item of after) {
    const old = earlier.get(item.item_id);
    if (!isOpen(item)) continue;
    if (old === undefined || !isOpen(old)) {
      appeared.push(item);
      continue;
    }
    const fields = COMPARED.filter((field) => JSON.stringify(old[field]) !== JSON.stringify(item[field]));
    if (fields.length > 0) changed.push({ item_id: item.item_id, before: old, after: item, fields });
  }
  for (const item of before) {
    if (!isOpen(item)) continue;
    const now = later.get(item.item_id);
    if (now === undefined || !isOpen(now)) resolved.push({ item_id: item.item_id, before: item, after: now ?? null });
  }
  const byId = (a: { item_id: string }, b: { item_id: string }) => compareText(a.item_id, b.item_id);
  return {
    from_run_id: fromRunId,
    to_run_id: toRunId,
    appeared: appeared.sort(byId),
    resolved: resolved.sort(byId),
    changed: changed.sort(byId),
    open_before: before.filter(isOpen).length,
    open_after: after.filter(isOpen).length,
  };
}
