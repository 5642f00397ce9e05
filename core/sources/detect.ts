import { readCsvHeader } from './csv.js';
import { isRecord } from './fields.js';
import { parseJsonExact } from './lossless-json.js';
import { fileProblem } from './problems.js';
import { isPage, readShape, type Shape } from './records.js';
import type { ImportProblem, SourceFormat } from './types.js';

/**
 * Format detection from content, never from the file name (DESIGN §5). Looks at the first records
 * only: signature fields for JSON, signature columns for CSV.
 */

const TRIED =
  'tried moesif (fields company_id and transaction_id), orb-bodies (JSON Lines with entry_type and customer_id), ' +
  'orb-export (ledger_sequence_number, entry_type with starting_balance, or a {data, pagination_metadata} page), ' +
  'stripe (objects with "object", such as a list or a payment_intent), stripe-csv (columns "Created date (UTC)" or "Created (UTC)" with "Amount", or "balance_transaction_id" with "created_utc")';
const HOW_TO_NAME = 'name the format with --source moesif|orb-bodies|orb-export|stripe|stripe-csv';

/** How many leading records are looked at before giving up. */
const RECORDS_TO_TRY = 20;

/** The format a record's own fields name, or null. */
export function classifyRecord(record: Record<string, unknown>): SourceFormat | null {
  if ('ledger_sequence_number' in record || ('entry_type' in record && 'starting_balance' in record)) return 'orb-export';
  if ('entry_type' in record && 'customer_id' in record) return 'orb-bodies';
  if ('company_id' in record && 'transaction_id' in record) return 'moesif';
  // An item of Moesif's GET /~/billing/reports?type=balance_transaction.
  if ('company_id' in record && record.type === 'balance_transaction' && '_id' in record) return 'moesif';
  if (typeof record.object === 'string') return 'stripe';
  return null;
}

function classifyDocument(value: unknown): SourceFormat | null {
  if (isRecord(value)) {
    if (value.object === 'list') return 'stripe';
    if (isPage(value)) return 'orb-export';
    return classifyRecord(value);
  }
  if (Array.isArray(value)) {
    for (const item of value.slice(0, RECORDS_TO_TRY)) {
      const format = isRecord(item) ? classifyRecord(item) : null;
      if (format !== null) return format;
    }
  }
  return null;
}

function classifyJsonLines(text: string): SourceFormat | null {
  let start = 0;
  for (let tried = 0; tried < RECORDS_TO_TRY && start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line === '' || line === '\ufeff') continue;
    tried++;
    try {
      const format = classifyDocument(parseJsonExact(line.replace(/^\ufeff/, '')));
      if (format !== null) return format;
    } catch {
      // a bad line: the reader reports it; look at the next one
    }
  }
  return null;
}

function classifyCsv(text: string): SourceFormat | null {
  const header = readCsvHeader(text);
  if (header === null) return null;
  const columns = new Set(header.map((cell) => cell.trim()));
  if (columns.has('company_id') && columns.has('transaction_id')) return 'moesif';
  if (columns.has('Amount') && (columns.has('Created date (UTC)') || columns.has('Created (UTC)'))) return 'stripe-csv';
  // The current balance history export says Gross where the legacy one says Amount.
  if (columns.has('Gross') && columns.has('Net') && columns.has('Created (UTC)')) return 'stripe-csv';
  // Stripe's "Balance change from activity" itemized report (snake_case columns).
  if (columns.has('balance_transaction_id') && columns.has('created_utc')) return 'stripe-csv';
  return null;
}

/** A document that does not parse (truncated, say): its format from the field names near its start. */
function classifyBrokenDocument(text: string): SourceFormat | null {
  const head = text.slice(0, 65_536);
  const record: Record<string, unknown> = {};
  for (const match of head.matchAll(/"([A-Za-z_][A-Za-z0-9_]*)"\s*:/g)) record[match[1] as string] = true;
  const object = /"object"\s*:\s*"([a-z_.]+)"/.exec(head);
  if (object) record.object = object[1];
  if (record.object === 'list') return 'stripe';
  if ('data' in record && 'pagination_metadata' in record) return 'orb-export';
  return classifyRecord(record);
}

export function detectShapeFormat(file: string, text: string, shape: Shape): SourceFormat | ImportProblem {
  let format: SourceFormat | null = null;
  switch (shape.kind) {
    case 'empty':
      return fileProblem(file, 'the file is empty: nothing to import');
    case 'jsonl':
      format = classifyJsonLines(text);
      break;
    case 'document':
      format = classifyDocument(shape.value);
      break;
    case 'broken-document':
      format = classifyBrokenDocument(text);
      if (format === null) {
        return fileProblem(file, `not valid JSON (line ${shape.error.line}, column ${shape.error.column}): ${shape.error.message}`, shape.error.line);
      }
      break;
    case 'csv':
      format = classifyCsv(text);
      break;
  }
  if (format !== null) return format;
  return fileProblem(file, `cannot tell which format this file is: ${TRIED}; ${HOW_TO_NAME}`);
}

/** The file's format, or a problem saying which formats were tried and how to name one. */
export function detectFormat(fileName: string, text: string): SourceFormat | ImportProblem {
  return detectShapeFormat(fileName, text, readShape(text));
}
