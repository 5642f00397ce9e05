// A small ledger seeded through the real import path (core/service/import-files.ts), for the API tests.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { importFiles } from '../../core/import/ledger-files.js';

/** Fixed "now" of these tests: after the promotion expired, before the credit expires. */
export const NOW = Date.parse('2025-03-01T00:00:00.000Z');

/**
 * cus_A (USD, no subscription): credit 100 expiring 2025-06-01, promotion 20 expiring 2025-02-01, debit 10
 *   (drawn from the promotion first, L1), so at 2025-02-01 an expiry of 10; balance 100, 100 expiring in June.
 * cus_B (USD): credit 50 then debit 80: deficit 30, balance -30 (L2).
 * cus_C (USD, sub_1): credit 10, pending debit 4: current 10, pending -4, available 6 (L4).
 */
export const LEDGER_LINES: Record<string, string>[] = [
  { company_id: 'cus_A', transaction_id: 'a-credit', type: 'credit', amount: '100', created_at: '2025-01-01T00:00:00Z', expire_at: '2025-06-01T00:00:00Z' },
  { company_id: 'cus_A', transaction_id: 'a-promo', type: 'promotion', amount: '20', created_at: '2025-01-05T00:00:00Z', expire_at: '2025-02-01T00:00:00Z' },
  { company_id: 'cus_A', transaction_id: 'a-debit', type: 'debit', amount: '-10', created_at: '2025-01-10T00:00:00Z' },
  { company_id: 'cus_B', transaction_id: 'b-credit', type: 'credit', amount: '50', created_at: '2025-01-02T00:00:00Z' },
  { company_id: 'cus_B', transaction_id: 'b-debit', type: 'debit', amount: '-80', created_at: '2025-01-03T00:00:00Z' },
  { company_id: 'cus_C', subscription_id: 'sub_1', transaction_id: 'c-credit', type: 'credit', amount: '10', created_at: '2025-01-04T00:00:00Z' },
  { company_id: 'cus_C', subscription_id: 'sub_1', transaction_id: 'c-debit', type: 'debit', amount: '-4', created_at: '2025-01-06T00:00:00Z', status: 'pending' },
];

/** JSON Lines with amounts as JSON number literals, as Moesif sends them. */
export function moesifJsonl(records: readonly Record<string, string>[]): string {
  return records.map((record) => JSON.stringify(record).replace(/"amount":"(-?[\d.]+)"/, '"amount":$1')).join('\n') + '\n';
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerscope-api-'));
  dirs.push(dir);
  return dir;
}

/** A database with LEDGER_LINES imported, in a fresh temp dir. */
export function seededDb(): { dir: string; dbPath: string } {
  const dir = tempDir();
  const dbPath = join(dir, 'ledger.sqlite');
  importFiles(dbPath, [{ path: 'ledger.jsonl', text: moesifJsonl(LEDGER_LINES) }], { now: NOW });
  return { dir, dbPath };
}

/** A stand-in for out/renderer. */
export function fakeRenderer(dir: string): string {
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir, { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Ledgerscope</title>');
  return rendererDir;
}
