import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ImportRejected, importFiles } from '../../core/import/ledger-files.js';
import { allBalances, writeAllBalancesJson } from '../../core/service/ledger-queries.js';
import { accountIdOf, loadAccountSummaries, openLedgerDb, writeAccountSummaries, type AccountSummaryWrite, type LedgerDb } from '../../core/store/index.js';
import { jsonl, moesifLine, tempDir } from './store-fixtures.js';

/*
 * Balance summaries (migration 0008): `balances` reads a stored row per account where one holds at the
 * as-of, and replays the others. Whatever the ledger, the imports and their clocks, and the as-of, that
 * must print exactly what replaying every account prints.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;
const BASE = Date.UTC(2025, 0, 1);
const iso = (at: number): string => new Date(at).toISOString();

const op = fc.record({
  customer: fc.integer({ min: 0, max: 2 }),
  kind: fc.constantFrom('credit', 'credit', 'promotion', 'debit', 'debit', 'debit', 'adjustment'),
  cents: fc.integer({ min: 1, max: 20_000 }),
  negative: fc.boolean(),
  hours: fc.integer({ min: 0, max: 40 * 24 }),
  /** A block that activates later (scheduled, L3) and one that expires (null: neither). */
  activeAfterHours: fc.option(fc.integer({ min: 1, max: 5 * 24 }), { nil: null }),
  expiresAfterHours: fc.option(fc.integer({ min: 1, max: 20 * 24 }), { nil: null }),
  pending: fc.boolean(),
});

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function amount(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** A Moesif line for the op: credits positive, debits negative, expiry after activation (the parser's rules). */
function line(o: Op, id: string): string {
  const at = BASE + o.hours * HOUR;
  const credit = o.kind === 'credit' || o.kind === 'promotion';
  const negative = o.kind === 'debit' || (o.kind === 'adjustment' && o.negative);
  const record: Record<string, unknown> = {
    company_id: `cus_${o.customer}`,
    transaction_id: id,
    type: o.kind,
    amount: '@AMOUNT@',
    created_at: iso(at),
  };
  if (credit && o.activeAfterHours !== null) record.active_at = iso(at + o.activeAfterHours * HOUR);
  if (credit && o.expiresAfterHours !== null) record.expire_at = iso(at + ((o.activeAfterHours ?? 0) + o.expiresAfterHours) * HOUR);
  if (o.kind === 'debit' && o.pending) record.status = 'pending';
  return JSON.stringify(record).replace('"@AMOUNT@"', `${negative ? '-' : ''}${amount(o.cents)}`);
}

/**
 * `balances` at `asOf` from whatever is stored (summaries, replay states) equals replaying every account, as
 * objects, and balances --json, which copies the stored texts out, prints byte for byte what printing the
 * replay gives.
 */
function expectBalancesAsReplayed(db: LedgerDb, asOf: number): void {
  const replayed = allBalances(db, asOf, { useSummaries: false });
  expect(allBalances(db, asOf)).toEqual(replayed);
  let printed = '';
  writeAllBalancesJson(db, asOf, (text) => (printed += text));
  expect(printed).toBe(JSON.stringify(replayed, null, 2));
}

/** Instants worth asking about: each import's now, every entry, activation and expiry (and just before), far past and future. */
function asOfsFor(lines: string[], nows: number[]): number[] {
  const instants = new Set<number>([BASE - DAY, BASE + 400 * DAY, ...nows]);
  for (const text of lines) {
    const record = JSON.parse(text) as Record<string, string>;
    for (const field of ['created_at', 'active_at', 'expire_at']) {
      const value = record[field];
      if (value === undefined) continue;
      instants.add(Date.parse(value));
      instants.add(Date.parse(value) - 1);
    }
  }
  return [...instants].sort((a, b) => a - b);
}

describe('balance summaries (migration 0008)', () => {
  it('balances from stored summaries equal a replay of every account (objects and the printed JSON), at every as-of, after any sequence of imports', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ ops: fc.array(op, { minLength: 1, maxLength: 12 }), nowHours: fc.integer({ min: 0, max: 60 * 24 }) }), {
          minLength: 1,
          maxLength: 3,
        }),
        (imports) => {
          const path = join(tempDir(), 'ledger.sqlite');
          const lines: string[] = [];
          const nows: number[] = [];
          imports.forEach((batch, b) => {
            const now = BASE + batch.nowHours * HOUR;
            const batchLines = batch.ops.map((o, i) => line(o, `t${b}_${i}`));
            try {
              importFiles(path, [{ path: `import-${b}.jsonl`, text: jsonl(batchLines) }], { now });
            } catch (error) {
              if (!(error instanceof ImportRejected)) throw error;
              return; // nothing written: summaries and entries as they were
            }
            lines.push(...batchLines);
            nows.push(now);
            const db = openLedgerDb(path, { create: false });
            try {
              // Every account this import wrote to, with an entry at or before its now, has a summary valid then.
              const valid = loadAccountSummaries(db, now);
              for (const o of batch.ops) {
                const customerId = `cus_${o.customer}`;
                const hasEntryByNow = lines.some((text) => {
                  const record = JSON.parse(text) as Record<string, string>;
                  return record.company_id === customerId && Date.parse(record.created_at!) <= now;
                });
                const id = accountIdOf(db, { customerId, subscriptionId: null, unit: 'USD' })!;
                expect(valid.has(id)).toBe(hasEntryByNow);
              }
              for (const asOf of asOfsFor(lines, nows)) expectBalancesAsReplayed(db, asOf);
            } finally {
              db.close();
            }
          });
        },
      ),
      { numRuns: 30 },
    );
  }, 300_000); // a real database per run, on a shared machine

  it('a summary holds until the account next changes: at a credit\'s expiry the account is replayed, and agrees', () => {
    const path = join(tempDir(), 'ledger.sqlite');
    const now = BASE + 2 * DAY;
    const expiry = BASE + 10 * DAY;
    importFiles(
      path,
      [
        {
          path: 'a.jsonl',
          text: jsonl([
            moesifLine({ company: 'cus_a', id: 'c1', type: 'credit', amount: '100', at: iso(BASE), expireAt: iso(expiry) }),
            moesifLine({ company: 'cus_a', id: 'd1', type: 'debit', amount: '-30', at: iso(BASE + DAY) }),
          ]),
        },
      ],
      { now },
    );
    const db = openLedgerDb(path, { create: false });
    try {
      const id = accountIdOf(db, { customerId: 'cus_a', subscriptionId: null, unit: 'USD' })!;
      expect(loadAccountSummaries(db, now).has(id)).toBe(true);
      expect(loadAccountSummaries(db, BASE + DAY).has(id)).toBe(true); // from the last change at or before now
      expect(loadAccountSummaries(db, BASE + DAY - 1).has(id)).toBe(false);
      expect(loadAccountSummaries(db, expiry - 1).has(id)).toBe(true);
      expect(loadAccountSummaries(db, expiry).has(id)).toBe(false); // the expiry changes it: replayed
      expect(allBalances(db, now).accounts[0]!.current).toBe('70');
      expect(allBalances(db, expiry).accounts[0]!.current).toBe('0');
      expect(allBalances(db, expiry)).toEqual(allBalances(db, expiry, { useSummaries: false }));
    } finally {
      db.close();
    }
  });

  it('balances --json lists accounts in code-unit order, as the replay does, across runs of joined texts and for keys SQLite orders otherwise', () => {
    const path = join(tempDir(), 'ledger.sqlite');
    const now = BASE + DAY;
    const credit = (company: string, id: string): string => moesifLine({ company, id, type: 'credit', amount: '5', at: iso(BASE) });
    // More accounts than one run of joined texts holds, and characters in U+E000..U+FFFF and beyond ASCII.
    const plain = Array.from({ length: 2_100 }, (_, i) => credit(`cus_${String(i).padStart(4, '0')}`, `p${i}`));
    importFiles(path, [{ path: 'plain.jsonl', text: jsonl([...plain, credit('cus_\uff21', 'w'), credit('cus_\ue000', 'e'), credit('cus_\u00e9', 'a')]) }], { now });
    const printedMatchesReplay = (): string => {
      const db = openLedgerDb(path, { create: false });
      try {
        let printed = '';
        writeAllBalancesJson(db, now, (text) => (printed += text));
        expect(printed).toBe(JSON.stringify(allBalances(db, now, { useSummaries: false }), null, 2));
        return printed;
      } finally {
        db.close();
      }
    };
    expect(JSON.parse(printedMatchesReplay()).accounts).toHaveLength(2_103);
    // A character above U+FFFF: UTF-16 puts it before U+FF21, SQLite's UTF-8 order after it.
    importFiles(path, [{ path: 'emoji.jsonl', text: jsonl([credit('cus_\u{1f600}', 'smile')]) }], { now });
    const printed = printedMatchesReplay();
    expect(printed.indexOf('"cus_\u{1f600}"')).toBeGreaterThan(0);
    expect(printed.indexOf('"cus_\u{1f600}"')).toBeLessThan(printed.indexOf('"cus_\uff21"'));
  }, 120_000);

  it('balances from stored replay states (migration 0012) equal a replay of every account from its first entry, at as-of instants spread over its entries, activations and expiries, after any sequence of imports', () => {
    let statesUsed = 0;
    const runs = 20;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            ops: fc.array(op.map((o) => ({ ...o, customer: o.customer % 2 })), { minLength: 30, maxLength: 70 }),
            nowHours: fc.integer({ min: 0, max: 60 * 24 }),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        (imports) => {
          const path = join(tempDir(), 'ledger.sqlite');
          const lines: string[] = [];
          const nows: number[] = [];
          let used = false;
          imports.forEach((batch, b) => {
            const now = BASE + batch.nowHours * HOUR;
            const batchLines = batch.ops.map((o, i) => line(o, `t${b}_${i}`));
            try {
              importFiles(path, [{ path: `import-${b}.jsonl`, text: jsonl(batchLines) }], { now });
            } catch (error) {
              if (!(error instanceof ImportRejected)) throw error;
              return;
            }
            lines.push(...batchLines);
            nows.push(now);
            const db = openLedgerDb(path, { create: false });
            try {
              const firstState = db.prepare('SELECT min(valid_from) FROM account_states').pluck().get() as number | null;
              // Every instant that matters is too many for long ledgers: an evenly spread sixty of them.
              const instants = asOfsFor(lines, nows);
              const stride = Math.ceil(instants.length / 60);
              for (const asOf of instants.filter((_, i) => i % stride === (b % stride))) {
                if (firstState !== null && asOf >= firstState && loadAccountSummaries(db, asOf).size < 2) used = true;
                expectBalancesAsReplayed(db, asOf);
              }
            } finally {
              db.close();
            }
          });
          if (used) statesUsed++;
        },
      ),
      { numRuns: runs },
    );
    // Not vacuous: most runs had an account answered from a stored state at some as-of.
    expect(statesUsed).toBeGreaterThan(runs / 2);
  }, 300_000);

  it('a later import checks each account from its latest stored replay state, and leaves exactly the summaries, states and notes one import of everything leaves', () => {
    let resumedRuns = 0;
    const runs = 25;
    /** The derived rows an import writes, by account key and position (row ids differ between the two databases). */
    const derived = (path: string): unknown => {
      const db = openLedgerDb(path, { create: false });
      try {
        return {
          summaries: db.prepare('SELECT a.customer_id, s.entry_count, s.format, s.valid_from, s.valid_until, s.view FROM account_summaries s JOIN accounts a ON a.id = s.account_id ORDER BY 1').raw().all(),
          states: db.prepare('SELECT a.customer_id, s.position, s.entry_count, s.valid_from, s.last_ordinal, s.state FROM account_states s JOIN accounts a ON a.id = s.account_id ORDER BY 1, 2').raw().all(),
          notes: db.prepare('SELECT source_id, allocation_warning FROM entries WHERE allocation_warning IS NOT NULL ORDER BY 1').raw().all(),
        };
      } finally {
        db.close();
      }
    };
    fc.assert(
      fc.property(
        fc.array(op.map((o) => ({ ...o, customer: o.customer % 2 })), { minLength: 90, maxLength: 160 }),
        // The first part long enough for a state (32 entries an account), the later ones anywhere.
        fc.array(fc.integer({ min: 70, max: 159 }), { minLength: 1, maxLength: 3 }),
        fc.constantFrom(true, true, true, false),
        // Mostly after the entries (a state after now is not resumed from: the summary needs what is before it).
        fc.integer({ min: 20 * 24, max: 60 * 24 }),
        (ops, cuts, inTimeOrder, nowHours) => {
          // In time order (a month after a month: every account resumes) or as generated (some fall back).
          const ordered = inTimeOrder ? [...ops].sort((a, b) => a.hours - b.hours) : ops;
          const lines = ordered.map((o, i) => line(o, `t${i}`));
          const now = BASE + nowHours * HOUR;
          const whole = join(tempDir(), 'whole.sqlite');
          try {
            importFiles(whole, [{ path: 'all.jsonl', text: jsonl(lines) }], { now });
          } catch (error) {
            if (!(error instanceof ImportRejected)) throw error;
            return; // a ledger that does not replay: nothing to compare
          }
          const split = join(tempDir(), 'split.sqlite');
          const bounds = [...new Set([0, ...cuts.filter((cut) => cut < lines.length), lines.length])].sort((a, b) => a - b);
          let kept = 0;
          for (let c = 0; c + 1 < bounds.length; c++) {
            let before: Map<string, number> = new Map();
            if (c > 0) {
              const db = openLedgerDb(split, { create: false });
              try {
                before = new Map((db.prepare('SELECT account_id || \'/\' || position, rowid FROM account_states').raw().all() as [string, number][]));
              } finally {
                db.close();
              }
            }
            importFiles(split, [{ path: `part-${c}.jsonl`, text: jsonl(lines.slice(bounds[c], bounds[c + 1])) }], { now });
            const db = openLedgerDb(split, { create: false });
            try {
              // A state the check resumed from, and those before it, are the very rows the earlier import wrote.
              for (const [id, rowid] of db.prepare('SELECT account_id || \'/\' || position, rowid FROM account_states').raw().all() as [string, number][]) {
                if (before.get(id) === rowid) kept++;
              }
            } finally {
              db.close();
            }
          }
          expect(derived(split)).toEqual(derived(whole));
          if (kept > 0) resumedRuns++;
        },
      ),
      { numRuns: runs },
    );
    // Not vacuous: most runs resumed some account from a state an earlier import stored.
    expect(resumedRuns).toBeGreaterThan(runs / 3);
  }, 300_000);

  it('a later import keeps the states before the one it resumed from only where they were as current as it: a stale row is never made to look current', () => {
    const dbPath = join(tempDir(), 'ledger.sqlite');
    const debit = (i: number): string => moesifLine({ company: 'co_1', id: `d${i}`, type: 'debit', amount: '-1', at: new Date(Date.UTC(2025, 0, 2) + i * 1000).toISOString() });
    const lines = [moesifLine({ company: 'co_1', id: 'c0', type: 'credit', amount: '1000', at: '2025-01-01T00:00:00Z' }), ...Array.from({ length: 100 }, (_, i) => debit(i))];
    importFiles(dbPath, [{ path: 'a.jsonl', text: jsonl(lines) }], { now: Date.UTC(2025, 1, 1) });
    let db = openLedgerDb(dbPath, { create: false });
    // A row left stale (as by a writer that forgot it): its entry count is not the account's.
    db.prepare('UPDATE account_states SET entry_count = entry_count - 1 WHERE position = 32').run();
    db.close();
    importFiles(dbPath, [{ path: 'b.jsonl', text: jsonl(Array.from({ length: 10 }, (_, i) => debit(100 + i))) }], { now: Date.UTC(2025, 1, 1) });
    db = openLedgerDb(dbPath, { create: false });
    try {
      const rows = db.prepare('SELECT s.position, s.entry_count = a.entry_count FROM account_states s JOIN accounts a ON a.id = s.account_id ORDER BY 1').raw().all();
      // 111 entries: the import resumed from the state at 96; 64 and 96 kept, the stale 32 dropped, none taken after 96.
      expect(rows).toEqual([[64, 1], [96, 1]]);
    } finally {
      db.close();
    }
  });

  it('an import of the commonest shape (one credit, then debits only) stores a replay state every 32 entries, and a past as-of reads from them', () => {
    const dbPath = join(tempDir(), 'ledger.sqlite');
    const lines = [moesifLine({ company: 'co_1', id: 'c0', type: 'credit', amount: '1000', at: '2025-01-01T00:00:00Z' })];
    for (let i = 0; i < 200; i++) {
      lines.push(moesifLine({ company: 'co_1', id: `d${i}`, type: 'debit', amount: '-1', at: new Date(Date.UTC(2025, 0, 2) + i * 1000).toISOString() }));
    }
    importFiles(dbPath, [{ path: 'm.jsonl', text: jsonl(lines) }], { now: Date.UTC(2025, 1, 1) });
    const db = openLedgerDb(dbPath, { create: false });
    try {
      // 201 entries: states after entries 32, 64, ... 192 (taken by the integer replay, as the general engine takes them).
      expect(db.prepare('SELECT count(*) FROM account_states').pluck().get()).toBe(6);
      const asOf = Date.UTC(2025, 0, 2) + 150 * 1000;
      expect(allBalances(db, asOf)).toEqual(allBalances(db, asOf, { useSummaries: false }));
    } finally {
      db.close();
    }
  });
  it('summaries and replay states written many rows per insert read back row for row, and one built from other entries than its account holds is refused, naming the account', () => {
    // 250 accounts of 3 entries each: two full inserts of 100 and 50 left over, for summaries and for states.
    const dbPath = join(tempDir(), 'ledger.sqlite');
    const lines: string[] = [];
    for (let c = 0; c < 250; c++) {
      lines.push(moesifLine({ company: `co_${c}`, id: `c${c}`, type: 'credit', amount: '10', at: '2025-01-01T00:00:00Z' }));
      for (let d = 0; d < 2; d++) lines.push(moesifLine({ company: `co_${c}`, id: `d${c}_${d}`, type: 'debit', amount: '-1', at: `2025-01-0${2 + d}T00:00:00Z` }));
    }
    importFiles(dbPath, [{ path: 'm.jsonl', text: jsonl(lines) }], { now: Date.UTC(2025, 1, 1) });
    const db = openLedgerDb(dbPath, { create: false });
    try {
      const ids = db.prepare('SELECT id FROM accounts ORDER BY id').pluck().all() as number[];
      expect(ids).toHaveLength(250);
      const rows: AccountSummaryWrite[] = ids.map((accountId, i) => ({
        accountId,
        validFrom: BASE + i,
        validUntil: i % 3 === 0 ? null : BASE + i + 1,
        view: `view of ${accountId}`,
        states: { entryCount: 3, list: [1, 3].map((position) => ({ position, validFrom: BASE + position, lastOrdinal: i * 3 + position, state: `{"a":${accountId},"p":${position}}` })) },
      }));
      const rewrite = (given: AccountSummaryWrite[]): void =>
        db.transaction(() => {
          db.exec('DELETE FROM account_summaries; DELETE FROM account_states;');
          writeAccountSummaries(db, given);
        })();
      rewrite(rows);
      const summaries = db.prepare('SELECT account_id, entry_count, valid_from, valid_until, view FROM account_summaries ORDER BY account_id').raw().all();
      expect(summaries).toEqual(rows.map((row) => [row.accountId, 3, row.validFrom, row.validUntil, row.view]));
      const states = db.prepare('SELECT account_id, position, entry_count, valid_from, last_ordinal, state FROM account_states ORDER BY account_id, position').raw().all();
      expect(states).toEqual(rows.flatMap((row) => row.states!.list.map((state) => [row.accountId, state.position, 3, state.validFrom, state.lastOrdinal, state.state])));

      // Account 150 (in the second full insert) and account 240 (among those left over): states built from 4 entries.
      for (const wrong of [150, 240]) {
        const bad = rows.map((row, i) => (i === wrong ? { ...row, states: { ...row.states!, entryCount: 4, list: [...row.states!.list, { position: 4, validFrom: BASE + 4, lastOrdinal: 0, state: '{}' }] } } : row));
        expect(() => rewrite(bad)).toThrow(`account ${ids[wrong]}: does not hold the 4 entries its replay states were built from`);
      }
      expect(() => rewrite([...rows.slice(0, 120), { ...rows[120]!, accountId: 99_999 }])).toThrow('account 99999: no such account with entries for its summary');
      // Refused writes rolled back with their transaction: the rows written first are all still there.
      expect(db.prepare('SELECT count(*) FROM account_states').pluck().get()).toBe(500);
    } finally {
      db.close();
    }
  });
});

