import { openLedgerDb } from '../store/index.js';
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
