import type { AccountSortKey, AccountsPage, AccountSummary, AccountUnitTotals } from '../api/types.js';
import { replayAccount } from '../ledger/replay.js';
import type { AccountKey } from '../ledger/types.js';
import { Decimal, ZERO, toCanonical } from '../money/decimal.js';
import { disagreementKey, forEachAccountEntries, loadSourceDisagreements, type LedgerDb } from '../store/index.js';
import { sourceDisagreementView } from './disagreement-view.js';
import { formatInstant, formatOptionalInstant, type Instant } from '../time/instant.js';
import { accountRefOf, nextChangeAfter } from './account-queries.js';

/*
 * The accounts screen: every account's balances at an instant, computed once per (database, as-of window)
 * by replaying each account (L9), then searched, filtered, sorted and paged in memory on every keystroke.
 * 100,000 accounts replay once; a keystroke scans an index.
 */

const DAY_MS = 86_400_000;

interface SummaryRow {
  key: AccountKey;
  view: AccountSummary;
  current: Decimal;
  pending: Decimal;
  available: Decimal;
  deficit: Decimal;
  amountExpiring: Decimal;
  nextExpiryAt: Instant | null;
  lastEntryAt: Instant | null;
  /** Lower-cased customer, subscription and unit, for search. */
  haystack: string;
  scheduled: Decimal;
}

/** Every account at `asOf`; valid for any instant in [asOf, validUntil). */
export interface Summaries {
  asOf: Instant;
  validUntil: Instant;
  rows: SummaryRow[];
  /** Sorted positions per sort key (ascending), built on first use. */
  sorted: Map<AccountSortKey, Int32Array>;
  /** Per-unit totals per search and filter (paging and sorting do not change them): built on first use. */
  totals?: Map<string, AccountUnitTotals[]>;
}

/** The expiring total's window when the list has no "expiring within" filter. */
export const DEFAULT_TOTALS_EXPIRING_DAYS = 30;

export function computeSummaries(db: LedgerDb, asOf: Instant): Summaries {
  const rows: SummaryRow[] = [];
  const disagreements = loadSourceDisagreements(db);
  let validUntil = Number.POSITIVE_INFINITY;
  forEachAccountEntries(db, (key, entries) => {
    const state = replayAccount(key, entries, { asOf });
    validUntil = Math.min(validUntil, nextChangeAfter(entries, state, asOf));
    // Accounts whose first entry is after asOf did not exist yet.
    if (state.entries.length === 0) return;
    let nextExpiryAt: Instant | null = null;
    let amountExpiring = ZERO;
    for (const block of state.blocks) {
      if (block.pending || block.expiresAt === null || block.expiresAt <= asOf || block.remaining.isZero()) continue;
      if (nextExpiryAt === null || block.expiresAt < nextExpiryAt) {
        nextExpiryAt = block.expiresAt;
        amountExpiring = block.remaining;
      } else if (block.expiresAt === nextExpiryAt) {
        amountExpiring = amountExpiring.plus(block.remaining);
      }
    }
    const lastEntryAt = state.entries[state.entries.length - 1]!.entry.at;
    const ref = accountRefOf(key);
    rows.push({
      key,
      view: {
        ...ref,
        current: toCanonical(state.current),
        pending: toCanonical(state.pending),
        available: toCanonical(state.available),
        deficit: toCanonical(state.deficit),
        scheduled: toCanonical(state.scheduled),
        next_expiry_at: formatOptionalInstant(nextExpiryAt),
        amount_expiring: toCanonical(amountExpiring),
        entry_count: state.entries.length,
        last_entry_at: formatInstant(lastEntryAt),
        source_disagreement: sourceDisagreementView(disagreements.get(disagreementKey(key))),
      },
      current: state.current,
      pending: state.pending,
      available: state.available,
      deficit: state.deficit,
      amountExpiring,
      scheduled: state.scheduled,
      nextExpiryAt,
      lastEntryAt,
      haystack: `${key.customerId}\u0000${key.subscriptionId ?? ''}\u0000${key.unit}`.toLowerCase(),
    });
  });
  return { asOf, validUntil, rows, sorted: new Map() };
}

function compareInstants(a: Instant | null, b: Instant | null): number {
  // Absent (no expiry, no entry) sorts last ascending.
  if (a === null) return b === null ? 0 : 1;
  if (b === null) return -1;
  return a - b;
}

const COMPARE: Record<AccountSortKey, (a: SummaryRow, b: SummaryRow) => number> = {
  customer_id: () => 0, // rows are already in account-key order
  unit: (a, b) => (a.key.unit < b.key.unit ? -1 : a.key.unit > b.key.unit ? 1 : 0),
  current: (a, b) => a.current.comparedTo(b.current),
  pending: (a, b) => a.pending.comparedTo(b.pending),
  available: (a, b) => a.available.comparedTo(b.available),
  deficit: (a, b) => a.deficit.comparedTo(b.deficit),
  next_expiry_at: (a, b) => compareInstants(a.nextExpiryAt, b.nextExpiryAt),
  amount_expiring: (a, b) => a.amountExpiring.comparedTo(b.amountExpiring),
  last_entry_at: (a, b) => compareInstants(a.lastEntryAt, b.lastEntryAt),
  scheduled: (a, b) => a.scheduled.comparedTo(b.scheduled),
};

function sortedPositions(summaries: Summaries, key: AccountSortKey): Int32Array {
  let positions = summaries.sorted.get(key);
  if (positions === undefined) {
    const rows = summaries.rows;
    const compare = COMPARE[key];
    const order = Array.from(rows.keys());
    // Ties keep account-key order (a stable sort over rows already in that order).
    order.sort((a, b) => compare(rows[a]!, rows[b]!) || a - b);
    positions = Int32Array.from(order);
    summaries.sorted.set(key, positions);
  }
  return positions;
}

export interface AccountsQuery {
  search?: string | undefined;
  sort?: { key: AccountSortKey; direction: 'asc' | 'desc' } | undefined;
  filter?: {
    low_balance_below?: string | undefined;
    in_deficit?: boolean | undefined;
    expiring_within_days?: number | undefined;
    unit?: string | undefined;
    disagrees_with_source?: boolean | undefined;
  } | undefined;
  offset: number;
  limit: number;
}

/** Names and emails per ledger customer, for the accounts list (shown, and searched like the ids). */
export interface AccountContacts {
  get(customerId: string): { name: string | null; email: string | null; haystack: string } | undefined;
}

export function accountsPage(summaries: Summaries, query: AccountsQuery, asOf: Instant, contacts?: AccountContacts): AccountsPage {
  const rows = summaries.rows;
  const key = query.sort?.key ?? 'customer_id';
  const descending = query.sort?.direction === 'desc';
  const positions = sortedPositions(summaries, key);
  const needle = query.search?.trim().toLowerCase() ?? '';
  const filter = query.filter ?? {};
  const below = filter.low_balance_below === undefined ? null : new Decimal(filter.low_balance_below);
  const expiringBy = filter.expiring_within_days === undefined ? null : asOf + filter.expiring_within_days * DAY_MS;
  const matches = (row: SummaryRow): boolean =>
    (needle === '' || row.haystack.includes(needle) || (contacts?.get(row.key.customerId)?.haystack.includes(needle) ?? false)) &&
    (filter.unit === undefined || row.key.unit === filter.unit) &&
    (filter.in_deficit !== true || !row.deficit.isZero()) &&
    (filter.disagrees_with_source !== true || (row.view.source_disagreement ?? null) !== null) &&
    (below === null || row.available.lessThan(below)) &&
    (expiringBy === null || (row.nextExpiryAt !== null && row.nextExpiryAt <= expiringBy && !row.amountExpiring.isZero()));

  const page: AccountSummary[] = [];
  let total = 0;
  const end = query.offset + query.limit;
  for (let step = 0; step < positions.length; step++) {
    const row = rows[positions[descending ? positions.length - 1 - step : step]!]!;
    if (!matches(row)) continue;
    if (total >= query.offset && total < end) {
      if (contacts === undefined) page.push(row.view);
      else {
        const contact = contacts.get(row.key.customerId);
        page.push({ ...row.view, customer_name: contact?.name ?? null, customer_email: contact?.email ?? null });
      }
    }
    total++;
  }
  return { as_of: formatInstant(asOf), total_accounts: rows.length, total, offset: query.offset, rows: page, totals: unitTotals(summaries, query, asOf, matches) };
}

/** Totals per unit of the accounts the list shows (its search and filters); a balance never mixes units. */
function unitTotals(summaries: Summaries, query: AccountsQuery, asOf: Instant, matches: (row: SummaryRow) => boolean): AccountUnitTotals[] {
  const days = query.filter?.expiring_within_days ?? DEFAULT_TOTALS_EXPIRING_DAYS;
  const cacheKey = JSON.stringify([query.search?.trim().toLowerCase() ?? '', query.filter ?? {}, asOf]);
  summaries.totals ??= new Map();
  const cached = summaries.totals.get(cacheKey);
  if (cached !== undefined) return cached;
  const by = asOf + days * DAY_MS;
  const units = new Map<string, { accounts: number; current: Decimal; pending: Decimal; scheduled: Decimal; deficit: Decimal; expiring: Decimal }>();
  for (const row of summaries.rows) {
    if (!matches(row)) continue;
    let unit = units.get(row.key.unit);
    if (unit === undefined) {
      unit = { accounts: 0, current: new Decimal(0), pending: new Decimal(0), scheduled: new Decimal(0), deficit: new Decimal(0), expiring: new Decimal(0) };
      units.set(row.key.unit, unit);
    }
    unit.accounts++;
    if (!row.current.isZero()) unit.current = unit.current.plus(row.current);
    if (!row.pending.isZero()) unit.pending = unit.pending.plus(row.pending);
    if (!row.scheduled.isZero()) unit.scheduled = unit.scheduled.plus(row.scheduled);
    if (!row.deficit.isZero()) unit.deficit = unit.deficit.plus(row.deficit);
    if (row.nextExpiryAt !== null && row.nextExpiryAt <= by && !row.amountExpiring.isZero()) unit.expiring = unit.expiring.plus(row.amountExpiring);
  }
  const totals = [...units]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([unit, t]) => ({
      unit,
      accounts: t.accounts,
      current: toCanonical(t.current),
      pending: toCanonical(t.pending),
      scheduled: toCanonical(t.scheduled),
      deficit: toCanonical(t.deficit),
      expiring: toCanonical(t.expiring),
      expiring_within_days: days,
    }));
  // A bound on the cache: searches typed one key at a time would otherwise pile up.
  if (summaries.totals.size >= 64) summaries.totals.clear();
  summaries.totals.set(cacheKey, totals);
  return totals;
}

/** Every account at the instant, in account-key order (the export). */
export function summaryViews(summaries: Summaries): AccountSummary[] {
  return summaries.rows.map((row) => row.view);
}
