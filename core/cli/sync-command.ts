import { LedgerDbError } from '../store/errors.js';
import { counted } from './counted.js';
import { openLedgerDb, type LedgerDb } from '../store/index.js';
import { syncOrb, type OrbSyncSummary } from '../sync/orb-sync.js';
import { OrbApi } from '../sync/orb-client.js';
import { RateLimiter } from '../sync/rate-limiter.js';
import { StripeApi } from '../sync/stripe-client.js';
import { syncStripe, type StripeSyncSummary } from '../sync/stripe-sync.js';
import { syncMoesif } from '../sync/moesif-sync.js';
import { describeRetryWait, type OnRetryWait } from '../sync/retry-wait.js';
import { redactKeys, stripeKeyWarning, SyncError } from '../sync/sync-errors.js';
import type { Instant } from '../time/instant.js';
import type { CliIo } from './io.js';

/*
 * `ledgerscope sync stripe|orb|moesif --db <path> [--api-base <url>]` (DESIGN §7). Keys come from the
 * environment (STRIPE_API_KEY, ORB_API_KEY, MOESIF_MANAGEMENT_TOKEN) and are never printed, logged or stored. Progress goes to
 * stderr, the summary to stdout. Exit 0 when the sync completed, 2 when it could not run or stopped
 * (a rejected key, a missing key, an unreachable API...: the message says what to do; whatever was
 * committed is kept and the next run resumes after it), 130 when cancelled with Ctrl-C.
 */

export interface SyncCommandContext {
  io: CliIo;
  now: Instant;
}

export interface SyncCommandOptions {
  db: string;
  apiBase?: string | undefined;
}

/** Test seams; the CLI passes none (process.env, Ctrl-C). */
export interface SyncCommandDeps {
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** Requests per second (Stripe's live budget is 100; Orb's documented limits are lower per endpoint). */
  ratePerSecond?: number;
}

const PROVIDERS = ['stripe', 'orb', 'moesif'] as const;

export async function runSync(ctx: SyncCommandContext, provider: string, options: SyncCommandOptions, deps: SyncCommandDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const io = ctx.io;
  if (!(PROVIDERS as readonly string[]).includes(provider)) {
    io.err(`sync: expected one of ${PROVIDERS.join(', ')}, found ${JSON.stringify(provider)}\n`);
    return 2;
  }
  if (provider === 'moesif') return runMoesifSync(ctx, options, deps);
  const keyName = provider === 'stripe' ? 'STRIPE_API_KEY' : 'ORB_API_KEY';
  const key = env[keyName];
  if (key === undefined || key.trim() === '') {
    io.err(
      provider === 'stripe'
        ? 'sync stripe: STRIPE_API_KEY is not set; create a restricted key with read access (Dashboard → Developers → API keys) and export it\n'
        : 'sync orb: ORB_API_KEY is not set; create an API key in Orb (Settings → API keys) and export it\n',
    );
    return 2;
  }
  if (provider === 'stripe') {
    const warning = stripeKeyWarning(key);
    if (warning !== null) io.err(`${warning}\n`);
  }

  let db: LedgerDb;
  try {
    db = openLedgerDb(options.db, { create: true, now: ctx.now });
  } catch (error) {
    if (error instanceof LedgerDbError) {
      io.err(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const interrupt = interruptOnCtrlC(io, deps.signal);
  const signal = interrupt.signal;
  const progress = progressPrinter(io, provider);
  const onWait = waitPrinter(io, provider);
  try {
    if (provider === 'stripe') {
      const api = new StripeApi({
        apiKey: key,
        ...(options.apiBase === undefined ? {} : { apiBase: options.apiBase }),
        limiter: new RateLimiter({ ratePerSecond: deps.ratePerSecond ?? 100 }),
        onWait,
      });
      const summary = await syncStripe({ db, api, now: ctx.now, signal, onProgress: (p) => progress(p.stream, p.objects) });
      printStripeSummary(io, options.db, summary);
      return summary.cancelled ? 130 : 0;
    }
    const api = new OrbApi({
      apiKey: key,
      ...(options.apiBase === undefined ? {} : { apiBase: options.apiBase }),
      limiter: new RateLimiter({ ratePerSecond: deps.ratePerSecond ?? 20 }),
      onWait,
    });
    const summary = await syncOrb({ db, api, now: ctx.now, signal, onProgress: (p) => progress(p.stream, p.objects) });
    printOrbSummary(io, options.db, summary);
    return summary.cancelled ? 130 : 0;
  } catch (error) {
    if (error instanceof SyncError || error instanceof LedgerDbError) {
      io.err(`sync ${provider}: ${redactKeys(error.message, key)}\n`);
      return 2;
    }
    throw error;
  } finally {
    interrupt.release();
    db.close();
  }
}

/** `sync moesif`: GET /~/billing/reports?type=balance_transaction with MOESIF_MANAGEMENT_TOKEN (core/sync/moesif-sync.ts). */
async function runMoesifSync(ctx: SyncCommandContext, options: SyncCommandOptions, deps: SyncCommandDeps): Promise<number> {
  const io = ctx.io;
  const token = (deps.env ?? process.env).MOESIF_MANAGEMENT_TOKEN;
  if (token === undefined || token.trim() === '') {
    io.err('sync moesif: MOESIF_MANAGEMENT_TOKEN is not set; create a management API token with the read:billing_reports scope (Moesif → Settings → API Keys) and export it\n');
    return 2;
  }
  let db: LedgerDb;
  try {
    db = openLedgerDb(options.db, { create: true, now: ctx.now });
  } catch (error) {
    if (error instanceof LedgerDbError) {
      io.err(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const progress = progressPrinter(io, 'moesif');
  const interrupt = interruptOnCtrlC(io, deps.signal);
  try {
    const summary = await syncMoesif({
      db, now: ctx.now, client: { token, ...(options.apiBase === undefined ? {} : { apiBase: options.apiBase }), onWait: waitPrinter(io, 'moesif') },
      signal: interrupt.signal,
      onProgress: (p) => progress(p.stream, p.objects),
    });
    for (const warning of summary.warnings) io.err(`sync moesif: ${warning}\n`);
    if (summary.cancelled) io.err(`sync moesif: cancelled at ${summary.stoppedAt ?? 'start'}; what was committed is kept, run the same command to resume\n`);
    io.out(`synced moesif into ${options.db}: ${summary.transactions} balance transactions fetched in ${summary.pages} pages\n`);
    io.out(`ledger entries: ${summary.entries.inserted} new, ${summary.entries.unchanged} unchanged${summary.entries.conflicts > 0 ? `, ${summary.entries.conflicts} not applied (see warnings)` : ''}\n`);
    io.out(`${counted(summary.requests, 'request')} (${summary.rateLimited} rate-limited)\n`);
    return summary.cancelled ? 130 : 0;
  } catch (error) {
    if (error instanceof SyncError || error instanceof LedgerDbError) {
      io.err(`sync moesif: ${redactKeys(error.message, token)}\n`);
      return 2;
    }
    throw error;
  } finally {
    interrupt.release();
    db.close();
  }
}

/** The signal a sync stops on: the caller's, else Ctrl-C (which also ends a wait before a retry). */
function interruptOnCtrlC(io: CliIo, given: AbortSignal | undefined): { signal: AbortSignal; release: () => void } {
  if (given !== undefined) return { signal: given, release: () => {} };
  const controller = new AbortController();
  const onInterrupt = (): void => {
    io.err('stopping after the page being written (Ctrl-C again to quit at once)...\n');
    controller.abort();
    process.off('SIGINT', onInterrupt);
  };
  process.on('SIGINT', onInterrupt);
  return { signal: controller.signal, release: () => process.off('SIGINT', onInterrupt) };
}

/** A wait before a retry, on stderr with its length (issue 10 §5): a long pause is never silent. */
function waitPrinter(io: CliIo, provider: string): OnRetryWait {
  return (wait) => io.err(`sync ${provider}: ${describeRetryWait(wait)} (Ctrl-C stops the sync; what was committed is kept)\n`);
}

/** One stderr line per stream, then one every 10,000 objects: a 100,000-object sync prints about a dozen. */
function progressPrinter(io: CliIo, provider: string): (stream: string, objects: number) => void {
  let lastStream = '';
  let lastPrinted = 0;
  return (stream, objects) => {
    if (stream !== lastStream || objects - lastPrinted >= 10_000) {
      io.err(`sync ${provider}: ${stream}, ${counted(objects, 'object')} so far\n`);
      lastStream = stream;
      lastPrinted = objects;
    }
  };
}

function printStripeSummary(io: CliIo, dbPath: string, summary: StripeSyncSummary): void {
  const { payments, entries, objects } = summary.counts;
  for (const warning of summary.warnings) io.err(`sync stripe: ${warning}\n`);
  if (summary.cancelled) io.err(`sync stripe: cancelled at ${summary.stoppedAt ?? 'start'}; what was committed is kept, run the same command to resume\n`);
  const streams = Object.entries(summary.byStream)
    .map(([stream, count]) => `${stream} ${count}`)
    .join(', ');
  io.out(`synced stripe into ${dbPath}: ${summary.objects} objects fetched (${streams || 'nothing new'})\n`);
  io.out(`payments: ${payments.inserted} new, ${payments.updated} updated (new version), ${payments.unchanged} unchanged${payments.stale > 0 ? `, ${counted(payments.stale, 'older state')} ignored` : ''}\n`);
  io.out(`ledger entries (credit grants): ${entries.inserted} new, ${entries.unchanged} unchanged${entries.conflicts > 0 ? `, ${entries.conflicts} not applied (see warnings)` : ''}\n`);
  io.out(`other objects (customers, balance transactions): ${objects.inserted} new, ${objects.updated} updated, ${objects.unchanged} unchanged\n`);
  const stated = summary.balanceSummaries;
  if (stated !== null) {
    const outcome =
      stated.compared === 0 ? 'none compared (see warnings)'
        : `${stated.compared} compared with the replay${stated.disagreeing > 0 ? `, ${counted(stated.disagreeing, 'account')} disagreeing with Stripe (see warnings)` : ', all agree'}`;
    io.out(`credit balance summaries: ${counted(stated.customers, 'customer')} with credit grants, ${outcome}\n`);
  }
  io.out(`${counted(summary.requests, 'request')} (${summary.rateLimited} rate-limited)${summary.counts.skipped > 0 ? `; ${counted(summary.counts.skipped, 'object')} skipped (see warnings)` : ''}\n`);
}

function printOrbSummary(io: CliIo, dbPath: string, summary: OrbSyncSummary): void {
  for (const warning of summary.warnings) io.err(`sync orb: ${warning}\n`);
  if (summary.cancelled) io.err(`sync orb: cancelled at ${summary.stoppedAt ?? 'start'}; what was committed is kept, run the same command to resume\n`);
  io.out(`synced orb into ${dbPath}: ${counted(summary.customers, 'customer')}, ${counted(summary.ledgerEntriesFetched, 'ledger entry', 'ledger entries')} fetched\n`);
  io.out(`ledger entries: ${summary.entries.inserted} new, ${summary.entries.unchanged} unchanged${summary.entries.conflicts > 0 ? `, ${summary.entries.conflicts} not applied (see warnings)` : ''}\n`);
  io.out(`invoices: ${summary.invoices}; payment links added to stored entries: ${summary.linksAdded}\n`);
  if (summary.adjustmentsReplaced > 0) {
    io.out(`posted adjustments now counted once (Orb's copy replaced the local entry): ${summary.adjustmentsReplaced}\n`);
  }
  io.out(`${counted(summary.requests, 'request')}\n`);
}
