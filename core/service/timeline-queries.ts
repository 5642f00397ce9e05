import type { AccountRef, AccountTimeline, CustomerMoneyItem, CustomerTimelineItem, CustomerTimelinePage, SeriesPoint, TimelineMarker } from '../api/types.js';
import { ApiError } from '../api/errors.js';
import type { AccountKey, AccountState, ReplayedEntry } from '../ledger/types.js';
import { toCanonical, type Decimal } from '../money/decimal.js';
import { accountsOfCustomer, type LedgerDb } from '../store/index.js';
import { formatInstant, type Instant } from '../time/instant.js';
import { accountKeyOf, accountRefOf, type AccountReplays } from './account-queries.js';
import { entryView } from './views.js';
import type { CustomerDirectory } from './customer-directory.js';
import { customerMoney, type CustomerMoney } from './customer-money.js';

/*
 * Series for charts, computed here so the renderer only draws (STYLE habit 7), and the support view's
 * merged customer timeline. Balances come from the replay's own starting/ending balances (L8).
 */

export const DEFAULT_MAX_POINTS = 1500;

/** A chart coordinate for a balance: plotting only, never shown or added (the amount is the string). */
function plotY(balance: Decimal): number {
  return balance.toNumber();
}

function point(at: Instant, balance: Decimal): SeriesPoint {
  return { at: formatInstant(at), t: at, balance: toCanonical(balance), y: plotY(balance) };
}

function marker(replayed: ReplayedEntry, amount: Decimal): TimelineMarker {
  const entry = replayed.entry;
  return {
    at: formatInstant(entry.at),
    t: entry.at,
    amount: toCanonical(amount),
    block_id: entry.kind === 'increment' ? (entry.blockId ?? entry.sourceId) : entry.blockId,
    entry_id: replayed.generated ? null : entry.sourceId,
    balance: toCanonical(replayed.endingBalance),
    y: plotY(replayed.endingBalance),
  };
}

/**
 * The posted balance after each instant (the last entry at one instant wins), thinned to about
 * `maxPoints`: per bucket of consecutive steps the first, lowest, highest and last are kept, so every
 * peak and trough of the step line survives.
 */
export function balanceSteps(entries: readonly ReplayedEntry[], maxPoints: number): { points: SeriesPoint[]; thinned: boolean } {
  const steps: ReplayedEntry[] = [];
  for (let i = 0; i < entries.length; i++) {
    const next = entries[i + 1];
    if (next !== undefined && next.entry.at === entries[i]!.entry.at) continue;
    steps.push(entries[i]!);
  }
  if (steps.length <= maxPoints) return { points: steps.map((s) => point(s.entry.at, s.endingBalance)), thinned: false };
  const bucket = Math.ceil(steps.length / Math.max(1, Math.floor(maxPoints / 4)));
  const kept: ReplayedEntry[] = [];
  for (let start = 0; start < steps.length; start += bucket) {
    const end = Math.min(steps.length, start + bucket);
    let low = start;
    let high = start;
    for (let i = start + 1; i < end; i++) {
      if (steps[i]!.endingBalance.lessThan(steps[low]!.endingBalance)) low = i;
      if (steps[i]!.endingBalance.greaterThan(steps[high]!.endingBalance)) high = i;
    }
    for (const index of [...new Set([start, low, high, end - 1])].sort((a, b) => a - b)) kept.push(steps[index]!);
  }
  return { points: kept.map((s) => point(s.entry.at, s.endingBalance)), thinned: true };
}

export function accountTimeline(replays: AccountReplays, db: LedgerDb, ref: AccountRef, asOf: Instant, maxPoints: number): AccountTimeline {
  const key = accountKeyOf(ref);
  if (replays.entriesOf(db, key).length === 0) throw new ApiError('not_found', `no account ${JSON.stringify(ref)} in this database`);
  const state = replays.stateAt(db, key, asOf);
  const { points, thinned } = balanceSteps(state.entries, maxPoints);
  const purchases: TimelineMarker[] = [];
  const expiries: TimelineMarker[] = [];
  for (const replayed of state.entries) {
    const kind = replayed.entry.kind;
    if (kind === 'increment' && replayed.entry.status === 'posted') purchases.push(marker(replayed, replayed.entry.amount));
    else if (kind === 'expiry' && !replayed.appliedAmount.isZero()) expiries.push(marker(replayed, replayed.appliedAmount));
  }
  // What the scheduled expiries would do from as_of on, if nothing else happened.
  const projection = replays.projectionAt(db, key, asOf);
  const projected: SeriesPoint[] = [point(asOf, state.current)];
  const upcoming: TimelineMarker[] = [];
  for (const replayed of projection.entries) {
    if (replayed.entry.at <= asOf || !replayed.generated) continue;
    if (replayed.appliedAmount.isZero()) continue;
    upcoming.push(marker(replayed, replayed.appliedAmount));
    projected.push(point(replayed.entry.at, replayed.endingBalance));
  }
  return { as_of: formatInstant(asOf), unit: key.unit, series: points, projected, purchases, expiries, upcoming, thinned };
}

/**
 * One customer's timeline: every entry of each of its accounts and the Stripe money linked to it,
 * merged by time. `order` holds [source, index] pairs: source ≥ 0 is an account (index: its replayed
 * entry), MONEY is Stripe money (index into `money`).
 */
interface MergedTimeline {
  id: string;
  keys: AccountKey[];
  states: AccountState[];
  money: CustomerMoneyItem[];
  received: CustomerMoney['received'];
  order: Int32Array;
}

const MONEY = -1;

/** The last customer's merged order, so paging through it does not merge again. */
export class CustomerTimelineCache {
  merged: MergedTimeline | null = null;

  clear(): void {
    this.merged = null;
  }
}

export function customerTimeline(
  cache: CustomerTimelineCache,
  replays: AccountReplays,
  db: LedgerDb,
  directory: CustomerDirectory,
  customerId: string,
  asOf: Instant,
  offset: number,
  limit: number,
): CustomerTimelinePage {
  const keys = accountsOfCustomer(db, customerId);
  if (keys.length === 0) throw new ApiError('not_found', `customer ${JSON.stringify(customerId)} has no ledger entries in this database`);
  const states = keys.map((key) => replays.stateAt(db, key, asOf));
  const id = `${customerId}\u001e${asOf}`;
  let merged = cache.merged;
  if (merged === null || merged.id !== id || merged.states.some((state, i) => state.entries !== states[i]?.entries)) {
    const money = customerMoney(db, directory.linker, customerId, keys, states, asOf);
    merged = { id, keys, states, money: money.items, received: money.received, order: mergeByTime(states, money.items) };
    cache.merged = merged;
  }
  const items: CustomerTimelineItem[] = [];
  const end = Math.min(merged.order.length / 2, offset + limit);
  for (let i = offset; i < end; i++) {
    const source = merged.order[2 * i]!;
    const index = merged.order[2 * i + 1]!;
    if (source === MONEY) {
      items.push(merged.money[index]!);
      continue;
    }
    const replayed = merged.states[source]!.entries[index]!;
    items.push({
      type: 'ledger_entry',
      at: formatInstant(replayed.entry.at),
      account: accountRefOf(merged.keys[source]!),
      entry: entryView(replayed),
      balance_after: toCanonical(replayed.endingBalance),
    });
  }
  const contact = directory.byId.get(customerId);
  return {
    customer_id: customerId,
    customer: { name: contact?.name ?? null, email: contact?.email ?? null, stripe_customer_ids: contact?.stripeCustomerIds ?? [] },
    money_received: merged.received,
    as_of: formatInstant(asOf),
    accounts: states.map((state, i) => ({
      ...accountRefOf(keys[i]!),
      current: toCanonical(state.current),
      pending: toCanonical(state.pending),
      available: toCanonical(state.available),
      deficit: toCanonical(state.deficit),
      scheduled: toCanonical(state.scheduled),
    })),
    total: merged.order.length / 2,
    offset,
    items,
  };
}

/** Every account's entries and the money, by time; at one instant money comes first, then accounts in order. */
function mergeByTime(states: readonly AccountState[], money: readonly CustomerMoneyItem[]): Int32Array {
  let total = money.length;
  for (const state of states) total += state.entries.length;
  const order = new Int32Array(total * 2);
  const cursor = new Array<number>(states.length).fill(0);
  const moneyAt = money.map((item) => Date.parse(item.at));
  let nextMoney = 0;
  for (let out = 0; out < total; out++) {
    let best = -1;
    for (let a = 0; a < states.length; a++) {
      const candidate = states[a]!.entries[cursor[a]!];
      if (candidate === undefined) continue;
      if (best === -1 || candidate.entry.at < states[best]!.entries[cursor[best]!]!.entry.at) best = a;
    }
    if (nextMoney < money.length && (best === -1 || moneyAt[nextMoney]! <= states[best]!.entries[cursor[best]!]!.entry.at)) {
      order[2 * out] = MONEY;
      order[2 * out + 1] = nextMoney++;
      continue;
    }
    order[2 * out] = best;
    order[2 * out + 1] = cursor[best]!;
    cursor[best]!++;
  }
  return order;
}
