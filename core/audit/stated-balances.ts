import { Decimal, toCanonical } from '../money/decimal.js';
import { describeEntry, signedAmount, type AccountFindings } from './account-findings.js';
import { where } from './load.js';
import type { AuditedEntry } from './types.js';

/**
 * The numbers an Orb export states about itself (L8, I1), checked without replaying anything:
 * - L8: sequence numbers gap-free and unique; ending_balance of n = starting_balance of n+1; the account
 *   opens at 0 (a first starting balance ≠ 0 means the entries before it are missing); every entry has a
 *   sequence number and both balances.
 * - I1: ending − starting = the entry's own signed amount (+ increment and amendment; − decrement, void and
 *   expiry; 0 for an expiration change, L7). A pending entry (L4) may also state no change: providers
 *   differ on whether the running balance counts pending entries, and either is accepted.
 * At a gap only the gap is reported, not the chain break it causes. Walked in sequence order.
 */
export function checkStatedBalances(entries: readonly AuditedEntry[], findings: AccountFindings): (Decimal | undefined)[] {
  /** Each entry's stated ending balance as a Decimal, by index: the replay comparison reuses them. */
  const endings: (Decimal | undefined)[] = new Array(entries.length);
  const withoutSequence: number[] = [];
  const withoutBalances: number[] = [];
  const numbered: number[] = [];
  for (let index = 0; index < entries.length; index++) {
    const stated = entries[index]!.parsed.stated;
    if (stated === null) continue;
    if (stated.startingBalance === null || stated.endingBalance === null) withoutBalances.push(index);
    if (stated.sequence === null) withoutSequence.push(index);
    else numbered.push(index);
  }
  // Entries are in time order; the chain is in sequence order (usually the same, then no sort).
  const sequenceOf = (index: number) => entries[index]!.parsed.stated!.sequence!;
  const inOrder = (a: number, b: number) => sequenceOf(a) - sequenceOf(b) || a - b;
  let sorted = true;
  for (let i = 1; i < numbered.length && sorted; i++) sorted = inOrder(numbered[i - 1]!, numbered[i]!) <= 0;
  if (!sorted) numbered.sort(inOrder);

  let previous: AuditedEntry | null = null;
  let previousEnding: Decimal | undefined;
  for (const index of numbered) {
    const item = entries[index]!;
    const stated = item.parsed.stated!;
    const sequence = stated.sequence!;
    const entry = item.parsed.entry;
    const id = entry.sourceId;
    if (previous === null) {
      if (stated.startingBalance !== null && !new Decimal(stated.startingBalance).isZero()) {
        findings.add(index, 'L8', 'error', id,
          `${where(item.parsed)}: the account's first entry (ledger_sequence_number ${sequence}) starts at balance ${stated.startingBalance}, not 0: ` +
            `entries before it are missing from the export, so no balance is compared with the replay`);
        findings.markEntriesMissing(0);
      }
    } else {
      const before = previous.parsed.stated!;
      const previousSequence = before.sequence!;
      const previousId = previous.parsed.entry.sourceId;
      if (sequence === previousSequence) {
        findings.add(index, 'L8', 'error', id,
          `${where(item.parsed)}: ledger_sequence_number ${sequence} is used twice, by entry ${previousId} (${where(previous.parsed)}) and by entry ${id}`);
      } else if (sequence > previousSequence + 1) {
        const missing = sequence - previousSequence - 1;
        const range = missing === 1 ? `${previousSequence + 1} is` : `${previousSequence + 1}–${sequence - 1} are`;
        const balances = before.endingBalance !== null && stated.startingBalance !== null
          ? ` (balance ${before.endingBalance} after ${previousId}, ${stated.startingBalance} before ${id})`
          : '';
        findings.add(index, 'L8', 'error', id,
          `${where(item.parsed)}: sequence gap: ledger_sequence_number ${previousSequence} (entry ${previousId}) is followed by ${sequence}; ${range} missing${balances}; ` +
            `balances from here on are not compared with the replay`);
        findings.markEntriesMissing(index);
      } else if (before.endingBalance !== null && stated.startingBalance !== null && before.endingBalance !== stated.startingBalance) {
        // Both are canonical decimal strings, so equal numbers are equal strings.
        findings.add(index, 'L8', 'error', id,
          `${where(item.parsed)}: balance chain broken: entry ${previousId} (sequence ${previousSequence}) ends at ${before.endingBalance}, ` +
            `entry ${id} (sequence ${sequence}) starts at ${stated.startingBalance}`);
      }
    }
    const ending = stated.endingBalance === null ? undefined : new Decimal(stated.endingBalance);
    endings[index] = ending;
    if (stated.startingBalance !== null && ending !== undefined) {
      // Where the chain holds, the starting balance is the previous ending: no second parse.
      const starting = previousEnding !== undefined && before(previous) === stated.startingBalance ? previousEnding : new Decimal(stated.startingBalance);
      const moved = ending.minus(starting);
      const expected = signedAmount(entry);
      // A pending entry (L4) may be left out of the stated running balance or counted in it.
      if (!moved.eq(expected) && !(entry.status === 'pending' && moved.isZero())) {
        findings.add(index, 'I1', 'error', id,
          `${where(item.parsed)}: starting_balance ${stated.startingBalance} → ending_balance ${stated.endingBalance} moves the balance by ${toCanonical(moved)}, ` +
            `but ${describeEntry(entry)} moves it by ${toCanonical(expected)}`);
      }
    }
    previous = item;
    previousEnding = ending;
  }
  for (const index of withoutSequence) {
    const text = entries[index]!.parsed.stated!.endingBalance;
    if (text !== null) endings[index] = new Decimal(text);
  }
  reportMissing(entries, findings, withoutSequence, 'ledger_sequence_number', 'their place in the chain is unknown');
  reportMissing(entries, findings, withoutBalances, 'starting_balance or ending_balance', 'their balances cannot be checked');
  return endings;
}

function before(previous: AuditedEntry | null): string | null {
  return previous?.parsed.stated?.endingBalance ?? null;
}

/** One finding per account for entries missing a field, naming the first. */
function reportMissing(entries: readonly AuditedEntry[], findings: AccountFindings, indices: number[], field: string, consequence: string): void {
  const first = indices[0];
  if (first === undefined) return;
  const item = entries[first]!;
  const count = indices.length === 1 ? '1 entry states' : `${indices.length} entries state`;
  findings.add(first, 'L8', 'error', item.parsed.entry.sourceId, `${where(item.parsed)}: ${count} no ${field} (first: entry ${item.parsed.entry.sourceId}); ${consequence}`);
}
