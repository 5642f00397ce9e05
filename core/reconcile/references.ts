import type { LedgerEntry } from '../ledger/types.js';

/*
 * Exact references (DESIGN §6): a ledger entry names its Stripe money by putting the payment intent,
 * charge, checkout session or invoice id in its transaction id (Moesif), in its metadata (any key: Orb
 * invoice payment_provider_id, "stripe_payment_intent", ...), or in its description. A value counts
 * whole ("pi_123") or as a Stripe-id-shaped part of a longer text ("Payment pi_123 via checkout").
 */

/** Stripe object id prefixes that carry or take back money. */
const STRIPE_PREFIXES = new Set(['pi', 'ch', 'py', 'cs', 'in', 're', 'pyr', 'dp', 'du', 'cbtxn']);
const LONGEST_PREFIX = 5;

/** Bounds on what one entry can contribute (metadata is user data: a bound on every loop). */
const MAX_METADATA_VALUES = 64;
const MAX_TEXT_LENGTH = 4096;

/** Returns true when the token named something (then its parts are not looked at). */
export type TokenVisitor = (token: string) => boolean;

function isWordChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/**
 * Visits each Stripe-id-shaped part of `text` other than the whole text: a known prefix starting a
 * word, "_", then id characters ([A-Za-z0-9_]), as the regex /\b(pi|ch|...)_\w+/ would find them. A
 * hand-written scan: it runs on every entry, and a regex match allocates per call.
 */
function scanText(text: string, visit: TokenVisitor): void {
  const length = Math.min(text.length, MAX_TEXT_LENGTH);
  let underscore = text.indexOf('_');
  while (underscore > 0 && underscore < length) {
    let start = underscore;
    while (start > 0 && underscore - start < LONGEST_PREFIX && isLetter(text.charCodeAt(start - 1))) start--;
    const boundary = start === 0 || !isWordChar(text.charCodeAt(start - 1));
    if (boundary && underscore - start >= 2 && STRIPE_PREFIXES.has(text.slice(start, underscore))) {
      let end = underscore + 1;
      while (end < length && isWordChar(text.charCodeAt(end))) end++;
      if (end > underscore + 1 && (start > 0 || end < text.length)) visit(text.slice(start, end));
      underscore = text.indexOf('_', end);
      continue;
    }
    underscore = text.indexOf('_', underscore + 1);
  }
}

function visitValue(value: string, visit: TokenVisitor): void {
  if (!visit(value)) scanText(value, visit);
}

/**
 * Calls `visit` with every string that may name a Stripe object: the source id, each metadata string
 * value (two levels deep), Stripe-id-shaped parts of those and of the description. Tokens may repeat.
 */
export function forEachReferenceToken(
  entry: LedgerEntry,
  metadata: Record<string, unknown> | null | undefined,
  visit: TokenVisitor,
): void {
  visitValue(entry.sourceId, visit);
  if (entry.description !== null) scanText(entry.description, visit);
  if (metadata === null || metadata === undefined) return;
  let budget = MAX_METADATA_VALUES;
  for (const key in metadata) {
    if (budget-- <= 0) return;
    const value = metadata[key];
    if (typeof value === 'string') visitValue(value, visit);
    else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const inner = value as Record<string, unknown>;
      for (const innerKey in inner) {
        if (budget-- <= 0) return;
        const text = inner[innerKey];
        if (typeof text === 'string') visitValue(text, visit);
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
