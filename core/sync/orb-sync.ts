import { formatProblem, type ImportProblem, type ParsedEntry } from '../sources/index.js';
import { paymentLinks, parseOrbLedgerPages, stripePaymentOfInvoice, withLinks } from '../sources/orb-api/ledger.js';
import {
  addEntryMetadata,
  replacementWarnings,
  entriesWithMetadata,
  listSourceObjects,
  loadSyncState,
  saveSyncState,
  upsertSourceObject,
  type LedgerDb,
  type SyncState,
} from '../store/index.js';
import type { Instant } from '../time/instant.js';
import { writeLedgerEntries } from '../import/provider-entries.js';
import type { OrbApi, OrbPage } from './orb-client.js';
import { CursorTrail } from './cursor-trail.js';
import { DEFAULT_SYNC_CONCURRENCY, fetchInOrder } from './in-order.js';
import { SyncError } from './sync-errors.js';

/*
 * Orb sync (issue 3 §3): customers, then per customer its invoices (with payment attempts: the link
 * from a credit purchase to its Stripe payment), its credits ledger, newest first, down to the newest
 * entry already stored (the customer's cursor), and its credit balance (blocks, kept as evidence for
 * audit). One customer is one transaction: Orb pages run newest first, and an older page can create
 * the block a newer page voids, so a customer's new entries are validated by replay together.
 */

export interface OrbSyncProgress {
  stream: string;
  objects: number;
}

export interface OrbSyncOptions {
  db: LedgerDb;
  api: OrbApi;
  now: Instant;
  pageSize?: number;
  signal?: AbortSignal;
  /** Customers fetched at once (default DEFAULT_SYNC_CONCURRENCY); the rate limiter still paces every request. */
  concurrency?: number;
  onProgress?: (progress: OrbSyncProgress) => void;
  onCommit?: (stream: string) => void;
}

export interface OrbSyncSummary {
  customers: number;
  ledgerEntriesFetched: number;
  entries: { inserted: number; unchanged: number; conflicts: number };
  invoices: number;
  linksAdded: number;
  /** Posted adjustments whose local entry Orb's copy of them replaced. */
  adjustmentsReplaced: number;
  warnings: string[];
  cancelled: boolean;
  stoppedAt: string | null;
  requests: number;
}

const CUSTOMERS_STREAM = 'customers';
const MAX_PAGES = 100_000;

class OrbCancelled extends Error {}

/** One customer's lists, fetched ahead of its turn to be written. */
interface FetchedCustomer {
  customerState: SyncState | null;
  invoicePages: OrbPage[];
  ledgerPages: OrbPage[];
  creditPages: OrbPage[];
}

export async function syncOrb(options: OrbSyncOptions): Promise<OrbSyncSummary> {
  const { db, api, now } = options;
  const limit = options.pageSize ?? 100;
  const summary: OrbSyncSummary = {
    customers: 0, ledgerEntriesFetched: 0, entries: { inserted: 0, unchanged: 0, conflicts: 0 }, invoices: 0, linksAdded: 0, adjustmentsReplaced: 0,
    warnings: [], cancelled: false, stoppedAt: null, requests: 0,
  };
  let position = 'customers';
  const checkCancelled = (where: string): void => {
    position = where;
    if (options.signal?.aborted) throw new OrbCancelled();
  };
  let objects = 0;
  const progress = (stream: string, count: number): void => {
    objects += count;
    options.onCommit?.(stream);
    options.onProgress?.({ stream, objects });
  };
  const all = async (list: string, fetch: (cursor: string | null) => Promise<OrbPage>): Promise<OrbPage[]> => {
    const pages: OrbPage[] = [];
    let cursor: string | null = null;
    const trail = new CursorTrail('Orb', list);
    for (let i = 0; i < MAX_PAGES; i++) {
      const page: OrbPage = await fetch(cursor);
      pages.push(page);
      if (!page.hasMore || page.nextCursor === null) return pages;
      cursor = page.nextCursor;
      trail.next(cursor);
    }
    throw new SyncError('api', 'an Orb list did not end');
  };

  try {
    // Customers: every run lists them all again (new customers appear); an interrupted listing resumes.
    const saved = loadSyncState(db, 'orb', CUSTOMERS_STREAM);
    const resuming = saved !== null && saved.phase === 'backfill';
    let cursor = resuming ? saved.cursor : null;
    // `objects` counts the customers of the current listing (a fresh listing starts at 0).
    let listed = resuming ? saved.objects : 0;
    const customersTrail = new CursorTrail('Orb', 'GET /customers');
    if (cursor !== null) customersTrail.next(cursor);
    for (let i = 0; i < MAX_PAGES; i++) {
      checkCancelled(`customers${cursor === null ? '' : ` at cursor ${cursor}`}`);
      const page = await api.customers(cursor, limit, options.signal);
      const next: SyncState = {
        provider: 'orb', stream: CUSTOMERS_STREAM, phase: page.hasMore && page.nextCursor !== null ? 'backfill' : 'done', windowGte: null, windowLt: null,
        cursor: page.nextCursor, objects: listed + page.items.length, updatedAt: now,
      };
      db.transaction(() => {
        page.items.forEach((customer, index) => {
          upsertSourceObject(db, {
            provider: 'orb', objectType: 'customer', objectId: String(customer.id), customerId: String(customer.id), at: null,
            origin: { file: 'orb:/customers', line: null, pointer: null }, raw: page.raws[index]!, observedAt: null,
          }, now);
        });
        saveSyncState(db, next);
      }).immediate();
      listed = next.objects;
      progress(CUSTOMERS_STREAM, page.items.length);
      if (next.phase === 'done') break;
      cursor = page.nextCursor;
      customersTrail.next(cursor!);
    }

    // Each customer's three lists are fetched with several customers in flight (core/sync/in-order.ts);
    // each customer is then read and committed in order, so a stop leaves a prefix of customers done.
    const fetchCustomer = async (customerId: string): Promise<FetchedCustomer> => {
      const customerState = loadSyncState(db, 'orb', `ledger:${customerId}`);
      // Invoices first: their payment attempts link the increments about to be written.
      const invoicePages = await all(`GET /invoices?customer_id=${customerId}`, (c) => api.invoices(customerId, c, limit, options.signal));
      // The ledger, newest first, down to the page holding the newest entry stored last time.
      const ledgerPages: OrbPage[] = [];
      let ledgerCursor: string | null = null;
      const ledgerTrail = new CursorTrail('Orb', `GET /customers/${customerId}/credits/ledger`);
      for (let i = 0; i < MAX_PAGES; i++) {
        const page: OrbPage = await api.ledger(customerId, ledgerCursor, limit, options.signal);
        ledgerPages.push(page);
        const reachedStored = customerState?.cursor != null && page.items.some((item) => item.id === customerState.cursor);
        if (reachedStored || !page.hasMore || page.nextCursor === null) break;
        ledgerCursor = page.nextCursor;
        ledgerTrail.next(ledgerCursor);
      }
      const creditPages = await all(`GET /customers/${customerId}/credits`, (c) => api.credits(customerId, c, limit, options.signal));
      return { customerState, invoicePages, ledgerPages, creditPages };
    };
    const customerIds = listSourceObjects(db, 'orb', 'customer').map((customer) => customer.objectId);
    await fetchInOrder(customerIds, options.concurrency ?? DEFAULT_SYNC_CONCURRENCY, fetchCustomer, (customerId, fetchedCustomer) => {
      const { customerState, invoicePages, ledgerPages, creditPages } = fetchedCustomer;
      const stream = `ledger:${customerId}`;
      summary.customers++;
      const invoicePayments = new Map<string, string>();
      for (const page of invoicePages) {
        for (const invoice of page.items) {
          const payment = stripePaymentOfInvoice(invoice);
          if (payment !== null) invoicePayments.set(String(invoice.id), payment);
        }
      }
      const problems: ImportProblem[] = [];
      const source = `orb:/customers/${customerId}/credits/ledger`;
      const parsed = parseOrbLedgerPages(source, ledgerPages.map((page) => page.text), problems);
      const fetched = ledgerPages.reduce((n, page) => n + page.items.length, 0);
      summary.ledgerEntriesFetched += fetched;
      if (problems.length > 0) {
        summary.warnings.push(`customer ${customerId} skipped: its ledger has entries Ledgerscope cannot read: ${problems.slice(0, 3).map(formatProblem).join('; ')}`);
        return;
      }
      const linked: ParsedEntry[] = parsed.map((entry) => withLinks(entry, paymentLinks(entry, invoicePayments)));
      const newest = ledgerPages[0]?.items[0];
      try {
        db.transaction(() => {
          const result = writeLedgerEntries(db, linked, [], {
            mode: 'lenient', now, files: [{ path: source, format: 'orb-export', records: linked.length }], sourceOption: 'orb-api', order: 'as-given',
          }, problems);
          if (problems.length > 0) throw new SyncError('data', problems.slice(0, 3).map(formatProblem).join('; '));
          summary.entries.inserted += result.inserted;
          summary.entries.unchanged += result.unchanged;
          summary.entries.conflicts += result.conflicts.length;
          summary.adjustmentsReplaced += result.replaced.length;
          summary.warnings.push(...replacementWarnings(result.replaced));
          for (const conflict of result.conflicts) summary.warnings.push(`not applied: ${formatProblem(conflict)}`);
          summary.warnings.push(...result.notes);
          // Increments stored before their invoice was paid get the link now.
          for (const [invoiceId, payment] of invoicePayments) {
            for (const entryId of entriesWithMetadata(db, 'orb', 'orb_invoice_id', invoiceId)) {
              if (addEntryMetadata(db, 'orb', entryId, { payment_provider_id: payment })) summary.linksAdded++;
            }
          }
          for (const page of invoicePages) {
            page.items.forEach((invoice, index) => {
              summary.invoices++;
              upsertSourceObject(db, {
                provider: 'orb', objectType: 'invoice', objectId: String(invoice.id), customerId, at: null,
                origin: { file: 'orb:/invoices', line: null, pointer: null }, raw: page.raws[index]!, observedAt: null,
              }, now);
            });
          }
          upsertSourceObject(db, {
            provider: 'orb', objectType: 'credit_balance', objectId: customerId, customerId, at: null,
            origin: { file: `orb:/customers/${customerId}/credits`, line: null, pointer: null },
            raw: `[${creditPages.flatMap((page) => page.raws).join(',')}]`, observedAt: null,
          }, now);
          saveSyncState(db, {
            provider: 'orb', stream, phase: 'incremental', windowGte: null, windowLt: null,
            cursor: newest === undefined ? (customerState?.cursor ?? null) : String(newest.id),
            // Entries this stream added to the ledger, over all runs (a re-sync that adds none changes nothing).
            objects: (customerState?.objects ?? 0) + result.inserted, updatedAt: now,
          });
        }).immediate();
      } catch (error) {
        if (!(error instanceof SyncError) || error.kind !== 'data') throw error;
        // Orb's ledger for this customer does not replay under Ledgerscope's rules: keep nothing of it, say why.
        summary.warnings.push(`customer ${customerId} skipped: ${error.message}`);
        return;
      }
      progress(stream, fetched);
    }, (customerId) => checkCancelled(`customer ${customerId}`));
  } catch (error) {
    summary.requests = api.requests;
    if (error instanceof OrbCancelled || options.signal?.aborted) {
      summary.cancelled = true;
      summary.stoppedAt = position;
      return summary;
    }
    if (error instanceof SyncError && error.kind !== 'auth' && error.kind !== 'usage') {
      throw new SyncError(error.kind, `${error.message} (stopped at ${position}; what was committed is kept; run the same sync again to resume)`, error.code);
    }
    throw error;
  }
  summary.requests = api.requests;
  return summary;
}
