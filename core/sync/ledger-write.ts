import { replayAccount } from '../ledger/replay.js';
import type { LedgerEntry } from '../ledger/types.js';
import { toCanonical } from '../money/decimal.js';
import { INSERT, UNCHANGED, DUPLICATE, type ImportBatch } from '../service/import-batch.js';
import { checkByReplay, replayNoteWarnings, touchedAccounts, writeReplayNotes } from '../service/import-checks.js';
import { summaryCollector } from '../service/balance-summaries.js';
import { entryFingerprint, type ImportProblem, type ParsedEntry } from '../sources/index.js';
import { ParsedRecord } from '../sources/parsed-entry.js';
import { grantVoidId, orderStripeEntries, type ParsedGrant } from '../sources/stripe/index.js';
import {
  EntryWriter,
  forEachStoredEntry,
  hasEntry,
  insertImport,
  loadAccountEntries,
  maxOrdinal,
  replaceAdjustmentCopies,
  writeAccountSummaries,
  type LedgerDb,
  type ReplacedAdjustment,
} from '../store/index.js';
import { formatInstant, type Instant } from '../time/instant.js';

/*
 * Writes provider ledger entries (Stripe grants and their transactions, Orb ledger pages) into the
 * entries table with the rules `ledgerscope import` applies (L5 identity, validation by replay), inside
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

function problemAt(parsed: ParsedEntry, field: string, message: string): ImportProblem {
  return { file: parsed.origin.file, line: parsed.origin.line, pointer: parsed.origin.pointer, field, message };
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
 * Checks and writes `entries` (with Stripe grant voids computed from `voidedGrants`). Strict mode:
 * returns problems and writes nothing when there are any (the caller throws to roll back). Lenient mode:
 * identity conflicts are skipped and returned as `conflicts`; replay problems are still problems.
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
    ordered.forEach((parsed, i) => (parsed.entry.ordinal = base + 1 + i));
    return ordered;
  };
  let entries = inOrder([...input]);
  const voids = computeGrantVoids(db, voidedGrants, entries);
  if (voids.length > 0) entries = inOrder([...entries, ...voids]);

  const status = new Uint8Array(entries.length);
  // L5 within the batch: one entry per (source, id); the same content again is a duplicate.
  const first = new Map<string, number>();
  entries.forEach((parsed, i) => {
    const id = `${parsed.entry.source}\u0000${parsed.entry.sourceId}`;
    const earlier = first.get(id);
    if (earlier === undefined) {
      first.set(id, i);
      return;
    }
    if (entries[earlier]!.fingerprint === parsed.fingerprint) {
      status[i] = DUPLICATE;
      return;
    }
    const conflict = problemAt(parsed, '-', `${parsed.entry.source} id "${parsed.entry.sourceId}" appears twice in this batch with different content`);
    if (options.mode === 'strict') problems.push(conflict);
    else {
      result.conflicts.push(conflict);
      status[i] = UNCHANGED;
    }
  });
  // L5 against the store.
  const bySource = new Map<string, string[]>();
  entries.forEach((parsed, i) => {
    if (status[i] !== INSERT) return;
    let ids = bySource.get(parsed.entry.source);
    if (ids === undefined) bySource.set(parsed.entry.source, (ids = []));
    ids.push(parsed.entry.sourceId);
  });
  for (const [source, ids] of bySource) {
    forEachStoredEntry(db, source as LedgerEntry['source'], ids, (stored) => {
      const i = first.get(`${source}\u0000${stored.entry.sourceId}`)!;
      const incoming = entries[i]!;
      if (entryFingerprint(stored.entry) === incoming.fingerprint) {
        status[i] = UNCHANGED;
        result.unchanged++;
        return;
      }
      const conflict = problemAt(
        incoming,
        '-',
        `${source} id "${stored.entry.sourceId}" is stored with other content (from ${stored.origin.file} on ${formatInstant(stored.importedAt)}); ` +
          'the stored entry is kept',
      );
      if (options.mode === 'strict') problems.push(conflict);
      else {
        result.conflicts.push(conflict);
        status[i] = UNCHANGED;
      }
    });
  }
  if (problems.length > 0) return result;
  // Before the replay check, so it replays each account as it will be stored; the caller rolls back on any problem.
  const replaced = replaceAdjustmentCopies(db, entries, (i) => status[i] === INSERT, options.now, problems);
  if (problems.length > 0) return result;

  const batch: ImportBatch = { files: [{ path: options.files[0]?.path ?? '-', format: 'stripe', start: 0, count: entries.length }], entries, status, firstOrdinal: base + 1 };
  const touched = touchedAccounts(batch);
  const summaries = summaryCollector(touched.accounts, options.now);
  const notes = checkByReplay(db, batch, touched.accounts, problems, summaries.collect, summaries.observe);
  if (problems.length > 0) return result;

  let inserted = 0;
  for (let i = 0; i < status.length; i++) if (status[i] === INSERT) inserted++;
  if (inserted === 0) {
    // A copy is always a new entry: replacing without inserting would lose the movement.
    if (replaced.length > 0) throw new Error(`replaced ${replaced.length} adjustments without inserting their copies`);
    return result;
  }
  const { importId, fileIds } = insertImport(db, {
    startedAt: options.now,
    sourceOption: options.sourceOption,
    unitOption: null,
    inserted,
    unchanged: entries.length - inserted,
    accountsTouched: touched.accounts.length,
    firstOrdinal: base + 1,
    lastOrdinal: base + entries.length,
    files: options.files.length > 0 ? options.files : [{ path: '-', format: 'stripe', records: entries.length }],
  });
  const fileOf = fileIdLookup(options.files, fileIds);
  const writer = new EntryWriter(
    db,
    touched.accounts.map((account) => ({ key: account.key, entries: account.positions.length })),
    { first: base + 1, last: base + entries.length },
  );
  touched.accounts.forEach((account, a) => {
    for (const position of account.positions) writer.insert(entries[position]!, fileOf(entries[position]!), a);
  });
  writer.finish();
  if (writer.inserted !== inserted) throw new Error(`wrote ${writer.inserted} entries, checked ${inserted}`);
  writeAccountSummaries(db, summaries.rows(writer.accountIds)); // balance summaries (migration 0008), same transaction
  writeReplayNotes(db, writer.accountIds, notes);
  result.notes = replayNoteWarnings(batch, touched.accounts, notes);
  result.inserted = inserted;
  result.importId = importId;
  result.replaced = replaced;
  return result;
}

/** The import_files id of an entry: the file its origin names, else the first. */
function fileIdLookup(files: LedgerWriteOptions['files'], fileIds: number[]): (parsed: ParsedEntry) => number {
  const byPath = new Map<string, number>();
  files.forEach((file, i) => byPath.set(file.path, fileIds[i]!));
  const fallback = fileIds[0]!;
  return (parsed) => byPath.get(parsed.origin.file) ?? fallback;
}
