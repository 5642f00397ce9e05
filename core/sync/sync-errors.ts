/*
 * Errors a sync stops with, each saying what the user can do. Provider messages are passed through
 * redactKeys first: Stripe's 401 message names the key it rejected (masked), and a key must never
 * reach a terminal, a log or the database.
 */

export type SyncErrorKind = 'usage' | 'auth' | 'permission' | 'rate-limit' | 'network' | 'api' | 'data' | 'cancelled';

export class SyncError extends Error {
  constructor(
    readonly kind: SyncErrorKind,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'SyncError';
  }
}

/** Removes the key itself and anything shaped like a Stripe or Orb secret from a message. */
export function redactKeys(message: string, key?: string): string {
  let text = message;
  if (key !== undefined && key.length >= 8) text = text.split(key).join('[key]');
  return text.replace(/\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9*]+/g, '[key]').replace(/Bearer\s+\S+/gi, 'Bearer [key]');
}

/** How a provider key looks to us; a warning when it can do more than read (never a refusal). */
export function stripeKeyWarning(key: string): string | null {
  if (key.startsWith('rk_')) return null;
  if (key.startsWith('sk_')) {
    return 'warning: STRIPE_API_KEY is a secret key (sk_…), which can change your Stripe account; Ledgerscope only reads, so a restricted read-only key (rk_…) is safer';
  }
  return 'warning: STRIPE_API_KEY does not look like a restricted read-only Stripe key (rk_…); Ledgerscope only reads, so a restricted key is safer';
}
