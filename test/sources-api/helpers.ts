// Shared helpers for the sync tests: temp databases, a Stripe client pointed at the wire server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { openLedgerDb, type LedgerDb } from '../../core/store/index.js';
import { RateLimiter } from '../../core/sync/rate-limiter.js';
import { StripeApi } from '../../core/sync/stripe-client.js';
import type { StripeWireServer } from '../wire/stripe-server.js';

const cleanups: (() => void | Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export function onCleanup(fn: () => void | Promise<void>): void {
  cleanups.push(fn);
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerscope-sync-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function tempDb(): { path: string; db: LedgerDb } {
  const path = join(tempDir(), 'ledger.sqlite');
  const db = openLedgerDb(path, { create: true, now: 0 });
  onCleanup(() => {
    db.close();
  });
  return { path, db };
}

/** A client for the wire server: fast pacing unless a test asks otherwise, quick SDK retries. */
export function stripeApi(server: StripeWireServer, options: { ratePerSecond?: number; key?: string; maxNetworkRetries?: number } = {}): StripeApi {
  return new StripeApi({
    apiKey: options.key ?? server.apiKey,
    apiBase: server.url,
    limiter: new RateLimiter({ ratePerSecond: options.ratePerSecond ?? 10_000, burst: 100 }),
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    rateLimitBackoffMs: 10,
  });
}

/** Every row of every table, in a stable order (WITHOUT ROWID tables too): equal dumps mean equal databases. */
export function dumpDb(db: LedgerDb): string {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  const rows: Record<string, unknown[]> = {};
  for (const table of tables) {
    const columns = (db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]).map((c) => `"${c.name}"`);
    rows[table] = db.prepare(`SELECT * FROM "${table}" ORDER BY ${columns.join(', ')}`).raw().all();
  }
  return JSON.stringify(rows);
}
