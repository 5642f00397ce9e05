import { isDecimalLiteral } from '../money/decimal.js';
import type { ProviderBody } from './types.js';

/*
 * Adjustments as the providers' API request bodies, one JSON object per line. The providers' APIs take
 * `amount` as a JSON number, so it is written as a number literal copied from the decimal string: no
 * float ever holds it. Orb's per_unit_cost_basis is a string in Orb's API and stays one.
 */

/** Keys whose decimal-string values are written as JSON number literals. */
const NUMBER_KEYS = new Set(['amount']);
const MARK = '\u0001ledgerscope-number\u0001';

/** One body as a JSON line (no newline), amounts as number literals. */
export function providerBodyJson(body: ProviderBody): string {
  const marked = JSON.stringify(body, (key, value: unknown) =>
    NUMBER_KEYS.has(key) && typeof value === 'string' && isDecimalLiteral(value) ? MARK + value : value,
  );
  // JSON.stringify escapes U+0001 as \u0001: the marker cannot occur in any other string of the body.
  return marked.replace(/"\\u0001ledgerscope-number\\u0001([+-]?[0-9.]+)"/g, (_match, literal: string) => jsonNumberLiteral(literal));
}

/** "12.50" → 12.50; "-.5" → -0.5; "5." → 5 (JSON needs a digit on both sides of the point). */
function jsonNumberLiteral(literal: string): string {
  let text = literal.startsWith('+') ? literal.slice(1) : literal;
  const negative = text.startsWith('-');
  if (negative) text = text.slice(1);
  if (text.startsWith('.')) text = `0${text}`;
  if (text.endsWith('.')) text = text.slice(0, -1);
  return negative ? `-${text}` : text;
}

export function providerBodiesJsonl(bodies: readonly ProviderBody[]): string {
  return bodies.map((body) => providerBodyJson(body) + '\n').join('');
}
