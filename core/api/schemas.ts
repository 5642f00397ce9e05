import { z } from 'zod';
import {
  ACCOUNT_SORT_KEYS,
  ADJUSTMENT_PUSH_STATUSES,
  ENTRY_KIND_NAMES,
  ENTRY_SOURCE_NAMES,
  ENTRY_STATUS_NAMES,
  JOB_KINDS,
  KEY_PROVIDERS,
  RECONCILE_CATEGORIES,
  SOURCE_FORMAT_NAMES,
} from './types.js';

/*
 * Input schemas of the contract. Every object is strict: a key the contract does not name is an error,
 * not silently dropped. Bounds on every string and list (TigerBeetle habit: a bound on everything).
 * Only zod is imported, so the renderer may bundle this module.
 */

/** ISO 8601 with "Z" or an offset, or a date (00:00 UTC). The calendar check is the service's (core/time). */
export const instantText = z
  .string()
  .max(40)
  .regex(
    /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}([.,]\d{1,9})?)?(Z|z|[+-]\d{2}(:?\d{2})?))?$/,
    'expected an ISO 8601 instant with a zone, like "2025-01-10T00:00:00Z", or a date like "2025-01-10"',
  );

/** A strict decimal literal: digits, optional fraction; no exponent, no grouping (DESIGN §3). */
export const decimalText = z
  .string()
  .max(64)
  .regex(/^[+-]?(\d+(\.\d*)?|\.\d+)$/, 'expected a decimal number like "12.50" (no exponent, no thousands separator)');

const id = z.string().min(1).max(512);
const optionalAsOf = { as_of: instantText.optional() };

export const accountRef = z.strictObject({
  customer_id: id,
  subscription_id: id.nullable(),
  unit: z.string().min(1).max(64),
});

export const empty = z.strictObject({});

export const accountsListInput = z.strictObject({
  ...optionalAsOf,
  search: z.string().max(200).optional(),
  sort: z.strictObject({ key: z.enum(ACCOUNT_SORT_KEYS), direction: z.enum(['asc', 'desc']) }).optional(),
  filter: z
    .strictObject({
      /** Available balance strictly below this amount. */
      low_balance_below: decimalText.optional(),
      in_deficit: z.boolean().optional(),
      /** Something expires within this many days after as_of. */
      expiring_within_days: z.number().int().min(0).max(3650).optional(),
      unit: z.string().min(1).max(64).optional(),
      /** Only accounts whose replay disagrees with the balances their source states. */
      disagrees_with_source: z.boolean().optional(),
    })
    .optional(),
  offset: z.number().int().min(0).max(10_000_000),
  limit: z.number().int().min(1).max(1000),
});

export const accountGetInput = z.strictObject({ account: accountRef, ...optionalAsOf });

export const entriesListInput = z.strictObject({
  account: accountRef,
  ...optionalAsOf,
  kinds: z.array(z.enum(ENTRY_KIND_NAMES)).max(ENTRY_KIND_NAMES.length).optional(),
  statuses: z.array(z.enum(ENTRY_STATUS_NAMES)).max(ENTRY_STATUS_NAMES.length).optional(),
  /** desc: newest first (the default). */
  order: z.enum(['asc', 'desc']).optional(),
  /** Only the entries with these ids (a report line's entries, the engine's generated ones included). */
  ids: z.array(z.string().min(1).max(1024)).min(1).max(1000).optional(),
  offset: z.number().int().min(0).max(100_000_000),
  limit: z.number().int().min(1).max(1000),
});

export const entriesEvidenceInput = z.strictObject({ source: z.enum(ENTRY_SOURCE_NAMES), id });

export const timelineGetInput = z.strictObject({
  account: accountRef,
  ...optionalAsOf,
  max_points: z.number().int().min(10).max(20_000).optional(),
});

export const customerTimelineInput = z.strictObject({
  customer_id: id,
  ...optionalAsOf,
  offset: z.number().int().min(0).max(100_000_000),
  limit: z.number().int().min(1).max(1000),
});

export const customersSearchInput = z.strictObject({
  query: z.string().max(200),
  limit: z.number().int().min(1).max(50).optional(),
});

export const paymentsEvidenceInput = z.strictObject({ id });

/** Bytes of text one browser-mode upload may carry in all (the HTTP host's body limit is set from it). */
export const UPLOAD_MAX_CHARS = 512 * 1024 * 1024;
export const UPLOAD_MAX_FILES = 50;

export const importUploadInput = z.strictObject({
  files: z
    .array(
      z.strictObject({
        // A display name only: never a path, so it cannot name a file on this machine.
        name: z.string().min(1).max(255).regex(/^[^/\\\u0000]+$/, 'a file name without a directory'),
        text: z.string().max(UPLOAD_MAX_CHARS),
        // The file's bytes (text then empty) when the page could not read them as UTF-8, or they start with a
        // UTF-16 byte-order mark: the host decodes them, or names the first bad byte (one decoder for all).
        bytes_base64: z.string().max(UPLOAD_MAX_CHARS).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64').optional(),
      }),
    )
    .min(1)
    .max(UPLOAD_MAX_FILES),
});

export const importJobInput = z.strictObject({
  upload_id: z.string().min(1).max(64),
  source: z.enum(SOURCE_FORMAT_NAMES).optional(),
  unit: z.string().min(1).max(64).optional(),
});

export const jobRef = z.strictObject({ job_id: z.string().min(1).max(64) });
export const jobKind = z.enum(JOB_KINDS);

export const settingsSetInput = z.strictObject({
  reconciliation: z
    .strictObject({
      date_window_days: z.number().int().min(0).max(90).optional(),
      amount_tolerance: decimalText.refine((text) => !text.startsWith('-'), 'a tolerance cannot be negative').optional(),
    })
    .optional(),
  /** A key to store (desktop only); null removes it. */
  keys: z.partialRecord(z.enum(KEY_PROVIDERS), z.string().min(8).max(512).regex(/^\S+$/, 'a key has no spaces').nullable()).optional(),
  /** Linux without a keyring: the user confirms saving the keys on disk under Electron's fixed password (else they last the session). */
  save_keys_without_keyring: z.boolean().optional(),
  /** Who uses this copy (recorded with every action); null or blank clears it. */
  operator_name: z.string().max(200).nullable().optional(),
  journal_accounts: z
    .strictObject({
      cash: z.string().trim().min(1).max(200).optional(),
      deferred_revenue: z.string().trim().min(1).max(200).optional(),
      revenue: z.string().trim().min(1).max(200).optional(),
      breakage: z.string().trim().min(1).max(200).optional(),
    })
    .optional(),
});

export const exportBalancesInput = z.strictObject({ ...optionalAsOf, format: z.enum(['csv', 'json']) });

// ----- reconciliation -----

const runId = z.string().min(1).max(128);

export const reconcileRunInput = z.strictObject({ ...optionalAsOf });

export const reconcileGetInput = z.strictObject({
  run_id: runId,
  /** Only these categories (none or empty: every category). */
  categories: z.array(z.enum(RECONCILE_CATEGORIES)).max(RECONCILE_CATEGORIES.length).optional(),
  /** Only differences not settled (by the run or by an adjustment posted since). */
  open_only: z.boolean().optional(),
  /** Only these items (a link from the customer timeline). */
  item_ids: z.array(z.string().min(1).max(1024)).max(100).optional(),
  offset: z.number().int().min(0).max(10_000_000),
  limit: z.number().int().min(1).max(500),
});

export const reconcileCompareInput = z.strictObject({ from_run_id: runId, to_run_id: runId });

export const reconcileSignOffInput = z.strictObject({
  run_id: runId,
  /** Default: the operator name set in Settings. */
  by: z.string().trim().min(1, 'say who signs off').max(200).optional(),
  /** The reason, required when the run still has open differences. */
  note: z.string().max(4000).optional(),
  /** Required when the run still has open differences: signing off with them is a decision. */
  confirm_open_differences: z.boolean().optional(),
});

export const reconcileReopenInput = z.strictObject({ run_id: runId, reason: z.string().trim().min(1, 'say why the run is re-opened').max(4000) });

export const reconcileHistoryInput = z.strictObject({ run_id: runId });

export const reconcileReviewInput = z.strictObject({
  run_id: runId,
  item_id: z.string().min(1).max(1024),
  decision: z.enum(['accepted', 'rejected']),
  reason: z.string().max(4000).optional(),
});

export const adjustmentReverseInput = z.strictObject({
  idempotency_key: z.string().min(1).max(128),
  reason: z.string().trim().min(1, 'say why the adjustment is reversed').max(4000),
});

export const adjustmentReversePreviewInput = z.strictObject({ idempotency_key: z.string().min(1).max(128) });

export const mappingImportInput = z.strictObject({
  name: z.string().min(1).max(255).regex(/^[^/\\\u0000]+$/, 'a file name without a directory'),
  text: z.string().max(64 * 1024 * 1024),
});

export const mappingSetInput = z.strictObject({
  stripe_customer_id: z.string().trim().min(1).max(512),
  /** null removes the mapping. */
  ledger_customer_id: z.string().trim().min(1).max(512).nullable(),
});

/**
 * A proposal as the dialog sends it back, edited. The engine checks the rest (amount > 0, the key that
 * run and item determine, a block for void and amendment): its messages name the field.
 */
export const adjustmentProposalInput = z.strictObject({
  provider: z.enum(['orb', 'moesif']),
  customer_id: id,
  subscription_id: id.nullable(),
  unit: z.string().min(1).max(64),
  kind: z.enum(['increment', 'decrement', 'void', 'amendment']),
  amount: decimalText,
  block_id: id.nullable(),
  void_reason: z.string().min(1).max(64).nullable(),
  cost_basis: decimalText.nullable(),
  expires_at: instantText.nullable(),
  moesif_type: z.enum(['credit', 'adjustment', 'debit']).nullable(),
  description: z.string().max(255),
  idempotency_key: z.string().min(1).max(128),
  run_id: runId,
  item_id: z.string().min(1).max(1024),
  /** Ignored: the engine derives the body from the fields. */
  body: z.unknown().optional(),
});

export const adjustmentPreviewInput = z.strictObject({ proposal: adjustmentProposalInput });

export const adjustmentPostInput = z.strictObject({
  proposal: adjustmentProposalInput,
  /** The run and item the adjustment settles: must be the proposal's own. */
  run_id: runId,
  item_id: z.string().min(1).max(1024),
  by: z.string().trim().min(1).max(200).optional(),
});

export const adjustmentListInput = z.strictObject({
  run_id: runId.optional(),
  /** Only those not pushed to their provider yet. */
  unpushed: z.boolean().optional(),
  customer_id: id.optional(),
  provider: z.enum(['orb', 'moesif']).optional(),
  push_status: z.enum(ADJUSTMENT_PUSH_STATUSES).optional(),
});

/** Pushing writes to the providers' live ledgers: only with confirm: true, stated by the caller. */
export const adjustmentPushInput = z.strictObject({
  confirm: z.literal(true, 'pushing writes to the provider\'s ledger: confirm must be true'),
  /** Only these (default: every unpushed adjustment, of run_id when given). */
  keys: z.array(z.string().min(1).max(128)).min(1).max(1000).optional(),
  run_id: runId.optional(),
});

export const adjustmentExportInput = z.strictObject({
  run_id: runId.optional(),
  provider: z.enum(['orb', 'moesif']).optional(),
  /** posted (default): adjustments posted locally; proposed: a run's open proposals (needs run_id). */
  which: z.enum(['posted', 'proposed']).optional(),
});

// ----- credit liability -----

export const reportLiabilityInput = z.strictObject({
  from: instantText,
  to: instantText,
  unit: z.string().min(1).max(64).optional(),
});

export const reportLiabilityExportInput = z.strictObject({
  from: instantText,
  to: instantText,
  unit: z.string().min(1).max(64).optional(),
  /** liability: the roll-forward CSV; journal: the deferred revenue / breakage journal (date, account, debit, credit, memo). */
  what: z.enum(['liability', 'journal']),
  /** csv (default) or xlsx; the journal is CSV only. */
  format: z.enum(['csv', 'xlsx']).optional(),
});

/** A saved run's reconciliation report (items, totals, drift, inputs, sign-off, history) as a file. */
export const reconcileReportExportInput = z.strictObject({
  run_id: runId,
  format: z.enum(['xlsx', 'csv']),
});

// ----- reply fields -----

/**
 * An account's scale in a reply (account.get, accounts.list, customer.timeline, report.liability): digits
 * after the point, at most a decimalText's length. The service checks each before sending it.
 */
export const amountScale = z.number().int().min(0).max(64);
