import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ImportRejected, importFiles } from '../../core/import/ledger-files.js';
import { replayAccount } from '../../core/ledger/replay.js';
import { AccountReplays, accountDetail, accountRefOf, entriesPage } from '../../core/service/account-queries.js';
import { customerBalance, customerBlocks } from '../../core/service/ledger-queries.js';
import { accountBalanceView, blockDetailView } from '../../core/service/views.js';
import { DecimalInterner, accountIdOf, accountsOfCustomer, loadAccountEntries, loadAccountStateAt, openLedgerDb, type LedgerDb } from '../../core/store/index.js';
import { formatInstant } from '../../core/time/instant.js';
import { jsonl, tempDir } from '../store/store-fixtures.js';

/*
 * A past as-of for one customer (`balance --customer`, `blocks`) and for one account (the account
 * screen's account.get) starts from the account's latest stored replay state at or before it (migration
 * 0012) and replays only the entries after it. Whatever the ledger and the as-of, that must answer exactly
 * what replaying the account from its first entry answers.
 */

const HOUR = 3_600_000;
const BASE = Date.UTC(2025, 0, 1);
const iso = (at: number): string => new Date(at).toISOString();

const op = fc.record({
  customer: fc.integer({ min: 0, max: 1 }),
  subscription: fc.constantFrom(null, null, null, 'sub_a'),
  kind: fc.constantFrom('credit', 'promotion', 'debit', 'debit', 'debit', 'debit', 'adjustment'),
  cents: fc.integer({ min: 1, max: 5_000 }),
  negative: fc.boolean(),
  hours: fc.integer({ min: 0, max: 30 * 24 }),
  activeAfterHours: fc.option(fc.integer({ min: 1, max: 4 * 24 }), { nil: null }),
  expiresAfterHours: fc.option(fc.integer({ min: 1, max: 15 * 24 }), { nil: null }),
  pending: fc.boolean(),
});

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function line(o: Op, id: string): string {
  const at = BASE + o.hours * HOUR;
  const credit = o.kind === 'credit' || o.kind === 'promotion';
  const negative = o.kind === 'debit' || (o.kind === 'adjustment' && o.negative);
  const record: Record<string, unknown> = { company_id: `cus_${o.customer}` };
  if (o.subscription !== null) record.subscription_id = o.subscription;
  Object.assign(record, { transaction_id: id, type: o.kind, amount: '@AMOUNT@', created_at: iso(at) });
  if (credit && o.activeAfterHours !== null) record.active_at = iso(at + o.activeAfterHours * HOUR);
  if (credit && o.expiresAfterHours !== null) record.expire_at = iso(at + ((o.activeAfterHours ?? 0) + o.expiresAfterHours) * HOUR);
  if (o.kind === 'debit' && o.pending) record.status = 'pending';
  const amount = `${Math.floor(o.cents / 100)}.${String(o.cents % 100).padStart(2, '0')}`;
  return JSON.stringify(record).replace('"@AMOUNT@"', `${negative ? '-' : ''}${amount}`);
}

/** The customer's balance and blocks views replayed from each account's first entry. */
function replayedViews(db: LedgerDb, customerId: string, asOf: number) {
  const states = accountsOfCustomer(db, customerId).map((key) => replayAccount(key, loadAccountEntries(db, key), { asOf, keepEntries: false }));
  return {
    balance: { customer_id: customerId, as_of: formatInstant(asOf), accounts: states.map(accountBalanceView) },
    blocks: {
      customer_id: customerId,
      as_of: formatInstant(asOf),
      blocks: states.flatMap((state) => state.blocks.map((block) => blockDetailView(state, block))),
      scheduled: states.map((state) => ({ subscription_id: state.key.subscriptionId, unit: state.key.unit, scheduled: accountBalanceView(state).scheduled })),
    },
  };
}

/** What `read` answers with the stored replay states set aside (the full replay's answer); the states stay. */
function withoutStates<T>(db: LedgerDb, read: () => T): T {
  db.exec('SAVEPOINT without_states; DELETE FROM account_states');
  try {
    return read();
  } finally {
    db.exec('ROLLBACK TO without_states; RELEASE without_states');
  }
}

/**
 * Imports the ops as one Moesif file and runs `check` on the database, which says whether a stored state
 * answered anything; false when the ledger does not replay (nothing to compare).
 */
function checkImported(ops: readonly Op[], check: (db: LedgerDb) => boolean): boolean {
  const path = join(tempDir(), 'ledger.sqlite');
  try {
    importFiles(path, [{ path: 'm.jsonl', text: jsonl(ops.map((o, i) => line(o, `t${i}`))) }], { now: BASE + 60 * 24 * HOUR });
  } catch (error) {
    if (!(error instanceof ImportRejected)) throw error;
    return false;
  }
  const db = openLedgerDb(path, { create: false });
  try {
    return check(db);
  } finally {
    db.close();
  }
}

describe('a past as-of starts from the nearest stored replay state (migration 0012)', () => {
  it('balance --customer, blocks and account.get from stored replay states equal a replay of each account from its first entry, at random as-of instants', () => {
    let fromStates = 0;
    const runs = 40;
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 70, maxLength: 160 }),
        fc.array(fc.integer({ min: -2 * 24, max: 50 * 24 * 60 }), { minLength: 6, maxLength: 12 }),
        (ops, asOfMinutes) => {
          const used = checkImported(ops, (db) => {
            // Random instants over the data, plus every stored state's own instant and the millisecond before it.
            const stateInstants = db.prepare('SELECT valid_from FROM account_states').pluck().all() as number[];
            const instants = [...asOfMinutes.map((m) => BASE + m * 60_000), ...stateInstants.flatMap((at) => [at, at - 1])];
            let fromState = false;
            for (const asOf of instants) {
              for (const customerId of ['cus_0', 'cus_1']) {
                const keys = accountsOfCustomer(db, customerId);
                if (keys.length === 0) continue;
                const replayed = replayedViews(db, customerId, asOf);
                expect(customerBalance(db, customerId, asOf)).toEqual(replayed.balance);
                expect(customerBlocks(db, customerId, asOf)).toEqual(replayed.blocks);
                for (const key of keys) {
                  if (loadAccountStateAt(db, accountIdOf(db, key)!, key, asOf, new DecimalInterner()) !== null) fromState = true;
                  const ref = accountRefOf(key);
                  expect(accountDetail(new AccountReplays(), db, ref, asOf)).toEqual(withoutStates(db, () => accountDetail(new AccountReplays(), db, ref, asOf)));
                }
              }
            }
            return fromState;
          });
          if (used) fromStates++;
        },
      ),
      { numRuns: runs },
    );
    // Not vacuous: most runs answered some account from a stored state.
    expect(fromStates).toBeGreaterThan(runs / 2);
  }, 300_000);

  it('entries.list pages at a past instant from a stored replay state far enough back equal the full replay\'s, byte for byte', () => {
    let fromStates = 0;
    const runs = 30;
    fc.assert(
      fc.property(
        fc.array(op.map((o) => ({ ...o, subscription: null })), { minLength: 120, maxLength: 240 }),
        // Mostly late enough for a state with the page after it (a state every 32 entries or so), some before any.
        fc.array(fc.record({ minutes: fc.integer({ min: 0, max: 32 * 24 * 60 }).map((m) => (m % 4 === 0 ? m : 16 * 24 * 60 + (m % (16 * 24 * 60)))), offset: fc.integer({ min: 0, max: 30 }), limit: fc.integer({ min: 1, max: 30 }) }), { minLength: 4, maxLength: 10 }),
        (ops, pages) => {
          const used = checkImported(ops, (db) => {
            let fromState = false;
            for (const { minutes, offset, limit } of pages) {
              const asOf = BASE + minutes * 60_000;
              for (const key of [...accountsOfCustomer(db, 'cus_0'), ...accountsOfCustomer(db, 'cus_1')]) {
                const query = { account: accountRefOf(key), offset, limit };
                if (new AccountReplays().storedStateWithRows(db, key, asOf, offset + limit) !== null) fromState = true;
                const page = entriesPage(new AccountReplays(), db, query, asOf);
                expect(JSON.stringify(page)).toBe(JSON.stringify(withoutStates(db, () => entriesPage(new AccountReplays(), db, query, asOf))));
              }
            }
            return fromState;
          });
          if (used) fromStates++;
        },
      ),
      { numRuns: runs },
    );
    // Not vacuous: a good share of the runs served some page from a stored state.
    expect(fromStates).toBeGreaterThan(runs / 3);
  }, 300_000);
});
