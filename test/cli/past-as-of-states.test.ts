import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, ledgerscope, ledgerscopeJson, workDir, writeLines } from './run-cli.js';

beforeAll(() => buildCli(), 60_000);

const T0 = Date.UTC(2025, 2, 1);
const MINUTE = 60_000;
const iso = (at: number): string => new Date(at).toISOString();

/**
 * One customer, two long accounts: one credit of 1000 then 200 debits of 1 a minute apart (no
 * subscription), and credits of 10 expiring two days later between debits (subscription sub_x).
 */
function longLedger(dir: string): string {
  const records: Record<string, unknown>[] = [{ company_id: 'co_1', transaction_id: 'c0', type: 'credit', amount: 1000, created_at: iso(T0) }];
  for (let i = 0; i < 200; i++) records.push({ company_id: 'co_1', transaction_id: `d${i}`, type: 'debit', amount: -1, created_at: iso(T0 + 60 * MINUTE + i * MINUTE) });
  for (let i = 0; i < 160; i++) {
    const at = T0 + i * 30 * MINUTE;
    records.push(
      i % 8 === 0
        ? { company_id: 'co_1', subscription_id: 'sub_x', transaction_id: `x${i}`, type: 'credit', amount: 10, created_at: iso(at), expire_at: iso(at + 2 * 24 * 60 * MINUTE) }
        : { company_id: 'co_1', subscription_id: 'sub_x', transaction_id: `x${i}`, type: 'debit', amount: -1, created_at: iso(at) },
    );
  }
  return writeLines(dir, 'moesif.jsonl', records);
}

describe('balance --customer and blocks as of a past instant (stored replay states, migration 0012)', () => {
  it('balance and blocks, text and --json, print byte for byte what a replay from each account\'s first entry prints, at instants before, at and between the stored states', () => {
    const dir = workDir();
    const db = join(dir, 'ledger.sqlite');
    expect(ledgerscope('import', longLedger(dir), '--db', db).status).toBe(0);
    // The same ledger without its replay states: every account is replayed from its first entry there.
    const bare = join(dir, 'bare.sqlite');
    const handle = new Database(db);
    const states = handle.prepare('SELECT valid_from FROM account_states ORDER BY valid_from').pluck().all() as number[];
    handle.pragma('wal_checkpoint(TRUNCATE)');
    handle.close();
    copyFileSync(db, bare);
    const stripped = new Database(bare);
    stripped.exec('DELETE FROM account_states');
    stripped.close();
    // 201 and 160 entries: states after every 32 entries of each account.
    expect(states.length).toBe(6 + 5);

    const instants = [T0 - 1, states[0]! - 1, states[0]!, states[3]! + 1, T0 + 60 * MINUTE + 150 * MINUTE + 30_000, states[states.length - 1]!, T0 + 10 * 24 * 60 * MINUTE];
    for (const at of instants) {
      for (const command of ['balance', 'blocks']) {
        for (const json of [[], ['--json']]) {
          const args = [command, '--customer', 'co_1', '--as-of', iso(at), ...json];
          const fromStates = ledgerscope(...args, '--db', db);
          const replayed = ledgerscope(...args, '--db', bare);
          expect(fromStates.status).toBe(0);
          expect(fromStates.stderr).toBe('');
          expect(fromStates.stdout).toBe(replayed.stdout);
        }
      }
    }
    // 151 of the 200 debits (and no expiry) by then: 849 left of the 1000.
    const balance = ledgerscopeJson('balance', '--db', db, '--customer', 'co_1', '--as-of', iso(T0 + 60 * MINUTE + 150 * MINUTE + 30_000));
    expect(balance.accounts.find((account: { subscription_id: string | null }) => account.subscription_id === null).current).toBe('849');
  }, 120_000);
});
