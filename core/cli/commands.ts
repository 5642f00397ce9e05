import { readFileSync } from 'node:fs';
import { openLedgerDb } from '../store/index.js';
import { ImportRejected } from '../import/ledger-files.js';
import { decodeTextFile, formatProblem, TextEncodingError, type SourceFormat } from '../sources/index.js';
import { importAnyFiles } from '../import/index.js';
import {
  allBalances,
  writeAllBalancesJson,
  customerBalance,
  customerBlocks,
  customerEntries,
  UnknownCustomerError,
} from '../service/ledger-queries.js';
import { parseInstant, type Instant } from '../time/instant.js';
import { UsageError } from './cli-error.js';
import type { CliIo } from './io.js';
import { textTable } from './text-table.js';
import { counted } from './counted.js';

export interface CommandContext {
  io: CliIo;
  /** Injected so tests can fix the clock; core never reads it itself. */
  now: Instant;
}

const SOURCES: readonly SourceFormat[] = ['moesif', 'orb-bodies', 'orb-export', 'stripe', 'stripe-csv'];

function asOfFrom(value: string | undefined, now: Instant): Instant {
  if (value === undefined) return now;
  try {
    return parseInstant(value);
  } catch (error) {
    throw new UsageError(`--as-of: ${(error as Error).message}`);
  }
}

function json(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2) + '\n');
}

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

function withReadDb<T>(path: string, fn: (db: ReturnType<typeof openLedgerDb>) => T): T {
  const db = openLedgerDb(path, { create: false, readOnly: true });
  try {
    return fn(db);
  } catch (error) {
    if (error instanceof UnknownCustomerError) throw new UsageError(error.message);
    throw error;
  } finally {
    db.close();
  }
}

export function runBalance(ctx: CommandContext, options: { db: string; customer: string; asOf?: string | undefined; json: boolean }): number {
  const asOf = asOfFrom(options.asOf, ctx.now);
  const view = withReadDb(options.db, (db) => customerBalance(db, options.customer, asOf));
  if (options.json) {
    json(ctx.io, view);
    return 0;
  }
  ctx.io.out(`customer ${view.customer_id} as of ${view.as_of}\n`);
  ctx.io.out(
    textTable(
      ['subscription', 'unit', 'current', 'pending', 'available', 'deficit', 'scheduled', 'blocks'],
      view.accounts.map((a) => [a.subscription_id, a.unit, a.current, a.pending, a.available, a.deficit, a.scheduled, String(a.blocks.length)]),
    ),
  );
  return 0;
}

export function runBalances(ctx: CommandContext, options: { db: string; asOf?: string | undefined; json: boolean }): number {
  const asOf = asOfFrom(options.asOf, ctx.now);
  if (options.json) {
    // The same text as json(allBalances(...)), most of it copied from the stored summaries as it is.
    const outBytes = ctx.io.outBytes?.bind(ctx.io);
    withReadDb(options.db, (db) => writeAllBalancesJson(db, asOf, (text) => ctx.io.out(text), outBytes));
    ctx.io.out('\n');
    return 0;
  }
  const view = withReadDb(options.db, (db) => allBalances(db, asOf));
  ctx.io.out(`${counted(view.accounts.length, 'account')} as of ${view.as_of}\n`);
  ctx.io.out(
    textTable(
      ['customer', 'subscription', 'unit', 'current', 'pending', 'available', 'deficit', 'scheduled'],
      view.accounts.map((a) => [a.customer_id, a.subscription_id, a.unit, a.current, a.pending, a.available, a.deficit, a.scheduled]),
    ),
  );
  return 0;
}

export function runBlocks(ctx: CommandContext, options: { db: string; customer: string; asOf?: string | undefined; json: boolean }): number {
  const asOf = asOfFrom(options.asOf, ctx.now);
  const view = withReadDb(options.db, (db) => customerBlocks(db, options.customer, asOf));
  if (options.json) {
    json(ctx.io, view);
    return 0;
  }
  ctx.io.out(`customer ${view.customer_id} blocks as of ${view.as_of}\n`);
  ctx.io.out(
    textTable(
      ['block', 'unit', 'status', 'initial', 'remaining', 'consumed', 'expired', 'voided', 'effective_at', 'expires_at', 'cost_basis'],
      view.blocks.map((b) => [
        b.id, b.unit, b.status, b.initial, b.remaining, b.consumed, b.expired, b.voided, b.effective_at, b.expires_at, b.cost_basis,
      ]),
    ),
  );
  // L3: credit in blocks not yet effective, per account (never summed across units).
  for (const account of view.scheduled) {
    ctx.io.out(`scheduled ${account.scheduled} ${account.unit}${account.subscription_id === null ? '' : ` (subscription ${account.subscription_id})`}\n`);
  }
  return 0;
}

export function runEntries(ctx: CommandContext, options: { db: string; customer: string; json: boolean }): number {
  const view = withReadDb(options.db, (db) => customerEntries(db, options.customer, ctx.now));
  if (options.json) {
    json(ctx.io, view);
    return 0;
  }
  ctx.io.out(`customer ${view.customer_id}: ${counted(view.entries.length, 'entry', 'entries')}\n`);
  ctx.io.out(
    textTable(
      ['seq', 'unit', 'created_at', 'kind', 'status', 'amount', 'starting', 'ending', 'id'],
      view.entries.map((e) => [
        String(e.ledger_sequence_number), e.unit, e.created_at, e.kind, e.status, e.amount, e.starting_balance, e.ending_balance, e.id,
      ]),
    ),
  );
  return 0;
}
