import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-error.js';
import { LedgerDbError, storageFailure } from '../store/errors.js';
import { runBalance, runBalances, runBlocks, runEntries, type CommandContext } from './commands.js';
import { processIo, type CliIo } from './io.js';
import { USAGE } from './usage.js';
import { ADJUSTMENT_PUSH_STATUSES, type AdjustmentPushStatus } from '../api/types.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/*
 * The read commands (balance, balances, blocks, entries) are imported statically: they are what users
 * run most and their modules are light. The others load their modules on demand (the CLI bundle is split
 * per command, scripts/build-cli.mjs): the parsers and the import pipeline, zod, the Stripe and Orb SDKs
 * and the HTTP host would otherwise be loaded by every start, `balances` included.
 */
const lazy = {
  import: () => import('./import-command.js'),
  adjustments: () => import('./adjustments-command.js'),
  audit: () => import('./audit-command.js'),
  reconcile: () => import('./reconcile-command.js'),
  report: () => import('./report-command.js'),
  serve: () => import('./serve-command.js'),
  sync: () => import('./sync-command.js'),
  mapping: () => import('./mapping-command.js'),
  timeline: () => import('./timeline-command.js'),
};

/** A lazily loaded command: its usage and store errors become exit codes like the others'. */
function later(io: CliIo, run: () => Promise<number>, dbPath?: string): Promise<number> {
  return run().catch((error: unknown) => exitCodeFor(error, io, dbPath));
}

const COMMAND_OPTIONS: Record<string, Options> = {
  import: { db: { type: 'string' }, source: { type: 'string' }, unit: { type: 'string' }, 'created-at-field': { type: 'string' } },
  balance: { db: { type: 'string' }, customer: { type: 'string' }, 'as-of': { type: 'string' }, json: { type: 'boolean' } },
  balances: { db: { type: 'string' }, 'as-of': { type: 'string' }, json: { type: 'boolean' } },
  blocks: { db: { type: 'string' }, customer: { type: 'string' }, 'as-of': { type: 'string' }, json: { type: 'boolean' } },
  entries: { db: { type: 'string' }, customer: { type: 'string' }, json: { type: 'boolean' } },
  timeline: { db: { type: 'string' }, customer: { type: 'string' }, 'as-of': { type: 'string' }, json: { type: 'boolean' } },
  audit: { json: { type: 'boolean' } },
  serve: { db: { type: 'string' }, port: { type: 'string' } },
  reconcile: { db: { type: 'string' }, 'as-of': { type: 'string' }, json: { type: 'boolean' }, report: { type: 'string' } },
  mapping: { db: { type: 'string' }, json: { type: 'boolean' } },
  sync: { db: { type: 'string' }, 'api-base': { type: 'string' } },
  adjustments: {
    db: { type: 'string' }, run: { type: 'string' }, key: { type: 'string', multiple: true }, confirm: { type: 'boolean' },
    unpushed: { type: 'boolean' }, 'orb-api-base': { type: 'string' }, 'moesif-api-base': { type: 'string' }, json: { type: 'boolean' },
    customer: { type: 'string' }, provider: { type: 'string' }, 'push-status': { type: 'string' },
  },
  report: {
    db: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, unit: { type: 'string' },
    json: { type: 'boolean' }, csv: { type: 'boolean' }, xlsx: { type: 'string' },
  },
};

/** Commands that take positional arguments (files, or the report's name). */
const POSITIONAL = new Set(['import', 'audit', 'report', 'sync', 'adjustments', 'mapping']);


function required(values: Record<string, unknown>, name: string, command: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`${command}: --${name} is required`);
  return value;
}

function optional(values: Record<string, unknown>, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** Exit code, or a promise of one for commands that wait on the network (sync). */
export function runCli(argv: string[], io: CliIo, now: number): number | Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE + '\n');
    return command === undefined ? 2 : 0;
  }
  const ctx: CommandContext = { io, now };
  let dbPath: string | undefined;
  try {
    const options = COMMAND_OPTIONS[command];
    if (options === undefined) throw new UsageError(`unknown command ${JSON.stringify(command)}; run "ledgerscope --help"`);
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options, allowPositionals: POSITIONAL.has(command), strict: true });
    } catch (error) {
      throw new UsageError(`${command}: ${(error as Error).message}`);
    }
    const values = parsed.values as Record<string, unknown>;
    const asJson = values.json === true;
    if (command === 'audit') return later(io, async () => (await lazy.audit()).runAudit(ctx, parsed.positionals, { json: asJson }));
    const db = required(values, 'db', command);
    dbPath = db;
    switch (command) {
      case 'import':
        return later(io, async () => (await lazy.import()).runImport(ctx, parsed.positionals, { db, source: optional(values, 'source'), unit: optional(values, 'unit'), createdAtField: optional(values, 'created-at-field') }), db);
      case 'balance':
        return runBalance(ctx, { db, customer: required(values, 'customer', command), asOf: optional(values, 'as-of'), json: asJson });
      case 'balances':
        return runBalances(ctx, { db, asOf: optional(values, 'as-of'), json: asJson });
      case 'blocks':
        return runBlocks(ctx, { db, customer: required(values, 'customer', command), asOf: optional(values, 'as-of'), json: asJson });
      case 'entries':
        return runEntries(ctx, { db, customer: required(values, 'customer', command), json: asJson });
      case 'timeline':
        return later(io, async () => (await lazy.timeline()).runTimeline(ctx, { db, customer: required(values, 'customer', command), asOf: optional(values, 'as-of'), json: asJson }), db);
      case 'sync': {
        const [provider, ...extra] = parsed.positionals;
        if (provider === undefined || extra.length > 0) throw new UsageError('sync: name one provider: stripe, orb or moesif');
        const apiBase = optional(values, 'api-base');
        return later(io, async () => (await lazy.sync()).runSync(ctx, provider, { db, ...(apiBase === undefined ? {} : { apiBase }) }), db);
      }
      case 'adjustments': {
        const [action, ...extra] = parsed.positionals;
        if ((action !== 'list' && action !== 'push') || extra.length > 0) throw new UsageError('adjustments: expected "list" or "push"');
        const runId = optional(values, 'run');
        if (action === 'list') {
          for (const flag of ['confirm', 'key', 'orb-api-base', 'moesif-api-base']) {
            if (values[flag] !== undefined) throw new UsageError(`adjustments list: --${flag} belongs to adjustments push`);
          }
          const provider = optional(values, 'provider');
          if (provider !== undefined && provider !== 'orb' && provider !== 'moesif') throw new UsageError(`--provider: expected orb or moesif, found ${JSON.stringify(provider)}`);
          const pushStatus = optional(values, 'push-status');
          if (pushStatus !== undefined && !ADJUSTMENT_PUSH_STATUSES.includes(pushStatus as AdjustmentPushStatus)) {
            throw new UsageError(`--push-status: expected one of ${ADJUSTMENT_PUSH_STATUSES.join(', ')}, found ${JSON.stringify(pushStatus)}`);
          }
          return later(io, async () => (await lazy.adjustments()).runAdjustmentsList(ctx, {
            db,
            runId,
            unpushed: values.unpushed === true,
            json: asJson,
            customerId: optional(values, 'customer'),
            provider: provider as 'orb' | 'moesif' | undefined,
            pushStatus: pushStatus as AdjustmentPushStatus | undefined,
          }), db);
        }
        for (const flag of ['customer', 'provider', 'push-status']) {
          if (values[flag] !== undefined) throw new UsageError(`adjustments push: --${flag} belongs to adjustments list`);
        }
        if (values.unpushed !== undefined) throw new UsageError('adjustments push: --unpushed belongs to adjustments list (push only sends unpushed ones)');
        const keys = values.key as string[] | undefined;
        return later(io, async () => (await lazy.adjustments()).runAdjustmentsPush(ctx, {
          db,
          confirm: values.confirm === true,
          runId,
          keys,
          orbApiBase: optional(values, 'orb-api-base'),
          moesifApiBase: optional(values, 'moesif-api-base'),
          json: asJson,
        }), db);
      }
      case 'reconcile':
        return later(io, async () => (await lazy.reconcile()).runReconcile(ctx, { db, asOf: optional(values, 'as-of'), json: asJson, report: optional(values, 'report') }), db);
      case 'mapping': {
        const [action, ...files] = parsed.positionals;
        if (action === 'import') {
          if (asJson) throw new UsageError('mapping import: --json belongs to mapping list');
          return later(io, async () => (await lazy.mapping()).runMappingImport(ctx, files, { db }), db);
        }
        if (action === 'list' && files.length === 0) return later(io, async () => (await lazy.mapping()).runMappingList(ctx, { db, json: asJson }), db);
        throw new UsageError('mapping: expected "import <csv>" or "list"');
      }
      case 'serve':
        return later(io, async () => (await lazy.serve()).runServe(ctx, { db, port: optional(values, 'port') }), db);
      case 'report': {
        const [name, ...extra] = parsed.positionals;
        if ((name !== 'liability' && name !== 'journal') || extra.length > 0) throw new UsageError('report: expected "liability" or "journal"');
        const reportOptions = {
          db,
          from: required(values, 'from', `report ${name}`),
          to: required(values, 'to', `report ${name}`),
          ...(optional(values, 'unit') === undefined ? {} : { unit: optional(values, 'unit') }),
          json: asJson,
          csv: values.csv === true,
          xlsx: optional(values, 'xlsx'),
        };
        if (name === 'journal') {
          if (reportOptions.xlsx !== undefined) throw new UsageError('report journal: --xlsx belongs to report liability; the journal is CSV (--csv)');
          return later(io, async () => (await lazy.report()).runJournalReport(ctx, reportOptions), db);
        }
        return later(io, async () => (await lazy.report()).runLiabilityReport(ctx, reportOptions), db);
      }
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (error) {
    return exitCodeFor(error, io, dbPath);
  }
}

/**
 * Usage errors and store errors a user can fix (missing file, newer schema, a full disk, a read-only
 * ledger) are bad input: exit 2, one line, no stack trace.
 */
function exitCodeFor(error: unknown, io: CliIo, dbPath?: string): number {
  const storage = dbPath === undefined ? null : storageFailure(dbPath, error);
  if (storage !== null) {
    io.err(`${storage.message}\n`);
    return 2;
  }
  if (error instanceof UsageError) {
    for (const line of error.lines) io.err(`${line}\n`);
    return 2;
  }
  if (error instanceof LedgerDbError) {
    io.err(`${error.message}\n`);
    return 2;
  }
  throw error;
}

export { processIo };
