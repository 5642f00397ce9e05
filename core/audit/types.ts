import type { Decimal } from '../money/decimal.js';
import type { AccountKey } from '../ledger/types.js';
import type { ParsedEntry, SourceFormat } from '../sources/types.js';

/*
 * Audit of exported ledgers (DESIGN §7 `audit`). Rule ids are DESIGN §4's, plus `parse` for a file that
 * cannot be read as a ledger:
 *   parse  the file's problems (its entries are then not audited at all)
 *   L5     duplicate id: same content (warning, counted once), different content (error, later copy left out)
 *   L8     sequence gaps and duplicates, broken balance chains, an account that does not open at 0,
 *          entries without sequence number or balances
 *   I1     a stated ending − starting balance that is not the entry's own signed amount
 *   I2     a block the stated entries take below zero or return above its initial amount
 *   L3     a decrement drawn from a block that had expired or was not yet effective
 *   L1     a decrement drawn from a block while another block came first in deduction order (warning)
 *   I4     the first stated balance per account that our replay does not reproduce
 *   L3/L4/L5/L6/L7 from the engine: an entry the replay cannot apply (left out of the replay)
 */

export type Severity = 'error' | 'warning';

export interface Finding {
  rule: string;
  severity: Severity;
  /** The source id of the entry the finding is about; null for a whole-file problem. */
  entryId: string | null;
  /** Names the file and line, and the numbers. */
  message: string;
}

export interface AuditInput {
  /** Shown in messages as given. */
  path: string;
  text: string;
}

export interface AuditOptions {
  /** Read every file as this format instead of detecting it. */
  source?: SourceFormat | undefined;
  /** Moesif: the unit of records without `currency` (default USD). */
  unit?: string | undefined;
  /**
   * Read Orb export JSON Lines with the fast scanner and audit its accounts on scaled integers where they
   * are clean (default true). False takes every file through the full parser and every account through
   * the general audit: the same report, slower (tests compare the two).
   */
  scan?: boolean | undefined;
}

export interface AccountAudit {
  key: AccountKey;
  /** Entries audited (duplicates counted once, conflicting copies left out). */
  entries: number;
  /** The last entry's stated ending_balance (Orb exports), canonical; null when the file states none. */
  statedEndingBalance: string | null;
  /** Our replay as of the last entry: posted balance and pending balance. Null when nothing could be replayed. */
  replayedBalance: Decimal | null;
  replayedPending: Decimal | null;
  findings: Finding[];
}

export interface AuditReport {
  files: { path: string; format: SourceFormat | null; records: number; audited: boolean }[];
  /** All findings: file findings first, then L5, then account by account in ledger order. */
  findings: Finding[];
  /** Sorted by customer, subscription, unit. */
  accounts: AccountAudit[];
}

/** One record under audit, with where it came from (for messages and order). */
export interface AuditedEntry {
  parsed: ParsedEntry;
  fileIndex: number;
  /** Position in its file's parse result. */
  position: number;
}
