import { ENTRY_KIND_NAMES, ENTRY_STATUS_NAMES, type AccountRef, type EntryKindName, type EntryRow, type EntryStatusName } from '../../../../core/api/types';
import { negateAmount } from '../../format';

export const ENTRIES_PAGE_SIZE = 200;

/** The entries table's address keys (issue 14: the view in the URL): `#/account/…?kind=increment,void&status=pending&order=asc&entry=orb:e-1`. */
export const ENTRIES_PARAM = { kinds: 'kind', status: 'status', order: 'order', entry: 'entry' } as const;

export interface EntriesFilter {
  kinds: EntryKindName[];
  status: '' | EntryStatusName;
  order: 'desc' | 'asc';
}

/** The filters an address names; unknown kinds and values are ignored (a hand-edited or old link still opens). */
export function entriesFilterFromParams(params: URLSearchParams): EntriesFilter {
  const kinds = (params.get(ENTRIES_PARAM.kinds) ?? '').split(',').filter((kind): kind is EntryKindName => (ENTRY_KIND_NAMES as readonly string[]).includes(kind));
  const status = params.get(ENTRIES_PARAM.status) ?? '';
  return {
    kinds: [...new Set(kinds)],
    status: (ENTRY_STATUS_NAMES as readonly string[]).includes(status) ? (status as EntryStatusName) : '',
    order: params.get(ENTRIES_PARAM.order) === 'asc' ? 'asc' : 'desc',
  };
}

/** The filter as address keys (null: the default, left out of the address). */
export function entriesFilterParams(filter: EntriesFilter): Record<string, string | null> {
  return {
    [ENTRIES_PARAM.kinds]: filter.kinds.length === 0 ? null : filter.kinds.join(','),
    [ENTRIES_PARAM.status]: filter.status === '' ? null : filter.status,
    [ENTRIES_PARAM.order]: filter.order === 'desc' ? null : filter.order,
  };
}

/** The entries.list request for `filter`, without its page. */
export function entriesQuery(account: AccountRef, asOf: string | null, filter: EntriesFilter) {
  return {
    account,
    ...(asOf === null ? {} : { as_of: asOf }),
    order: filter.order,
    ...(filter.kinds.length > 0 ? { kinds: filter.kinds } : {}),
    ...(filter.status === '' ? {} : { statuses: [filter.status] }),
  };
}

/** The request the entries table starts with (the address's filters and instant): boot.ts sends it early. */
export function firstEntriesPage(account: AccountRef, asOf: string | null = null, filter: EntriesFilter = { kinds: [], status: '', order: 'desc' }) {
  return { ...entriesQuery(account, asOf, filter), offset: 0, limit: ENTRIES_PAGE_SIZE };
}

/** How an entry moves the posted balance: credit in, usage out. An expiration change only moves credit. */
const DIRECTION: Record<string, 1 | -1 | 0> = { increment: 1, amendment: 1, decrement: -1, void: -1, expiry: -1, expiration_change: 0 };

/** What an entry did to the balance, signed (a decrement's applied amount is shown negative). */
export function signedAmount(row: EntryRow): string {
  const direction = DIRECTION[row.kind] ?? 0;
  return direction === -1 ? negateAmount(row.applied_amount) : row.applied_amount;
}
