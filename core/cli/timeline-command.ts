import { ApiError } from '../api/errors.js';
import { AccountReplays } from '../service/account-queries.js';
import { customerDirectory } from '../service/customer-directory.js';
import { findCustomer } from '../service/customer-lookup.js';
import { timelineRow } from '../service/timeline-rows.js';
import { customerTimeline, CustomerTimelineCache } from '../service/timeline-queries.js';
import { openLedgerDb } from '../store/index.js';
import { parseInstant } from '../time/instant.js';
import { UsageError } from './cli-error.js';
import { counted } from './counted.js';
import type { CommandContext } from './commands.js';
import { textTable } from './text-table.js';

/** Rows read per page of the merged timeline (the service pages it; the CLI prints all). */
const PAGE = 1000;

/**
 * `ledgerscope timeline`: one customer's ledger entries and Stripe money on one time axis, named by its
 * ledger id, a Stripe customer id, an email or name, or a payment, charge or invoice id.
 */
export function runTimeline(ctx: CommandContext, options: { db: string; customer: string; asOf?: string | undefined; json: boolean }): number {
  let asOf = ctx.now;
  if (options.asOf !== undefined) {
    try {
      asOf = parseInstant(options.asOf);
    } catch (error) {
      throw new UsageError(`--as-of: ${(error as Error).message}`);
    }
  }
  const db = openLedgerDb(options.db, { create: false });
  try {
    const directory = customerDirectory(db);
    let found;
    try {
      found = findCustomer(db, options.customer, directory);
    } catch (error) {
      if (error instanceof ApiError) throw new UsageError(`timeline: ${error.message}`);
      throw error;
    }
    const cache = new CustomerTimelineCache();
    const replays = new AccountReplays();
    const first = customerTimeline(cache, replays, db, directory, found.customerId, asOf, 0, PAGE);
    const items = [...first.items];
    for (let offset = PAGE; offset < first.total; offset += PAGE) {
      items.push(...customerTimeline(cache, replays, db, directory, found.customerId, asOf, offset, PAGE).items);
    }
    const rows = items.map(timelineRow);
    if (options.json) {
      const { items: _items, total: _total, offset: _offset, ...head } = first;
      ctx.io.out(JSON.stringify({ query: options.customer, matched_by: found.matchedBy, ...head, rows }, null, 2) + '\n');
      return 0;
    }
    const who = [first.customer.name, first.customer.email].filter((part) => part !== null).join(', ');
    ctx.io.out(`customer ${first.customer_id}${who === '' ? '' : ` (${who})`} as of ${first.as_of}: ${counted(rows.length, 'row')}\n`);
    ctx.io.out(
      textTable(
        ['time', 'source', 'kind', 'status', 'amount', 'unit', 'balance_after', 'received_after', 'id', 'reconciliation'],
        rows.map((row) => [
          row.at, row.source, row.kind, row.status.replace(/_/g, ' '), row.amount, row.unit, row.balance_after, row.received_after, row.id,
          row.reconciliation?.summary ?? null,
        ]),
      ),
    );
    for (const received of first.money_received) ctx.io.out(`money received: ${received.amount} ${received.currency}\n`);
    return 0;
  } finally {
    db.close();
  }
}
