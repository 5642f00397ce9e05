import type { Shape } from '../records.js';
import type { ImportProblem } from '../types.js';
import { parseStripeCsv } from './file-csv.js';
import { parseStripeJson } from './file-json.js';
import { emptyStripeParsed, type StripeParsed } from './types.js';

export type { CreditTransactionKind, ParsedCreditTransaction, ParsedGrant, ParsedPayment, ParsedSourceObject, StripeParsed } from './types.js';
export { emptyStripeParsed } from './types.js';
export { mapStripeObject, STRIPE_OBJECT_TYPES, type MapContext } from './objects.js';
export { grantVoidId, orderStripeEntries, resolveStripeLedger, type GrantAccountLookup, type StripeLedgerResolution } from './ledger.js';
export { paymentFingerprint } from './payment-fingerprint.js';
export { stripeCsvKind, type StripeCsvKind } from './file-csv.js';

/** Reads a Stripe file: API objects (`stripe`) or a dashboard CSV export (`stripe-csv`). */
export function parseStripeFile(file: string, text: string, shape: Shape, format: 'stripe' | 'stripe-csv', problems: ImportProblem[]): StripeParsed {
  if (format === 'stripe') return parseStripeJson(file, text, shape, problems);
  if (shape.kind !== 'csv') {
    problems.push({ file, line: null, pointer: null, field: '-', message: 'a Stripe dashboard export is CSV; for Stripe API objects (JSON) use --source stripe' });
    return emptyStripeParsed();
  }
  return parseStripeCsv(file, text, problems);
}
