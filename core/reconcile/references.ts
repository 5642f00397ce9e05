import type { LedgerEntry } from '../ledger/types.js';

/*
 * Exact references (DESIGN §6): a ledger entry names its Stripe money by putting the payment intent,
 * charge, checkout session or invoice id in its transaction id (Moesif), in its metadata (any key: Orb
 * invoice payment_provider_id, "stripe_payment_intent", ...), or in its description. A value counts
 * whole ("pi_123") or as a Stripe-id-shaped part of a longer text ("Payment pi_123 via checkout").
 */

/** Stripe object id prefixes that carry or take back money. */
const STRIPE_ID = /\b(?:pi|ch|py|cs|in|re|pyr|dp|du|cbtxn)_[A-Za-z0-9_]+/g;

/** Bounds on what one entry can contribute (metadata is user data: a bound on every loop). */
const MAX_METADATA_VALUES = 64;
const MAX_TEXT_LENGTH = 4096;

function scanText(text: string, visit: (token: string) => void): void {
  if (text.indexOf('_') < 0) return;
  const bounded = text.length > MAX_TEXT_LENGTH ? text.slice(0, MAX_TEXT_LENGTH) : text;
  for (const match of bounded.matchAll(STRIPE_ID)) if (match[0] !== text) visit(match[0]);
}

function visitValue(value: string, visit: (token: string) => void): void {
  visit(value);
  scanText(value, visit);
}

/**
 * Calls `visit` with every string that may name a Stripe object: the source id, each metadata string
 * value (two levels deep), Stripe-id-shaped parts of those and of the description. Tokens may repeat.
 */
export function forEachReferenceToken(
  entry: LedgerEntry,
  metadata: Record<string, unknown> | null | undefined,
  visit: (token: string) => void,
): void {
  visitValue(entry.sourceId, visit);
  if (entry.description !== null) scanText(entry.description, visit);
  if (metadata === null || metadata === undefined) return;
  let budget = MAX_METADATA_VALUES;
  for (const value of Object.values(metadata)) {
    if (budget-- <= 0) return;
    if (typeof value === 'string') visitValue(value, visit);
    else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const inner of Object.values(value as Record<string, unknown>)) {
        if (budget-- <= 0) return;
        if (typeof inner === 'string') visitValue(inner, visit);
      }
    }
  }
}

/** Metadata keys Ledgerscope writes on the balancing entries it posts and pushes. */
export const ADJUSTMENT_METADATA = {
  idempotencyKey: 'ledgerscope_idempotency_key',
  runId: 'ledgerscope_run_id',
  itemId: 'ledgerscope_item_id',
} as const;
