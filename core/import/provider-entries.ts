import { replayAccount } from '../ledger/replay.js';
import type { LedgerEntry } from '../ledger/types.js';
import { toCanonical } from '../money/decimal.js';
import type { ImportBatch } from './batch.js';
import { checkAgainstStore, writeChecked } from './check-and-write.js';
import { checkBatchIdentity } from './checks.js';
import type { ImportProblem, ParsedEntry } from '../sources/index.js';
import { ParsedRecord } from '../sources/parsed-entry.js';
import { grantVoidId, orderStripeEntries, type ParsedGrant } from '../sources/stripe/index.js';
import { hasEntry, loadAccountEntries, maxOrdinal, type LedgerDb, type ReplacedAdjustment } from '../store/index.js';
import { formatInstant, type Instant } from '../time/instant.js';

/*
 * Provider ledger entries that arrive parsed already (Stripe files' grants and their transactions, the
 * pages of an Orb, Moesif or Stripe sync): put in replay order, with the voids of voided Stripe grants
 * computed, then checked and written by the same pipeline as ledger files (check-and-write.ts), inside
 * the caller's transaction. The difference is what a conflict does:
 * - `strict` (files): an id stored with other content is a problem, and the caller writes nothing;
 * - `lenient` (API sync): the provider's current state differs from what was stored (a grant whose
 *   expiry was changed, an Orb entry that left pending): the stored entry stays, the new one is
 *   skipped, and the conflict is reported as a warning. The ledger is append-only; a change to a
 *   stored entry is a question for the user, not something a sync decides.
 * Either way, a new entry that is the provider's copy of a posted Ledgerscope adjustment replaces the
 * local entry (core/store/adjustment-copies.ts) before the replay check.
 */

export interface LedgerWriteOptions {
  mode: 'strict' | 'lenient';
  now: Instant;
  /** The import row's file: "stripe:/v1/billing/credit_grants", or the files of a file import. */
  files: { path: string; format: string; records: number }[];
  sourceOption: string | null;
  /** `stripe`: order by time, then kind (blocks first); `as-given`: the input is in replay order (Orb: ledger sequence). */
  order: 'stripe' | 'as-given';
}

export interface LedgerWriteResult {
  inserted: number;
  unchanged: number;
  /** lenient mode: entries not written because a different entry with their id is stored. */
  conflicts: ImportProblem[];
  /** The import row written, or null when nothing was new. */
  importId: number | null;
  /** Posted adjustments whose local entry the provider's copy (a new entry here) replaced. */
  replaced: ReplacedAdjustment[];
  /** What the replay noticed about the source's statements (a named block that fell short, a stated balance the replay does not reach), one line each. */
  notes: string[];
}

/**
 * Voided grants without a credits_voided transaction: the void takes what remained of the block at
 * voided_at (a void of more would, by L6, draw the excess from the account's other blocks). Nothing
 * remained → no void entry (the block was used up before it was voided).
 */
function computeGrantVoids(db: LedgerDb, grants: readonly ParsedGrant[], batch: readonly ParsedEntry[]): ParsedEntry[] {
  const voids: ParsedEntry[] = [];
  for (const grant of grants) {
    const increment = grant.parsed.entry;
    const voidId = grantVoidId(increment.sourceId);
    if (grant.voidedAt === null || hasEntry(db, 'stripe', voidId) || batch.some((p) => p.entry.sourceId === voidId && p.entry.source === 'stripe')) continue;
    const key = { customerId: increment.customerId, subscriptionId: null, unit: increment.unit };
    const accountEntries: LedgerEntry[] = loadAccountEntries(db, key);
    for (const parsed of batch) {
      const e = parsed.entry;
      if (e.customerId === key.customerId && e.subscriptionId === null && e.unit === key.unit && !accountEntries.some((s) => s.source === e.source && s.sourceId === e.sourceId)) {
        accountEntries.push(e);
      }
    }
    const state = replayAccount(key, accountEntries, { asOf: grant.voidedAt, keepEntries: false });
    const block = state.blocks.find((b) => b.id === increment.sourceId);
    if (block === undefined || !block.remaining.gt(0)) continue;
    const entry: LedgerEntry = {
      ...increment,
      sourceId: voidId,
      kind: 'void',
      amount: block.remaining,
      at: grant.voidedAt,
      ordinal: 0,
      blockId: increment.sourceId,
      effectiveAt: null,
      expiresAt: null,
      costBasis: null,
      priority: null,
      description: null,
    };
    voids.push(
      new ParsedRecord(
        entry,
        grant.parsed.origin,
        grant.parsed.raw,
        { stripe_credit_grant: increment.sourceId, ledgerscope_void_amount: `remaining of the block at voided_at ${formatInstant(grant.voidedAt)}` },
        null,
        toCanonical(block.remaining),
        null,
      ),
    );
  }
  return voids;
}

/**
 * Checks and writes `entries` (with Stripe grant voids computed from `voidedGrants`) through the one
 * pipeline (check-and-write.ts). Strict mode: returns problems and writes nothing when there are any
 * (the caller throws to roll back). Lenient mode: identity conflicts are skipped and returned as
 * `conflicts`; replay problems are still problems.
 */
export function writeLedgerEntries(
  db: LedgerDb,
  input: readonly ParsedEntry[],
  voidedGrants: readonly ParsedGrant[],
  options: LedgerWriteOptions,
  problems: ImportProblem[],
): LedgerWriteResult {
  const result: LedgerWriteResult = { inserted: 0, unchanged: 0, conflicts: [], importId: null, replaced: [], notes: [] };
  if (input.length === 0 && voidedGrants.length === 0) return result;
  const base = maxOrdinal(db);
  const inOrder = (list: ParsedEntry[]): ParsedEntry[] => {
    const ordered = options.order === 'stripe' ? orderStripeEntries(list) : list;
    // Numbered now, as checkAgainstStore will number them: the voids' replay below orders by ordinal.
    ordered.forEach((parsed, i) => (parsed.entry.ordinal = base + 1 + i));
    return ordered;
  };
  let entries = inOrder([...input]);
  const voids = computeGrantVoids(db, voidedGrants, entries);
  if (voids.length > 0) entries = inOrder([...entries, ...voids]);

  const batch: ImportBatch = {
    files: [{ path: options.files[0]?.path ?? '-', format: 'stripe', start: 0, count: entries.length }],
    entries,
    status: new Uint8Array(entries.length),
    firstOrdinal: base + 1,
  };
  const conflicts = options.mode === 'lenient' ? result.conflicts : undefined;
  const identity = checkBatchIdentity(batch, problems, conflicts);
  if (problems.length > 0) return result;
  const checked = checkAgainstStore(db, batch, identity, { now: options.now, conflicts }, problems);
  if (checked === null) return result;
  const files = options.files.length > 0 ? options.files : [{ path: '-', format: 'stripe', records: entries.length }];
  const written = writeChecked(
    db,
    checked,
    { startedAt: options.now, sourceOption: options.sourceOption, unitOption: null, files, fileOf: fileIndexByOrigin(files, entries) },
    { recordEmpty: false },
  );
  result.inserted = written.inserted;
  result.unchanged = written.unchanged;
  result.importId = written.importId;
  result.replaced = checked.replaced;
  result.notes = written.warnings;
  return result;
}

/** The index in `files` of the file an entry's origin names, else the first. */
function fileIndexByOrigin(files: LedgerWriteOptions['files'], entries: readonly ParsedEntry[]): (position: number) => number {
  const byPath = new Map<string, number>();
  files.forEach((file, i) => byPath.set(file.path, i));
  return (position) => byPath.get(entries[position]!.origin.file) ?? 0;
}
