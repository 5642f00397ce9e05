import { Decimal } from '../money/decimal.js';
import type { AccountKey, EntryKind, EntrySource, EntryStatus, LedgerEntry } from '../ledger/types.js';

/** Columns most entries have. */
const COMMON_COLUMNS = ['source', 'source_id', 'kind', 'status', 'amount', 'at', 'ordinal', 'description'] as const;
/** Columns only some kinds use; read as one JSON array, or one NULL when all of them are null. */
const SPARSE_COLUMNS = [
  'block_id', 'effective_at', 'expires_at', 'cost_basis', 'priority', 'target_expires_at', 'source_expires_at', 'void_reason',
] as const;

/** How many columns an EntryRow has. */
export const ENTRY_COLUMN_COUNT = COMMON_COLUMNS.length + 1;

/**
 * The select list decodeEntryRow reads; `alias` qualifies the columns. better-sqlite3 pays a V8 property
 * store per column per row, which dominated reading: folding the eight sparse columns into one (NULL for
 * a plain decrement) made loading a million entries about a third faster.
 */
export function entryColumns(alias?: string): string {
  const name = (column: string) => (alias === undefined ? column : `${alias}.${column}`);
  const sparse = SPARSE_COLUMNS.map(name);
  return (
    `${COMMON_COLUMNS.map(name).join(', ')}, ` +
    `CASE WHEN ${sparse.map((column) => `${column} IS NULL`).join(' AND ')} THEN NULL ELSE json_array(${sparse.join(', ')}) END`
  );
}

export const ENTRY_COLUMNS = entryColumns();

/** One row of ENTRY_COLUMNS as better-sqlite3 returns it in raw mode. */
export type EntryRow = [
  source: string,
  sourceId: string,
  kind: string,
  status: string,
  amount: string,
  at: number,
  ordinal: number,
  description: string | null,
  /** JSON array of SPARSE_COLUMNS, or null when all are null. */
  sparse: string | null,
];

type SparseValues = [
  blockId: string | null,
  effectiveAt: number | null,
  expiresAt: number | null,
  costBasis: string | null,
  priority: number | null,
  targetExpiresAt: number | null,
  sourceExpiresAt: number | null,
  voidReason: string | null,
];

const NO_SPARSE_VALUES: Readonly<SparseValues> = [null, null, null, null, null, null, null, null];

/**
 * Decimal values by their canonical text. Amounts repeat a lot (credit packs, cost bases "0" and "1"),
 * and a Decimal is immutable, so entries may share one. Bounded: cleared when full.
 */
export class DecimalInterner {
  private readonly values = new Map<string, Decimal>();

  constructor(private readonly capacity = 4096) {}

  get(text: string): Decimal {
    let value = this.values.get(text);
    if (value === undefined) {
      if (this.values.size >= this.capacity) this.values.clear();
      value = new Decimal(text);
      this.values.set(text, value);
    }
    return value;
  }
}

/**
 * Row → LedgerEntry of the account `key` (its strings are shared by all the account's entries).
 * Stored amounts were canonical when written; instants and priorities are integers below 2^53, which
 * JSON carries exactly.
 */
export function decodeEntryRow(row: EntryRow, key: AccountKey, decimals: DecimalInterner): LedgerEntry {
  const sparse = row[8] === null ? NO_SPARSE_VALUES : (JSON.parse(row[8]) as SparseValues);
  return {
    source: row[0] as EntrySource,
    sourceId: row[1],
    customerId: key.customerId,
    subscriptionId: key.subscriptionId,
    unit: key.unit,
    kind: row[2] as EntryKind,
    status: row[3] as EntryStatus,
    amount: decimals.get(row[4]),
    at: row[5],
    ordinal: row[6],
    blockId: sparse[0],
    effectiveAt: sparse[1],
    expiresAt: sparse[2],
    costBasis: sparse[3] === null ? null : decimals.get(sparse[3]),
    priority: sparse[4],
    targetExpiresAt: sparse[5],
    sourceExpiresAt: sparse[6],
    voidReason: sparse[7],
    description: row[7],
  };
}
