import type { z } from 'zod';
import * as s from './schemas.js';
import type {
  AccountDetail,
  AccountsPage,
  AccountTimeline,
  AdjustmentPosted,
  AdjustmentPreview,
  AdjustmentPushReport,
  AdjustmentsList,
  AppInfo,
  CustomerSearchResult,
  CustomerMappingList,
  CustomerTimelinePage,
  EntriesPage,
  EntryEvidence,
  ExportResult,
  JobStatus,
  PaymentEvidence,
  LiabilityReportView,
  PostedAdjustment,
  ReconcileComparison,
  ReconcileRunHistory,
  ReconcileRunPage,
  ReconcileRunsList,
  ReversalPreview,
  ReconcileRunSummary,
  SettingsView,
  Upload,
} from './types.js';

/*
 * The one contract between the UI and the engine (DESIGN §2): method name ('domain.verb') → zod input
 * schema → output type. The Electron IPC bridge, the HTTP bridge and the renderer are all typed from
 * this map, so a method one side lacks fails to compile (core/host/dispatch.ts's Handlers type).
 */

/** A method: its input schema at run time, its output type at compile time only. */
export interface MethodSpec<Input extends z.ZodType, Output> {
  readonly input: Input;
  /** Never set: carries the output type. */
  readonly output?: Output;
}

function method<Output>() {
  return <Input extends z.ZodType>(input: Input): MethodSpec<Input, Output> => ({ input });
}

export const contract = {
  /** Which host answers, its clock, and the database it serves. */
  'app.info': method<AppInfo>()(s.empty),
  /** Every account with balances, next expiry and amount expiring at as_of; searched, sorted, filtered and paged by the service. */
  'accounts.list': method<AccountsPage>()(s.accountsListInput),
  /** One account's balances and credit blocks at as_of. */
  'account.get': method<AccountDetail>()(s.accountGetInput),
  /** One account's entries at or before as_of, paged, filtered by kind and status. */
  'entries.list': method<EntriesPage>()(s.entriesListInput),
  /** The raw record an entry was imported from. */
  'entries.evidence': method<EntryEvidence>()(s.entriesEvidenceInput),
  /** The balance step series, purchases, expiries and upcoming expirations of one account (computed by core). */
  'timeline.get': method<AccountTimeline>()(s.timelineGetInput),
  /** One customer's ledger entries and Stripe payments, refunds and disputes on one time axis; the customer named by ledger id, Stripe id, email, name or payment id. */
  'customer.timeline': method<CustomerTimelinePage>()(s.customerTimelineInput),
  /** Customers named by a ledger id, Stripe customer id, name, email or payment / charge / invoice id: suggestions as the user types. */
  'customers.search': method<CustomerSearchResult>()(s.customersSearchInput),
  /** A Stripe payment, refund or dispute: its stored Stripe objects, raw, and what reconciliation says. */
  'payments.evidence': method<PaymentEvidence>()(s.paymentsEvidenceInput),
  /** Browser mode and drag-and-drop: the page hands over file contents (never a path). */
  'import.upload': method<Upload>()(s.importUploadInput),
  /** Desktop: main shows the open dialog and reads the files itself; null when the user cancelled. */
  'import.pick': method<Upload | null>()(s.empty),
  /** Starts a dry run of an upload: detected formats, first rows, every problem; nothing is written. */
  'import.preview': method<JobStatus>()(s.importJobInput),
  /** Starts the import of an upload (one transaction; any problem and nothing is written). */
  'import.run': method<JobStatus>()(s.importJobInput),
  'jobs.get': method<JobStatus>()(s.jobRef),
  'jobs.cancel': method<JobStatus>()(s.jobRef),
  /** Reconciliation window and tolerances; API keys masked. */
  'settings.get': method<SettingsView>()(s.empty),
  'settings.set': method<SettingsView>()(s.settingsSetInput),
  /** Every account's balances at as_of as CSV or JSON: downloaded by the page, or saved by main. */
  'export.balances': method<ExportResult>()(s.exportBalancesInput),
  /** Starts a reconciliation run at as_of (a job, off the host's main thread); the job's `reconcile` is the saved run. */
  'reconcile.run': method<JobStatus>()(s.reconcileRunInput),
  /** Saved runs, newest first, and how many payments and entries there are to reconcile. */
  'reconcile.runs': method<ReconcileRunsList>()(s.empty),
  /** One run: counts per category, drifting accounts, and its items (filtered, grouped by category, paged) with the payments and entries side by side. */
  'reconcile.get': method<ReconcileRunPage>()(s.reconcileGetInput),
  /** Differences that appeared, resolved or changed from one run to another. */
  'reconcile.compare': method<ReconcileComparison>()(s.reconcileCompareInput),
  /** Signs a run off and locks it: who (Settings' operator name) and a note; with open differences only confirmed and with a reason. */
  'reconcile.signOff': method<ReconcileRunSummary>()(s.reconcileSignOffInput),
  /** Lifts a sign-off with a reason (recorded); the run accepts adjustments again. */
  'reconcile.reopen': method<ReconcileRunSummary>()(s.reconcileReopenInput),
  /** A run's history in order: run, sign-off, re-open, adjustments, reversals, pushes, reviews; who and when. */
  'reconcile.history': method<ReconcileRunHistory>()(s.reconcileHistoryInput),
  /** Accepts or rejects a fuzzy or grouped match (rejected: an open difference again). */
  'reconcile.review': method<ReconcileRunSummary>()(s.reconcileReviewInput),
  /** The balances before and after a proposal (possibly edited) if it were posted now; writes nothing. */
  'adjustment.preview': method<AdjustmentPreview>()(s.adjustmentPreviewInput),
  /** Posts a confirmed proposal to the local ledger (one transaction; the same key twice posts once). */
  'adjustment.post': method<AdjustmentPosted>()(s.adjustmentPostInput),
  /** Adjustments as the providers' API request bodies (JSON Lines): downloaded by the page, or saved by main. */
  'adjustment.export': method<ExportResult>()(s.adjustmentExportInput),
  /** Posted adjustments with their push status (pushed, not pushed, failed with the provider's error). */
  'adjustment.list': method<AdjustmentsList>()(s.adjustmentListInput),
  /** Sends posted adjustments to Orb / Moesif with the host's keys; only with confirm: true; idempotent by key. */
  'adjustment.push': method<AdjustmentPushReport>()(s.adjustmentPushInput),
  /** Stops the push under way after the adjustment being sent (a wait for a retry ends at once); false when none is under way. */
  'adjustment.pushCancel': method<{ cancelled: boolean }>()(s.empty),
  /** What reversing a posted adjustment would post, with the balances before and after; writes nothing. */
  'adjustment.reversePreview': method<ReversalPreview>()(s.adjustmentReversePreviewInput),
  /** Posts the reversal of a posted adjustment (linked to it, never a deletion), with a reason. */
  'adjustment.reverse': method<PostedAdjustment>()(s.adjustmentReverseInput),
  /** Imports a customer mapping CSV (ledger customer id, Stripe customer id): all rows or none. */
  'mapping.import': method<CustomerMappingList>()(s.mappingImportInput),
  'mapping.list': method<CustomerMappingList>()(s.empty),
  /** Sets or (null) removes the ledger customer of one Stripe customer. */
  'mapping.set': method<CustomerMappingList>()(s.mappingSetInput),
  /** The credit liability roll-forward over [from, to): per unit and per account, each line with its entry ids. */
  'report.liability': method<LiabilityReportView>()(s.reportLiabilityInput),
  /** The roll-forward as CSV, or the journal to post from it: downloaded by the page, or saved by main. */
  'report.liabilityExport': method<ExportResult>()(s.reportLiabilityExportInput),
  /** A saved run's reconciliation report as XLSX or CSV (what the CLI's reconcile --report writes). */
  'reconcile.reportExport': method<ExportResult>()(s.reconcileReportExportInput),
} as const;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
/** What a handler receives: the input after its schema parsed it. */
export type MethodInput<M extends MethodName> = z.output<Contract[M]['input']>;
/** What a caller sends. */
export type MethodParams<M extends MethodName> = z.input<Contract[M]['input']>;
export type MethodOutput<M extends MethodName> = Exclude<Contract[M]['output'], undefined>;

/** A host's implementation of one method: receives the parsed input. */
export type Handler<M extends MethodName> = (input: MethodInput<M>) => Promise<MethodOutput<M>> | MethodOutput<M>;

/** One handler per contract method: a host that lacks one fails to compile. */
export type Handlers = { [M in MethodName]: Handler<M> };

export const METHOD_NAMES = Object.keys(contract) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(contract, name);
}

/** Error codes every host answers with; the renderer shows `message`. */
export type ApiErrorCode =
  | 'unknown_method'
  | 'invalid_input'
  | 'forbidden'
  | 'not_found'
  | 'unavailable'
  | 'conflict'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'internal';

export interface ApiErrorBody {
  code: ApiErrorCode;
  message: string;
}

/** Every call resolves to a value; errors are values the renderer can show, never a thrown IPC error. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiErrorBody };
