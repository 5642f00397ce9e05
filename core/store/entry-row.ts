import { Decimal } from '../money/decimal.js';
import type { AccountKey, EntryKind, EntrySource, EntryStatus, LedgerEntry } from '../ledger/types.js';

const ENTRY_COLUMN_NAMES = [
  'source', 'source_id', 'kind', 'status', 'amount', 'at', 'ordinal', 'block_id', 'effective_at', 'expires_at',
  'cost_basis', 'priority', 'target_expires_at', 'source_expires_at', 'void_reason', 'description',
] as const;

/** How many columns an EntryRow has. */
export const ENTRY_COLUMN_COUNT = ENTRY_COLUMN_NAMES.length;

/** The canonical columns of `entries`, in the order decodeEntryRow reads them; `alias` qualifies them. */
export function entryColumns(alias?: string): string {
  return alias === undefined ? ENTRY_COLUMN_NAMES.join(', ') : ENTRY_COLUMN_NAMES.map((name) => `${alias}.${name}`).join(', ');
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
  blockId: string | null,
  effectiveAt: number | null,
  expiresAt: number | null,
  costBasis: string | null,
  priority: number | null,
  targetExpiresAt: number | null,
  sourceExpiresAt: number | null,
  voidReason: string | null,
  description: string | null,
];

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
 * Stored amounts were canonical when written.
 */
export function decodeEntryRow(row: EntryRow, key: AccountKey, decimals: DecimalInterner): LedgerEntry {
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
    blockId: row[7],
    effectiveAt: row[8],
    expiresAt: row[9],
    costBasis: row[10] === null ? null : decimals.get(row[10]),
    priority: row[11],
    targetExpiresAt: row[12],
    sourceExpiresAt: row[13],
    voidReason: row[14],
    description: row[15],
  };
}
