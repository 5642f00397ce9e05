import type { AccountRef } from '../../../../core/api/types';

export const ENTRIES_PAGE_SIZE = 200;

/** The request the entries table starts with (newest first, no filter, now): boot.ts sends it early. */
export function firstEntriesPage(account: AccountRef) {
  return { account, order: 'desc' as const, offset: 0, limit: ENTRIES_PAGE_SIZE };
}
