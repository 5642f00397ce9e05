import type { EffectRow, EntryRow } from './entry-row-types.js';
import { toCanonical } from '../money/decimal.js';
import { formatInstant, formatOptionalInstant } from '../time/instant.js';
import type { ReplayedEntry } from './types.js';

/*
 * One replayed entry as the contract shows it (entries.list rows, `ledger --json`): here, below the
 * service layer, because the store also writes these rows (core/store/recent-entries.ts: the newest rows of
 * a long account, materialised when its checkpoint is built). core/service/views.ts re-exports it.
 */

/**
 * The entry row the contract shows (core/ledger/entry-row-types.ts, re-exported by core/api/types.ts; the same
 * keys as `entries --json`): one definition. It is
 * stored as JSON too (migration 0006): a change to it needs RECENT_ROWS_FORMAT (core/store/recent-entries.ts) bumped.
 */
export type EntryView = EntryRow;
export type EffectView = EffectRow;

export function entryView(replayed: ReplayedEntry): EntryView {
  const entry = replayed.entry;
  return {
    id: entry.sourceId,
    source: entry.source,
    subscription_id: entry.subscriptionId,
    unit: entry.unit,
    ledger_sequence_number: replayed.sequence,
    kind: entry.kind,
    status: entry.status,
    amount: toCanonical(entry.amount),
    applied_amount: toCanonical(replayed.appliedAmount),
    created_at: formatInstant(entry.at),
    starting_balance: toCanonical(replayed.startingBalance),
    ending_balance: toCanonical(replayed.endingBalance),
    pending_balance: toCanonical(replayed.pendingBalance),
    block_id: entry.kind === 'increment' ? (entry.blockId ?? entry.sourceId) : entry.blockId,
    effective_at: formatOptionalInstant(entry.effectiveAt),
    expires_at: formatOptionalInstant(entry.expiresAt),
    cost_basis: entry.costBasis === null ? null : toCanonical(entry.costBasis),
    target_expires_at: formatOptionalInstant(entry.targetExpiresAt),
    void_reason: entry.voidReason,
    description: entry.description,
    generated: replayed.generated,
    effects: replayed.effects.map((effect) => ({
      type: effect.type,
      block_id: effect.blockId,
      amount: toCanonical(effect.amount),
    })),
  };
}
