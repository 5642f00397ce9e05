import { listStripeCustomers, loadSyncState, type LedgerDb, type SyncState } from '../store/index.js';
import type { Instant } from '../time/instant.js';
import { commitStripePage, emptySyncCounts, mapApiObjects, missingGrants, type ApiObject, type SyncCounts } from './stripe-commit.js';
import type { StripeApi, StripeJson, StripeListName, StripePage } from './stripe-client.js';
import { CursorTrail } from './cursor-trail.js';
import { fetchCreditSummaries, SUMMARY_ORIGIN } from './stripe-credit-summaries.js';
import { DEFAULT_SYNC_CONCURRENCY, fetchInOrder } from './in-order.js';
import { SyncError } from './sync-errors.js';

/*
 * Stripe sync (DESIGN §5, issue 3). First run: note the newest event (the incremental pass starts
 * after it), then backfill every list within the `created` window [since, start of this sync), newest
 * first, page by page; then apply the events that came after the noted one. Later runs only apply
 * events (after the saved events cursor). Every page is committed with its stream's cursor in one
 * transaction, so an interrupted sync resumes after the last committed page, and objects seen twice
 * (in the backfill and in an event) are idempotent: same content changes nothing, a newer state makes a
 * new version of the payment.
 *
 * Streams, in order: customers, customer balance transactions (per customer), credit grants with their
 * credit balance transactions (per grant, committed with the grant page), payment intents, charges,
 * refunds, disputes, checkout sessions, invoices, balance transactions, then events, and last each
 * grant holder's credit balance summary, compared with the replay (issue 9 §4).
 */

export const STRIPE_STREAMS = [
  'customers',
  'customer_balance_transactions',
  'credit_grants',
  'payment_intents',
  'charges',
  'refunds',
  'disputes',
  'checkout_sessions',
  'invoices',
  'balance_transactions',
  'events',
  'credit_balance_summaries',
] as const;
export type StripeStream = (typeof STRIPE_STREAMS)[number];

/** Lists backfilled by `created` window, and their endpoint (stored as the origin of what they hold). */
const WINDOWED: Partial<Record<StripeStream, { list: StripeListName; origin: string }>> = {
  customers: { list: 'customers', origin: 'stripe:/v1/customers' },
  payment_intents: { list: 'payment_intents', origin: 'stripe:/v1/payment_intents' },
  charges: { list: 'charges', origin: 'stripe:/v1/charges' },
  refunds: { list: 'refunds', origin: 'stripe:/v1/refunds' },
  disputes: { list: 'disputes', origin: 'stripe:/v1/disputes' },
  checkout_sessions: { list: 'checkout_sessions', origin: 'stripe:/v1/checkout/sessions' },
  invoices: { list: 'invoices', origin: 'stripe:/v1/invoices' },
  balance_transactions: { list: 'balance_transactions', origin: 'stripe:/v1/balance_transactions' },
};

export interface StripeSyncProgress {
  stream: StripeStream;
  /** Objects committed in this run, all streams. */
  objects: number;
  byStream: Partial<Record<StripeStream, number>>;
}

export interface StripeSyncOptions {
  db: LedgerDb;
  api: StripeApi;
  /** Recorded as when versions were written; the backfill window's end when Stripe's clock is unknown. */
  now: Instant;
  /** Backfill only objects created at or after this instant (default: all history). */
  since?: Instant;
  /** Objects per page (Stripe allows 1..100). */
  pageSize?: number;
  /** Streams to run (default: all). */
  streams?: readonly StripeStream[];
  signal?: AbortSignal;
  /** Per-customer requests in flight at once (default DEFAULT_SYNC_CONCURRENCY); the rate limiter still paces them all. */
  concurrency?: number;
  onProgress?: (progress: StripeSyncProgress) => void;
  /** Called once per committed page after it is durable (tests interrupt here). */
  onCommit?: (stream: StripeStream, state: SyncState) => void;
}

export interface StripeSyncSummary {
  counts: SyncCounts;
  byStream: Partial<Record<StripeStream, number>>;
  /** Objects fetched this run. */
  objects: number;
  warnings: string[];
  cancelled: boolean;
  /** Where a cancelled run stopped: "charges after ch_123". */
  stoppedAt: string | null;
  requests: number;
  rateLimited: number;
  /** Stripe's credit balance summaries (null when that stream did not run or no customer holds grants). */
  balanceSummaries: BalanceSummaryCounts | null;
}

export interface BalanceSummaryCounts {
  /** Customers holding credit grants here, each asked for its summary. */
  customers: number;
  /** Customers compared with the replay (all of them, unless Stripe answered 404, a summary did not map, or credit events were pending). */
  compared: number;
  /** Accounts (customer and currency) whose replay disagrees with Stripe's summary. */
  disagreeing: number;
}

const SECOND = 1000;

class Cancelled extends Error {}

/** Every page of one list, and Stripe's clock at the last. */
interface ListedObjects {
  data: StripeJson[];
  observedAt: Instant | null;
}

class StripeSyncRun {
  readonly counts = emptySyncCounts();
  readonly byStream: Partial<Record<StripeStream, number>> = {};
  readonly warnings: string[] = [];
  balanceSummaries: BalanceSummaryCounts | null = null;
  objects = 0;
  stoppedAt: string | null = null;
  /** Where the run is: "charges after ch_123" (for a cancelled or failed run's message). */
  position = 'start';
  private readonly pageSize: number;
  /** Per-customer and per-grant requests in flight at once (core/sync/in-order.ts). */
  private readonly concurrency: number;

  constructor(private readonly options: StripeSyncOptions) {
    this.pageSize = options.pageSize ?? 100;
    this.concurrency = options.concurrency ?? DEFAULT_SYNC_CONCURRENCY;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1 || this.pageSize > 100) {
      throw new SyncError('usage', `page size must be 1..100, found ${this.pageSize}`);
    }
  }

  private get db(): LedgerDb {
    return this.options.db;
  }

  private checkCancelled(where: string): void {
    this.position = where;
    if (this.options.signal?.aborted) {
      this.stoppedAt = where;
      throw new Cancelled();
    }
  }

  private async fetch(name: StripeListName, params: Parameters<StripeApi['list']>[1]): Promise<StripePage> {
    try {
      return await this.options.api.list(name, params, this.options.signal);
    } catch (error) {
      if (this.options.signal?.aborted) {
        this.stoppedAt = this.position;
        throw new Cancelled();
      }
      throw error;
    }
  }

  private committed(stream: StripeStream, fetched: number, state: SyncState): void {
    this.objects += fetched;
    this.byStream[stream] = (this.byStream[stream] ?? 0) + fetched;
    this.options.onCommit?.(stream, state);
    this.options.onProgress?.({ stream, objects: this.objects, byStream: { ...this.byStream } });
  }

  private state(stream: StripeStream): SyncState | null {
    return loadSyncState(this.db, 'stripe', stream);
  }

  /** The events cursor and the backfill window's end, noted once, before anything is backfilled. */
  async noteStart(): Promise<{ windowLt: Instant }> {
    const existing = this.state('events');
    if (existing !== null) return { windowLt: existing.windowLt ?? this.options.now };
    const page = await this.fetch('events', { limit: 1 });
    // Stripe's clock (Date) bounds the window: an object created later arrives through its events.
    // One second more: an object created in the same second as the newest event is in both, harmlessly.
    const windowLt = (page.observedAt ?? this.options.now) + SECOND;
    const newest = page.data[0];
    const state: SyncState = {
      provider: 'stripe', stream: 'events', phase: 'incremental', windowGte: null, windowLt,
      cursor: newest === undefined ? null : (newest.id as string), objects: 0, updatedAt: this.options.now,
    };
    commitStripePage(this.db, mapApiObjects([], this.warnings, this.counts), { now: this.options.now, origin: 'stripe:/v1/events', computeVoids: false, state }, this.counts, this.warnings);
    return { windowLt };
  }

  /** A windowed list, newest first, resuming after the saved cursor; the next page is fetched while one is written. */
  async backfill(stream: StripeStream, windowLt: Instant): Promise<void> {
    const spec = WINDOWED[stream]!;
    let state = this.state(stream) ?? {
      provider: 'stripe', stream, phase: 'backfill', windowGte: this.options.since ?? null, windowLt, cursor: null, objects: 0, updatedAt: this.options.now,
    };
    if (state.phase === 'done') return;
    const created = {
      ...(state.windowGte === null ? {} : { gte: Math.floor(state.windowGte / SECOND) }),
      ...(state.windowLt === null ? {} : { lt: Math.ceil(state.windowLt / SECOND) }),
    };
    const request = (cursor: string | null): Promise<StripePage> =>
      this.fetch(spec.list, { limit: this.pageSize, created, ...(cursor === null ? {} : { starting_after: cursor }) });
    const trail = new CursorTrail('Stripe', `${stream} (starting_after)`);
    if (state.cursor !== null) trail.next(state.cursor);
    let next: Promise<StripePage> | null = request(state.cursor);
    while (next !== null) {
      this.checkCancelled(`${stream}${state.cursor === null ? '' : ` after ${state.cursor}`}`);
      const page: StripePage = await next;
      const last = page.data.at(-1);
      const cursor = last === undefined ? state.cursor : (last.id as string);
      if (page.hasMore && last !== undefined) trail.next(cursor!);
      next = page.hasMore && last !== undefined ? request(cursor) : null;
      // The prefetched page's failure surfaces when it is awaited; until then it must not go unhandled.
      next?.catch(() => {});
      const objects: ApiObject[] = page.data.map((object) => ({ object, origin: spec.origin, observedAt: page.observedAt }));
      const parsed = mapApiObjects(objects, this.warnings, this.counts);
      state = { ...state, phase: next === null ? 'done' : 'backfill', cursor, objects: state.objects + page.data.length, updatedAt: this.options.now };
      commitStripePage(this.db, parsed, { now: this.options.now, origin: spec.origin, computeVoids: true, state }, this.counts, this.warnings);
      this.committed(stream, page.data.length, state);
    }
  }

  /** Every page of a list (customer balance transactions of one customer, a grant's transactions). */
  private async all(name: StripeListName, params: { customer?: string; credit_grant?: string }): Promise<ListedObjects> {
    const data: StripeJson[] = [];
    let observedAt: Instant | null = null;
    let cursor: string | null = null;
    const trail = new CursorTrail('Stripe', `${name} (starting_after)`);
    // Bounded: each page advances the cursor; 10,000 pages is a million objects for one customer.
    for (let pages = 0; pages < 10_000; pages++) {
      const page: StripePage = await this.fetch(name, { limit: this.pageSize, ...params, ...(cursor === null ? {} : { starting_after: cursor }) });
      data.push(...page.data);
      observedAt = page.observedAt;
      const last = page.data.at(-1);
      if (!page.hasMore || last === undefined) return { data, observedAt };
      cursor = last.id as string;
      trail.next(cursor);
    }
    throw new SyncError('api', `${name}: more than 10,000 pages for ${JSON.stringify(params)}`);
  }

  /** Each stored customer's balance transactions; the cursor is the last customer done. */
  async customerBalanceTransactions(): Promise<void> {
    const stream: StripeStream = 'customer_balance_transactions';
    let state = this.state(stream) ?? { provider: 'stripe', stream, phase: 'backfill', windowGte: null, windowLt: null, cursor: null, objects: 0, updatedAt: this.options.now };
    if (state.phase === 'done') return;
    const customers = listStripeCustomers(this.db).map((customer) => customer.id).filter((id) => state.cursor === null || id > state.cursor);
    const turn = (): void => this.checkCancelled(`${stream} after customer ${state.cursor ?? '(none)'}`);
    turn();
    await fetchInOrder(customers, this.concurrency, (customerId) => this.all('customer_balance_transactions', { customer: customerId }), (customerId, { data, observedAt }) => {
      const origin = `stripe:/v1/customers/${customerId}/balance_transactions`;
      const parsed = mapApiObjects(data.map((object) => ({ object, origin, observedAt })), this.warnings, this.counts);
      state = { ...state, cursor: customerId, objects: state.objects + data.length, updatedAt: this.options.now };
      commitStripePage(this.db, parsed, { now: this.options.now, origin, computeVoids: false, state }, this.counts, this.warnings);
      this.committed(stream, data.length, state);
    }, turn);
    state = { ...state, phase: 'done', updatedAt: this.options.now };
    commitStripePage(this.db, mapApiObjects([], this.warnings, this.counts), { now: this.options.now, origin: 'stripe', computeVoids: false, state }, this.counts, this.warnings);
  }

  /** Credit grants (no `created` filter on this list), each page committed with its grants' balance transactions. */
  async creditGrants(): Promise<void> {
    const stream: StripeStream = 'credit_grants';
    const origin = 'stripe:/v1/billing/credit_grants';
    let state = this.state(stream) ?? { provider: 'stripe', stream, phase: 'backfill', windowGte: null, windowLt: null, cursor: null, objects: 0, updatedAt: this.options.now };
    if (state.phase === 'done') return;
    const trail = new CursorTrail('Stripe', 'credit_grants (starting_after)');
    if (state.cursor !== null) trail.next(state.cursor);
    for (let pages = 0; ; pages++) {
      if (pages > 1_000_000) throw new SyncError('api', 'credit_grants: the list does not end');
      this.checkCancelled(`${stream}${state.cursor === null ? '' : ` after ${state.cursor}`}`);
      const page = await this.fetch('credit_grants', { limit: this.pageSize, ...(state.cursor === null ? {} : { starting_after: state.cursor }) });
      const objects: ApiObject[] = page.data.map((object) => ({ object, origin, observedAt: page.observedAt }));
      const grantTransactions = (grant: StripeJson): Promise<ListedObjects> => {
        // Stripe asks for the customer on this list; the grant narrows it to the grant's transactions.
        const owner = typeof grant.customer === 'string' ? grant.customer : (grant.customer as { id?: string } | null)?.id;
        // Accounts v2: a grant of an account has customer null and names its customer_account.
        const account = owner === undefined && typeof grant.customer_account === 'string' ? grant.customer_account : undefined;
        return this.all('credit_balance_transactions', {
          credit_grant: grant.id as string, ...(owner === undefined ? {} : { customer: owner }), ...(account === undefined ? {} : { customer_account: account }),
        });
      };
      await fetchInOrder(page.data, this.concurrency, grantTransactions, (_grant, txns) => {
        for (const object of txns.data) objects.push({ object, origin: 'stripe:/v1/billing/credit_balance_transactions', observedAt: txns.observedAt });
      });
      const last = page.data.at(-1);
      const done = !page.hasMore || last === undefined;
      if (!done) trail.next(last.id as string);
      state = { ...state, phase: done ? 'done' : 'backfill', cursor: last === undefined ? state.cursor : (last.id as string), objects: state.objects + page.data.length, updatedAt: this.options.now };
      commitStripePage(this.db, mapApiObjects(objects, this.warnings, this.counts), { now: this.options.now, origin, computeVoids: true, state }, this.counts, this.warnings);
      this.committed(stream, objects.length, state);
      if (done) return;
    }
  }

  /**
   * Each grant holder's credit balance summary (stripe-credit-summaries.ts), kept as evidence and compared
   * with the replay as of the sync's now in the transaction that writes them. Stripe's summary is of its
   * ledger when asked, the replay of the events applied: when a credit event arrived after the events
   * pass, the two are of different moments, so the summaries are kept but not compared (the next sync
   * does), rather than showing a disagreement that is only the sync's own lag.
   */
  async creditBalanceSummaries(): Promise<void> {
    const stream: StripeStream = 'credit_balance_summaries';
    let fetched;
    try {
      fetched = await fetchCreditSummaries({
        db: this.db,
        api: this.options.api,
        ...(this.options.signal === undefined ? {} : { signal: this.options.signal }),
        warnings: this.warnings,
        concurrency: this.concurrency,
        beforeCustomer: (customerId) => this.checkCancelled(`${stream} at customer ${customerId}`),
        onSkipped: () => this.counts.skipped++,
      });
    } catch (error) {
      if (this.options.signal?.aborted && !(error instanceof Cancelled)) {
        this.stoppedAt = this.position;
        throw new Cancelled();
      }
      throw error;
    }
    if (fetched.customers === 0) return;
    const counts: BalanceSummaryCounts = { customers: fetched.customers, compared: fetched.usable, disagreeing: 0 };
    const lag = await this.creditEventsPending();
    if (lag !== null) {
      this.warnings.push(`Stripe's credit balance summaries were kept but not compared: ${lag}; the next sync compares them`);
      fetched.parsed.balanceSummaries = [];
      counts.compared = 0;
    }
    // No cursor: every sync asks again, and a summary is not a new object (not in `objects`), so a sync
    // with nothing new at Stripe still writes nothing (an unchanged summary is unchanged evidence).
    const stated = commitStripePage(this.db, fetched.parsed, { now: this.options.now, origin: SUMMARY_ORIGIN, computeVoids: false }, this.counts, this.warnings);
    counts.disagreeing = stated.disagreeing;
    this.balanceSummaries = counts;
    this.options.onProgress?.({ stream, objects: this.objects, byStream: { ...this.byStream } });
  }

  /** Why the store may be behind Stripe's credit ledger now (a credit event after the saved events cursor), or null. */
  private async creditEventsPending(): Promise<string | null> {
    const cursor = this.state('events')?.cursor ?? null;
    let page: StripePage;
    try {
      page = await this.fetch('events', { limit: 100, ...(cursor === null ? {} : { ending_before: cursor }) });
    } catch (error) {
      if (error instanceof SyncError && error.code === 'resource_missing') return `the saved events cursor ${cursor} is no longer available from Stripe`;
      throw error;
    }
    const credit = page.data.find((event) => typeof event.type === 'string' && event.type.startsWith('billing.credit'));
    if (credit !== undefined) return `Stripe recorded ${String(credit.type)} (${String(credit.id)}) after this sync read its events`;
    if (page.hasMore) return 'more than 100 events arrived at Stripe after this sync read its events';
    return null;
  }

  /** Events after the saved cursor, oldest first, a page per transaction. */
  async events(): Promise<void> {
    const stream: StripeStream = 'events';
    let state = this.state(stream);
    if (state === null) throw new Error('events: noteStart() was not run');
    const origin = 'stripe:/v1/events';
    if (state.cursor === null) {
      // No event existed when the sync started: read all there are now (newest first), apply oldest first.
      const { data, observedAt } = await this.all('events', {});
      void observedAt;
      const oldestFirst = data.reverse();
      for (let start = 0; start < oldestFirst.length; start += this.pageSize) {
        this.checkCancelled(`events after ${state.cursor ?? '(the first)'}`);
        state = await this.applyEvents(oldestFirst.slice(start, start + this.pageSize), state, origin);
      }
      return;
    }
    const trail = new CursorTrail('Stripe', 'events (ending_before)');
    trail.next(state.cursor);
    for (let pages = 0; ; pages++) {
      if (pages > 1_000_000) throw new SyncError('api', 'events: the list does not end');
      this.checkCancelled(`events after ${state.cursor}`);
      let page: StripePage;
      try {
        page = await this.fetch('events', { limit: this.pageSize, ending_before: state.cursor! });
      } catch (error) {
        if (error instanceof SyncError && error.code === 'resource_missing') {
          throw new SyncError(
            'api',
            `the saved events cursor ${state.cursor} is no longer available from Stripe (events are kept 30 days); ` +
              'sync into a new database to backfill again',
          );
        }
        throw error;
      }
      if (page.data.length === 0) return;
      // ending_before gives the page just newer than the cursor, newest first: apply it reversed.
      state = await this.applyEvents([...page.data].reverse(), state, origin);
      if (!page.hasMore) return;
      trail.next(state.cursor!);
    }
  }

  private async applyEvents(events: StripeJson[], state: SyncState, origin: string): Promise<SyncState> {
    const objects: ApiObject[] = events.map((object) => ({ object, origin, observedAt: null }));
    let parsed = mapApiObjects(objects, this.warnings, this.counts);
    // A credit balance transaction about a grant we do not hold yet: fetch the grant first.
    const missing = missingGrants(this.db, parsed);
    if (missing.length > 0) {
      for (const id of missing) {
        const grant = await this.options.api.retrieveCreditGrant(id, this.options.signal);
        objects.unshift({ object: grant.object, origin: 'stripe:/v1/billing/credit_grants', observedAt: grant.observedAt });
      }
      parsed = mapApiObjects(objects, [], emptySyncCounts());
    }
    const newest = events.at(-1)!;
    const next: SyncState = { ...state, cursor: newest.id as string, objects: state.objects + events.length, updatedAt: this.options.now };
    commitStripePage(this.db, parsed, { now: this.options.now, origin, computeVoids: false, state: next }, this.counts, this.warnings);
    this.committed('events', events.length, next);
    return next;
  }
}

export async function syncStripe(options: StripeSyncOptions): Promise<StripeSyncSummary> {
  const run = new StripeSyncRun(options);
  const wanted = new Set(options.streams ?? STRIPE_STREAMS);
  let cancelled = false;
  try {
    const { windowLt } = await run.noteStart();
    for (const stream of STRIPE_STREAMS) {
      if (!wanted.has(stream)) continue;
      if (stream === 'customer_balance_transactions') await run.customerBalanceTransactions();
      else if (stream === 'credit_grants') await run.creditGrants();
      else if (stream === 'events') await run.events();
      else if (stream === 'credit_balance_summaries') await run.creditBalanceSummaries();
      else await run.backfill(stream, windowLt);
    }
  } catch (error) {
    if (error instanceof SyncError && error.kind !== 'auth' && error.kind !== 'usage') {
      throw new SyncError(
        error.kind,
        `${error.message} (stopped at ${run.position}; ${run.objects} objects committed in this run are kept; run the same sync again to resume from there)`,
        error.code,
      );
    }
    if (!(error instanceof Cancelled)) throw error;
    cancelled = true;
  }
  return {
    counts: run.counts,
    byStream: run.byStream,
    objects: run.objects,
    warnings: run.warnings,
    cancelled,
    stoppedAt: run.stoppedAt,
    requests: options.api.stats.requests,
    rateLimited: options.api.stats.rateLimited,
    balanceSummaries: run.balanceSummaries,
  };
}
