import { locateJsonError, needsLosslessParse, parseJsonExact, parseJsonLosslessly, stringifyExact, type JsonSyntaxProblem } from './lossless-json.js';
import type { RecordScope } from './problems.js';

/** How a file's text is laid out, decided from its first characters (not its name). */
export type Shape =
  | { kind: 'empty' }
  | { kind: 'jsonl' }
  | { kind: 'document'; value: unknown; /** Its numbers may be LosslessNumbers. */ lossless: boolean }
  | { kind: 'broken-document'; error: JsonSyntaxProblem }
  | { kind: 'csv' };

function isJsonWhitespace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9 || code === 0xfeff;
}

function firstContentIndex(text: string, from = 0): number {
  let i = from;
  while (i < text.length && isJsonWhitespace(text.charCodeAt(i))) i++;
  return i;
}

function lineAt(text: string, start: number): { line: string; end: number } {
  let end = text.indexOf('\n', start);
  if (end === -1) end = text.length;
  return { line: text.slice(start, end), end };
}

function parsesAsObject(line: string): boolean {
  try {
    const value = parseJsonExact(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * `[` starts a JSON document; `{` starts JSON Lines when its first line is a whole object, else a
 * (pretty-printed) JSON document; anything else is CSV. Only the first line or two are parsed to tell
 * JSON Lines apart, so a large file is parsed once, by its reader.
 */
export function readShape(text: string): Shape {
  const start = firstContentIndex(text);
  if (start >= text.length) return { kind: 'empty' };
  const first = text.charCodeAt(start);
  if (first !== 91 /* [ */ && first !== 123 /* { */) return { kind: 'csv' };
  if (first === 123) {
    const { line, end } = lineAt(text, start);
    if (parsesAsObject(line)) return { kind: 'jsonl' };
    const document = parseDocument(text);
    if (document.kind === 'document') return document;
    // Neither: JSON Lines whose first line is bad if the next line is a whole object.
    const next = firstContentIndex(text, end);
    if (next < text.length && parsesAsObject(lineAt(text, next).line)) return { kind: 'jsonl' };
    return document;
  }
  return parseDocument(text);
}

function parseDocument(textWithBom: string): Shape {
  // A byte-order mark is not JSON whitespace; a space in its place keeps every error position.
  const text = textWithBom.charCodeAt(0) === 0xfeff ? ` ${textWithBom.slice(1)}` : textWithBom;
  try {
    const lossless = needsLosslessParse(text);
    return { kind: 'document', value: lossless ? parseJsonLosslessly(text) : JSON.parse(text), lossless };
  } catch (error) {
    return { kind: 'broken-document', error: locateJsonError(text, error) };
  }
}

/** Called with each JSON Lines record; `lossless` says whether its numbers may be LosslessNumbers. */
export type JsonLineVisitor = (value: unknown, raw: string, lossless: boolean) => void;

/**
 * Offered each line's place before it is parsed (text[start, stop), CR removed); true when it has read the
 * line itself, so it is not parsed (a format's own scanner for its common record shape: moesif-scan.ts).
 */
export type JsonLineScanner = (start: number, stop: number, lineNumber: number) => boolean;

/**
 * The JSON Lines hot path: one JSON.parse per line (lossless-json only for lines that need it, see
 * lossless-json.ts), the scope moved to the line before `visit`. Blank lines are skipped; a line that
 * is not JSON is reported and the rest are still read. `scan`, when given, is offered each line first.
 */
export function forEachJsonLine(text: string, scope: RecordScope, visit: JsonLineVisitor, scan?: JsonLineScanner): void {
  const length = text.length;
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNumber = 0;
  while (start < length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = length;
    lineNumber++;
    const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    if (stop > start && (scan === undefined || !scan(start, stop, lineNumber))) {
      const line = text.slice(start, stop);
      readJsonLine(line, lineNumber, scope, visit);
    }
    start = end + 1;
  }
}

/** One JSON Lines line (already cut, CR removed): parsed, or reported when it is not JSON. */
export function readJsonLine(line: string, lineNumber: number, scope: RecordScope, visit: JsonLineVisitor): void {
  const lossless = needsLosslessParse(line);
  let value: unknown;
  try {
    value = lossless ? parseJsonLosslessly(line) : JSON.parse(line);
  } catch (error) {
    if (line.trim() !== '') {
      const located = locateJsonError(line, error);
      scope.moveTo(lineNumber, null);
      scope.fail('-', `not valid JSON (column ${located.column}): ${located.message}`);
    }
    return;
  }
  scope.moveTo(lineNumber, null);
  visit(value, line, lossless);
}

/** Called with each element of a JSON document's record array; `pointer` is its JSON pointer. */
export type ElementVisitor = (value: unknown, pointer: string, raw: string, lossless: boolean) => void;

/**
 * The records of a parsed JSON document: a top-level array ("/3") or, when `allowPage`, a page object's
 * `data` array ("/data/3"), each with its evidence text. Returns a problem message when the document
 * is neither. `lossless`: the document's numbers may be LosslessNumbers.
 */
export function forEachDocumentRecord(document: unknown, lossless: boolean, allowPage: boolean, visit: ElementVisitor): string | null {
  let items: unknown[];
  let prefix: string;
  if (Array.isArray(document)) {
    items = document;
    prefix = '';
  } else if (allowPage && isPage(document)) {
    items = document.data;
    prefix = '/data';
  } else {
    return allowPage
      ? 'expected a JSON array of entries, a page object {"data": [...], "pagination_metadata": ...} or JSON Lines'
      : 'expected a JSON array of records or JSON Lines (one record per line)';
  }
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    // Without lossless numbers the native JSON.stringify is exact too (see lossless-json.ts), and faster.
    visit(item, `${prefix}/${index}`, lossless ? stringifyExact(item) : JSON.stringify(item), lossless);
  }
  return null;
}

/** An Orb page: `{data: [...], pagination_metadata: {...}}`. */
export function isPage(value: unknown): value is { data: unknown[] } {
  return (
    value !== null &&
    typeof value === 'object' &&
    Array.isArray((value as { data?: unknown }).data) &&
    'pagination_metadata' in value
  );
}
