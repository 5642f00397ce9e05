// Types only, imported by nothing at run time: the contract (core/api/types.ts) re-exports them, and the
// renderer may bundle the contract, so this module must never import anything.

/** One effect of an entry on a block (amount: a canonical decimal string). */
export interface EffectRow {
  type: string;
  block_id: string | null;
  amount: string;
}

/**
 * One ledger entry with its place in the account (the same keys as `entries --json`). Long accounts store
 * their newest rows in this shape (migration 0006): a change here needs RECENT_ROWS_FORMAT
 * (core/store/recent-entries.ts) bumped.
 */
export interface EntryRow {
  id: string;
  source: string;
  subscription_id: string | null;
  unit: string;
  ledger_sequence_number: number;
  kind: string;
  status: string;
  amount: string;
  applied_amount: string;
  created_at: string;
  starting_balance: string;
  ending_balance: string;
  pending_balance: string;
  block_id: string | null;
  effective_at: string | null;
  expires_at: string | null;
  cost_basis: string | null;
  target_expires_at: string | null;
  void_reason: string | null;
  description: string | null;
  generated: boolean;
  effects: EffectRow[];
}
