import { detectShapeFormat } from './detect.js';
import { parseMoesif } from './moesif.js';
import { parseOrbBodies } from './orb-bodies.js';
import { parseOrbExport } from './orb-export.js';
import { readShape } from './records.js';
import { parseStripeFile } from './stripe/index.js';
import type { StripeParsed } from './stripe/types.js';
import type { ImportProblem, ParsedEntry, ParseOptions, ParseResult } from './types.js';

/**
 * Reads one import file into canonical entries, in replay order, and every problem found in it (one
 * per bad field or record). The caller writes nothing when there are problems (DESIGN §5: one batch).
 * `format` is null only when the format could not be detected (the problem says why).
 */
export function parseImportFile(fileName: string, text: string, options: ParseOptions = {}): ParseResult {
  const shape = readShape(text);
  const problems: ImportProblem[] = [];
  let format = options.source;
  if (format === undefined) {
    const detected = detectShapeFormat(fileName, text, shape);
    if (typeof detected !== 'string') return { format: null, entries: [], problems: [detected] };
    format = detected;
  }
  let entries: ParsedEntry[] = [];
  let stripe: StripeParsed | undefined;
  switch (format) {
    case 'moesif':
      entries = parseMoesif(fileName, text, shape, options.unit, problems);
      break;
    case 'orb-bodies':
      entries = parseOrbBodies(fileName, text, shape, problems);
      break;
    case 'orb-export':
      entries = parseOrbExport(fileName, text, shape, problems);
      break;
    case 'stripe':
    case 'stripe-csv':
      stripe = parseStripeFile(fileName, text, shape, format, problems);
      break;
  }
  return stripe === undefined ? { format, entries, problems } : { format, entries, problems, stripe };
}
