import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Handlers, MethodInput } from '../api/contract.js';
import { ApiError } from '../api/errors.js';
import type { AdjustmentPushReport, AdjustmentsList, AppInfo, CustomerContactView, CustomerSearchResult, ExportResult } from '../api/types.js';
import type { Provider } from '../reconcile/index.js';
import { csvRecord } from '../report/csv-write.js';
import { countEntries, isLedgerWritable, LedgerDbError, listAccounts, openLedgerDb, readOnlyLedger, type LedgerDb } from '../store/index.js';
import { formatInstant, InstantParseError, parseInstant, type Instant } from '../time/instant.js';
import { AccountReplays, accountDetail, entriesPage, entryEvidence } from './account-queries.js';
import {
  adjustmentExport,
  adjustmentPost,
  adjustmentPreview,
  compareRuns,
  runPage,
  RunItemsCache,
  runsList,
  signOff,
} from './reconcile-queries.js';
import { listPostedAdjustments, pushAdjustments, type AdjustmentPushClient, type PushOptions } from './adjustments.js';
import { apiErrorOf } from './reconcile-queries.js';
import { AccountScaleCache } from './account-scales.js';
import { accountsPage, computeSummaries, summaryViews, type AccountContacts, type Summaries } from './summary-queries.js';
import { contactHaystack, customerDirectory, type CustomerDirectory } from './customer-directory.js';
import { findCustomer, searchCustomers } from './customer-lookup.js';
import { paymentEvidence } from './payment-evidence.js';
import { history, mappingImport, mappingList, mappingSet, reopen, reverse, reversePreview, review } from './close-queries.js';
import { liabilityExport, liabilityView } from './liability-queries.js';
import { liabilityFile, reconcileReportFile, type ExportFile } from './close-exports.js';
import type { JournalAccountNames } from '../report/index.js';
import { accountTimeline, customerTimeline, CustomerTimelineCache, DEFAULT_MAX_POINTS } from './timeline-queries.js';

/*
 * The application API behind the contract (DESIGN §2): what the Electron main process and the HTTP host
 * call for every read. It keeps one read connection and caches replays per (database, as-of window) in
 * memory, so a keystroke in the accounts search never replays the ledger; any change to the database
 * file (an import here, or the CLI writing to it meanwhile) drops the caches.
 */

export interface AppServiceOptions {
  dbPath: string;
  /** The host's clock: core never reads it itself. */
  clock: () => Instant;
}

/** Enough of a file's identity to tell that a commit happened: size and mtime of the file and its WAL. */
function fileStamp(path: string): string {
  const part = (file: string): string => {
    try {
      const stat = statSync(file);
      return `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
    } catch {
      return '-';
    }
  };
  return `${part(path)}|${part(`${path}-wal`)}`;
}

export class AppService {
  private db: LedgerDb | null = null;
  /** The file could not be written when it was opened: reads work on a read-only connection, writes are refused. */
  private readOnly = false;
  private stamp = '';
  private readonly replays = new AccountReplays();
  private readonly customerTimelines = new CustomerTimelineCache();
  /** Complete runs never change: their items survive invalidate(). */
  private readonly runItems = new RunItemsCache();
  private summaries: Summaries[] = [];
  private readonly scales = new AccountScaleCache();
  private counts: { entries: number; accounts: number } | null = null;
  private directory: { value: CustomerDirectory; contacts: AccountContacts } | null = null;

  constructor(private readonly options: AppServiceOptions) {}

  get dbPath(): string {
    return this.options.dbPath;
  }

  now(): Instant {
    return this.options.clock();
  }

  /** Drops every cache: call after writing to the database. */
  invalidate(): void {
    this.replays.clear();
    this.customerTimelines.clear();
    this.summaries = [];
    this.scales.clear();
    this.counts = null;
    this.directory = null;
    this.stamp = '';
  }

  close(): void {
    this.invalidate();
    this.runItems.clear();
    this.db?.close();
    this.db = null;
    this.readOnly = false;
  }

  /** The read connection, or null while the database file does not exist (nothing imported yet). */
  private connection(): LedgerDb | null {
    if (this.db === null) {
      if (!existsSync(this.options.dbPath)) return null;
      try {
        // A ledger that cannot be written (a read-only file, folder or disk) is opened read-only, as the
        // CLI's reading commands open it: it shows, and every write says it is read-only.
        const readOnly = !isLedgerWritable(this.options.dbPath);
        this.db = openLedgerDb(this.options.dbPath, { create: false, readOnly });
        this.readOnly = readOnly;
      } catch (error) {
        if (error instanceof LedgerDbError) throw new ApiError('unavailable', error.message);
        throw error;
      }
    }
    // Stamped after opening: opening in WAL mode creates the -wal file, which is not a change.
    const stamp = fileStamp(this.options.dbPath);
    if (stamp !== this.stamp) {
      this.invalidate();
      this.stamp = stamp;
    }
    return this.db;
  }

  private requireDb(): LedgerDb {
    const db = this.connection();
    if (db === null) {
      throw new ApiError('not_found', `${basename(this.options.dbPath)} has no ledger yet: import a file first`);
    }
    return db;
  }

  /** The connection for a write: refused, in the CLI's one line, when the ledger is read-only. */
  private writeDb(): LedgerDb {
    const db = this.requireDb();
    if (this.readOnly) throw new ApiError('unavailable', readOnlyLedger(this.options.dbPath).message);
    return db;
  }

  /** Throws not_found (import a file first) while the database does not exist. */
  assertDatabase(): void {
    this.requireDb();
  }

  asOf(text: string | undefined): Instant {
    if (text === undefined) return this.now();
    try {
      return parseInstant(text);
    } catch (error) {
      if (error instanceof InstantParseError) throw new ApiError('invalid_input', `as_of: ${error.message}`);
      throw error;
    }
  }

  databaseInfo(): AppInfo['database'] {
    const db = this.connection();
    if (db === null) return { name: basename(this.options.dbPath), path: this.options.dbPath, exists: false, entry_count: 0, account_count: 0 };
    this.counts ??= { entries: countEntries(db), accounts: listAccounts(db).length };
    return {
      name: basename(this.options.dbPath),
      path: this.options.dbPath,
      exists: true,
      entry_count: this.counts.entries,
      account_count: this.counts.accounts,
      ...(this.readOnly ? { read_only: true } : {}),
    };
  }

  private summariesAt(db: LedgerDb, asOf: Instant): Summaries {
    const cached = this.summaries.find((s) => s.asOf <= asOf && asOf < s.validUntil);
    if (cached !== undefined) return cached;
    const computed = computeSummaries(db, asOf);
    // Two instants kept: "now" and the one the as-of control points at.
    this.summaries = [computed, ...this.summaries].slice(0, 2);
    return computed;
  }

  /** Names, emails and Stripe customers of the ledger customers: built once per database state. */
  private directoryOf(db: LedgerDb): { value: CustomerDirectory; contacts: AccountContacts } {
    if (this.directory === null) {
      const value = customerDirectory(db);
      const haystacks = new Map<string, { name: string | null; email: string | null; haystack: string }>();
      for (const contact of value.byId.values()) haystacks.set(contact.customerId, { name: contact.name, email: contact.email, haystack: contactHaystack(contact) });
      this.directory = { value, contacts: haystacks };
    }
    return this.directory;
  }

  private contactView(db: LedgerDb, customerId: string): CustomerContactView {
    const contact = this.directoryOf(db).value.byId.get(customerId);
    return { name: contact?.name ?? null, email: contact?.email ?? null, stripe_customer_ids: contact?.stripeCustomerIds ?? [] };
  }

  accountsList(input: MethodInput<'accounts.list'>) {
    const asOf = this.asOf(input.as_of);
    const db = this.connection();
    if (db === null) return { as_of: formatInstant(asOf), total_accounts: 0, total: 0, offset: input.offset, rows: [], totals: [] };
    const page = accountsPage(this.summariesAt(db, asOf), input, asOf, this.directoryOf(db).contacts);
    const rows = this.scales.attach(db, page.rows);
    return { ...page, rows, totals: this.scales.totals(page.totals, rows) };
  }

  accountGet(input: MethodInput<'account.get'>) {
    const db = this.requireDb();
    return {
      ...accountDetail(this.replays, db, input.account, this.asOf(input.as_of)),
      customer: this.contactView(db, input.account.customer_id),
      scale: this.scales.of(db, [input.account])[0]!,
    };
  }

  /** Suggestions for the text typed so far, and the customer it names exactly (if one). */
  customersSearch(input: MethodInput<'customers.search'>): CustomerSearchResult {
    const db = this.connection();
    if (db === null || input.query.trim() === '') return { query: input.query, exact: null, problem: null, suggestions: [] };
    const directory = this.directoryOf(db).value;
    let exact: CustomerSearchResult['exact'] = null;
    let problem: string | null = null;
    try {
      const found = findCustomer(db, input.query, directory);
      exact = { customer_id: found.customerId, matched_by: found.matchedBy };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      problem = error.message;
    }
    return { query: input.query, exact, problem, suggestions: searchCustomers(db, input.query, input.limit ?? 8, directory) };
  }

  paymentsEvidence(input: MethodInput<'payments.evidence'>) {
    return paymentEvidence(this.requireDb(), input.id);
  }

  entriesList(input: MethodInput<'entries.list'>) {
    return entriesPage(this.replays, this.requireDb(), input, this.asOf(input.as_of));
  }

  entriesEvidence(input: MethodInput<'entries.evidence'>) {
    return entryEvidence(this.requireDb(), input.source, input.id);
  }

  timelineGet(input: MethodInput<'timeline.get'>) {
    return accountTimeline(this.replays, this.requireDb(), input.account, this.asOf(input.as_of), input.max_points ?? DEFAULT_MAX_POINTS);
  }

  customerTimeline(input: MethodInput<'customer.timeline'>) {
    const db = this.requireDb();
    const directory = this.directoryOf(db).value;
    // Any way support names a customer (a Stripe id, an email, a payment id) reads that ledger customer's timeline.
    const customerId = directory.byId.has(input.customer_id) ? input.customer_id : findCustomer(db, input.customer_id, directory).customerId;
    const page = customerTimeline(this.customerTimelines, this.replays, db, directory, customerId, this.asOf(input.as_of), input.offset, input.limit);
    return { ...page, accounts: this.scales.attach(db, page.accounts) };
  }

  reconcileRuns() {
    return runsList(this.connection());
  }

  reconcileGet(input: MethodInput<'reconcile.get'>) {
    return runPage(this.runItems, this.requireDb(), input);
  }

  reconcileCompare(input: MethodInput<'reconcile.compare'>) {
    return compareRuns(this.requireDb(), input);
  }

  reconcileSignOff(input: MethodInput<'reconcile.signOff'>, operator: string | null = null) {
    const signed = signOff(this.writeDb(), input, this.now(), operator);
    this.invalidate();
    return signed;
  }

  reconcileReopen(input: MethodInput<'reconcile.reopen'>, operator: string | null) {
    const reopened = reopen(this.writeDb(), input, this.now(), operator);
    this.invalidate();
    return reopened;
  }

  reconcileHistory(input: MethodInput<'reconcile.history'>) {
    return history(this.requireDb(), input);
  }

  reconcileReview(input: MethodInput<'reconcile.review'>, operator: string | null) {
    const reviewed = review(this.writeDb(), input, this.now(), operator);
    this.invalidate();
    return reviewed;
  }

  adjustmentReversePreview(input: MethodInput<'adjustment.reversePreview'>) {
    return reversePreview(this.requireDb(), input, this.now());
  }

  /** Writes one ledger entry, like a post. */
  adjustmentReverse(input: MethodInput<'adjustment.reverse'>, operator: string | null) {
    const reversed = reverse(this.writeDb(), input, this.now(), operator);
    this.invalidate();
    return reversed;
  }

  mappingList() {
    return mappingList(this.connection());
  }

  reportLiability(input: MethodInput<'report.liability'>) {
    const db = this.requireDb();
    return this.scales.liability(db, liabilityView(db, input));
  }

  /** The roll-forward CSV or the journal (with the account names from Settings). */
  reportLiabilityExport(input: MethodInput<'report.liabilityExport'>, accounts: JournalAccountNames): { file_name: string; text: string } {
    return liabilityExport(this.requireDb(), input, accounts, basename(this.options.dbPath));
  }

  /** Roll-forward CSV or XLSX, or the journal CSV: text or bytes, for the host to save or send. */
  reportLiabilityFile(input: MethodInput<'report.liabilityExport'>, accounts: JournalAccountNames): Promise<ExportFile> {
    return liabilityFile(this.requireDb(), input, accounts, basename(this.options.dbPath));
  }

  /** A saved run's reconciliation report, XLSX or CSV. */
  reconcileReportFile(input: MethodInput<'reconcile.reportExport'>): Promise<ExportFile> {
    return reconcileReportFile(this.requireDb(), input, basename(this.options.dbPath));
  }

  mappingImport(input: MethodInput<'mapping.import'>) {
    const list = mappingImport(this.writeDb(), input, this.now());
    this.invalidate();
    return list;
  }

  mappingSet(input: MethodInput<'mapping.set'>) {
    const list = mappingSet(this.writeDb(), input, this.now());
    this.invalidate();
    return list;
  }

  adjustmentPreview(input: MethodInput<'adjustment.preview'>) {
    return adjustmentPreview(this.requireDb(), input, this.now());
  }

  /** Writes one ledger entry: the caches are dropped (the host tells the page the data changed). */
  adjustmentPost(input: MethodInput<'adjustment.post'>, operator: string | null = null) {
    const posted = adjustmentPost(this.writeDb(), input.by === undefined && operator !== null ? { ...input, by: operator } : input, this.now());
    this.invalidate();
    return posted;
  }

  adjustmentList(input: MethodInput<'adjustment.list'>, pushReady: AdjustmentsList['push_ready']): AdjustmentsList {
    const db = this.connection();
    if (db === null) return { adjustments: [], push_ready: pushReady };
    const filter = {
      ...(input.run_id === undefined ? {} : { runId: input.run_id }),
      ...(input.unpushed === undefined ? {} : { unpushed: input.unpushed }),
      ...(input.customer_id === undefined ? {} : { customerId: input.customer_id }),
      ...(input.provider === undefined ? {} : { provider: input.provider }),
      ...(input.push_status === undefined ? {} : { pushStatus: input.push_status }),
    };
    return { adjustments: listPostedAdjustments(db, filter), push_ready: pushReady };
  }

  /** Sends posted adjustments with the host's clients; records each outcome (push status only, no entry). */
  async adjustmentPush(
    input: MethodInput<'adjustment.push'>,
    clients: { clients: Partial<Record<Provider, AdjustmentPushClient>>; missing: Partial<Record<Provider, string>> },
    operator: string | null = null,
    control: Pick<PushOptions, 'signal' | 'onProgress'> = {},
  ): Promise<AdjustmentPushReport> {
    const db = this.writeDb();
    try {
      return await pushAdjustments(db, {
        ...control,
        confirm: input.confirm,
        ...(input.keys === undefined ? {} : { keys: input.keys }),
        ...(input.run_id === undefined ? {} : { runId: input.run_id }),
        clients: clients.clients,
        missing: clients.missing,
        now: () => this.now(),
        by: operator,
      });
    } catch (error) {
      throw apiErrorOf(error);
    }
  }

  adjustmentExport(input: MethodInput<'adjustment.export'>): { file_name: string; text: string } {
    return adjustmentExport(this.requireDb(), input, basename(this.options.dbPath));
  }

  /** Every account's balances at as_of, as a file (CSV: RFC 4180 with a header; JSON: like `balances --json`). */
  exportBalances(input: MethodInput<'export.balances'>): { file_name: string; text: string } {
    const asOf = this.asOf(input.as_of);
    const db = this.requireDb();
    const views = summaryViews(this.summariesAt(db, asOf));
    const stamp = formatInstant(asOf).replace(/[:.]/g, '-');
    const base = `${basename(this.options.dbPath).replace(/\.[^.]*$/, '')}-balances-${stamp}`;
    if (input.format === 'json') {
      return { file_name: `${base}.json`, text: JSON.stringify({ as_of: formatInstant(asOf), accounts: views }, null, 2) + '\n' };
    }
    const columns = [
      'customer_id', 'subscription_id', 'unit', 'current', 'pending', 'available', 'deficit', 'next_expiry_at', 'amount_expiring',
      'scheduled',
    ] as const;
    let text = csvRecord([...columns, 'as_of']);
    for (const view of views) text += csvRecord([...columns.map((column) => view[column]), formatInstant(asOf)]);
    return { file_name: `${base}.csv`, text };
  }
}

/** The contract methods the service answers the same way in every host. */
export type ServiceMethod =
  | 'accounts.list'
  | 'account.get'
  | 'entries.list'
  | 'entries.evidence'
  | 'timeline.get'
  | 'customer.timeline'
  | 'customers.search'
  | 'payments.evidence'
  | 'reconcile.runs'
  | 'reconcile.get'
  | 'reconcile.compare'
  | 'reconcile.signOff'
  | 'adjustment.preview'
  | 'adjustment.post'
  | 'reconcile.reopen'
  | 'reconcile.history'
  | 'reconcile.review'
  | 'adjustment.reversePreview'
  | 'adjustment.reverse'
  | 'mapping.list'
  | 'mapping.import'
  | 'mapping.set'
  | 'report.liability';

/**
 * `onDataChanged`: after a handler wrote to the database (the host tells the page). `operator`: the name
 * set in Settings, recorded with sign-offs, re-opens, adjustments, reversals and reviews.
 */
export function serviceHandlers(service: AppService, onDataChanged: () => void = () => {}, operator: () => string | null = () => null): Pick<Handlers, ServiceMethod> {
  const changed = <T>(value: T): T => {
    onDataChanged();
    return value;
  };
  return {
    'reconcile.runs': () => service.reconcileRuns(),
    'reconcile.get': (input) => service.reconcileGet(input),
    'reconcile.compare': (input) => service.reconcileCompare(input),
    'reconcile.signOff': (input) => changed(service.reconcileSignOff(input, operator())),
    'reconcile.reopen': (input) => changed(service.reconcileReopen(input, operator())),
    'reconcile.history': (input) => service.reconcileHistory(input),
    'reconcile.review': (input) => changed(service.reconcileReview(input, operator())),
    'adjustment.preview': (input) => service.adjustmentPreview(input),
    'adjustment.post': (input) => {
      const posted = service.adjustmentPost(input, operator());
      if (posted.status === 'posted') onDataChanged();
      return posted;
    },
    'adjustment.reversePreview': (input) => service.adjustmentReversePreview(input),
    'adjustment.reverse': (input) => changed(service.adjustmentReverse(input, operator())),
    'mapping.list': () => service.mappingList(),
    'mapping.import': (input) => changed(service.mappingImport(input)),
    'mapping.set': (input) => changed(service.mappingSet(input)),
    'report.liability': (input) => service.reportLiability(input),
    'accounts.list': (input) => service.accountsList(input),
    'account.get': (input) => service.accountGet(input),
    'entries.list': (input) => service.entriesList(input),
    'entries.evidence': (input) => service.entriesEvidence(input),
    'timeline.get': (input) => service.timelineGet(input),
    'customer.timeline': (input) => service.customerTimeline(input),
    'customers.search': (input) => service.customersSearch(input),
    'payments.evidence': (input) => service.paymentsEvidence(input),
  };
}

/** The browser host answers export.balances with the file's text; the desktop host saves it itself. */
export function exportForDownload(service: AppService, input: MethodInput<'export.balances'>): ExportResult {
  const file = service.exportBalances(input);
  return { file_name: file.file_name, text: file.text, saved_to: null };
}

/** The same for adjustment.export (JSON Lines of provider request bodies). */
export function adjustmentsForDownload(service: AppService, input: MethodInput<'adjustment.export'>): ExportResult {
  const file = service.adjustmentExport(input);
  return { file_name: file.file_name, text: file.text, saved_to: null };
}
