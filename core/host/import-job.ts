import { readFileSync } from 'node:fs';
import type { ImportPreview, ImportProblemRow, ImportResult, JobProgress, PreviewFile, PreviewRow, ReconcileRunSummary, SourceFormatName } from '../api/types.js';
import { toCanonical } from '../money/decimal.js';
import { importAnyFiles, isStripeImport } from '../import/index.js';
import { importFiles, ImportRejected, type ImportFileInput } from '../import/ledger-files.js';
import { decodeTextFile, formatProblem, parseImportFile, TextEncodingError, type ImportProblem, type ParsedEntry, type ParseResult, type SourceFormat } from '../sources/index.js';
import { summarizeImport } from './import-summary.js';
import { importStripeFiles, stripeRecordCount } from '../import/stripe-files.js';
import { storageFailure } from '../store/errors.js';
import { formatInstant, type Instant } from '../time/instant.js';

/*
 * The long work behind import.preview and import.run, written to run in a worker thread (core/host/
 * job-worker.ts) or inline in tests: plain data in, plain data out, progress through a callback and
 * cancellation through a flag checked at every progress step.
 */

/** A file to import: its contents (uploaded by the page, as text or as bytes) or a path main chose in its own dialog. */
export type JobFile = { name: string; text: string } | { name: string; bytes: Uint8Array } | { name: string; path: string; sizeBytes: number };

export interface ImportJobRequest {
  kind: 'import.preview' | 'import.run';
  dbPath: string;
  files: JobFile[];
  source?: SourceFormatName | undefined;
  unit?: string | undefined;
  now: Instant;
}

export type JobOutcome =
  | { type: 'preview'; preview: ImportPreview }
  | { type: 'imported'; result: ImportResult }
  | { type: 'reconciled'; run: ReconcileRunSummary }
  | { type: 'rejected'; problems: ImportProblemRow[]; problem_count: number }
  | { type: 'cancelled' }
  | { type: 'error'; message: string };

/** How many problems travel to the page; the count says how many there are in all. */
export const PROBLEMS_LIMIT = 5000;
/** Rows shown per file in the preview. */
export const PREVIEW_ROWS = 20;

export class JobCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'JobCancelled';
  }
}

/** Thrown from the progress hook once every check passed, so the dry run writes nothing. */
class DryRunPassed extends Error {}

/** The CLI's "--source" advice, said the screen's way: the Import screen names a file's format in its Format choice. */
const CLI_FORMAT_ADVICE = /name the format with --source [a-z|-]+/;
const SCREEN_FORMAT_ADVICE = 'choose the file’s format in the Format list on this screen and preview again';

/** Problems as the screen shows them: no command-line flags, no code quoting (issue 14). */
export function screenProblem(problem: ImportProblem): ImportProblem {
  const message = problem.message.replace(CLI_FORMAT_ADVICE, SCREEN_FORMAT_ADVICE).replace(/`/g, '');
  return message === problem.message ? problem : { ...problem, message };
}

/** A rule id the message starts with ("L3: block b1 expires…"): kept for a tooltip, not in the words. */
const RULE_PREFIX = /^((?:L\d+b?|I\d+)): /;

function problemRows(problems: readonly ImportProblem[]): ImportProblemRow[] {
  return problems.slice(0, PROBLEMS_LIMIT).map((p) => {
    const shown = screenProblem(p);
    const rule = RULE_PREFIX.exec(shown.message)?.[1];
    const message = rule === undefined ? shown.message : shown.message.slice(rule.length + 2);
    return { ...shown, message, text: formatProblem(shown), ...(rule === undefined ? {} : { rule }) };
  });
}

function readFiles(files: readonly JobFile[], progress: (p: JobProgress) => void, check: () => void): ImportFileInput[] {
  return files.map((file, index) => {
    check();
    progress({ phase: 'read', done: index, total: files.length });
    if ('text' in file) return { path: file.name, text: file.text };
    if ('bytes' in file) return { path: file.name, text: decodeTextFile(file.name, file.bytes).text };
    let bytes: Buffer;
    try {
      bytes = readFileSync(file.path);
    } catch (error) {
      throw new Error(`${file.name}: cannot read file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    // Invalid text is a problem of the file like any other (TextEncodingError, reported as a rejection).
    return { path: file.name, text: decodeTextFile(file.name, bytes).text };
  });
}

export function runImportJob(request: ImportJobRequest, onProgress: (progress: JobProgress) => void, isCancelled: () => boolean): JobOutcome {
  const check = (): void => {
    if (isCancelled()) throw new JobCancelled();
  };
  const options = {
    ...(request.source === undefined ? {} : { source: request.source as SourceFormat }),
    ...(request.unit === undefined ? {} : { unit: request.unit }),
    now: request.now,
  };
  try {
    const inputs = readFiles(request.files, onProgress, check);
    if (request.kind === 'import.preview') return { type: 'preview', preview: preview(request.dbPath, inputs, options, onProgress, check) };
    const summary = importAnyFiles(request.dbPath, inputs, {
      ...options,
      onProgress: (progress) => {
        check();
        onProgress(progress);
      },
    });
    return {
      type: 'imported',
      result: {
        files: summary.files.map((file) => ({ name: file.path, format: file.format, records: file.records })),
        inserted: summary.inserted,
        unchanged: summary.unchanged,
        accounts_touched: summary.accountsTouched,
        payments: summary.payments,
        adjustments_replaced: summary.adjustmentsReplaced,
        warnings: summary.warnings,
      },
    };
  } catch (error) {
    if (error instanceof JobCancelled) return { type: 'cancelled' };
    if (error instanceof ImportRejected) {
      return { type: 'rejected', problems: problemRows(error.problems), problem_count: error.problems.length };
    }
    if (error instanceof TextEncodingError) {
      // A preview shows it like any problem of the files (the Import screen lists a preview's problems).
      const problems = problemRows([error.problem]);
      if (request.kind === 'import.preview') return { type: 'preview', preview: { files: [], problems, problem_count: 1, ok: false, summary: summarizeImport([]) } };
      return { type: 'rejected', problems, problem_count: 1 };
    }
    const storage = storageFailure(request.dbPath, error);
    if (storage !== null) return { type: 'error', message: storage.message };
    return { type: 'error', message: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The first rows of a parsed file as the import will read them: ledger entries, then (for Stripe files)
 * payments with their kind and Stripe's status word, then credit grants and their transactions.
 */
function firstRows(parsed: ParseResult): PreviewRow[] {
  const ledgerRows = (entries: readonly ParsedEntry[]): PreviewRow[] =>
    entries.map(({ entry, origin, raw }) => ({
      line: origin.line,
      pointer: origin.pointer,
      id: entry.sourceId,
      kind: entry.kind,
      status: entry.status,
      customer_id: entry.customerId,
      subscription_id: entry.subscriptionId,
      unit: entry.unit,
      amount: toCanonical(entry.amount),
      created_at: formatInstant(entry.at),
      raw,
    }));
  const rows = ledgerRows(parsed.entries.slice(0, PREVIEW_ROWS));
  const stripe = parsed.stripe;
  if (stripe === undefined) return rows;
  for (const { record, origin, raw } of stripe.payments.slice(0, PREVIEW_ROWS - rows.length)) {
    rows.push({
      line: origin.line,
      pointer: origin.pointer,
      id: record.sourceId,
      kind: record.kind,
      status: record.status,
      customer_id: record.customerId ?? '',
      subscription_id: null,
      unit: record.currency,
      amount: toCanonical(record.amount),
      created_at: formatInstant(record.at),
      raw,
    });
  }
  rows.push(...ledgerRows(stripe.grants.slice(0, Math.max(0, PREVIEW_ROWS - rows.length)).map((grant) => grant.parsed)));
  return rows;
}

/**
 * Detected formats, first rows and every problem, writing nothing: each file is parsed for its rows,
 * then, when the files parse, the real import runs as a dry run (stopped once its checks against the
 * database have passed, before it writes), so the preview finds exactly what the import would.
 */
function preview(
  dbPath: string,
  inputs: readonly ImportFileInput[],
  options: { source?: SourceFormat; unit?: string; now: Instant },
  onProgress: (progress: JobProgress) => void,
  check: () => void,
): ImportPreview {
  const files: PreviewFile[] = [];
  const parsedFiles: { name: string; parsed: ParseResult }[] = [];
  const problems: ImportProblem[] = [];
  inputs.forEach((input, index) => {
    check();
    onProgress({ phase: 'parse', done: index, total: inputs.length });
    const parsed = parseImportFile(input.path, input.text, options);
    problems.push(...parsed.problems);
    parsedFiles.push({ name: input.path, parsed });
    files.push({
      name: input.path,
      format: parsed.format,
      records: stripeRecordCount(parsed.entries.length, parsed.stripe),
      first_rows: firstRows(parsed),
    });
  });
  const summary = summarizeImport(parsedFiles);
  parsedFiles.length = 0;
  if (problems.length === 0) {
    try {
      if (isStripeImport(inputs, options.source)) {
        const dry = importStripeFiles(dbPath, inputs, { ...options, dryRun: true });
        // Payments count as stored when unchanged; a new state of a stored payment is news.
        summary.new_records = dry.entries.inserted + dry.payments.inserted + dry.payments.updated;
        summary.already_stored = dry.entries.unchanged + dry.payments.unchanged;
      } else {
        importFiles(dbPath, inputs, {
          ...options,
          onProgress: (progress) => {
            check();
            onProgress(progress);
          },
          onChecked: (counts) => {
            summary.new_records = counts.inserted;
            summary.already_stored = counts.unchanged;
            throw new DryRunPassed();
          },
        });
        throw new Error('the import dry run was not stopped before writing');
      }
    } catch (error) {
      if (error instanceof ImportRejected) problems.push(...error.problems);
      else if (!(error instanceof DryRunPassed)) throw error;
    }
  }
  return { files, summary, problems: problemRows(problems), problem_count: problems.length, ok: problems.length === 0 };
}
