import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { MappingCsvError } from '../reconcile/customer-mapping-csv.js';
import { importCustomerMapping, listCustomerLinks } from '../service/reconcile-service.js';
import { LedgerDbError } from '../store/errors.js';
import { openLedgerDb } from '../store/index.js';
import type { Instant } from '../time/instant.js';
import { UsageError } from './cli-error.js';
import { counted } from './counted.js';
import type { CliIo } from './io.js';
import { textTable } from './text-table.js';

/*
 * `ledgerscope mapping import <csv> --db <path>` and `ledgerscope mapping list --db <path> [--json]`:
 * the customer mapping (ledger customer id, Stripe customer id) reconciliation and the customer timeline
 * use. An import is all rows or none; a bad row is named by file, line and field (exit 2).
 */

function openExisting(path: string) {
  try {
    return openLedgerDb(path, { create: false });
  } catch (error) {
    if (error instanceof LedgerDbError) throw new UsageError(error.message);
    throw error;
  }
}

export function runMappingImport(ctx: { io: CliIo; now: Instant }, files: readonly string[], options: { db: string }): number {
  if (files.length !== 1) throw new UsageError('mapping import: name one CSV file (ledger customer id, Stripe customer id)');
  const path = files[0]!;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const db = openExisting(options.db);
  try {
    const { imported } = importCustomerMapping(db, { name: basename(path), text }, ctx.now);
    ctx.io.out(`imported ${counted(imported, 'mapping')} from ${basename(path)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof MappingCsvError) throw new UsageError(error.problems.join('; '), error.problems);
    throw error;
  } finally {
    db.close();
  }
}

export function runMappingList(ctx: { io: CliIo }, options: { db: string; json: boolean }): number {
  const db = openExisting(options.db);
  try {
    const mappings = listCustomerLinks(db);
    if (options.json) ctx.io.out(JSON.stringify({ mappings }, null, 2) + '\n');
    else if (mappings.length === 0) ctx.io.out('no customer mappings\n');
    else ctx.io.out(textTable(['ledger customer', 'stripe customer', 'origin', 'created at'], mappings.map((m) => [m.ledger_customer_id, m.stripe_customer_id, m.origin, m.created_at])));
    return 0;
  } finally {
    db.close();
  }
}
