// The account screen's queries answer the same from a replay checkpoint as from the full replay.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccountReplays, accountDetail, countThrough, entriesPage } from '../../core/service/account-queries.js';
import { replayAccount } from '../../core/ledger/replay.js';
import { importFiles } from '../../core/import/ledger-files.js';
import { generateMoesifJsonl } from '../../core/sources/generate-moesif.js';
import { CHECKPOINT_MIN_ENTRIES, CHECKPOINT_TAIL_ENTRIES, loadRecentEntries, openLedgerDb } from '../../core/store/index.js';
import { entryView } from '../../core/service/views.js';
import { formatInstant } from '../../core/time/instant.js';
import { NOW, tempDir } from '../store/store-fixtures.js';

const ACCOUNT = { customer_id: 'cus_000001', subscription_id: 'sub_000001', unit: 'USD' };
const KEY = { customerId: 'cus_000001', subscriptionId: 'sub_000001', unit: 'USD' };

describe('account.get and entries.list from a checkpoint', () => {
  it('balances, blocks, counts and the newest pages equal the full replay\'s; older instants and pages fall back to it', () => {
    const path = join(tempDir(), 'ledger.sqlite');
    importFiles(path, [{ path: 'account.jsonl', text: generateMoesifJsonl({ entries: CHECKPOINT_MIN_ENTRIES + 2_000, accounts: 1, seed: 7 }) }], { now: NOW });
    const db = openLedgerDb(path, { create: false });
    try {
      for (const asOf of [NOW, NOW + 400 * 86_400_000]) {
        const quick = new AccountReplays();
        const pages = [0, 200, CHECKPOINT_TAIL_ENTRIES - 200, CHECKPOINT_TAIL_ENTRIES + 500].map((offset) =>
          entriesPage(quick, db, { account: ACCOUNT, order: 'desc', offset, limit: 200 }, asOf),
        );
        const detail = accountDetail(quick, db, ACCOUNT, asOf);
        expect(quick.cachedStateAt(KEY, asOf)).not.toBeNull(); // the deep page needed the full replay
        const full = new AccountReplays();
        full.stateAt(db, KEY, asOf);
        expect(JSON.stringify(accountDetail(full, db, ACCOUNT, asOf))).toBe(JSON.stringify(detail));
        const fromFull = [0, 200, CHECKPOINT_TAIL_ENTRIES - 200, CHECKPOINT_TAIL_ENTRIES + 500].map((offset) =>
          entriesPage(full, db, { account: ACCOUNT, order: 'desc', offset, limit: 200 }, asOf),
        );
        expect(JSON.stringify(fromFull)).toBe(JSON.stringify(pages));
        // Checkpoint only (no full replay yet): the detail is the same too.
        const fresh = new AccountReplays();
        expect(JSON.stringify(accountDetail(fresh, db, ACCOUNT, asOf))).toBe(JSON.stringify(detail));
        expect(fresh.cachedStateAt(KEY, asOf)).toBeNull();
      }
      // Before the checkpoint: the full replay answers.
      const early = new AccountReplays();
      const page = entriesPage(early, db, { account: ACCOUNT, order: 'desc', offset: 0, limit: 50 }, Date.UTC(2024, 0, 1));
      expect(early.cachedStateAt(KEY, Date.UTC(2024, 0, 1))).not.toBeNull();
      expect(page.total).toBeLessThan(CHECKPOINT_MIN_ENTRIES + 2_000);
    } finally {
      db.close();
    }
  }, 60_000);

  it('entries.list from the rows stored with the checkpoint (migration 0006) equals the full replay byte for byte: at the last entry, between generated expiries, now, far ahead; before the last entry the replay answers', () => {
    const path = join(tempDir(), 'ledger.sqlite');
    importFiles(path, [{ path: 'account.jsonl', text: generateMoesifJsonl({ entries: CHECKPOINT_MIN_ENTRIES + 2_000, accounts: 1, seed: 7 }) }], { now: NOW });
    const db = openLedgerDb(path, { create: false });
    try {
      const entries = new AccountReplays().entriesOf(db, KEY);
      const last = entries[entries.length - 1]!.at;
      const ending = replayAccount(KEY, entries);
      const generated = ending.entries.filter((r) => r.generated && r.entry.at > last).map((r) => r.entry.at);
      expect(generated.length).toBeGreaterThan(10);
      const between = (generated[4]! + generated[5]!) / 2;
      const cases: [number, boolean][] = [
        [last, true],
        [between, true],
        [generated[generated.length - 1]!, true],
        [NOW, NOW >= last],
        [Date.UTC(2100, 0, 1), true],
        [last - 1, false],
      ];
      for (const [asOf, fromStore] of cases) {
        const rows = replayAccount(KEY, entries, { asOf }).entries;
        const offsets = [0, 1, 199, 200, CHECKPOINT_TAIL_ENTRIES - 200, CHECKPOINT_TAIL_ENTRIES + 500, rows.length - 150, rows.length + 5];
        const replays = new AccountReplays();
        for (const offset of offsets) {
          const expected = [];
          for (let i = offset; i < Math.min(rows.length, offset + 200); i++) expected.push(entryView(rows[rows.length - 1 - i]!));
          const page = entriesPage(replays, db, { account: ACCOUNT, order: 'desc', offset, limit: 200 }, asOf);
          expect(JSON.stringify(page)).toBe(JSON.stringify({ as_of: formatInstant(asOf), total: rows.length, total_unfiltered: rows.length, offset, rows: expected }));
        }
        // The first page came from the stored rows (no replay at all); before the last entry they cannot answer.
        expect(loadRecentEntries(db, KEY, asOf, 0, 200) !== null).toBe(fromStore);
      }
    } finally {
      db.close();
    }
  }, 60_000);

  it('the timeline\'s projection (scheduled expiries after as-of) from the checkpoint equals the full replay\'s', () => {
    const path = join(tempDir(), 'ledger.sqlite');
    importFiles(path, [{ path: 'account.jsonl', text: generateMoesifJsonl({ entries: CHECKPOINT_MIN_ENTRIES + 2_000, accounts: 1, seed: 11 }) }], { now: NOW });
    const db = openLedgerDb(path, { create: false });
    try {
      const replays = new AccountReplays();
      const entries = replays.entriesOf(db, KEY);
      const last = entries[entries.length - 1]!.at;
      const beforeCheckpoint = entries[entries.length - CHECKPOINT_TAIL_ENTRIES - 10]!.at;
      let upcoming = 0;
      let fromCheckpoint = 0;
      for (const asOf of [last, last - 86_400_000, beforeCheckpoint, NOW + 400 * 86_400_000]) {
        const count = countThrough(entries, asOf);
        const full = replayAccount(KEY, entries.slice(0, count));
        const projected = replays.projectionAt(db, KEY, asOf);
        const after = (state: typeof full): string[] =>
          state.entries.filter((r) => r.entry.at > asOf && r.generated).map((r) => `${r.entry.at} ${r.entry.blockId} ${r.appliedAmount.toFixed()} ${r.endingBalance.toFixed()}`);
        expect(after(projected)).toEqual(after(full));
        upcoming += after(full).length;
        // From the checkpoint its entries are the tail's and what follows; before it, the full replay's.
        expect(projected.entries.length < full.entries.length).toBe(count >= entries.length - CHECKPOINT_TAIL_ENTRIES);
        fromCheckpoint += count >= entries.length - CHECKPOINT_TAIL_ENTRIES ? 1 : 0;
        expect([projected.current.toFixed(), projected.pending.toFixed(), projected.deficit.toFixed()]).toEqual([full.current.toFixed(), full.pending.toFixed(), full.deficit.toFixed()]);
      }
      expect(upcoming).toBeGreaterThan(0);
      expect(fromCheckpoint).toBeGreaterThanOrEqual(2);
    } finally {
      db.close();
    }
  }, 60_000);
});
