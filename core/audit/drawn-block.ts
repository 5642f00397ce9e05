import type { ParsedEntry } from '../sources/types.js';
import { parseInstant, type Instant } from '../time/instant.js';

/**
 * The block an Orb decrement drew from, as the export states it in `credit_block`. The canonical entry
 * names it (L1b), but not the expiry the export states beside it, so the block is read from the raw
 * record kept as evidence: only the `credit_block` object is cut out and parsed, which keeps a large
 * audit fast. A decrement whose record has no such object (a Stripe debit names its grant) falls back to
 * the entry's block, with no stated expiry.
 */
export interface DrawnBlock {
  id: string;
  /** credit_block.expiry_date when stated and readable (parsed only when asked: most draws never need it). */
  expiresAt(): Instant | null;
}

const CREDIT_BLOCK_KEY = /(?<!\\)"credit_block"\s*:\s*\{/;
// Plain strings only; anything escaped goes through JSON.parse.
const ID_FIELD = /"id"\s*:\s*"([^"\\]*)"/;
const EXPIRY_FIELD = /"expiry_date"\s*:\s*"([^"\\]*)"/;

const NO_EXPIRY = (): null => null;

export function drawnBlock(parsed: ParsedEntry): DrawnBlock | null {
  const entry = parsed.entry;
  if (entry.kind !== 'decrement') return null;
  const fallback = entry.blockId === null ? null : { id: entry.blockId, expiresAt: NO_EXPIRY };
  const raw = parsed.raw;
  const match = CREDIT_BLOCK_KEY.exec(raw);
  if (match === null) return fallback;
  const start = match.index + match[0].length - 1;
  const end = closingBrace(raw, start);
  if (end < 0) return fallback;
  const object = raw.slice(start, end + 1);
  const plain = ID_FIELD.exec(object);
  if (plain !== null && plain[1] !== '' && !object.includes('\\')) {
    return { id: plain[1]!, expiresAt: () => readExpiry(EXPIRY_FIELD.exec(object)?.[1]) };
  }
  let block: unknown;
  try {
    block = JSON.parse(object);
  } catch {
    return fallback; // evidence, not input: a block we cannot read is simply not checked
  }
  if (block === null || typeof block !== 'object') return fallback;
  const { id, expiry_date: expiry } = block as { id?: unknown; expiry_date?: unknown };
  if (typeof id !== 'string' || id === '') return fallback;
  return { id, expiresAt: () => readExpiry(expiry) };
}

function readExpiry(value: unknown): Instant | null {
  if (typeof value !== 'string') return null;
  try {
    return parseInstant(value);
  } catch {
    return null;
  }
}

/** Index of the `}` closing the object that opens at `start`, skipping strings; −1 if none. */
function closingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  // Bounded by the text's length.
  for (let i = start; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 92 /* \ */) i++;
      else if (code === 34 /* " */) inString = false;
      continue;
    }
    if (code === 34) inString = true;
    else if (code === 123 /* { */) depth++;
    else if (code === 125 /* } */) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}
