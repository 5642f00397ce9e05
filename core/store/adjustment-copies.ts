import type { LedgerEntry } from '../ledger/types.js';
import { toCanonical } from '../money/decimal.js';
import { ADJUSTMENT_METADATA } from '../reconcile/references.js';
import type { ImportProblem, RecordOrigin } from '../sources/types.js';
import type { Instant } from '../time/instant.js';
import type { LedgerDb } from './open.js';
import { prepared } from './statements.js';

/*
 * The provider's copy of a posted Ledgerscope adjustment (migration 0005). Once pushed (from here or from
 * another machine) the adjustment comes back with the provider's ledger: Orb's entry carries metadata
 * ledgerscope_idempotency_key (and has the id push recorded), Moesif's transaction_id is the key. That
 * entry REPLACES the local 'ledgerscope' entry, in the transaction that imports it: every ledger write
 * path (import-files, sync/ledger-write) calls replaceAdjustmentCopies after its L5 checks and before its
 * replay validation, so the validation replays each account as it will be stored.
 */

/** An incoming entry as the write paths hold it (ParsedEntry has this shape). */
export interface IncomingEntry {
  entry: LedgerEntry;
  metadata: Record<string, unknown> | null;
  origin: RecordOrigin;
}

export interface ReplacedAdjustment {
  idempotencyKey: string;
  /** The provider entry that represents the adjustment now. */
  source: 'orb' | 'moesif';
  sourceId: string;
  /** Where the copy differs from what was posted (it is kept anyway: it is what the provider holds); null when it matches. */
  difference: string | null;
  /** Later local adjustments that named the replaced block and now name the copy's block. */
  remapped: { idempotencyKey: string; fromBlockId: string; toBlockId: string }[];
}

/** A posted adjustment whose local entry is still in the ledger. */
interface LiveAdjustment {
  key: string;
  provider: 'orb' | 'moesif';
  customerId: string;
  subscriptionId: string | null;
  unit: string;
  providerEntryId: string | null;
  /** The local entry. */
  rowId: number;
  accountId: number;
  kind: string;
  status: string;
  amount: string;
  blockId: string | null;
}

type LiveRow = [string, string, string, string | null, string, string | null, number | null, number | null, string | null, string | null, string | null, string | null];

function loadLive(db: LedgerDb): LiveAdjustment[] {
  const rows = prepared(
    db,
    `SELECT r.idempotency_key, r.provider, r.customer_id, r.subscription_id, r.unit, r.provider_entry_id,
            e.id, e.account_id, e.kind, e.status, e.amount, e.block_id
       FROM reconcile_adjustments r
       LEFT JOIN entries e ON e.source = 'ledgerscope' AND e.source_id = r.entry_source_id
      WHERE r.replaced_at IS NULL
      ORDER BY r.rowid`,
  )
    .raw()
    .all() as LiveRow[];
  return rows.map(([key, provider, customerId, subscriptionId, unit, providerEntryId, rowId, accountId, kind, status, amount, blockId]) => {
    // Assert right after reading: an adjustment not replaced still has its local entry.
    if (rowId === null || accountId === null || kind === null || status === null || amount === null) {
      throw new Error(`adjustment ${key}: not replaced, yet its ledger entry is missing`);
    }
    return { key, provider: provider as 'orb' | 'moesif', customerId, subscriptionId, unit, providerEntryId, rowId, accountId, kind, status, amount, blockId };
  });
}

interface Match {
  position: number;
  adjustment: LiveAdjustment;
  /** How it was recognised, for messages. */
  by: string;
}

function accountText(customerId: string, subscriptionId: string | null, unit: string): string {
  return `${customerId}/${subscriptionId ?? '-'}/${unit}`;
}

function problemAt(origin: RecordOrigin, field: string, message: string): ImportProblem {
  return { file: origin.file, line: origin.line, pointer: origin.pointer, field, message };
}

/** The posted adjustment an incoming entry is the provider's copy of, by id first (the strongest evidence). */
function recognise(
  incoming: IncomingEntry,
  byKey: ReadonlyMap<string, LiveAdjustment>,
  byOrbEntry: ReadonlyMap<string, LiveAdjustment>,
): { adjustment: LiveAdjustment; by: string; field: string } | null {
  const entry = incoming.entry;
  if (entry.source === 'orb') {
    const byId = byOrbEntry.get(entry.sourceId);
    if (byId !== undefined) return { adjustment: byId, by: `its id is the one push recorded for ${byId.key}`, field: 'id' };
    const key = incoming.metadata?.[ADJUSTMENT_METADATA.idempotencyKey];
    const named = typeof key === 'string' ? byKey.get(key) : undefined;
    if (named !== undefined) return { adjustment: named, by: `metadata ${ADJUSTMENT_METADATA.idempotencyKey} is ${named.key}`, field: `metadata.${ADJUSTMENT_METADATA.idempotencyKey}` };
    return null;
  }
  if (entry.source === 'moesif') {
    const named = byKey.get(entry.sourceId);
    if (named !== undefined) return { adjustment: named, by: `transaction_id is ${named.key}`, field: 'transaction_id' };
  }
  return null;
}

/** One line: where the provider's copy differs from the local entry (amount, kind, status), or null. */
function copyDifference(local: LiveAdjustment, copy: LedgerEntry): string | null {
  const parts: string[] = [];
  const amount = toCanonical(copy.amount);
  if (local.kind !== copy.kind) parts.push(`kind ${copy.kind} (posted ${local.kind})`);
  if (local.amount !== amount) parts.push(`amount ${amount} (posted ${local.amount})`);
  if (local.status !== copy.status) parts.push(`status ${copy.status} (posted ${local.status})`);
  return parts.length === 0 ? null : `the provider's copy ${copy.source} ${copy.sourceId} has ${parts.join(', ')}`;
}

interface BlockReference {
  rowId: number;
  source: string;
  sourceId: string;
  kind: string;
  /** Its adjustment row, when a Ledgerscope entry. */
  pushedAt: number | null;
  replacedAt: number | null;
  body: string | null;
}

function blockReferences(db: LedgerDb, adjustment: LiveAdjustment, blockId: string): BlockReference[] {
  const rows = prepared(
    db,
    `SELECT e.id, e.source, e.source_id, e.kind, r.pushed_at, r.replaced_at, r.body
       FROM entries e LEFT JOIN reconcile_adjustments r ON e.source = 'ledgerscope' AND r.entry_source_id = e.source_id
      WHERE e.account_id = ? AND e.block_id = ? AND e.id <> ?`,
  )
    .raw()
    .all(adjustment.accountId, blockId, adjustment.rowId) as [number, string, string, string, number | null, number | null, string | null][];
  return rows.map(([rowId, source, sourceId, kind, pushedAt, replacedAt, body]) => ({ rowId, source, sourceId, kind, pushedAt, replacedAt, body }));
}

/**
 * Finds the incoming entries (`isNew(i)`: those the caller will insert) that are the provider's copy of a
 * posted adjustment whose local entry is still stored, checks each (same account, the provider it was
 * posted for, a replaced block nothing pushed still names), and, when no problem was found, replaces:
 * deletes the local entry, counts the account one entry shorter, drops its replay checkpoint (the
 * caller's EntryWriter writes the copy into that same account and its finish() rebuilds it), remaps
 * later unpushed local adjustments that named the replaced block, and records the replacement on the
 * adjustment row. Problems are pushed to `problems` and nothing is written; the caller rolls back on
 * any problem, so a replacement never outlives a rejected import.
 */
export function replaceAdjustmentCopies(
  db: LedgerDb,
  entries: readonly IncomingEntry[],
  isNew: (position: number) => boolean,
  now: Instant,
  problems: ImportProblem[],
): ReplacedAdjustment[] {
  const live = loadLive(db);
  if (live.length === 0) return [];
  const byKey = new Map(live.map((adjustment) => [adjustment.key, adjustment]));
  const byOrbEntry = new Map<string, LiveAdjustment>();
  for (const adjustment of live) if (adjustment.provider === 'orb' && adjustment.providerEntryId !== null) byOrbEntry.set(adjustment.providerEntryId, adjustment);

  const matches: Match[] = [];
  const claimed = new Set<string>();
  const problemCount = problems.length;
  for (let position = 0; position < entries.length; position++) {
    if (!isNew(position)) continue;
    const incoming = entries[position]!;
    const found = recognise(incoming, byKey, byOrbEntry);
    if (found === null) continue;
    const { adjustment, by, field } = found;
    // A second provider entry for the same adjustment is no copy to replace with: it is stored as it is, and
    // reconciliation reports it (duplicate_credit).
    if (claimed.has(adjustment.key)) continue;
    const entry = incoming.entry;
    const what = `${entry.source} entry ${JSON.stringify(entry.sourceId)} is the provider's copy of Ledgerscope adjustment ${adjustment.key} (${by})`;
    if (entry.source !== adjustment.provider) {
      problems.push(problemAt(incoming.origin, field, `${what}, but that adjustment was posted for ${adjustment.provider}, not ${entry.source}`));
      continue;
    }
    const posted = accountText(adjustment.customerId, adjustment.subscriptionId, adjustment.unit);
    const arrived = accountText(entry.customerId, entry.subscriptionId, entry.unit);
    if (posted !== arrived) {
      const accountField = entry.customerId !== adjustment.customerId ? 'customer_id' : entry.subscriptionId !== adjustment.subscriptionId ? 'subscription_id' : 'unit';
      problems.push(problemAt(incoming.origin, accountField, `${what}, but it is in account ${arrived} and the adjustment was posted for ${posted}`));
      continue;
    }
    claimed.add(adjustment.key);
    matches.push({ position, adjustment, by });
  }
  if (problems.length > problemCount) return [];

  // Blocks: an increment's local block id is its key; the copy's is its own (DESIGN §5). Entries naming the
  // local block must follow, or be refused when the provider already holds them naming it.
  const remaps: { match: Match; from: string; to: string | null; references: BlockReference[] }[] = [];
  for (const match of matches) {
    const adjustment = match.adjustment;
    if (adjustment.kind !== 'increment') continue;
    const from = adjustment.blockId ?? adjustment.key;
    const copy = entries[match.position]!.entry;
    const to = copy.kind === 'increment' ? (copy.blockId ?? copy.sourceId) : null;
    if (to === from) continue;
    const references = blockReferences(db, adjustment, from);
    if (references.length === 0) continue;
    for (const reference of references) {
      const remappable = to !== null && reference.source === 'ledgerscope' && reference.body !== null && reference.pushedAt === null && reference.replacedAt === null;
      if (remappable) continue;
      const why =
        to === null
          ? `the copy is a ${copy.kind}, so block ${from} no longer exists`
          : reference.source === 'ledgerscope'
            ? `adjustment ${reference.sourceId} is already at the provider naming block ${from}`
            : `${reference.source} entry ${reference.sourceId} names block ${from}`;
      problems.push(
        problemAt(
          entries[match.position]!.origin,
          'block_id',
          `${copy.source} entry ${JSON.stringify(copy.sourceId)} replaces Ledgerscope adjustment ${adjustment.key}, whose block ${from} ` +
            `${reference.kind} ${reference.source}:${reference.sourceId} names; ${why}: resolve that entry first, then import again`,
        ),
      );
    }
    remaps.push({ match, from, to, references });
  }
  if (problems.length > problemCount) return [];

  const deleteEntry = prepared(db, "DELETE FROM entries WHERE id = ? AND source = 'ledgerscope'");
  const shorten = prepared(db, 'UPDATE accounts SET entry_count = entry_count - 1 WHERE id = ? AND entry_count > 0');
  // Same count after delete + insert: a checkpoint left here would look fresh. Gone until finish() rebuilds it.
  const dropCheckpoint = prepared(db, 'DELETE FROM account_checkpoints WHERE account_id = ?');
  const dropRecent = prepared(db, 'DELETE FROM account_recent WHERE account_id = ?');
  const dropSummary = prepared(db, 'DELETE FROM account_summaries WHERE account_id = ?');
  const dropStates = prepared(db, 'DELETE FROM account_states WHERE account_id = ?');
  const record = prepared(
    db,
    `UPDATE reconcile_adjustments SET replaced_by_source = @source, replaced_by_source_id = @id, replaced_at = @now, copy_difference = @difference,
            provider_entry_id = coalesce(provider_entry_id, @id)
      WHERE idempotency_key = @key AND replaced_at IS NULL`,
  );
  const setBlock = prepared(db, "UPDATE entries SET block_id = ? WHERE id = ? AND source = 'ledgerscope'");
  const setBody = prepared(db, 'UPDATE reconcile_adjustments SET body = ? WHERE entry_source_id = ? AND pushed_at IS NULL AND replaced_at IS NULL');

  const replaced: ReplacedAdjustment[] = [];
  for (const match of matches) {
    const { adjustment } = match;
    const copy = entries[match.position]!.entry;
    const difference = copyDifference(adjustment, copy);
    if (deleteEntry.run(adjustment.rowId).changes !== 1) throw new Error(`adjustment ${adjustment.key}: its ledger entry was not deleted`);
    if (shorten.run(adjustment.accountId).changes !== 1) throw new Error(`adjustment ${adjustment.key}: account ${adjustment.accountId} has no entry to remove`);
    dropCheckpoint.run(adjustment.accountId);
    dropRecent.run(adjustment.accountId); // its rows too (migration 0006): without the header they are never read
    dropSummary.run(adjustment.accountId); // and its balance summary (migration 0008), fresh-looking for the same reason
    dropStates.run(adjustment.accountId); // and its replay states (migration 0012)
    const written = record.run({ source: copy.source, id: copy.sourceId, now, difference, key: adjustment.key });
    if (written.changes !== 1) throw new Error(`adjustment ${adjustment.key}: replacement not recorded`);
    const remapped: ReplacedAdjustment['remapped'] = [];
    const remap = remaps.find((r) => r.match === match);
    if (remap !== undefined && remap.to !== null) {
      for (const reference of remap.references) {
        const body = JSON.parse(reference.body!) as Record<string, unknown>;
        if (setBlock.run(remap.to, reference.rowId).changes !== 1) throw new Error(`entry ${reference.sourceId}: block not remapped`);
        if (body.block_id === remap.from) body.block_id = remap.to;
        if (setBody.run(JSON.stringify(body), reference.sourceId).changes !== 1) throw new Error(`adjustment ${reference.sourceId}: body not remapped`);
        remapped.push({ idempotencyKey: reference.sourceId, fromBlockId: remap.from, toBlockId: remap.to });
      }
    }
    replaced.push({ idempotencyKey: adjustment.key, source: copy.source as 'orb' | 'moesif', sourceId: copy.sourceId, difference, remapped });
  }
  return replaced;
}

/** One line per replacement worth telling the user: a copy that differs, a later adjustment that now names the copy's block. */
export function replacementWarnings(replaced: readonly ReplacedAdjustment[]): string[] {
  const warnings: string[] = [];
  for (const item of replaced) {
    if (item.difference !== null) warnings.push(`adjustment ${item.idempotencyKey} replaced by ${item.source} ${item.sourceId}: ${item.difference}; the provider's copy is kept`);
    for (const remap of item.remapped) {
      warnings.push(`adjustment ${remap.idempotencyKey} now names block ${remap.toBlockId} (was ${remap.fromBlockId}, replaced by the provider's copy ${item.sourceId})`);
    }
  }
  return warnings;
}
