// `npm run bench [-- --entries N]`: one JSON object per line, {"metric", "value", "unit"} (DESIGN §8).
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { replayAccount } from '../core/ledger/replay.js';
import { blockStatus } from '../core/ledger/status.js';
import type { AccountKey, LedgerEntry } from '../core/ledger/types.js';
import { generateMoesifJsonl } from '../core/sources/generate-moesif.js';
import { forEachAccountEntries, openLedgerDb } from '../core/store/index.js';
import { auditExport, generateOrbExportJsonl } from '../core/audit/index.js';
import { measureAccountFirstPaint } from './first-paint.js';
import { measureReconcile } from './reconcile.js';
import { measureStripeCustomerSync, measureStripeSync } from './stripe-sync.js';
import { DEFAULT_SYNC_CONCURRENCY } from '../core/sync/in-order.js';
import { measurePeer } from './peer.js';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '1000000' },
    accounts: { type: 'string' },
    only: { type: 'string' },
    keep: { type: 'boolean' },
    'peer-transactions': { type: 'string', default: '200000' },
    'peer-customers': { type: 'string', default: '2000' },
    'peer-rounds': { type: 'string', default: '3' },
  },
});
const entries = Number(values.entries);
const accounts = values.accounts === undefined ? Math.max(1, Math.round(entries / 100)) : Number(values.accounts);
if (!Number.isSafeInteger(entries) || entries <= 0) throw new Error('--entries must be a positive integer');
/** The other benchmarks' sizes are a tenth of --entries: 100,000 at the default, as DESIGN §8 sets them. */
const tenth = Math.max(100, Math.round(entries / 10));
const only = values.only === undefined ? null : new Set(values.only.split(','));
const wanted = (group: string): boolean => only === null || only.has(group);

function report(metric: string, value: number, unit: string): void {
  process.stdout.write(JSON.stringify({ metric, value: Number(value.toFixed(3)), unit }) + '\n');
}

async function importAndReplay(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerscope-bench-'));
  try {
    const file = join(dir, 'moesif.jsonl');
    const nextFile = join(dir, 'moesif-next.jsonl');
    const db = join(dir, 'bench.sqlite');
    // The ledger and the month after it: the generator's first `entries` lines are the same whatever it
    // generates after them, and the rest come later in time, over the same accounts.
    const generated = generateMoesifJsonl({ entries: entries + tenth, accounts, seed: 42 });
    let cut = 0;
    for (let line = 0; line < entries; line++) cut = generated.indexOf('\n', cut) + 1;
    writeFileSync(file, generated.slice(0, cut));
    writeFileSync(nextFile, generated.slice(cut));

    // Import in a child process so that maxRSS is the import's alone.
    const child = fileURLToPath(new URL('./bench-import-child.mjs', import.meta.url));
    const result = JSON.parse(execFileSync(process.execPath, [child, file, db], { encoding: 'utf8', maxBuffer: 1 << 20 })) as {
      seconds: number;
      cpuSeconds: number;
      inserted: number;
      maxRssMb: number;
    };
    if (result.inserted !== entries) throw new Error(`import inserted ${result.inserted} of ${entries} entries`);
    report('import_entries_per_s', entries / result.seconds, 'entries/s');
    // Per CPU second (user + system): what the import costs, whatever else the machine is running.
    report('import_entries_per_cpu_s', entries / result.cpuSeconds, 'entries/s');
    report('import_peak_rss_mb', result.maxRssMb, 'MB');

    // `ledgerscope balances --json` on that database as a user runs it (start-up included, output to a file):
    // as of now (stored summaries), and as of a past instant in the middle of the data (replays).
    report('cli_balances_now_ms', cliBalancesMs(db, null, join(dir, 'now.json')), 'ms');
    report('cli_balances_past_ms', cliBalancesMs(db, '2024-06-15T00:00:00Z', join(dir, 'past.json')), 'ms');

    // Replay: every account's blocks and balances from entries already loaded, best of three runs.
    const loaded: { key: AccountKey; entries: LedgerEntry[] }[] = [];
    const database = openLedgerDb(db, { create: false });
    const loadStarted = performance.now();
    forEachAccountEntries(database, (key, list) => loaded.push({ key, entries: list }));
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    database.close();
    const now = Date.now();
    let best = Number.POSITIVE_INFINITY;
    let bestCpu = Number.POSITIVE_INFINITY;
    let checksum = 0;
    for (let run = 0; run < 3; run++) {
      const started = performance.now();
      const cpuStarted = process.cpuUsage();
      for (const account of loaded) {
        const state = replayAccount(account.key, account.entries, { asOf: now, keepEntries: false });
        for (const block of state.blocks) if (blockStatus(block, now) === 'active') checksum++;
      }
      best = Math.min(best, (performance.now() - started) / 1000);
      const cpu = process.cpuUsage(cpuStarted);
      bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1e6);
    }
    if (checksum === 0) throw new Error('replay found no active block at all: the generated data is not realistic');
    report('replay_entries_per_s', entries / best, 'entries/s');
    report('replay_entries_per_cpu_s', entries / bestCpu, 'entries/s');
    report('load_from_db_entries_per_s', entries / loadSeconds, 'entries/s');

    // The month after: a tenth more entries into that database, as a month-end import (existing accounts).
    const next = JSON.parse(execFileSync(process.execPath, [child, nextFile, db], { encoding: 'utf8', maxBuffer: 1 << 20 })) as typeof result;
    if (next.inserted !== tenth) throw new Error(`the next month's import inserted ${next.inserted} of ${tenth} entries`);
    report('import_next_month_entries_per_s', tenth / next.seconds, 'entries/s');
    report('import_next_month_entries_per_cpu_s', tenth / next.cpuSeconds, 'entries/s');
  } finally {
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
  }
}

const CLI = fileURLToPath(new URL('../bin/ledgerscope.mjs', import.meta.url));

/** Wall milliseconds of `ledgerscope balances --json [--as-of]`, stdout to `out`; best of three. */
function cliBalancesMs(db: string, asOf: string | null, out: string): number {
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 3; run++) {
    const fd = openSync(out, 'w');
    const started = performance.now();
    const result = spawnSync(process.execPath, [CLI, 'balances', '--db', db, '--json', ...(asOf === null ? [] : ['--as-of', asOf])], {
      stdio: ['ignore', fd, 'pipe'],
      encoding: 'utf8',
    });
    best = Math.min(best, performance.now() - started);
    closeSync(fd);
    if (result.status !== 0) throw new Error(`balances failed (${result.status}): ${result.stderr}`);
  }
  return best;
}

/** `balances` as of now over many short accounts (DESIGN: 100,000 accounts ≤ 300 ms in the CLI): 3 entries each. */
function manyAccountsBench(accountCount: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerscope-bench-accounts-'));
  try {
    const file = join(dir, 'moesif.jsonl');
    const db = join(dir, 'bench.sqlite');
    writeFileSync(file, generateMoesifJsonl({ entries: accountCount * 3, accounts: accountCount, seed: 7 }));
    const child = fileURLToPath(new URL('./bench-import-child.mjs', import.meta.url));
    execFileSync(process.execPath, [child, file, db], { encoding: 'utf8', maxBuffer: 1 << 20 });
    report('cli_balances_now_many_accounts_ms', cliBalancesMs(db, null, join(dir, 'now.json')), 'ms');
    report('many_accounts', accountCount, 'accounts');
  } finally {
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
  }
}

function auditBench(): void {
  const text = generateOrbExportJsonl({ entries, accounts: Math.max(1, Math.round(entries / 100)), seed: 11 });
  // The generator's garbage (a string per line) is not the audit's to collect (`npm run bench` exposes gc).
  (globalThis as { gc?: () => void }).gc?.();
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const audit = auditExport([{ path: 'bench-orb-export.jsonl', text }]);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  if (audit.findings.length > 0) throw new Error(`audit bench: the generated export has ${audit.findings.length} findings`);
  report('audit_entries_per_s', entries / seconds, 'entries/s');
  // Per CPU second (user + system, GC threads included): what the audit costs, whatever else the machine runs.
  report('audit_entries_per_cpu_s', entries / ((cpu.user + cpu.system) / 1e6), 'entries/s');
}

// Reconcile first: it should not pay for the import's garbage still in this process.
if (wanted('reconcile')) report('reconcile_s', measureReconcile({ payments: tenth }), 's');
if (wanted('import')) await importAndReplay();
if (wanted('peer')) {
  const peer = { transactions: Number(values['peer-transactions']), customers: Number(values['peer-customers']), rounds: Number(values['peer-rounds']) };
  for (const [name, value] of Object.entries(peer)) if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`--peer-${name} must be a positive integer`);
  await measurePeer({ ...peer, report, keep: values.keep === true });
}
if (wanted('accounts')) manyAccountsBench(Math.max(10, Math.round(entries / 10)));
if (wanted('audit')) auditBench();
if (wanted('sync')) {
  report('stripe_sync_objects_per_s', await measureStripeSync({ objects: tenth }), 'objects/s');
  // 150 customers, 40 ms per round trip: requests in flight (the default) beside one at a time.
  const customers = { customers: 150, latencyMs: 40 };
  report('stripe_sync_customers_s', await measureStripeCustomerSync({ ...customers, concurrency: DEFAULT_SYNC_CONCURRENCY }), 's');
  report('stripe_sync_customers_one_at_a_time_s', await measureStripeCustomerSync({ ...customers, concurrency: 1 }), 's');
}
if (wanted('first-paint')) report('account_view_first_paint_ms', await measureAccountFirstPaint({ entries: tenth }), 'ms');
