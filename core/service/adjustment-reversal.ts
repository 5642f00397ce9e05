import { LedgerRuleError } from '../ledger/types.js';
import { replayAccount } from '../ledger/replay.js';
import {
  adjustmentMetadata,
  previewEntry,
  proposalEntry,
  proposalFromView,
  proposalView,
  reversalProposal,
  type BalancePreview,
  type Proposal,
} from '../reconcile/index.js';
import { findAdjustment, findRun, insertAdjustment, insertRunEvent, loadAccountEntries, maxOrdinal, type AdjustmentRecord, type LedgerDb } from '../store/index.js';
import type { Instant } from '../time/instant.js';
import { AdjustmentRejected, adjustmentView, type AdjustmentView } from './adjustments.js';
import { ReconcileServiceError } from './reconcile-service.js';
import { assertRunOpen, cleanText } from './run-close.js';

/*
 * Reversing a posted adjustment: a reversing adjustment linked to the original, posted by the same rules
 * (the ledger replays with it, the run must not be locked) with the same preview. Nothing is deleted.
 */

function originalOrThrow(db: LedgerDb, key: string): AdjustmentRecord {
  const record = findAdjustment(db, key);
  if (record === null) throw new ReconcileServiceError('not_found', `no posted adjustment ${JSON.stringify(key)}`);
  if (record.reversesKey !== null) throw new AdjustmentRejected([`${key} is itself a reversal (of ${record.reversesKey}); run reconcile again and post what the new run proposes`]);
  return record;
}

function reversalOf(record: AdjustmentRecord): Proposal {
  const original = proposalFromView(record.proposal);
  return reversalProposal(original, record.entrySource === 'ledgerscope' ? record.idempotencyKey : record.entrySourceId);
}

function asRejection(error: unknown): never {
  if (error instanceof LedgerRuleError) throw new AdjustmentRejected([`${error.rule}: ${error.field}: ${error.message}`]);
  throw error;
}

/** What reversing would post, and the balances before and after (nothing is written). */
export function previewReversal(db: LedgerDb, key: string, now: Instant): { proposal: ReturnType<typeof proposalView>; preview: BalancePreview } {
  const reversal = reversalOf(originalOrThrow(db, key));
  const entries = loadAccountEntries(db, reversal.account);
  try {
    return { proposal: proposalView(reversal), preview: previewEntry(reversal.account, entries, proposalEntry(reversal, now, maxOrdinal(db) + 1), now) };
  } catch (error) {
    return asRejection(error);
  }
}

/**
 * Posts the reversal of a posted adjustment in one transaction, with who and why. Refused: an unknown
 * key, a reversal, an adjustment already reversed, a locked run, an entry the ledger rules reject.
 */
export function reverseAdjustment(db: LedgerDb, key: string, action: { now: Instant; by: string | null; reason: string | null }): AdjustmentView {
  const by = cleanText(action.by, 200);
  const reason = cleanText(action.reason, 4000);
  if (reason === null) throw new AdjustmentRejected(['reverse: give a reason (it is recorded in the run\'s history)']);
  return db
    .transaction((): AdjustmentView => {
      const record = originalOrThrow(db, key);
      if (record.reversedByKey !== null) throw new ReconcileServiceError('conflict', `adjustment ${key} was already reversed by ${record.reversedByKey}`);
      const run = findRun(db, record.runId);
      if (run === null) throw new ReconcileServiceError('not_found', `no reconciliation run ${JSON.stringify(record.runId)}`);
      assertRunOpen(run);
      const reversal = reversalOf(record);
      const entries = loadAccountEntries(db, reversal.account);
      const entry = proposalEntry(reversal, action.now, maxOrdinal(db) + 1);
      try {
        replayAccount(reversal.account, [...entries, entry], { keepEntries: false });
      } catch (error) {
        asRejection(error);
      }
      insertAdjustment(db, {
        entry,
        raw: JSON.stringify({ run_id: reversal.runId, item_id: reversal.itemId, provider: reversal.provider, reverses: key, body: reversal.body }),
        metadata: adjustmentMetadata(reversal),
        proposal: proposalView(reversal),
        postedAt: action.now,
        postedBy: by,
        reversesKey: key,
      });
      insertRunEvent(db, { runId: record.runId, kind: 'reversal', by, at: action.now, reason, detail: { idempotency_key: reversal.idempotencyKey, reverses: key, item_id: record.itemId } });
      const stored = findAdjustment(db, reversal.idempotencyKey);
      if (stored === null) throw new Error(`reversal ${reversal.idempotencyKey} was not stored`);
      return adjustmentView(stored);
    })
    .immediate();
}
