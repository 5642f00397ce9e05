import { detectShapeFormat } from './detect.js';
import { parseMoesif } from './moesif.js';
import { parseOrbBodies } from './orb-bodies.js';
import { parseOrbExport } from './orb-export.js';
import { readShape, type Shape } from './records.js';
import { parseStripeFile } from './stripe/index.js';
import type { StripeParsed } from './stripe/types.js';
import type { ImportProblem, ParsedEntry, ParseOptions, ParseResult, SourceFormat } from './types.js';

/**
 * Reads one import file into canonical entries, in replay order, and every problem found in it (one
 * per bad field or record). The caller writes nothing when there are problems (DESIGN §5: one batch).
 * `format` is null only when the format could not be detected (the problem says why).
 */
export function parseImportFile(fileName: string, text: string, options: ParseOptions = {}): ParseResult {
  const shape = readShape(text);
  const format = options.source ?? detectShapeFormat(fileName, text, shape);
  if (typeof format !== 'string') return { format: null, entries: [], problems: [format] };
  return parseShapedFile(fileName, text, shape, format, options);
}

/**
 * parseImportFile for a caller that has already read the file's shape (readShape) and format (the
 * option, else detectShapeFormat), so that neither is computed twice: the audit takes Orb export JSON
 * Lines through its own scanner and everything else through here.
 */
export function parseShapedFile(fileName: string, text: string, shape: Shape, format: SourceFormat, options: ParseOptions = {}): ParseResult {
  const problems: ImportProblem[] = [];
  const notes: string[] = [];
  let entries: ParsedEntry[] = [];
  let stripe: StripeParsed | undefined;
  switch (format) {
    case 'moesif':
      entries = parseMoesif(fileName, text, shape, options.unit, problems, options.createdAtField ?? null);
      break;
    case 'orb-bodies':
      entries = parseOrbBodies(fileName, text, shape, problems, options.unit, notes);
      break;
    case 'orb-export':
      entries = parseOrbExport(fileName, text, shape, problems);
      break;
    case 'stripe':
    case 'stripe-csv':
      stripe = parseStripeFile(fileName, text, shape, format, problems);
      break;
  }
  const result: ParseResult = stripe === undefined ? { format, entries, problems } : { format, entries, problems, stripe };
  if (notes.length > 0) result.notes = notes;
  return result;
}
