/*
 * What crosses the contract (core/api/contract.ts), as the renderer receives it. Pure types, no imports:
 * the renderer may import this module and nothing else from core.
 *
 * Conventions (DESIGN §3): an amount is a canonical decimal string ("12.5", "-0.0001"), never a number;
 * an instant is ISO 8601 UTC with milliseconds ("2025-01-10T00:00:00.000Z"); keys are snake_case as in
 * the CLI's JSON (DESIGN §7).
 */

/** A canonical decimal string. */
export type DecimalText = string;
/** ISO 8601 UTC with milliseconds. */
export type InstantText = string;

export const ENTRY_KIND_NAMES = ['increment', 'decrement', 'expiration_change', 'void', 'amendment', 'expiry'] as const;
export type EntryKindName = (typeof ENTRY_KIND_NAMES)[number];
export const ENTRY_STATUS_NAMES = ['posted', 'pending'] as const;
export type EntryStatusName = (typeof ENTRY_STATUS_NAMES)[number];
export const BLOCK_STATUS_NAMES = ['scheduled', 'active', 'depleted', 'expired', 'voided', 'pending_payment'] as const;
export type BlockStatusName = (typeof BLOCK_STATUS_NAMES)[number];
export const ENTRY_SOURCE_NAMES = ['moesif', 'orb', 'stripe', 'ledgerscope'] as const;
export type EntrySourceName = (typeof ENTRY_SOURCE_NAMES)[number];
export const SOURCE_FORMAT_NAMES = ['moesif', 'orb-bodies', 'orb-export', 'stripe', 'stripe-csv'] as const;
export type SourceFormatName = (typeof SOURCE_FORMAT_NAMES)[number];

// ----- app -----

export interface AppInfo {
  host: 'desktop' | 'browser';
  version: string;
  /** The host's clock when it answered: what "now" means for as-of defaults. */
  now: InstantText;
  /** path: the database file the host serves, as it was opened (empty states name it). */
  database: { name: string; path?: string; exists: boolean; entry_count: number; account_count: number; read_only?: boolean };
  /** Screens whose engines are not built yet say so instead of failing. */
  features: { reconciliation: boolean; payments: boolean };
}

// ----- accounts -----

/** An account is (customer, subscription or none, unit). */
export interface AccountRef {
  customer_id: string;
  subscription_id: string | null;
  unit: string;
}

export interface AccountBalances {
  current: DecimalText;
  pending: DecimalText;
  available: DecimalText;
  deficit: DecimalText;
  /** L3: posted credit in blocks not yet effective (or awaiting activation); shown, not in current or available. */
  scheduled: DecimalText;
}

/**
 * The first entry of an account whose balance, as its source states it (Orb's ending_balance), differs
 * from the replay's, as the last import that stated balances for the account found it.
 */
export interface SourceDisagreement {
  entry_id: string;
  source: EntrySourceName;
  ledger_sequence_number: number;
  created_at: InstantText;
  /** The balance the source states after the entry. */
  stated: DecimalText;
  /** The balance the replay gives after the same entry. */
  replayed: DecimalText;
}

export interface AccountSummary extends AccountRef, AccountBalances {
  /** The soonest expiry after as_of of a block with something remaining, or null. */
  next_expiry_at: InstantText | null;
  /** What remains in the blocks that expire at next_expiry_at ("0" when none). */
  amount_expiring: DecimalText;
  /** Entries at or before as_of (generated expiries included). */
  entry_count: number;
  last_entry_at: InstantText | null;
  /** The customer's name and email where a source states them (accounts.list only). */
  customer_name?: string | null;
  customer_email?: string | null;
  /** Where the replay parts from the balances the source states; null when it agrees or states none. */
  source_disagreement?: SourceDisagreement | null;
  /** The account's scale, as account.get gives it (accounts.list only): its amounts show at least this many digits. */
  scale?: number;
}

export const ACCOUNT_SORT_KEYS = [
  'customer_id', 'unit', 'current', 'pending', 'available', 'deficit', 'next_expiry_at', 'amount_expiring', 'last_entry_at',
  'scheduled',
] as const;
export type AccountSortKey = (typeof ACCOUNT_SORT_KEYS)[number];

export interface AccountsPage {
  as_of: InstantText;
  /** Accounts that existed at as_of. */
  total_accounts: number;
  /** Accounts matching search and filters. */
  total: number;
  offset: number;
  rows: AccountSummary[];
  /** Per unit, over every account matching search and filters (not only this page). */
  totals: AccountUnitTotals[];
}

export interface AccountUnitTotals {
  unit: string;
  accounts: number;
  current: DecimalText;
  pending: DecimalText;
  scheduled: DecimalText;
  deficit: DecimalText;
  /** What expires at the accounts' next expiry when that falls within `expiring_within_days` of as_of. */
  expiring: DecimalText;
  /** The list's "expiring within" filter, else 30. */
  expiring_within_days: number;
  /** The most of the listed rows' scales in this unit (the app's view only): its totals show at least this many digits. */
  scale?: number;
}

export interface BlockDetail {
  id: string;
  subscription_id: string | null;
  unit: string;
  initial: DecimalText;
  remaining: DecimalText;
  consumed: DecimalText;
  expired: DecimalText;
  voided: DecimalText;
  moved_out: DecimalText;
  amended: DecimalText;
  effective_at: InstantText;
  expires_at: InstantText | null;
  cost_basis: DecimalText | null;
  priority: number | null;
  status: BlockStatusName;
}

export interface AccountDetail {
  as_of: InstantText;
  account: AccountRef & AccountBalances;
  blocks: BlockDetail[];
  /** Entries at or before as_of (generated expiries included). */
  entry_count: number;
  first_entry_at: InstantText | null;
  last_entry_at: InstantText | null;
  /** Name and email of the account's customer, where a source states them. */
  customer?: CustomerContactView;
  /** Where the replay parts from the balances the source states; null when it agrees or states none. */
  source_disagreement?: SourceDisagreement | null;
  /** Digits after the point every amount of this account is shown with at least (core/store/account-scale.ts). */
  scale?: number;
}

// ----- entries -----

// The engine owns the entry row (core/ledger/entry-row-types.ts, a module of types only); the contract
// re-exports it, so dependencies point down (STYLE habit 11) and the page still bundles no engine code.
export type { EffectRow, EntryRow } from '../ledger/entry-row-types.js';
import type { EntryRow } from '../ledger/entry-row-types.js';

export interface EntriesPage {
  as_of: InstantText;
  /** Entries matching the filters. */
  total: number;
  /** Entries at or before as_of, unfiltered. */
  total_unfiltered: number;
  offset: number;
  rows: EntryRow[];
}

/** The raw record stored beside an entry when it was imported (DESIGN §5: evidence). */
export interface EntryEvidence {
  source: string;
  id: string;
  /** The record exactly as read: a JSON Lines line, a CSV row, a JSON element. */
  raw: string;
  file: string;
  line: number | null;
  pointer: string | null;
  imported_at: InstantText;
  metadata: Record<string, unknown> | null;
  stated: { sequence: number | null; starting_balance: DecimalText | null; ending_balance: DecimalText | null } | null;
  external_customer_id: string | null;
  /** The block the source names could not cover this decrement: why, and where the rest went (null otherwise). */
  allocation_warning?: string | null;
}

// ----- timeline -----

/**
 * One step of a balance series: the balance holds from `at` until the next point. `t` and `y` are chart
 * coordinates (milliseconds, and a float of the balance for plotting only); the amount is `balance`.
 */
export interface SeriesPoint {
  at: InstantText;
  t: number;
  balance: DecimalText;
  y: number;
}

/** A purchase, an expiry or an upcoming expiry on the chart. */
export interface TimelineMarker {
  at: InstantText;
  t: number;
  amount: DecimalText;
  block_id: string | null;
  entry_id: string | null;
  /** The balance right after it (chart position). */
  balance: DecimalText;
  y: number;
}

export interface AccountTimeline {
  as_of: InstantText;
  unit: string;
  /** Posted balance after each entry up to as_of, thinned to at most max_points keeping every step's extremes. */
  series: SeriesPoint[];
  /** From as_of on: the balance if nothing but the scheduled expiries happened. */
  projected: SeriesPoint[];
  purchases: TimelineMarker[];
  expiries: TimelineMarker[];
  /** Expiries after as_of of blocks with something remaining, soonest first. */
  upcoming: TimelineMarker[];
  /** True when the series was thinned (an account with more entries than max_points). */
  thinned: boolean;
}

// ----- customer timeline (support) -----

export interface CustomerLedgerItem {
  type: 'ledger_entry';
  at: InstantText;
  account: AccountRef;
  entry: EntryRow;
  /** The account's posted balance right after this entry. */
  balance_after: DecimalText;
}

/**
 * Stripe money beside the ledger (payments, refunds, disputes). The shape is fixed now; items appear
 * once the Stripe sources land (issue 3), linked to an account when reconciliation can tell which.
 */
export interface CustomerMoneyItem {
  type: 'payment' | 'refund' | 'dispute';
  at: InstantText;
  account: AccountRef | null;
  id: string;
  amount: DecimalText;
  currency: string;
  status: string;
  description: string | null;
  balance_after: DecimalText | null;
  /** What the money did, in words support reads (Stripe's own word stays in `status`). */
  money_status: MoneyStatusName;
  /** The direction shown: payments positive, refunds and disputes negative (a magnitude in `amount`). */
  signed_amount: DecimalText;
  /** Money that actually moved: 0 for failed, processing and canceled payments, open and won disputes. */
  received: DecimalText;
  /** Money received from this customer in this currency up to and including this row (net of refunds and lost disputes). */
  received_after: DecimalText;
  /** Every Stripe object of this payment (intent, charge, invoice, session), or the refund or dispute alone. */
  object_ids: string[];
  /** What the latest complete reconciliation run says about it; null when no run covers it. */
  reconciliation: MoneyReconciliation | null;
}

export const MONEY_STATUS_NAMES = [
  'succeeded', 'processing', 'failed', 'canceled', 'refunded', 'partially_refunded', 'disputed_open', 'disputed_won', 'disputed_lost',
  // No money moved and none was due: a checkout with no payment required, a balance transaction that only applies credit.
  'no_payment',
] as const;
export type MoneyStatusName = (typeof MONEY_STATUS_NAMES)[number];

export interface MoneyReconciliation {
  run_id: string;
  item_id: string;
  category: ReconcileCategory;
  settled: boolean;
  entry_ids: string[];
  /** One sentence: "matched to entry X", "not credited in the ledger", "refund not reversed"… */
  summary: string;
}

/** Who a ledger customer is, as its sources state it (Stripe customers, Orb customers). */
export interface CustomerContactView {
  name: string | null;
  email: string | null;
  stripe_customer_ids: string[];
}

export type CustomerTimelineItem = CustomerLedgerItem | CustomerMoneyItem;

export interface CustomerTimelinePage {
  customer_id: string;
  /** Name, email and Stripe customers of the customer, where sources state them. */
  customer: CustomerContactView;
  /** Net money received per currency up to as_of (succeeded payments less refunds and lost disputes). */
  money_received: { currency: string; amount: DecimalText }[];
  as_of: InstantText;
  /** scale: the account's, as account.get gives it; its amounts (rows, balances) show at least this many digits. */
  accounts: (AccountRef & AccountBalances & { scale?: number })[];
  total: number;
  offset: number;
  /** Oldest first. */
  items: CustomerTimelineItem[];
}

// ----- import -----

export interface UploadedFile {
  name: string;
  size_bytes: number;
}

export interface Upload {
  upload_id: string;
  files: UploadedFile[];
}

export interface ImportProblemRow {
  file: string;
  line: number | null;
  pointer: string | null;
  field: string;
  message: string;
  /** One line as the CLI prints it: `file:line: field: message`. */
  text: string;
  /** The ledger rule broken (DESIGN §4: L3, I2…), for the problem's tooltip; the message itself names none. */
  rule?: string;
}

export interface PreviewRow {
  line: number | null;
  pointer: string | null;
  id: string;
  kind: string;
  status: string;
  customer_id: string;
  subscription_id: string | null;
  unit: string;
  amount: DecimalText;
  created_at: InstantText;
  raw: string;
}

export interface PreviewFile {
  name: string;
  format: SourceFormatName | null;
  records: number;
  first_rows: PreviewRow[];
}

/** An amount far outside the others of its file and unit: maybe cents read as units (issue 14). */
export interface PreviewOutlier {
  file: string;
  line: number | null;
  pointer: string | null;
  id: string;
  unit: string;
  amount: string;
  /** The median amount of the file's other records in this unit. */
  typical: string;
}

/** What an import would bring, before anything is written (core/host/import-summary.ts). */
export interface ImportPreviewSummary {
  records: number;
  by_kind: { kind: string; records: number }[];
  /** The accounts with the most records (up to 20); account_count says how many there are. */
  accounts: { customer_id: string; subscription_id: string | null; unit: string; records: number }[];
  account_count: number;
  first_at: string | null;
  last_at: string | null;
  /** Per unit and kind: records and the sum of their amounts' magnitudes; scale: the most digits among the unit's amounts here. */
  totals: { unit: string; kind: string; records: number; total: string; scale: number }[];
  /** From the dry run against the database: records it would write, records it holds already (null: not checked, a problem stopped it). */
  new_records: number | null;
  already_stored: number | null;
  outliers: PreviewOutlier[];
}

export interface ImportPreview {
  files: PreviewFile[];
  summary: ImportPreviewSummary;
  /** Every problem, up to problems_limit; problem_count says how many there are in all. */
  problems: ImportProblemRow[];
  problem_count: number;
  /** True when importing would write (no problem in the files nor against the database). */
  ok: boolean;
}

export interface ImportResult {
  files: { name: string; format: SourceFormatName; records: number }[];
  /** New ledger entries (for Stripe files: credit grants and their transactions). */
  inserted: number;
  unchanged: number;
  /** Accounts given new ledger entries; null for a Stripe import. */
  accounts_touched: number | null;
  /** Stripe payments written (new, new versions, unchanged); null for a ledger import. */
  payments: { inserted: number; updated: number; unchanged: number } | null;
  /** Posted adjustments whose local entry the provider's copy of them, imported here, replaced. */
  adjustments_replaced: number;
  /** One line each: a provider copy that differs from what was posted, an adjustment now naming the copy's block. */
  warnings: string[];
}

export const JOB_KINDS = ['import.preview', 'import.run', 'reconcile.run'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
export type JobState = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobProgress {
  phase: 'read' | 'parse' | 'check' | 'write';
  done: number;
  total: number;
}

export interface JobStatus {
  job_id: string;
  kind: JobKind;
  state: JobState;
  progress: JobProgress | null;
  started_at: InstantText;
  finished_at: InstantText | null;
  /** import.preview, succeeded. */
  preview: ImportPreview | null;
  /** import.run, succeeded. */
  result: ImportResult | null;
  /** import.run, failed: the problems that stopped it (nothing was written). */
  problems: ImportProblemRow[];
  problem_count: number;
  /** reconcile.run, succeeded: the saved run. */
  reconcile: ReconcileRunSummary | null;
  /** failed for another reason. */
  error: string | null;
}

/** Pushed by the host while jobs run (Electron: the event channel; browser mode: the /api/events stream). */
export type HostEvent =
  | { type: 'job'; job: Omit<JobStatus, 'preview' | 'result' | 'problems' | 'reconcile'> }
  | { type: 'data_changed' }
  | { type: 'push'; progress: PushProgress }
  | { type: 'menu'; command: MenuCommand };

export const MENU_COMMANDS = ['import_files', 'export_balances', 'go_accounts', 'go_import', 'go_reconciliation', 'go_settings', 'go_customer', 'show_shortcuts'] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

// ----- settings -----

export const KEY_PROVIDERS = ['stripe', 'orb', 'moesif'] as const;
export type KeyProvider = (typeof KEY_PROVIDERS)[number];

export interface ReconciliationSettings {
  /** DESIGN §6: payments match credits within ± this many days. */
  date_window_days: number;
  /** Largest difference still reported as matched (in the account's unit), a decimal string. */
  amount_tolerance: DecimalText;
}

export interface KeyStatus {
  provider: KeyProvider;
  configured: boolean;
  /** Last four characters behind a mask ("rk_live_…a1b2"), never the key. */
  masked: string | null;
  /**
   * Where it is kept: the OS keychain via Electron safeStorage, the environment (browser mode), this
   * session's memory only (no keyring), or on disk under Electron's fixed password (no keyring, the user
   * chose to save it anyway).
   */
  stored_in: 'safe_storage' | 'environment' | 'session' | 'basic_text' | null;
}

/** How keys entered in Settings are protected on this machine (issue 10 §9). */
export interface KeyStorageView {
  /**
   * os_keychain: encrypted with the OS store (macOS Keychain, Windows DPAPI, GNOME libsecret, KWallet);
   * basic_text: Linux without a keyring, where Electron's encryption uses a fixed password: keys are kept
   * for the session unless the user confirms saving them; unavailable: no encryption at all, session only;
   * environment: browser mode reads them from the environment.
   */
  protection: 'os_keychain' | 'basic_text' | 'unavailable' | 'environment';
  /** The store's name ("the macOS Keychain"), or null. */
  backend: string | null;
  /** True when a saved key is kept for this session only unless the user confirms (save_keys_without_keyring). */
  session_only_by_default: boolean;
  /** One sentence for the Settings screen. */
  message: string;
}

export interface SettingsView {
  reconciliation: ReconciliationSettings;
  keys: KeyStatus[];
  /** Browser mode reads keys from the environment only; the desktop app stores them with safeStorage. */
  keys_editable: boolean;
  /** Where keys come from when not editable: the variable names to set. */
  key_environment: Record<KeyProvider, string>;
  /** How keys saved here are protected (Linux without a keyring: session only unless confirmed). */
  key_storage: KeyStorageView;
  /** Who uses this copy: recorded with every run, sign-off, re-open, adjustment and push; required before the first sign-off. */
  operator_name: string | null;
  /** Account names of the deferred revenue / breakage journal (report journal). */
  journal_accounts: JournalAccounts;
}

export interface JournalAccounts {
  cash: string;
  deferred_revenue: string;
  revenue: string;
  breakage: string;
}

// ----- export -----

export interface ExportResult {
  file_name: string;
  /** Browser mode: the file's text, for the page to download. Desktop: null (main saved it). */
  text: string | null;
  /** Desktop: where main saved it, or null when the user cancelled the dialog. */
  saved_to: string | null;
  /** Browser mode, binary files (XLSX): the file's bytes in base64; text is null then. */
  content_base64?: string;
  /** The file's media type, when the host knows it (set with content_base64). */
  mime_type?: string;
}

// ----- reconciliation (DESIGN §6) -----

/** Every category an item ends in; the same list as core/reconcile's ITEM_CATEGORIES (a test checks). */
export const RECONCILE_CATEGORIES = [
  'matched',
  'matched_fuzzy',
  'matched_grouped',
  'missing_in_ledger',
  'missing_in_stripe',
  'amount_mismatch',
  'currency_mismatch',
  'unit_error',
  'duplicate_credit',
  'credited_but_payment_failed',
  'refund_not_reversed',
  'dispute_not_reversed',
  'dispute_won_not_restored',
  'pending',
] as const;
export type ReconcileCategory = (typeof RECONCILE_CATEGORIES)[number];

export interface ReconcileRunSummary {
  /** "R<seq>-<database id>". */
  run_id: string;
  state: 'running' | 'complete' | 'failed';
  created_at: InstantText;
  as_of: InstantText;
  settings: ReconciliationSettings;
  /** What the run read: imports, ledger size, Stripe payments and customers, mappings, adjustments. */
  inputs: { payment_count: number; ledger_entry_count: number; adjustment_count: number; [key: string]: unknown };
  item_count: number;
  /** Differences not settled by posted adjustments. */
  open_count: number;
  /** Accounts whose expected and actual balance differ beyond the tolerance. */
  drift_count: number;
  /** Items per category, and "settled". */
  summary: Record<string, number> | null;
  error: string | null;
  sign_off: { by: string; at: InstantText; note: string | null } | null;
  /** Open differences when the run ran (open_count is now). */
  open_count_at_run: number;
  /** Signed off: nothing can be posted against it until it is re-opened. */
  locked: boolean;
  created_by: string | null;
  /** Fuzzy and grouped matches: reviewed (accepted or rejected) and not. */
  review: { total: number; reviewed: number; unreviewed: number; rejected: number };
}

/** One line of a run's history (reconcile.history). */
export interface ReconcileRunEvent {
  kind: 'run' | 'sign_off' | 'reopen' | 'adjustment' | 'reversal' | 'push' | 'review';
  by: string | null;
  at: InstantText;
  reason: string | null;
  detail: Record<string, string>;
}

export interface ReconcileRunHistory {
  run_id: string;
  events: ReconcileRunEvent[];
}

export interface CustomerMappingRow {
  ledger_customer_id: string;
  stripe_customer_id: string;
  /** The file it was imported from, or "edited". */
  origin: string;
  created_at: InstantText;
}

export interface CustomerMappingList {
  mappings: CustomerMappingRow[];
}

export interface ReversalPreview {
  proposal: AdjustmentProposal;
  preview: AdjustmentPreview;
}

export interface ReconcileRunsList {
  runs: ReconcileRunSummary[];
  /** What there is to reconcile now: the empty states say what to import when one is 0. */
  payment_count: number;
  entry_count: number;
}

/** A provider request body; amounts are decimal strings. */
export type ProviderBodyJson = Record<string, string | number | null | Record<string, string>>;

/** A proposed balancing entry with its editable fields; the body is derived from them by the engine. */
export interface AdjustmentProposal {
  provider: 'orb' | 'moesif';
  customer_id: string;
  subscription_id: string | null;
  unit: string;
  kind: 'increment' | 'decrement' | 'void' | 'amendment';
  /** A magnitude (> 0): the kind gives the direction. */
  amount: DecimalText;
  block_id: string | null;
  void_reason: string | null;
  cost_basis: DecimalText | null;
  expires_at: InstantText | null;
  moesif_type: 'credit' | 'adjustment' | 'debit' | null;
  description: string;
  /** Derived from run and item: posting twice posts once. */
  idempotency_key: string;
  run_id: string;
  item_id: string;
  body: ProviderBodyJson;
}

/** An item as a run stored it (the same keys as `reconcile --json`, plus its id, state and note). */
export interface ReconcileItemView {
  /** Stable across runs: "payment:<stripe id>" or "entry:<source>:<id>". */
  item_id: string;
  category: ReconcileCategory;
  settled: boolean;
  customer_id: string | null;
  subscription_id: string | null;
  unit: string;
  payment_ids: string[];
  entry_ids: string[];
  expected: DecimalText;
  actual: DecimalText;
  /** actual − expected: positive when the ledger holds more than Stripe says was paid. */
  difference: DecimalText;
  at: InstantText;
  note: string;
  adjustment_ids: string[];
  proposal: AdjustmentProposal | null;
}

/** A Stripe object an item names, as stored (null fields: not stored in this database). */
export interface ReconcilePayment {
  id: string;
  found: boolean;
  kind: string | null;
  customer_id: string | null;
  /** Major units, a magnitude; refunds and disputes take money back. */
  amount: DecimalText | null;
  currency: string | null;
  status: string | null;
  at: InstantText | null;
  amount_refunded: DecimalText | null;
  description: string | null;
}

/** A ledger entry an item names. */
export interface ReconcileEntry {
  id: string;
  found: boolean;
  source: string | null;
  kind: string | null;
  status: string | null;
  amount: DecimalText | null;
  unit: string;
  at: InstantText | null;
  block_id: string | null;
  cost_basis: DecimalText | null;
  expires_at: InstantText | null;
  description: string | null;
}

export interface ReconcileItemRow extends ReconcileItemView {
  /** A difference neither settled by the run nor adjusted since: it needs review. */
  open: boolean;
  payments: ReconcilePayment[];
  entries: ReconcileEntry[];
  /** An adjustment posted for this item since the run: the next run shows it settled. */
  posted: { idempotency_key: string; entry_id: string; posted_at: InstantText; posted_by: string | null } | null;
  /** A fuzzy or grouped match's review: accepted, or rejected (then open). */
  review: { decision: 'accepted' | 'rejected'; by: string | null; at: InstantText; reason: string | null } | null;
}

export interface ReconcileCategoryCount {
  category: ReconcileCategory;
  total: number;
  /** Differences neither settled nor adjusted since. */
  open: number;
  settled: number;
}

export interface ReconcileDriftLine {
  customer_id: string | null;
  subscription_id: string | null;
  unit: string;
  expected: DecimalText;
  actual: DecimalText;
  difference: DecimalText;
}

export interface ReconcileRunPage {
  run: ReconcileRunSummary;
  /** Every category of the run, in DESIGN §6 order, whatever the filter. */
  counts: ReconcileCategoryCount[];
  /** Accounts whose difference is not zero. */
  drift: ReconcileDriftLine[];
  /** Items matching the filter; rows are grouped by category (DESIGN §6 order), then in run order. */
  total: number;
  offset: number;
  rows: ReconcileItemRow[];
}

export interface ReconcileComparison {
  from_run_id: string;
  to_run_id: string;
  appeared: ReconcileItemView[];
  resolved: { item_id: string; before: ReconcileItemView; after: ReconcileItemView | null }[];
  changed: { item_id: string; before: ReconcileItemView; after: ReconcileItemView; fields: string[] }[];
  open_before: number;
  open_after: number;
}

export interface BalancesText {
  current: DecimalText;
  pending: DecimalText;
  available: DecimalText;
  deficit: DecimalText;
  /** L3: posted credit not yet effective. */
  scheduled: DecimalText;
}

export interface PreviewBlock {
  initial: DecimalText;
  remaining: DecimalText;
  status: BlockStatusName;
  expires_at: InstantText | null;
}

/** Before → after of the account if the proposal were posted now; nothing is written. */
export interface AdjustmentPreview {
  customer_id: string;
  subscription_id: string | null;
  unit: string;
  as_of: InstantText;
  entry: { id: string; kind: string; amount: DecimalText; block_id: string | null; created_at: InstantText };
  before: BalancesText;
  after: BalancesText;
  effects: { type: string; block_id: string | null; amount: DecimalText }[];
  /** Blocks the entry touches or changes; before is null for the block it creates. */
  blocks: { id: string; before: PreviewBlock | null; after: PreviewBlock }[];
}

export interface AdjustmentPosted {
  status: 'posted' | 'already_posted';
  idempotency_key: string;
  entry_id: string;
  run_id: string;
  item_id: string;
  posted_at: InstantText;
}

/** A posted adjustment and whether it reached its provider (adjustment.list). */
export interface PostedAdjustment {
  idempotency_key: string;
  run_id: string;
  item_id: string;
  provider: 'orb' | 'moesif';
  customer_id: string;
  subscription_id: string | null;
  unit: string;
  kind: string;
  /** A magnitude; the kind gives the direction. */
  amount: DecimalText;
  entry_id: string;
  posted_at: InstantText;
  posted_by: string | null;
  /** null: not pushed yet. */
  pushed_at: InstantText | null;
  push_attempts: number;
  /** The provider's error of the last failed attempt (cleared by a success). */
  push_error: string | null;
  provider_entry_id: string | null;
  /** Where the adjustment is in the ledger: its local entry, or the provider's copy that replaced it (entry_id is that entry's). */
  entry_source: 'ledgerscope' | 'orb' | 'moesif';
  /** When the provider's copy arrived and replaced the local entry: confirmed by the provider (pushed_at stays this database's push, or null). */
  confirmed_at: InstantText | null;
  /** Where the provider's copy differs from what was posted; null when it matches. */
  copy_difference: string | null;
  /** A reversal: the key of the adjustment it reverses. */
  reverses_key: string | null;
  /** The reversal that undid this one. */
  reversed_by_key: string | null;
  pushed_by: string | null;
  push_status: AdjustmentPushStatus;
  /** The provider request body that push sends (amounts as decimal strings). */
  body: ProviderBodyJson;
}

export const ADJUSTMENT_PUSH_STATUSES = ['pushed', 'confirmed', 'failed', 'not_pushed'] as const;
export type AdjustmentPushStatus = (typeof ADJUSTMENT_PUSH_STATUSES)[number];

export interface AdjustmentsList {
  adjustments: PostedAdjustment[];
  /** Providers the host has a key for: push skips the others. */
  push_ready: { orb: boolean; moesif: boolean };
}

/** What adjustment.push did, per idempotency key. */
export interface AdjustmentPushReport {
  pushed: { idempotency_key: string; provider_entry_id: string | null }[];
  already_pushed: string[];
  failed: { idempotency_key: string; error: string }[];
  skipped: { idempotency_key: string; reason: string }[];
  /** Not sent: the user cancelled the push before their turn (adjustment.pushCancel). */
  cancelled: string[];
}

/** How far a push from the app has got, as a host event: the dialog shows it and offers to cancel. */
export interface PushProgress {
  /** Adjustments done (pushed, failed, skipped or already there) out of total. */
  done: number;
  total: number;
  /** The adjustment being sent; null once the push is over. */
  idempotency_key: string | null;
  /** Why it pauses ("Orb answered 429 (rate limited): waiting 30 s before retrying"), null while not waiting. */
  waiting: string | null;
}

// ----- customer search and payment evidence (support) -----

export interface CustomerSuggestion {
  customer_id: string;
  name: string | null;
  email: string | null;
  stripe_customer_ids: string[];
  matched_by: 'ledger_id' | 'stripe_customer' | 'email' | 'name' | 'payment';
  /** The value that matched (an email, a name, a Stripe id). */
  matched_text: string;
}

export interface CustomerSearchResult {
  query: string;
  /** The customer the text names exactly, or null (then `problem` may say why: several share that email). */
  exact: { customer_id: string; matched_by: CustomerSuggestion['matched_by'] } | null;
  problem: string | null;
  suggestions: CustomerSuggestion[];
}

/** One stored Stripe object, raw as it was read, with where it came from. */
export interface PaymentEvidenceObject {
  id: string;
  kind: string;
  status: string;
  /** The object exactly as read: an API body, a JSON Lines line, a CSV row. */
  raw: string;
  file: string;
  line: number | null;
  pointer: string | null;
  version: number;
  recorded_at: InstantText;
}

export interface PaymentEvidence {
  id: string;
  kind: 'payment' | 'refund' | 'dispute';
  currency: string;
  amount: DecimalText;
  money_status: MoneyStatusName;
  /** The payment's objects first (intent, invoice, session, charge), then its refunds and disputes. */
  objects: PaymentEvidenceObject[];
  /** The Stripe customer object, raw, when stored. */
  customer: { id: string; raw: string } | null;
  reconciliation: MoneyReconciliation | null;
}

// ----- credit liability (report liability; issue 13) -----

/** The movement lines of the roll-forward, in order (core/report/liability.ts MOVEMENT_LINES). */
export type LiabilityLineName =
  | 'purchased'
  | 'purchased_cost_unknown'
  | 'promotional'
  | 'consumed'
  | 'deficit_repaid'
  | 'expired'
  | 'voided'
  | 'refunded'
  | 'adjusted'
  | 'scheduled';

export interface LiabilityBalance {
  credits: DecimalText;
  value: DecimalText;
  deficit: DecimalText;
  scheduled: DecimalText;
  scheduled_value: DecimalText;
}

export interface LiabilityLine {
  credits: DecimalText;
  value: DecimalText;
  entry_count: number;
}

export type LiabilityUnitTotal = {
  unit: string;
  accounts: number;
  opening_balance: LiabilityBalance;
  closing_balance: LiabilityBalance;
  consumed_uncovered_credits: DecimalText;
  pending_not_included: LiabilityLine;
  /** The most of its accounts' scales (the app's view only): its credits show at least this many digits. */
  scale?: number;
} & Record<LiabilityLineName, LiabilityLine>;

export type LiabilityAccount = {
  customer_id: string;
  subscription_id: string | null;
  unit: string;
  opening_balance: LiabilityBalance;
  closing_balance: LiabilityBalance;
  consumed_uncovered_credits: DecimalText;
  pending_not_included: LiabilityLine & { entry_ids: string[] };
  /** The account's scale, as account.get gives it (the app's view only): its credits show at least this many digits. */
  scale?: number;
} & Record<LiabilityLineName, LiabilityLine & { entry_ids: string[] }>;

/** The roll-forward as `report liability --json` prints it: per unit totals and per account lines with entry ids. */
export interface LiabilityReportView {
  report: 'liability';
  from: InstantText;
  to: InstantText;
  unit: string | null;
  lines: readonly LiabilityLineName[];
  totals: LiabilityUnitTotal[];
  accounts: LiabilityAccount[];
}
