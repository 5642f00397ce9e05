import { ZERO, type Decimal } from '../money/decimal.js';
import type { AccountState, LedgerEntry, ReplayedEntry } from './types.js';

/*
 * "Stated over derived" (STYLE habit 12): where a source states each entry's running balance (Orb's
 * ending_balance), the replay's balance after the same entry is compared with it, and the first entry where
 * they part is reported. The replayed balance is the entry's ending balance (current + scheduled, as the
 * audit compares it). At a pending entry the comparison re-bases on the stated balance, as the audit
 * does: whether a provider's running balance counts pending entries or not, the posted ones after it then
 * compare alike.
 */

export interface StatedDisagreement {
  entry: LedgerEntry;
  /** The ledger sequence our replay gives the entry. */
  sequence: number;
  stated: Decimal;
  replayed: Decimal;
}

/** The first entry whose stated ending balance differs from the replay's, or null when all agree. */
export function firstStatedDisagreement(
  replayed: readonly ReplayedEntry[],
  statedEnding: (entry: LedgerEntry) => Decimal | null,
): StatedDisagreement | null {
  let offset = ZERO; // stated − replayed, carried from the last pending entry
  for (const step of replayed) {
    if (step.generated) continue;
    const stated = statedEnding(step.entry);
    if (stated === null) continue;
    if (step.entry.status === 'pending') {
      offset = stated.minus(step.endingBalance);
      continue;
    }
    const expected = offset.isZero() ? step.endingBalance : step.endingBalance.plus(offset);
    if (!stated.eq(expected)) return { entry: step.entry, sequence: step.sequence, stated, replayed: expected };
  }
  return null;
}

/**
 * A balance the source states for the whole account at the replay's instant (a Stripe credit balance
 * summary), compared with the replay's current balance. The disagreement names the last entry applied
 * (the balance is the one after it); null when they agree or when nothing has been applied.
 */
export function statedCurrentDisagreement(state: AccountState, stated: Decimal): StatedDisagreement | null {
  if (stated.eq(state.current)) return null;
  const last = state.entries[state.entries.length - 1];
  if (last === undefined) return null;
  return { entry: last.entry, sequence: last.sequence, stated, replayed: state.current };
}
