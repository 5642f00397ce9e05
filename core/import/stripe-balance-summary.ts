import { replayAccount } from '../ledger/replay.js';
import { statedCurrentDisagreement } from '../ledger/stated-balance.js';
import { LedgerRuleError, type AccountKey } from '../ledger/types.js';
import { toCanonical } from '../money/decimal.js';
import { accountName, where } from './checks.js';
import type { ParsedBalanceSummary } from '../sources/stripe/types.js';
import { accountIdOf, loadAccountEntries, storedDisagreement, writeSourceDisagreement, type LedgerDb } from '../store/index.js';
import { formatInstant, type Instant } from '../time/instant.js';

/*
 * Stated over derived for Stripe (issue 9 §4): a billing.credit_balance_summary states a customer's
 * credit balance per currency. Stripe gives it no time, so it is compared with the replay as of the
 * import: its ledger balance (the balance of the credit balance transactions) with the account's current
 * balance. Its available balance also subtracts credit reserved for draft invoices, which no export
 * holds, so it is kept as evidence only. A disagreement is an import warning and the account's stored
 * disagreement with its source (replacing an earlier one); agreement clears it.
 */

/** Compares each summary with the stored entries (this import's included); returns the summary lines. */
export function compareBalanceSummaries(db: LedgerDb, summaries: readonly ParsedBalanceSummary[], now: Instant): string[] {
  // One statement per account: a later summary of the same customer and currency wins.
  const latest = new Map<string, ParsedBalanceSummary>();
  for (const summary of summaries) latest.set(JSON.stringify([summary.customerId, summary.unit]), summary);
  const warnings: string[] = [];
  for (const summary of latest.values()) {
    const key: AccountKey = { customerId: summary.customerId, subscriptionId: null, unit: summary.unit };
    const stated = toCanonical(summary.ledgerBalance);
    const accountId = accountIdOf(db, key);
    if (accountId === undefined) {
      if (!summary.ledgerBalance.isZero()) {
        warnings.push(`${where(summary.origin)}: Stripe's credit balance summary states a balance of ${stated} for ${accountName(key)}, which has no credit grants here`);
      }
      continue;
    }
    let state;
    try {
      state = replayAccount(key, loadAccountEntries(db, key), { asOf: now });
    } catch (error) {
      if (error instanceof LedgerRuleError) continue; // the import's own checks report the rule
      throw error;
    }
    const found = statedCurrentDisagreement(state, summary.ledgerBalance);
    writeSourceDisagreement(db, accountId, found === null ? null : storedDisagreement(found));
    if (found === null) continue;
    warnings.push(
      `${where(summary.origin)}: ${accountName(key)} disagrees with its source: Stripe's credit balance summary states a balance of ${stated}, ` +
        `the replay gives ${toCanonical(found.replayed)} as of ${formatInstant(now)} (difference ${toCanonical(found.stated.minus(found.replayed))})`,
    );
  }
  return warnings;
}
