import type { ImportPreviewSummary, PreviewOutlier } from '../api/types.js';
import { Decimal, toCanonical, ZERO } from '../money/decimal.js';
import type { ParseResult } from '../sources/index.js';
import { formatInstant, type Instant } from '../time/instant.js';

/*
 * What an import would bring, told before anything is written (issue 14): records by kind and by
 * account, the date range, totals per unit, and amounts so far from the file's others that they look
 * like a unit error (cents read as units, a pasted 30-digit number).
 */

/** One record of any source, as the summary counts it. */
interface SummaryRecord {
  file: string;
  line: number | null;
  pointer: string | null;
  id: string;
  kind: string;
  customerId: string;
  subscriptionId: string | null;
  unit: string;
  amount: Decimal;
  at: Instant;
}

/** How many accounts the summary lists by name; the rest are counted. */
export const SUMMARY_ACCOUNTS_LIMIT = 20;
/** An amount this many times the median of its file's amounts in the same unit is flagged. */
export const OUTLIER_FACTOR = 1000;
/** The median needs at least this many other amounts in the unit to say what "usual" is. */
export const OUTLIER_MIN_OTHERS = 3;
const OUTLIERS_LIMIT = 50;

function recordsOf(file: string, parsed: ParseResult): SummaryRecord[] {
  const records: SummaryRecord[] = parsed.entries.map(({ entry, origin }) => ({
    file,
    line: origin.line,
    pointer: origin.pointer,
    id: entry.sourceId,
    kind: entry.kind,
    customerId: entry.customerId,
    subscriptionId: entry.subscriptionId,
    unit: entry.unit,
    amount: entry.amount,
    at: entry.at,
  }));
  const stripe = parsed.stripe;
  if (stripe === undefined) return records;
  for (const { record, origin } of stripe.payments) {
    records.push({
      file,
      line: origin.line,
      pointer: origin.pointer,
      id: record.sourceId,
      kind: record.kind,
      customerId: record.customerId ?? '',
      subscriptionId: null,
      unit: record.currency,
      amount: record.amount,
      at: record.at,
    });
  }
  for (const grant of stripe.grants) {
    const { entry, origin } = grant.parsed;
    records.push({ file, line: origin.line, pointer: origin.pointer, id: entry.sourceId, kind: 'credit_grant', customerId: entry.customerId, subscriptionId: entry.subscriptionId, unit: entry.unit, amount: entry.amount, at: entry.at });
  }
  return records;
}

function median(sorted: readonly Decimal[]): Decimal {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : sorted[middle - 1]!.plus(sorted[middle]!).div(2);
}

/** Amounts at least OUTLIER_FACTOR times the median of the other amounts of their file and unit. */
function outliersOf(records: readonly SummaryRecord[]): PreviewOutlier[] {
  const groups = new Map<string, SummaryRecord[]>();
  for (const record of records) {
    if (record.amount.isZero()) continue;
    const key = JSON.stringify([record.file, record.unit]);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [record]);
    else group.push(record);
  }
  const found: PreviewOutlier[] = [];
  for (const group of groups.values()) {
    if (group.length < OUTLIER_MIN_OTHERS + 1) continue;
    const sorted = group.map((record) => record.amount.abs()).sort((a, b) => a.comparedTo(b));
    const usual = median(sorted);
    if (usual.isZero()) continue;
    for (const record of group) {
      const times = record.amount.abs().div(usual);
      if (times.lt(OUTLIER_FACTOR)) continue;
      found.push({
        file: record.file,
        line: record.line,
        pointer: record.pointer,
        id: record.id,
        unit: record.unit,
        amount: toCanonical(record.amount),
        typical: toCanonical(usual),
      });
      if (found.length >= OUTLIERS_LIMIT) return found;
    }
  }
  return found;
}

/** The summary of every parsed file; already_stored and new_records are filled in by the dry run. */
export function summarizeImport(files: readonly { name: string; parsed: ParseResult }[]): ImportPreviewSummary {
  const records = files.flatMap(({ name, parsed }) => recordsOf(name, parsed));
  const byKind = new Map<string, number>();
  const byAccount = new Map<string, { customer_id: string; subscription_id: string | null; unit: string; records: number }>();
  const totals = new Map<string, { unit: string; kind: string; records: number; total: Decimal }>();
  /** Per unit: the most digits after the point among its amounts, so its totals line up (the account scale's rule). */
  const scales = new Map<string, number>();
  let first: Instant | null = null;
  let last: Instant | null = null;
  for (const record of records) {
    scales.set(record.unit, Math.max(scales.get(record.unit) ?? 0, record.amount.decimalPlaces()));
    byKind.set(record.kind, (byKind.get(record.kind) ?? 0) + 1);
    const accountKey = JSON.stringify([record.customerId, record.subscriptionId, record.unit]);
    const account = byAccount.get(accountKey);
    if (account === undefined) byAccount.set(accountKey, { customer_id: record.customerId, subscription_id: record.subscriptionId, unit: record.unit, records: 1 });
    else account.records++;
    const totalKey = JSON.stringify([record.unit, record.kind]);
    const total = totals.get(totalKey);
    if (total === undefined) totals.set(totalKey, { unit: record.unit, kind: record.kind, records: 1, total: record.amount.abs() });
    else {
      total.records++;
      total.total = total.total.plus(record.amount.abs());
    }
    if (first === null || record.at < first) first = record.at;
    if (last === null || record.at > last) last = record.at;
  }
  const text = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const accounts = [...byAccount.values()].sort(
    (a, b) => b.records - a.records || text(a.customer_id, b.customer_id) || text(a.subscription_id ?? '', b.subscription_id ?? '') || text(a.unit, b.unit),
  );
  return {
    records: records.length,
    by_kind: [...byKind.entries()].map(([kind, count]) => ({ kind, records: count })).sort((a, b) => b.records - a.records || (a.kind < b.kind ? -1 : 1)),
    accounts: accounts.slice(0, SUMMARY_ACCOUNTS_LIMIT),
    account_count: accounts.length,
    first_at: first === null ? null : formatInstant(first),
    last_at: last === null ? null : formatInstant(last),
    totals: [...totals.values()]
      .sort((a, b) => (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : a.kind < b.kind ? -1 : 1))
      .map((total) => ({ unit: total.unit, kind: total.kind, records: total.records, total: toCanonical(total.total ?? ZERO), scale: scales.get(total.unit) ?? 0 })),
    new_records: null,
    already_stored: null,
    outliers: outliersOf(records),
  };
}
