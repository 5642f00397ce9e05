// Replay checkpoints (migration 0004) on real SQLite files: written with the entries, identical to a full
// replay, rebuilt whenever an account's entries change, kept across reopen, ignored when stale.
// Seeded: LEDGER_SEED=<n> replays a run of the random-ledger property.
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_VERSION, checkpointAfter, replayFromCheckpoint } from '../../core/ledger/checkpoint.js';
import { replayAccount } from '../../core/ledger/replay.js';
import { LedgerRuleError, type AccountKey, type AccountState, type LedgerEntry } from '../../core/ledger/types.js';
import { Decimal } from '../../core/money/decimal.js';
import { AccountReplays, entriesPage } from '../../core/service/account-queries.js';
import { entryView } from '../../core/service/views.js';
import { formatInstant } from '../../core/time/instant.js';
import { importFiles } from '../../core/import/ledger-files.js';
import { generateMoesifJsonl } from '../../core/sources/generate-moesif.js';
import {
  CHECKPOINT_MIN_ENTRIES,
  CHECKPOINT_TAIL_ENTRIES,
  EntryWriter,
  accountIdOf,
  insertImport,
  loadAccountEntries,
  loadCheckpoint,
  maxOrdinal,
  loadRecentEntries,
  openLedgerDb,
  RECENT_GENERATED_ROWS,
  RECENT_ROWS_FORMAT,
  rebuildCheckpoints,
  type LedgerDb,
} from '../../core/store/index.js';
import { randomAccounts, START_AT, STEP_MS } from '../ledger/random-ledger.js';
import { moesifLine, NOW, tempDir } from './store-fixtures.js';

const SEED = Number(process.env['LEDGER_SEED'] ?? 20_251_124);
const KEY: AccountKey = { customerId: 'cus_000001', subscriptionId: 'sub_000001', unit: 'USD' };

/**
 * Everything but the per-entry records and the L1b warnings (a resumed replay holds those of its tail
 * only), as JSON: equal strings mean equal balances and blocks.
 */
function stateJson(state: AccountState): string {
  const { entries: _entries, allocationWarnings: _warnings, ...rest } = state;
  return JSON.stringify(rest);
}

/** The stored checkpoint's answer at `asOf` equals the full replay's: state, and the newest replayed entries. */
function expectCheckpointMatchesReplay(db: LedgerDb, key: AccountKey, asOf: number): void {
  const stored = loadCheckpoint(db, key);
  if (stored === null) throw new Error('no checkpoint stored');
  const full = replayAccount(key, loadAccountEntries(db, key), { asOf });
  const resumed = replayFromCheckpoint(key, stored.checkpoint, stored.tail, { asOf });
  expect(stateJson(resumed)).toBe(stateJson(full));
  expect(JSON.stringify(resumed.entries)).toBe(JSON.stringify(full.entries.slice(stored.checkpoint.sequence)));
  expect(resumed.entryCount).toBe(full.entries.length);
  const tailIds = new Set(stored.tail.map((entry) => `${entry.source}:${entry.sourceId}`));
  const tailWarnings = full.allocationWarnings.filter((warning) => tailIds.has(`${warning.entry.source}:${warning.entry.sourceId}`));
  expect(resumed.allocationWarnings.map((warning) => warning.entry.sourceId)).toEqual(tailWarnings.map((warning) => warning.entry.sourceId));
}

/** entries.list (desc, unfiltered) as the full replay answers it: what the stored rows must equal byte for byte. */
function fullReplayPage(key: AccountKey, entries: readonly LedgerEntry[], asOf: number, offset: number, limit: number): string {
  const rows = replayAccount(key, entries, { asOf }).entries;
  const page = [];
  for (let i = offset; i < Math.min(rows.length, offset + limit); i++) page.push(entryView(rows[rows.length - 1 - i]!));
  return JSON.stringify({ as_of: formatInstant(asOf), total: rows.length, total_unfiltered: rows.length, offset, rows: page });
}

/** A long generated Moesif account's entries in replay order, as stored. */
function loadMoesif(entries: number): LedgerEntry[] {
  const path = join(tempDir(), 'ledger.sqlite');
  importFiles(path, [{ path: 'account.jsonl', text: generateMoesifJsonl({ entries, accounts: 1, seed: 11 }) }], { now: NOW });
  const db = openLedgerDb(path, { create: false });
  try {
    return loadAccountEntries(db, KEY);
  } finally {
    db.close();
  }
}

/** Writes one account's entries as a writer does (EntryWriter, inside a transaction); returns accounts.id. */
function writeEntries(db: LedgerDb, key: AccountKey, entries: readonly LedgerEntry[]): number {
  db.transaction(() => {
    const base = maxOrdinal(db);
    const ordinals = entries.map((entry) => entry.ordinal);
    const first = base + Math.min(...ordinals);
    const last = base + Math.max(...ordinals);
    const { fileIds } = insertImport(db, {
      startedAt: NOW, sourceOption: null, unitOption: null, inserted: entries.length, unchanged: 0, accountsTouched: 1,
      firstOrdinal: base + 1, lastOrdinal: last, files: [{ path: 'random.jsonl', format: 'orb-bodies', records: entries.length }],
    });
    const writer = new EntryWriter(db, [{ key, entries: entries.length }], { first, last });
    entries.forEach((entry, line) =>
      writer.insert({ entry: { ...entry, ...key, ordinal: base + entry.ordinal }, origin: { line: line + 1, pointer: null }, raw: '{}', metadata: null, stated: null }, fileIds[0]!, 0),
    );
    writer.finish();
  })();
  return accountIdOf(db, key)!;
}

describe('replay checkpoints (migration 0004)', () => {
  it('a random ledger stored in SQLite: checkpoint + the entries after it == full replay, at every instant from the checkpoint on (I3, L9)', () => {
    const details = fc.check(
      fc.property(randomAccounts(40, 1), fc.nat(), (accounts, tailPick) => {
        const { key, entries } = accounts[0]!;
        if (entries.length < 2) return;
        const db = openLedgerDb(join(tempDir(), 'ledger.sqlite'), { create: true, now: NOW });
        try {
          const id = writeEntries(db, key, entries);
          const tailEntries = tailPick % entries.length;
          rebuildCheckpoints(db, [id], { minEntries: tailEntries + 1, tailEntries });
          const stored = loadCheckpoint(db, key)!;
          expect(stored.tail.length).toBe(tailEntries);
          const full = replayAccount(key, loadAccountEntries(db, key));
          const instants = new Set<number>([stored.checkpoint.validFrom, Number.POSITIVE_INFINITY]);
          for (const replayed of full.entries) instants.add(replayed.entry.at);
          for (const block of full.blocks) if (block.expiresAt !== null) instants.add(block.expiresAt);
          for (const at of [...instants]) instants.add(at + STEP_MS / 2);
          for (const asOf of instants) if (asOf >= stored.checkpoint.validFrom) expectCheckpointMatchesReplay(db, key, asOf);
        } finally {
          db.close();
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
    if (details.failed) throw new Error(`LEDGER_SEED=${SEED} npx vitest run test/store/checkpoints.test.ts\n${String(details.errorInstance)}\n${fc.defaultReportMessage(details) ?? ''}`);
  }, 60_000);

  it('stored newest rows (migration 0006): entries.list pages equal the full replay\'s byte for byte at every instant; outside what is stored, the replay answers', () => {
    let stored = 0;
    let fellBack = 0;
    let capped = 0;
    let generatedAfter = 0;
    const details = fc.check(
      fc.property(randomAccounts(40, 1), fc.nat(), fc.nat(), (accounts, tailPick, capPick) => {
        const { key, entries } = accounts[0]!;
        if (entries.length < 2) return;
        const db = openLedgerDb(join(tempDir(), 'ledger.sqlite'), { create: true, now: NOW });
        try {
          const id = writeEntries(db, key, entries);
          const tailEntries = tailPick % entries.length;
          // Now and then a small cap on the generated rows stored (0 to 3), else the default.
          const generatedRows = capPick % 3 === 0 ? capPick % 4 : RECENT_GENERATED_ROWS;
          rebuildCheckpoints(db, [id], { minEntries: tailEntries + 1, tailEntries, generatedRows });
          const all = loadAccountEntries(db, key);
          const lastAt = all[all.length - 1]!.at;
          const ending = replayAccount(key, all);
          const instants = new Set<number>([lastAt, lastAt - 1, all[0]!.at - 1, Date.UTC(2100, 0, 1)]);
          for (const replayed of ending.entries) instants.add(replayed.entry.at);
          for (const block of ending.blocks) if (block.expiresAt !== null) instants.add(block.expiresAt);
          for (const at of [...instants]) instants.add(at + STEP_MS / 2);
          let afterLast = 0; // rows generated after the last entry
          while (afterLast < ending.entries.length && ending.entries[ending.entries.length - 1 - afterLast]!.generated) afterLast++;
          generatedAfter += afterLast;
          if (afterLast > generatedRows) capped++;
          for (const asOf of instants) {
            const replays = new AccountReplays();
            const total = replayAccount(key, all, { asOf, keepEntries: false }).entryCount;
            for (const offset of new Set([0, 1, 2, 5, tailEntries, Math.max(0, total - 1), total, total + 3])) {
              for (const limit of [1, 3, 200]) {
                const query = { account: { customer_id: key.customerId, subscription_id: key.subscriptionId, unit: key.unit }, order: 'desc' as const, offset, limit };
                const answered = loadRecentEntries(db, key, asOf, offset, limit) !== null;
                if (answered) stored++;
                else fellBack++;
                // The stored rows answer the newest row whenever as-of is at or after the last entry (all generated rows stored).
                if (asOf >= lastAt && afterLast <= generatedRows && tailEntries > 0 && offset === 0 && limit === 1) expect(answered).toBe(true);
                if (asOf < lastAt) expect(answered).toBe(false);
                expect(JSON.stringify(entriesPage(replays, db, query, asOf))).toBe(fullReplayPage(key, all, asOf, offset, limit));
              }
            }
          }
        } finally {
          db.close();
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
    if (details.failed) throw new Error(`LEDGER_SEED=${SEED} npx vitest run test/store/checkpoints.test.ts\n${String(details.errorInstance)}\n${fc.defaultReportMessage(details) ?? ''}`);
    // Both paths ran, generated rows after the last entry were stored, and some were over the cap.
    expect(stored).toBeGreaterThan(0);
    expect(fellBack).toBeGreaterThan(0);
    expect(generatedAfter).toBeGreaterThan(0);
    expect(capped).toBeGreaterThan(0);
  }, 120_000);

  it('stored rows whose entry count or format is not the account\'s are ignored; a rebuild writes them again', () => {
    const path = join(tempDir(), 'ledger.sqlite');
    importFiles(path, [{ path: 'account.jsonl', text: generateMoesifJsonl({ entries: CHECKPOINT_MIN_ENTRIES + 1, accounts: 1, seed: 5 }) }], { now: NOW });
    const db = openLedgerDb(path, { create: false });
    try {
      const dump = (): string => JSON.stringify([db.prepare('SELECT * FROM account_recent').raw().all(), db.prepare('SELECT * FROM account_recent_entries ORDER BY account_id, sequence').raw().all()]);
      const before = dump();
      expect(loadRecentEntries(db, KEY, NOW, 0, 200)).not.toBeNull();
      db.prepare('UPDATE account_recent SET entry_count = entry_count - 1').run();
      expect(loadRecentEntries(db, KEY, NOW, 0, 200)).toBeNull();
      db.prepare('UPDATE account_recent SET entry_count = entry_count + 1, format = ?').run(RECENT_ROWS_FORMAT - 1);
      expect(loadRecentEntries(db, KEY, NOW, 0, 200)).toBeNull();
      rebuildCheckpoints(db, [accountIdOf(db, KEY)!]);
      expect(dump()).toBe(before);
    } finally {
      db.close();
    }
  }, 60_000);

  it('an import of a long account writes its checkpoint in the same transaction; it survives reopen', () => {
    const path = join(tempDir(), 'ledger.sqlite');
    const entries = CHECKPOINT_MIN_ENTRIES + 500;
    importFiles(path, [{ path: 'account.jsonl', text: generateMoesifJsonl({ entries, accounts: 1, seed: 7 }) }], { now: NOW });
    let db = openLedgerDb(path, { create: false });
    const stored = loadCheckpoint(db, KEY)!;
    expect(stored.checkpoint.position).toBe(entries - CHECKPOINT_TAIL_ENTRIES);
    expect(stored.tail).toHaveLength(CHECKPOINT_TAIL_ENTRIES);
    expectCheckpointMatchesReplay(db, KEY, NOW);
    expectCheckpointMatchesReplay(db, KEY, Number.POSITIVE_INFINITY);
    db.close();
    db = openLedgerDb(path, { create: false });
    expect(JSON.stringify(loadCheckpoint(db, KEY))).toBe(JSON.stringify(stored));
    expectCheckpointMatchesReplay(db, KEY, NOW);
    db.close();
  }, 60_000);

  it('a later import with back-dated entries, and a posted adjustment (one entry through EntryWriter), rebuild it', () => {
    const path = join(tempDir(), 'ledger.sqlite');
    importFiles(path, [{ path: 'account.jsonl', text: generateMoesifJsonl({ entries: CHECKPOINT_MIN_ENTRIES + 10, accounts: 1, seed: 3 }) }], { now: NOW });
    let db = openLedgerDb(path, { create: false });
    const before = loadCheckpoint(db, KEY)!;
    db.close();
    // A credit dated before every generated entry: every later balance moves by 1,000.
    const early = new Date(START_AT - 400 * 86_400_000).toISOString();
    const credit = moesifLine({ company: 'cus_000001', subscription: 'sub_000001', id: 'txn_backdated', type: 'credit', amount: '1000', at: early });
    importFiles(path, [{ path: 'late.jsonl', text: `${credit}\n` }], { now: NOW });
    db = openLedgerDb(path, { create: false });
    const after = loadCheckpoint(db, KEY)!;
    expect(after.checkpoint.sequence).toBeGreaterThan(before.checkpoint.sequence - 1);
    expect(after.checkpoint.current).not.toBe(before.checkpoint.current);
    expectCheckpointMatchesReplay(db, KEY, NOW);

    // An adjustment's entry is written the way core/store/reconcile-adjustments.ts writes it.
    const adjustment: LedgerEntry = {
      source: 'ledgerscope', sourceId: 'adj_1', ...KEY, kind: 'decrement', status: 'posted', amount: new Decimal('12.34'), at: NOW - 1, ordinal: 1,
      blockId: null, effectiveAt: null, expiresAt: null, costBasis: null, priority: null, targetExpiresAt: null, sourceExpiresAt: null, voidReason: null, description: 'balancing adjustment',
    };
    writeEntries(db, KEY, [adjustment]);
    const posted = loadCheckpoint(db, KEY)!;
    expect(posted.checkpoint.position + posted.tail.length).toBe(after.checkpoint.position + after.tail.length + 1);
    expectCheckpointMatchesReplay(db, KEY, NOW);
    db.close();
  }, 60_000);

  it('a later import rebuilds a long account\'s checkpoint and newest rows from its latest replay state, to exactly what one import of everything stores', () => {
    const total = CHECKPOINT_MIN_ENTRIES + 1_200;
    const lines = generateMoesifJsonl({ entries: total, accounts: 1, seed: 5 }).split('\n').filter((line) => line !== '');
    const derived = (path: string): unknown => {
      const db = openLedgerDb(path, { create: false });
      try {
        return {
          checkpoints: db.prepare('SELECT entry_count, position, tail_at, tail_ordinal, state FROM account_checkpoints').raw().all(),
          recent: db.prepare('SELECT entry_count, format, first_sequence, entry_sequence, valid_from, valid_until FROM account_recent').raw().all(),
          rows: db.prepare('SELECT sequence, at, view FROM account_recent_entries ORDER BY sequence').raw().all(),
        };
      } finally {
        db.close();
      }
    };
    const whole = join(tempDir(), 'whole.sqlite');
    importFiles(whole, [{ path: 'all.jsonl', text: lines.join('\n') + '\n' }], { now: NOW });
    const expected = derived(whole);
    expect((expected as { checkpoints: unknown[] }).checkpoints).toHaveLength(1);
    // A month of 1,100 entries (the checkpoint's position is among them), and a day of 10 (it is among the stored ones).
    for (const cut of [total - 1_100, total - 10]) {
      const path = join(tempDir(), `split-${cut}.sqlite`);
      importFiles(path, [{ path: 'first.jsonl', text: lines.slice(0, cut).join('\n') + '\n' }], { now: NOW });
      const db = openLedgerDb(path, { create: false });
      // What makes the rebuild start from a state: one at or before the checkpoint's position that the next
      // import keeps (at or before the one its check resumes from).
      const resumesFrom = db.prepare('SELECT max(position) FROM account_states WHERE valid_from <= ?').pluck().get(Date.parse((JSON.parse(lines[cut]!) as { created_at: string }).created_at)) as number;
      const state = db.prepare('SELECT max(position) FROM account_states WHERE position <= ? AND position <= ?').pluck().get(total - CHECKPOINT_TAIL_ENTRIES, resumesFrom) as number | null;
      db.close();
      expect(state).toBeGreaterThan(0);
      importFiles(path, [{ path: 'next.jsonl', text: lines.slice(cut).join('\n') + '\n' }], { now: NOW });
      expect([cut, derived(path)]).toEqual([cut, expected]);
    }
  }, 120_000);

  it('a checkpoint whose entry count is not the account\'s is ignored (stale: a full replay answers)', () => {
    const path = join(tempDir(), 'ledger.sqlite');
    importFiles(path, [{ path: 'account.jsonl', text: generateMoesifJsonl({ entries: CHECKPOINT_MIN_ENTRIES + 1, accounts: 1, seed: 5 }) }], { now: NOW });
    const db = openLedgerDb(path, { create: false });
    expect(loadCheckpoint(db, KEY)).not.toBeNull();
    db.prepare('UPDATE account_checkpoints SET entry_count = entry_count - 1').run();
    expect(loadCheckpoint(db, KEY)).toBeNull();
    db.close();
  }, 60_000);

  it('a checkpoint written in another format (an older CHECKPOINT_VERSION) is read as none: a full replay answers, and the next write replaces it', () => {
    const path = join(tempDir(), 'ledger.sqlite');
    importFiles(path, [{ path: 'account.jsonl', text: generateMoesifJsonl({ entries: CHECKPOINT_MIN_ENTRIES + 1, accounts: 1, seed: 5 }) }], { now: NOW });
    const db = openLedgerDb(path, { create: false });
    try {
      const current = loadCheckpoint(db, KEY)!;
      expect(current.checkpoint.version).toBe(CHECKPOINT_VERSION);
      db.prepare("UPDATE account_checkpoints SET state = json_set(state, '$.version', ?)").run(CHECKPOINT_VERSION - 1);
      expect(loadCheckpoint(db, KEY)).toBeNull();
      // The stored newest rows (migration 0006) and replay states (0012) do not depend on the checkpoint's
      // format, and either would answer the page: set them aside too.
      db.prepare('UPDATE account_recent SET format = ?').run(RECENT_ROWS_FORMAT - 1);
      db.prepare('UPDATE account_states SET format = ?').run(CHECKPOINT_VERSION - 1);
      const replays = new AccountReplays();
      const account = { customer_id: KEY.customerId, subscription_id: KEY.subscriptionId, unit: KEY.unit };
      entriesPage(replays, db, { account, order: 'desc', offset: 0, limit: 50 }, NOW);
      expect(replays.cachedStateAt(KEY, NOW)).not.toBeNull(); // answered by the full replay
      rebuildCheckpoints(db, [accountIdOf(db, KEY)!]);
      expect(JSON.stringify(loadCheckpoint(db, KEY))).toBe(JSON.stringify(current));
    } finally {
      db.close();
    }
  }, 60_000);

  it('blocks are stored as tuples and restored with every field, named blocks (createdBy ≠ id) and flags included', () => {
    let named = 0;
    const flagsSeen = new Set<number>();
    const details = fc.check(
      fc.property(randomAccounts(40, 1), (accounts) => {
        const { key, entries } = accounts[0]!;
        if (entries.length < 2) return;
        const sorted = [...entries].sort((a, b) => a.at - b.at || a.ordinal - b.ordinal);
        let checkpoint;
        try {
          checkpoint = checkpointAfter(key, sorted, sorted.length);
        } catch (error) {
          if (error instanceof LedgerRuleError) return;
          throw error;
        }
        const restored = replayFromCheckpoint(key, JSON.parse(JSON.stringify(checkpoint)) as typeof checkpoint, [], { asOf: checkpoint.validFrom });
        const full = replayAccount(key, sorted, { asOf: checkpoint.validFrom });
        expect(JSON.stringify(restored.blocks)).toBe(JSON.stringify(full.blocks));
        for (const tuple of checkpoint.blocks) {
          expect(tuple).toHaveLength(15);
          if (tuple[1] !== null) named++;
          for (let bit = 1; bit <= 8; bit <<= 1) if ((tuple[14] & bit) !== 0) flagsSeen.add(bit);
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
    if (details.failed) throw new Error(`LEDGER_SEED=${SEED} npx vitest run test/store/checkpoints.test.ts\n${fc.defaultReportMessage(details) ?? ''}`);
    // The random ledgers did exercise what the tuple encodes specially.
    expect(named).toBeGreaterThan(0);
    expect([...flagsSeen].sort((a, b) => a - b)).toEqual([1, 2, 4, 8]);
  }, 60_000);

  it('a restored block that breaks I1 or I2 is refused on reading (the final check skips only the blocks verified then and unchanged since)', () => {
    const entries = loadMoesif(CHECKPOINT_MIN_ENTRIES + 10);
    const checkpoint = checkpointAfter(KEY, entries, entries.length - 10);
    const spent = checkpoint.blocks.findIndex((tuple) => tuple[4] === '0' && tuple[5] === tuple[3]);
    const live = checkpoint.blocks.findIndex((tuple) => tuple[4] !== '0' && tuple[4] !== tuple[3]);
    expect(spent).toBeGreaterThanOrEqual(0);
    expect(live).toBeGreaterThanOrEqual(0);
    const tampered = (index: number, field: number, amount: string) => {
      const copy = JSON.parse(JSON.stringify(checkpoint)) as typeof checkpoint;
      (copy.blocks[index]! as unknown[])[field] = amount;
      return () => replayFromCheckpoint(KEY, copy, entries.slice(entries.length - 10), { asOf: Number.POSITIVE_INFINITY });
    };
    expect(tampered(spent, 5, new Decimal(checkpoint.blocks[spent]![3]).minus('0.01').toFixed())).toThrow(/I1 violated/);
    expect(tampered(live, 5, new Decimal(checkpoint.blocks[live]![5]).plus('0.01').toFixed())).toThrow(/I1 violated/);
    expect(tampered(live, 4, new Decimal(checkpoint.blocks[live]![3]).plus('1').toFixed())).toThrow(/I2 violated/);
    expect(tampered(spent, 4, '-1')).toThrow(/I2 violated/);
    expect(() => replayFromCheckpoint(KEY, checkpoint, entries.slice(entries.length - 10), { asOf: Number.POSITIVE_INFINITY })).not.toThrow();
  }, 60_000);

  it('short accounts get no checkpoint', () => {
    const path = join(tempDir(), 'ledger.sqlite');
    importFiles(path, [{ path: 'account.jsonl', text: generateMoesifJsonl({ entries: 300, accounts: 1, seed: 5 }) }], { now: NOW });
    const db = openLedgerDb(path, { create: false });
    expect(db.prepare('SELECT count(*) FROM account_checkpoints').pluck().get()).toBe(0);
    expect(loadCheckpoint(db, KEY)).toBeNull();
    db.close();
  });
});
