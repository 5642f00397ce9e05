import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-error.js';
import { LedgerDbError, storageFailure } from '../store/errors.js';
import { runAdjustmentsList, runAdjustmentsPush } from './adjustments-command.js';
import { runAudit } from './audit-command.js';
import { runBalance, runBalances, runBlocks, runEntries, runImport, type CommandContext } from './commands.js';
import { runReconcile } from './reconcile-command.js';
import { runLiabilityReport } from './report-command.js';
import { runServe } from './serve-command.js';
import { runSync } from './sync-command.js';
import { processIo, type CliIo } from './io.js';
import { USAGE } from './usage.js';

type Options = NonNullable<ParseArgsConfig['options']>;

const COMMAND_OPTIONS: Record<string, Options> = {
  import: { db: { type: 'string' }, source: { type: 'string' }, unit: { type: 'string' }, 'created-at-field': { type: 'string' } },
  balance: { db: { type: 'string' }, customer: { type: 'string' }, 'as-of': { type: 'string' }, json: { type: 'boolean' } },
  balances: { db: { type: 'string' }, 'as-of': { type: 'string' }, json: { type: 'boolean' } },
  blocks: { db: { type: 'string' }, customer: { type: 'string' }, 'as-of': { type: 'string' }, json: { type: 'boolean' } },
  entries: { db: { type: 'string' }, customer: { type: 'string' }, json: { type: 'boolean' } },
  audit: { json: { type: 'boolean' } },
  serve: { db: { type: 'string' }, port: { type: 'string' } },
  reconcile: { db: { type: 'string' }, 'as-of': { type: 'string' }, json: { type: 'boolean' } },
  sync: { db: { type: 'string' }, 'api-base': { type: 'string' } },
  adjustments: {
    db: { type: 'string' }, run: { type: 'string' }, key: { type: 'string', multiple: true }, confirm: { type: 'boolean' },
    unpushed: { type: 'boolean' }, 'orb-api-base': { type: 'string' }, 'moesif-api-base': { type: 'string' }, json: { type: 'boolean' },
  },
  report: {
    db: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, unit: { type: 'string' },
    json: { type: 'boolean' }, csv: { type: 'boolean' },
  },
};

/** Commands that take positional arguments (files, or the report's name). */
const POSITIONAL = new Set(['import', 'audit', 'report', 'sync', 'adjustments']);


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
    if (command === 'audit') return runAudit(ctx, parsed.positionals, { json: asJson });
    const db = required(values, 'db', command);
    dbPath = db;
    switch (command) {
      case 'import':
        return runImport(ctx, parsed.positionals, { db, source: optional(values, 'source'), unit: optional(values, 'unit'), createdAtField: optional(values, 'created-at-field') });
      case 'balance':
        return runBalance(ctx, { db, customer: required(values, 'customer', command), asOf: optional(values, 'as-of'), json: asJson });
      case 'balances':
        return runBalances(ctx, { db, asOf: optional(values, 'as-of'), json: asJson });
      case 'blocks':
        return runBlocks(ctx, { db, customer: required(values, 'customer', command), asOf: optional(values, 'as-of'), json: asJson });
      case 'entries':
        return runEntries(ctx, { db, customer: required(values, 'customer', command), json: asJson });
      case 'sync': {
        const [provider, ...extra] = parsed.positionals;
        if (provider === undefined || extra.length > 0) throw new UsageError('sync: name one provider: stripe, orb or moesif');
        const apiBase = optional(values, 'api-base');
        return runSync(ctx, provider, { db, ...(apiBase === undefined ? {} : { apiBase }) }).catch((error: unknown) => exitCodeFor(error, io, db));
      }
      case 'adjustments': {
        const [action, ...extra] = parsed.positionals;
        if ((action !== 'list' && action !== 'push') || extra.length > 0) throw new UsageError('adjustments: expected "list" or "push"');
        const runId = optional(values, 'run');
        if (action === 'list') {
          for (const flag of ['confirm', 'key', 'orb-api-base', 'moesif-api-base']) {
            if (values[flag] !== undefined) throw new UsageError(`adjustments list: --${flag} belongs to adjustments push`);
          }
          return runAdjustmentsList(ctx, { db, runId, unpushed: values.unpushed === true, json: asJson });
        }
        if (values.unpushed !== undefined) throw new UsageError('adjustments push: --unpushed belongs to adjustments list (push only sends unpushed ones)');
        const keys = values.key as string[] | undefined;
        return runAdjustmentsPush(ctx, {
          db,
          confirm: values.confirm === true,
          runId,
          keys,
          orbApiBase: optional(values, 'orb-api-base'),
          moesifApiBase: optional(values, 'moesif-api-base'),
          json: asJson,
        }).catch((error: unknown) => exitCodeFor(error, io, db));
      }
      case 'reconcile':
        return runReconcile(ctx, { db, asOf: optional(values, 'as-of'), json: asJson });
      case 'serve':
        return runServe(ctx, { db, port: optional(values, 'port') });
      case 'report': {
        const [name, ...extra] = parsed.positionals;
        if (name !== 'liability' || extra.length > 0) throw new UsageError('report: the only report is "liability"');
        return runLiabilityReport(ctx, {
          db,
          from: required(values, 'from', 'report liability'),
          to: required(values, 'to', 'report liability'),
          ...(optional(values, 'unit') === undefined ? {} : { unit: optional(values, 'unit') }),
          json: asJson,
          csv: values.csv === true,
        });
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
