import { amountScale } from '../api/schemas.js';
import type { AccountRef, AccountUnitTotals, LiabilityReportView } from '../api/types.js';
import { accountScales, type LedgerDb } from '../store/index.js';
import { accountKeyOf } from './account-queries.js';

/*
 * Each listed account's scale (core/store/account-scale.ts), so lists pad an account's amounts as its
 * own screen does (issue 14, "the account's scale"). Read once per database state: the service drops
 * the cache when the database changes; a list asks only for the accounts it has not seen, in one query.
 */
export class AccountScaleCache {
  private readonly scales = new Map<string, number>();

  clear(): void {
    this.scales.clear();
  }

  /**
   * Per-unit totals, each with the most scale among the listed rows of its unit, so the totals line up
   * with the rows shown. Not every account's: that reads every entry (1.4 s at 1,000,000 entries) on
   * the list's first call.
   */
  totals(totals: readonly AccountUnitTotals[], rows: readonly (AccountRef & { scale: number })[]): AccountUnitTotals[] {
    const perUnit = new Map<string, number>();
    for (const row of rows) perUnit.set(row.unit, Math.max(perUnit.get(row.unit) ?? 0, row.scale));
    return totals.map((total) => ({ ...total, scale: perUnit.get(total.unit) ?? 0 }));
  }

  /** The scale of each of `refs`, in their order. */
  of(db: LedgerDb, refs: readonly AccountRef[]): number[] {
    const keys = refs.map((ref) => JSON.stringify([ref.customer_id, ref.subscription_id ?? null, ref.unit]));
    const missing = new Map<string, AccountRef>();
    for (let i = 0; i < refs.length; i++) if (!this.scales.has(keys[i]!)) missing.set(keys[i]!, refs[i]!);
    if (missing.size > 0) {
      const read = accountScales(db, [...missing.values()].map(accountKeyOf));
      [...missing.keys()].forEach((key, i) => this.scales.set(key, amountScale.parse(read[i])));
    }
    return keys.map((key) => this.scales.get(key)!);
  }

  /** The rows, each with its account's `scale`. */
  attach<T extends AccountRef>(db: LedgerDb, rows: readonly T[]): (T & { scale: number })[] {
    const scales = this.of(db, rows);
    return rows.map((row, i) => ({ ...row, scale: scales[i]! }));
  }

  /** The roll-forward with each account's scale, and each unit's: the most of its accounts' (its totals sum them). */
  liability(db: LedgerDb, view: LiabilityReportView): LiabilityReportView {
    const accounts = this.attach(db, view.accounts);
    const perUnit = new Map<string, number>();
    for (const account of accounts) perUnit.set(account.unit, Math.max(perUnit.get(account.unit) ?? 0, account.scale));
    return { ...view, accounts, totals: view.totals.map((total) => ({ ...total, scale: perUnit.get(total.unit) ?? 0 })) };
  }
}
