import { ZERO, type Decimal } from '../money/decimal.js';
import type { LedgerEntry } from '../ledger/types.js';
import type { Finding, Severity } from './types.js';

/**
 * One account's findings, each tied to the index (audit order) of the entry it is about. An entry with a
 * finding is also where the replay comparison re-bases (see replay-check.ts): its stated numbers are
 * already reported as wrong, so what follows is compared from there.
 */
export class AccountFindings {
  private readonly items: { index: number; order: number; finding: Finding }[] = [];
  readonly flagged = new Set<number>();
  /**
   * Index of the first entry after entries found missing (an L8 gap, or an account that does not open at
   * 0): from there the replay cannot reproduce the stated balances, so they are not compared.
   */
  entriesMissingFrom: number | null = null;

  markEntriesMissing(index: number): void {
    if (this.entriesMissingFrom === null || index < this.entriesMissingFrom) this.entriesMissingFrom = index;
  }

  add(index: number, rule: string, severity: Severity, entryId: string | null, message: string): void {
    this.items.push({ index, order: this.items.length, finding: { rule, severity, entryId, message } });
    this.flagged.add(index);
  }

  /** In ledger order; findings on one entry in the order they were found. */
  sorted(): Finding[] {
    return [...this.items].sort((a, b) => a.index - b.index || a.order - b.order).map((item) => item.finding);
  }
}

/** What an entry of this kind does to the balance, as a signed amount (L7: an expiration change, 0). */
export function signedAmount(entry: LedgerEntry): Decimal {
  switch (entry.kind) {
    case 'increment':
    case 'amendment':
      return entry.amount;
    case 'decrement':
    case 'void':
    case 'expiry':
      return entry.amount.negated();
    case 'expiration_change':
      return ZERO;
  }
}

/** "a decrement of 10", "an increment of 5" */
export function describeEntry(entry: LedgerEntry): string {
  const kind = entry.kind.replace('_', ' ');
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} of ${entry.amount.toFixed()}`;
}
