import { describeValue, isRecord } from '../fields.js';
import { stringifyExact } from '../lossless-json.js';
import { fileProblem, RecordScope } from '../problems.js';
import { forEachJsonLine, type Shape } from '../records.js';
import type { ImportProblem } from '../types.js';
import { mapStripeObject } from './objects.js';
import { emptyStripeParsed, type StripeParsed } from './types.js';

/*
 * Stripe API objects in files (DESIGN §5): a list page {"object": "list", "data": [...]}, a JSON array
 * of objects, a single object, or JSON Lines whose lines are objects or list pages. Events are read as
 * the object they carry. Problems name the line (JSON Lines) and the JSON pointer ("/data/3").
 */

function isStripeList(value: unknown): value is { object: 'list'; data: unknown[] } {
  return isRecord(value) && value.object === 'list' && Array.isArray(value.data);
}

function rawOf(value: unknown, lossless: boolean): string {
  return lossless ? stringifyExact(value) : JSON.stringify(value);
}

/** Maps each object of a parsed document (list page, array, or one object); `line` for JSON Lines. */
function readDocument(value: unknown, lossless: boolean, line: number | null, scope: RecordScope, out: StripeParsed): void {
  let items: unknown[];
  let prefix: string;
  if (isStripeList(value)) {
    items = value.data;
    prefix = '/data';
  } else if (Array.isArray(value)) {
    items = value;
    prefix = '';
  } else {
    scope.moveTo(line, null);
    mapStripeObject(value, { scope, raw: rawOf(value, lossless), observedAt: null, out });
    return;
  }
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    scope.moveTo(line, `${prefix}/${index}`);
    if (isStripeList(item)) {
      scope.fail('-', 'a list page inside a list: expected Stripe objects');
      continue;
    }
    mapStripeObject(item, { scope, raw: rawOf(item, lossless), observedAt: null, out });
  }
}

export function parseStripeJson(file: string, text: string, shape: Shape, problems: ImportProblem[]): StripeParsed {
  const out = emptyStripeParsed();
  const scope = new RecordScope(file, problems);
  switch (shape.kind) {
    case 'empty':
      problems.push(fileProblem(file, 'the file is empty: nothing to import'));
      break;
    case 'jsonl':
      forEachJsonLine(text, scope, (value, _raw, lossless) => {
        const line = scope.line;
        if (!isRecord(value)) {
          scope.fail('-', `expected a Stripe object or list page on each line, found ${describeValue(value)}`);
          return;
        }
        readDocument(value, lossless, line, scope, out);
      });
      break;
    case 'document':
      readDocument(shape.value, shape.lossless, null, scope, out);
      break;
    case 'broken-document':
      // A truncated download is the usual cause: say where the JSON stops.
      problems.push(fileProblem(file, `not valid JSON (line ${shape.error.line}, column ${shape.error.column}): ${shape.error.message}`, shape.error.line));
      break;
    case 'csv':
      problems.push(fileProblem(file, 'Stripe API objects are JSON (a list page, an array or JSON Lines); for a dashboard CSV export use --source stripe-csv'));
      break;
  }
  return out;
}
