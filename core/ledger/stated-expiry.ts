import type { LedgerEntry } from './types.js';

/*
 * Stated over derived (DESIGN §4, in the spirit of L1b): a Stripe credit balance transaction of type
 * credits_expired states how much of its grant expired, and the engine removes exactly that (never more
 * than the grant holds). The grant has expired for the provider, so what it still holds beyond the stated
 * amount expires at the same instant as the engine's own generated expiry, and a difference either way
 * is an allocation warning (never silent). Other sources' expiry entries record the block's expiry only:
 * their amount is informational and the expiry removes whatever remains (L3).
 */
export function expiryStatesAmount(entry: LedgerEntry): boolean {
  return entry.kind === 'expiry' && entry.source === 'stripe' && entry.status === 'posted';
}
