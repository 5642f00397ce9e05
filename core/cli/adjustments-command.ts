import { pushApiBasesFromEnvironment, pushClientsFromKeys, PUSH_ENVIRONMENT } from '../service/adjustment-push-clients.js';
import { describeRetryWait } from '../sync/retry-wait.js';
import { adjustmentsForPush, listPostedAdjustments, pushAdjustments, type AdjustmentView, type PushReport } from '../service/adjustments.js';
import { ReconcileServiceError } from '../service/reconcile-service.js';
import { LedgerDbError } from '../store/errors.js';
import { openLedgerDb, type LedgerDb } from '../store/index.js';
import { redactKeys, SyncError } from '../sync/sync-errors.js';
import type { Instant } from '../time/instant.js';
import { UsageError } from './cli-error.js';
import type { CliIo } from './io.js';
import { textTable } from './text-table.js';

/*
 * `ledgerscope adjustments list|push` (issue 4): posted balancing adjustments and their push status, and
 * the push itself. Pushing writes to the providers' live ledgers, so it happens only with --confirm;
 * without it the command lists what would be sent and exits 2. Keys come from the environment
 * (ORB_API_KEY, MOESIF_MANAGEMENT_TOKEN) and are never printed. Exit 0 when every adjustment is pushed
 * (or was already), 1 when any failed or was skipped, 2 for bad input.
 */

export interface AdjustmentsCommandContext {
  io: CliIo;
  now: Instant;
}

export interface AdjustmentsListOptions {
  db: string;
  runId?: string | undefined;
  unpushed: boolean;
  json: boolean;
  customerId?: string | undefined;
  provider?: 'orb' | 'moesif' | undefined;
  pushStatus?: AdjustmentView['push_status'] | undefined;
}

export interface AdjustmentsPushOptions {
  db: string;
  confirm: boolean;
  runId?: string | undefined;
  keys?: string[] | undefined;
  orbApiBase?: string | undefined;
  moesifApiBase?: string | undefined;
  json: boolean;
}

/** Test seam: the CLI passes process.env. */
export interface AdjustmentsCommandDeps {
  env?: Record<string, string | undefined>;
}

function openExisting(path: string, readOnly: boolean): LedgerDb {
  try {
    return openLedgerDb(path, { create: false, readOnly });
  } catch (error) {
    if (error instanceof LedgerDbError) throw new UsageError(error.message);
    throw error;
  }
}

function pushStatus(adjustment: AdjustmentView): string {
  if (adjustment.reverses_key !== null && adjustment.pushed_at === null && adjustment.push_error === null) return `reversal of ${adjustment.reverses_key}, not pushed`;
  if (adjustment.pushed_at !== null) return `pushed ${adjustment.pushed_at}${adjustment.provider_entry_id === null ? '' : ` as ${adjustment.provider_entry_id}`}`;
  if (adjustment.confirmed_at !== null) return `confirmed by provider ${adjustment.confirmed_at} as ${adjustment.entry_id}`;
  if (adjustment.push_error !== null) return `failed (${adjustment.push_attempts} ${adjustment.push_attempts === 1 ? 'attempt' : 'attempts'}): ${adjustment.push_error}`;
  return 'not pushed';
}

function adjustmentsTable(adjustments: readonly AdjustmentView[]): string {
  return textTable(
    ['idempotency key', 'run', 'item', 'provider', 'customer', 'kind', 'amount', 'unit', 'push'],
    adjustments.map((a) => [a.idempotency_key, a.run_id, a.item_id, a.provider, a.customer_id, a.kind, a.amount, a.unit, pushStatus(a)]),
  );
}

export function runAdjustmentsList(ctx: AdjustmentsCommandContext, options: AdjustmentsListOptions): number {
  const db = openExisting(options.db, true);
  try {
    const adjustments = listPostedAdjustments(db, {
      ...(options.runId === undefined ? {} : { runId: options.runId }),
      unpushed: options.unpushed,
      ...(options.customerId === undefined ? {} : { customerId: options.customerId }),
      ...(options.provider === undefined ? {} : { provider: options.provider }),
      ...(options.pushStatus === undefined ? {} : { pushStatus: options.pushStatus }),
    });
    if (options.json) ctx.io.out(JSON.stringify({ adjustments }, null, 2) + '\n');
    else if (adjustments.length === 0) ctx.io.out(options.unpushed ? 'no posted adjustment is waiting to be pushed\n' : 'no posted adjustments\n');
    else ctx.io.out(adjustmentsTable(adjustments));
    return 0;
  } finally {
    db.close();
  }
}

export async function runAdjustmentsPush(ctx: AdjustmentsCommandContext, options: AdjustmentsPushOptions, deps: AdjustmentsCommandDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const { io } = ctx;
  const db = openExisting(options.db, false);
  const selection = { keys: options.keys, runId: options.runId };
  try {
    let candidates: AdjustmentView[];
    try {
      candidates = adjustmentsForPush(db, selection);
    } catch (error) {
      if (error instanceof ReconcileServiceError) throw new UsageError(`adjustments push: ${error.message}`);
      throw error;
    }
    if (!options.confirm) {
      // A dry run: say exactly what would be sent, send nothing.
      if (options.json) io.out(JSON.stringify({ dry_run: true, adjustments: candidates }, null, 2) + '\n');
      else io.out(candidates.length === 0 ? 'nothing to push\n' : `would push ${candidates.length} ${candidates.length === 1 ? 'adjustment' : 'adjustments'}:\n${adjustmentsTable(candidates)}`);
      io.err('adjustments push: nothing was sent; pushing writes to the providers\' ledgers, add --confirm to push\n');
      return 2;
    }
    const bases = pushApiBasesFromEnvironment(env);
    const orbApiBase = options.orbApiBase ?? bases.orbApiBase;
    const moesifApiBase = options.moesifApiBase ?? bases.moesifApiBase;
    if (moesifApiBase !== undefined && !URL.canParse(moesifApiBase)) throw new UsageError(`--moesif-api-base: expected a URL like https://api.moesif.com, found ${JSON.stringify(moesifApiBase)}`);
    let clients;
    try {
      clients = pushClientsFromKeys({
        orbApiKey: env[PUSH_ENVIRONMENT.orbApiKey],
        moesifToken: env[PUSH_ENVIRONMENT.moesifToken],
        ...(orbApiBase === undefined ? {} : { orbApiBase }),
        ...(moesifApiBase === undefined ? {} : { moesifApiBase }),
      }, { onWait: (wait) => io.err(`adjustments push: ${describeRetryWait(wait)}\n`) });
    } catch (error) {
      if (error instanceof SyncError) throw new UsageError(error.message.replace('--api-base', '--orb-api-base'));
      throw error;
    }
    const report = await pushAdjustments(db, { confirm: true, ...selection, clients: clients.clients, missing: clients.missing, now: () => ctx.now });
    const secrets = [env[PUSH_ENVIRONMENT.orbApiKey], env[PUSH_ENVIRONMENT.moesifToken]];
    const clean = (text: string): string => secrets.reduce<string>((out, key) => redactKeys(out, key ?? undefined), text);
    if (options.json) io.out(clean(JSON.stringify(report, null, 2)) + '\n');
    else io.out(clean(pushText(report, candidates)));
    for (const failure of report.failed) io.err(clean(`adjustments push: ${failure.idempotency_key}: ${failure.error}\n`));
    for (const skip of report.skipped) io.err(`adjustments push: ${skip.idempotency_key} skipped: ${skip.reason}\n`);
    return report.failed.length > 0 || report.skipped.length > 0 ? 1 : 0;
  } finally {
    db.close();
  }
}

function pushText(report: PushReport, candidates: readonly AdjustmentView[]): string {
  const byKey = new Map(candidates.map((a) => [a.idempotency_key, a]));
  const what = (key: string): string => {
    const a = byKey.get(key);
    return a === undefined ? key : `${key} (${a.provider} ${a.customer_id} ${a.kind} ${a.amount} ${a.unit})`;
  };
  let out = '';
  for (const pushed of report.pushed) out += `pushed ${what(pushed.idempotency_key)}${pushed.provider_entry_id === null ? '' : ` → ${pushed.provider_entry_id}`}\n`;
  for (const key of report.already_pushed) out += `already pushed ${what(key)}\n`;
  for (const failure of report.failed) out += `failed ${what(failure.idempotency_key)}: ${failure.error}\n`;
  for (const skip of report.skipped) out += `skipped ${what(skip.idempotency_key)}: ${skip.reason}\n`;
  const total = report.pushed.length + report.already_pushed.length + report.failed.length + report.skipped.length;
  out += total === 0
    ? 'nothing to push\n'
    : `${report.pushed.length} pushed, ${report.already_pushed.length} already pushed, ${report.failed.length} failed, ${report.skipped.length} skipped\n`;
  return out;
}
