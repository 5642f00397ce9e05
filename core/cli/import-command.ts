import { readFileSync } from 'node:fs';
import { ImportRejected } from '../import/ledger-files.js';
import { decodeTextFile, formatProblem, TextEncodingError, type SourceFormat } from '../sources/index.js';
import { importAnyFiles } from '../import/index.js';
import { UsageError } from './cli-error.js';
import type { CommandContext } from './commands.js';
import { counted } from './counted.js';

/*
 * `ledgerscope import`: its own module, loaded only when it runs, so the read commands (balances above
 * all) do not load the parsers and the import pipeline at every start.
 */

const SOURCES: readonly SourceFormat[] = ['moesif', 'orb-bodies', 'orb-export', 'stripe', 'stripe-csv'];

export function runImport(
  ctx: CommandContext,
  files: string[],
  options: { db: string; source?: string | undefined; unit?: string | undefined; createdAtField?: string | undefined },
): number {
  if (files.length === 0) throw new UsageError('import: name at least one file');
  if (options.source !== undefined && !SOURCES.includes(options.source as SourceFormat)) {
    throw new UsageError(`--source: expected one of ${SOURCES.join(', ')}, found ${JSON.stringify(options.source)}`);
  }
  if (options.unit !== undefined && options.unit.trim() === '') throw new UsageError('--unit: expected a unit code like USD');
  if (options.createdAtField !== undefined && options.createdAtField.trim() === '') throw new UsageError('--created-at-field: expected the name of the field that holds each body\'s time, like posted_at');
  const inputs = files.map((path) => {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      throw new UsageError(`${path}: cannot read file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    try {
      const decoded = decodeTextFile(path, bytes);
      if (decoded.encoding !== 'UTF-8') ctx.io.err(`import: ${path}: read as ${decoded.encoding} (its byte-order mark says so)\n`);
      return { path, text: decoded.text };
    } catch (error) {
      if (!(error instanceof TextEncodingError)) throw error;
      throw new UsageError('import rejected: 1 problem', [formatProblem(error.problem), `nothing was written to ${options.db}`]);
    }
  });
  const importOptions = {
    ...(options.source === undefined ? {} : { source: options.source as SourceFormat }),
    ...(options.unit === undefined ? {} : { unit: options.unit }),
    ...(options.createdAtField === undefined ? {} : { createdAtField: options.createdAtField.trim() }),
    now: ctx.now,
  };
  try {
    const summary = importAnyFiles(options.db, inputs, importOptions);
    for (const file of summary.files) ctx.io.out(`${file.path}: ${file.format}, ${counted(file.records, 'record')}\n`);
    const entries = `${counted(summary.inserted, 'new ledger entry', 'new ledger entries')} (${summary.unchanged} already present)`;
    const payments = summary.payments;
    ctx.io.out(
      payments === null
        ? `imported ${counted(summary.inserted, 'new entry', 'new entries')} (${summary.unchanged} already present) into ${options.db} across ${counted(summary.accountsTouched ?? 0, 'account')}\n`
        : `imported ${entries} and ${counted(payments.inserted, 'new payment')} (${payments.updated} updated, ${payments.unchanged} unchanged) into ${options.db}\n`,
    );
    const nothingNew = summary.inserted === 0 && (payments === null || payments.inserted + payments.updated === 0);
    if (nothingNew) ctx.io.out('nothing new: every record is already in the database\n');
    if (summary.adjustmentsReplaced > 0) {
      ctx.io.out(`${summary.adjustmentsReplaced} posted adjustment${summary.adjustmentsReplaced === 1 ? '' : 's'} now counted once: the provider's copy replaced the local entry\n`);
    }
    for (const warning of summary.warnings) ctx.io.err(`import: warning: ${warning}\n`);
    return 0;
  } catch (error) {
    if (error instanceof ImportRejected) {
      throw new UsageError(`import rejected: ${counted(error.problems.length, 'problem')}`, [
        ...error.problems.map(formatProblem),
        `nothing was written to ${options.db}`,
      ]);
    }
    throw error;
  }
}
