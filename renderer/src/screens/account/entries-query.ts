import type { AccountRef } from '../../../../core/api/types';

export const ENTRIES_PAGE_SIZE = 200;

/** The request the entries table starts with (newest first, no filter, at the address's instant): boot.ts sends it early. */
export function firstEntriesPage(account: AccountRef, asOf: string | null = null) {
  return { account, ...(asOf === null ? {} : { as_of: asOf }), order: 'desc' as const, offset: 0, limit: ENTRIES_PAGE_SIZE };
}
