import { ZERO, toCanonical, type Decimal } from '../money/decimal.js';
import { replayAccount } from '../ledger/replay.js';
import { LedgerRuleError, type AccountKey, type AccountState, type LedgerEntry, type ReplayedEntry } from '../ledger/types.js';
import type { AccountFindings } from './account-findings.js';
import { where } from './load.js';
import type { AuditedEntry } from './types.js';

/**
 * Our engine's replay of the account, as of its last entry. An entry the engine refuses (LedgerRuleError:
 * an unknown block, an expiration change larger than its block...) is a finding under the engine's rule
 * and is left out; the replay then runs again without it (at most once per entry).
 */
export interface AccountReplay {
  state: AccountState | null;
  /** Indices (audit order) of entries the replay left out. */
  excluded: Set<number>;
  /** Replayed entries by index (audit order); generated expiries are not here. */
  byIndex: (ReplayedEntry | undefined)[];
  /** The entries the replay ran on, in audit order. */
  included: LedgerEntry[];
}

export function replayWithExclusions(key: AccountKey, entries: readonly AuditedEntry[], findings: AccountFindings): AccountReplay {
  const excluded = new Set<number>();
  let included = entries.map((item) => item.parsed.entry);
  let asOf = Number.NEGATIVE_INFINITY;
  for (const entry of included) if (entry.at > asOf) asOf = entry.at;
  let state: AccountState | null = null;
  // Bounded: each failed attempt leaves one more entry out.
  for (let attempt = 0; attempt <= entries.length && included.length > 0; attempt++) {
    try {
      state = replayAccount(key, included, { asOf });
      break;
    } catch (error) {
      if (!(error instanceof LedgerRuleError)) throw error;
      const index = error.entry.ordinal;
      const item = entries[index];
      if (item === undefined || item.parsed.entry !== error.entry || excluded.has(index)) throw error;
      excluded.add(index);
      findings.add(index, error.rule, 'error', error.entry.sourceId,
        `${where(item.parsed)}: ${error.field}: ${error.message}; the replay leaves this entry out`);
      included = included.filter((entry) => entry !== error.entry);
    }
  }
  const byIndex: (ReplayedEntry | undefined)[] = new Array(entries.length);
  if (state !== null) {
    for (const replayed of state.entries) {
      if (!replayed.generated) byIndex[replayed.entry.ordinal] = replayed;
    }
  }
  return { state, excluded, byIndex, included };
}

/**
 * I4: the stated ending balance of each entry against our replay's posted balance after the same entry.
 * Reports the first divergence per account with both numbers. At an entry that already has a finding (a
 * broken chain, an entry the replay left out...) the comparison re-bases on the stated balance, so one
 * mistake is reported once, not again at every entry after it. It also re-bases at each pending entry
 * (L4): whether a provider's running balance counts pending entries or not, the posted entries after it
 * then compare alike. After entries found missing (L8) nothing is compared.
 */
export function compareWithReplay(
  entries: readonly AuditedEntry[],
  statedEndings: readonly (Decimal | undefined)[],
  replay: AccountReplay,
  findings: AccountFindings,
): void {
  if (replay.state === null) return;
  let offset = ZERO; // stated − replayed, as accepted so far
  let replayedSoFar = ZERO;
  const end = findings.entriesMissingFrom ?? entries.length;
  for (let index = 0; index < end; index++) {
    const item = entries[index]!;
    const replayed = replay.byIndex[index];
    if (replayed !== undefined) replayedSoFar = replayed.endingBalance;
    const stated = statedEndings[index];
    if (stated === undefined) continue;
    const statedText = item.parsed.stated!.endingBalance!;
    if (replayed === undefined || findings.flagged.has(index) || item.parsed.entry.status === 'pending') {
      offset = stated.minus(replayedSoFar);
      continue;
    }
    if (offset.isZero() ? stated.eq(replayedSoFar) : stated.minus(replayedSoFar).eq(offset)) continue;
    const expected = replayedSoFar.plus(offset);
    const rebased = offset.isZero() ? '' : ` (${toCanonical(replayedSoFar)} replayed, ${toCanonical(offset)} carried from an earlier finding or pending entry)`;
    findings.add(index, 'I4', 'error', item.parsed.entry.sourceId,
      `${where(item.parsed)}: stated ending_balance ${statedText} after entry ${item.parsed.entry.sourceId} (sequence ${item.parsed.stated?.sequence ?? 'none'}), ` +
        `but replaying the ledger gives ${toCanonical(expected)}${rebased}; ` +
        `difference ${toCanonical(stated.minus(expected))}; later entries are not compared`);
    return;
  }
}
