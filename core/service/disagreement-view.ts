import type { SourceDisagreement } from '../api/types.js';
import type { StoredDisagreement } from '../store/index.js';
import { formatInstant } from '../time/instant.js';

/** A stored disagreement with the source's stated balances (core/store/replay-notes.ts) as the contract shows it. */
export function sourceDisagreementView(found: StoredDisagreement | null | undefined): SourceDisagreement | null {
  if (found === null || found === undefined) return null;
  return {
    entry_id: found.sourceId,
    source: found.source,
    ledger_sequence_number: found.sequence,
    created_at: formatInstant(found.at),
    stated: found.stated,
    replayed: found.replayed,
  };
}
