import type { Instant } from '../time/instant.js';
import type { LedgerDb } from './open.js';
import { prepared } from './statements.js';

/*
 * Sync cursors (migration 0002): one row per (provider, stream). A stream is one object list
 * ("payment_intents", "events", "orb:ledger:<customer id>"). Saved in the same transaction as the page
 * it follows, so the cursor never runs ahead of what was committed, nor lags behind it.
 */

export type SyncProvider = 'stripe' | 'orb' | 'moesif';

/** backfill: walking the window [windowGte, windowLt) newest first; done: the window is complete. */
export type SyncPhase = 'backfill' | 'incremental' | 'done';

export interface SyncState {
  provider: SyncProvider;
  stream: string;
  phase: SyncPhase;
  /** The backfill's `created` window (ms): created >= windowGte (null: from the beginning) and < windowLt. */
  windowGte: Instant | null;
  windowLt: Instant | null;
  /** Last committed object id (backfill: starting_after; events: the newest event applied). */
  cursor: string | null;
  /** Objects committed through this stream so far. */
  objects: number;
  updatedAt: Instant;
}

export function loadSyncState(db: LedgerDb, provider: SyncProvider, stream: string): SyncState | null {
  const row = prepared(db, 'SELECT phase, window_gte, window_lt, cursor, objects, updated_at FROM sync_state WHERE provider = ? AND stream = ?')
    .raw()
    .get(provider, stream) as [SyncPhase, number | null, number | null, string | null, number, number] | undefined;
  if (row === undefined) return null;
  return { provider, stream, phase: row[0], windowGte: row[1], windowLt: row[2], cursor: row[3], objects: row[4], updatedAt: row[5] };
}

/** Saves the state; `updated_at` is when it last changed, so a state saved again unchanged writes nothing. */
export function saveSyncState(db: LedgerDb, state: SyncState): void {
  if (!Number.isSafeInteger(state.objects) || state.objects < 0) throw new Error(`sync state ${state.stream}: bad object count ${state.objects}`);
  const stored = loadSyncState(db, state.provider, state.stream);
  if (
    stored !== null && stored.phase === state.phase && stored.windowGte === state.windowGte && stored.windowLt === state.windowLt &&
    stored.cursor === state.cursor && stored.objects === state.objects
  ) {
    return;
  }
  prepared(
    db,
    'INSERT INTO sync_state (provider, stream, phase, window_gte, window_lt, cursor, objects, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ' +
      'ON CONFLICT (provider, stream) DO UPDATE SET phase = excluded.phase, window_gte = excluded.window_gte, window_lt = excluded.window_lt, ' +
      'cursor = excluded.cursor, objects = excluded.objects, updated_at = excluded.updated_at',
  ).run(state.provider, state.stream, state.phase, state.windowGte, state.windowLt, state.cursor, state.objects, state.updatedAt);
}

export function listSyncStates(db: LedgerDb, provider: SyncProvider): SyncState[] {
  const streams = prepared(db, 'SELECT stream FROM sync_state WHERE provider = ? ORDER BY stream').pluck().all(provider) as string[];
  return streams.map((stream) => loadSyncState(db, provider, stream)!);
}
