import { isLosslessNumber, LosslessNumber, stringify as stringifyLossless } from 'lossless-json';
import { parseExactJson } from './exact-json-parse.js';

/**
 * Exact JSON parsing (DESIGN §3: a JSON number is taken from its literal text, never through a float).
 *
 * Fast path: JSON.parse, used only when every number token in the text is a plain decimal (no
 * exponent) of at most 15 characters from [0-9.]. Such a literal has at most 15 significant digits, and
 * it survives decimal → double → shortest decimal (String(n)) with its value unchanged: a double
 * carries 15.95 decimal digits, so two different decimals of ≤ 15 significant digits never round to
 * the same double (DBL_DIG = 15), and the shortest string that round-trips therefore has the literal's
 * value. Its formatting may differ ("12.50" → 12.5, "0.0000001" → "1e-7"); its value never does.
 *
 * Slow path: lossless-json's grammar (exact-json-parse.ts, linear in time and memory), whose numbers are
 * LosslessNumber objects holding the literal text, so "1e3" and 20-digit literals keep their text and are
 * strict-checked by whoever reads them.
 */

export { isLosslessNumber, LosslessNumber };

/** Longest number token (characters from [0-9.]) the fast path accepts. */
const FAST_NUMBER_CHARS = 15;
/** A run of [0-9.], skipped natively (a huge literal must not cost a JS step per digit). */
const NUMBER_CHARS = /[0-9.]*/y;

/**
 * True when `text` must go through the lossless parser to keep its number literals exact: some number
 * token has an exponent or more than 15 characters from [0-9.]. Only number tokens are looked at (a
 * lexical walk that jumps over strings with indexOf), so digits in ids and timestamps cost nothing;
 * this walk is about twice as fast as regexes over the whole line. Invalid JSON answers true, and the
 * lossless parser then reports it.
 */
export function needsLosslessParse(text: string): boolean {
  const length = text.length;
  let i = 0;
  while (i < length) {
    const code = text.charCodeAt(i);
    if (code === 34 /* " */) {
      let close = text.indexOf('"', i + 1);
      while (close !== -1 && text.charCodeAt(close - 1) === 92 /* \ */ && isEscaped(text, close)) {
        close = text.indexOf('"', close + 1);
      }
      if (close === -1) return true;
      i = close + 1;
    } else if (code === 45 /* - */ || (code >= 48 && code <= 57)) {
      if (code === 45) i++;
      const start = i;
      NUMBER_CHARS.lastIndex = i;
      NUMBER_CHARS.test(text);
      i = NUMBER_CHARS.lastIndex;
      const next = text.charCodeAt(i);
      if (next === 101 /* e */ || next === 69 /* E */ || i - start > FAST_NUMBER_CHARS) return true;
    } else {
      i++;
    }
  }
  return false;
}

/** True when the quote at `at` is preceded by an odd number of backslashes. */
function isEscaped(text: string, at: number): boolean {
  let backslashes = 0;
  for (let k = at - 1; text.charCodeAt(k) === 92; k--) backslashes++;
  return backslashes % 2 === 1;
}

/**
 * Parses lossless-json style: numbers are LosslessNumber; the last of duplicate keys wins, as with
 * JSON.parse, so both paths read the same record. Throws SyntaxError with "position N".
 */
export function parseJsonLosslessly(text: string): unknown {
  // Check the whole text first: a malformed one fails before anything is built (issue 10 item 8).
  parseExactJson(text, false);
  return parseExactJson(text);
}

/**
 * Parses JSON exactly: numbers come back as `number` (fast path, exact by the argument above) or as
 * LosslessNumber (slow path). Throws SyntaxError like JSON.parse.
 */
export function parseJsonExact(text: string): unknown {
  return needsLosslessParse(text) ? parseJsonLosslessly(text) : JSON.parse(text);
}

/** Serialises a value from parseJsonExact without losing any number literal. */
export function stringifyExact(value: unknown): string {
  return stringifyLossless(value) ?? 'null';
}

/** The literal text of a JSON number from parseJsonExact (fast-path numbers print their exact value). */
export function jsonNumberText(value: number | LosslessNumber): string {
  return typeof value === 'number' ? String(value) : value.value;
}

/**
 * Replaces LosslessNumbers by plain values other modules can JSON.stringify: a number when it
 * round-trips exactly through a double, else its literal text. Used for metadata only.
 */
export function toPlainJson(value: unknown): unknown {
  if (isLosslessNumber(value)) {
    const asNumber = Number(value.value);
    return Number.isFinite(asNumber) && !needsLosslessParse(value.value) ? asNumber : value.value;
  }
  if (Array.isArray(value)) return value.map(toPlainJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = toPlainJson(item);
    return out;
  }
  return value;
}

export interface JsonSyntaxProblem {
  /** 1-based line and column of the error (the end of the text for a truncated document). */
  line: number;
  column: number;
  message: string;
}

/**
 * Locates a JSON syntax error. lossless-json states "at position N" in its messages (so does V8), and
 * says "reached end of input" for a truncated document, which is the clearer message to show.
 */
export function locateJsonError(text: string, error: unknown): JsonSyntaxProblem {
  let detail = error instanceof Error ? error.message : String(error);
  try {
    parseExactJson(text, false);
  } catch (losslessError) {
    if (losslessError instanceof Error) detail = losslessError.message;
  }
  const match = /\s*(?:in JSON )?at position (\d+)/.exec(detail);
  let position = match ? Math.min(Number(match[1]), text.length) : text.length;
  // A truncated document fails at its very end: name the last line that has content, not the blank after it.
  if (position === text.length) while (position > 0 && /\s/.test(text.charAt(position - 1))) position--;
  if (match) detail = detail.slice(0, match.index) + detail.slice(match.index + match[0].length);
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < position; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  // A control character in the message (the raw newline a string ran into) would break the one-line error.
  const message = detail.replace(/\s+\(line \d+ column \d+\)$/, '').replace(/[\u0000-\u001f]/g, (c) => JSON.stringify(c).slice(1, -1));
  return { line, column: position - lineStart + 1, message };
}
