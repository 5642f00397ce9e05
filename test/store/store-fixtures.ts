// Shared helpers for the store tests: real SQLite files in a temp dir, whole-database dumps.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach } from 'vitest';

const dirs: string[] = [];

/** A fresh directory, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerscope-store-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Every row of every table and the schema, in a stable order: equal dumps mean equal databases. */
export function dumpDb(path: string): string {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const schema = db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all();
    const tables = (schema as { type: string; name: string }[]).filter((object) => object.type === 'table').map((object) => object.name);
    const rows = Object.fromEntries(tables.map((table) => [table, db.prepare(`SELECT * FROM "${table}" ORDER BY rowid`).raw().all()]));
    return JSON.stringify({ schema, rows });
  } finally {
    db.close();
  }
}

export function fileBytes(path: string): Buffer {
  return readFileSync(path);
}

/** One Moesif balance transaction as a JSON Lines line (amount as a JSON number literal). */
export function moesifLine(fields: {
  company: string;
  id: string;
  type: 'credit' | 'debit' | 'promotion' | 'adjustment';
  amount: string;
  at: string;
  subscription?: string;
  expireAt?: string;
  status?: 'posted' | 'pending';
  metadata?: Record<string, unknown>;
}): string {
  const record: Record<string, unknown> = { company_id: fields.company };
  if (fields.subscription !== undefined) record.subscription_id = fields.subscription;
  record.transaction_id = fields.id;
  record.type = fields.type;
  record.amount = '@AMOUNT@';
  record.created_at = fields.at;
  if (fields.expireAt !== undefined) record.expire_at = fields.expireAt;
  if (fields.status !== undefined) record.status = fields.status;
  if (fields.metadata !== undefined) record.metadata = fields.metadata;
  return JSON.stringify(record).replace('"@AMOUNT@"', fields.amount);
}

export function jsonl(lines: string[]): string {
  return lines.join('\n') + '\n';
}

/** The first import's clock in these tests. */
export const NOW = Date.UTC(2025, 0, 10);
