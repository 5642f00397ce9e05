/**
 * Side by side with hledger (issue 12): the same prepaid ledger imported and balanced by the real CLI
 * (`bin/ledgerscope.mjs import`, then `balances --json`, separate processes, start-up included) and
 * balanced by `hledger bal`, alternately in one run, best of the rounds. Peak memory per process from
 * /usr/bin/time -v, or else from polling /proc/<pid>/status (VmHWM). Both tools must agree on every
 * customer's balance, or the benchmark fails.
 */

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { centsOf, generatePrepaidLedger } from './prepaid-ledger.js';

export interface PeerOptions {
  transactions: number;
  customers: number;
  rounds: number;
  report: (metric: string, value: number, unit: string) => void;
  keep: boolean;
}

interface Run {
  seconds: number;
  /** User + system CPU seconds (time(1) only; NaN otherwise): on a loaded machine, steadier than wall. */
  cpuSeconds: number;
  peakRssMb: number;
  stdout: string;
}

const TIME = '/usr/bin/time';

function which(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir !== '' && existsSync(join(dir, command))) return join(dir, command);
  }
  return null;
}

/** Runs a command to completion; wall time measured around the spawn, peak RSS from time(1) or /proc. */
/** Wall milliseconds of one run, output discarded. */
function wallMs(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const result = spawnSync(command, args, { stdio: 'ignore', env });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status})`);
  return ms;
}

async function timed(command: string, args: string[]): Promise<Run> {
  if (existsSync(TIME)) {
    const started = performance.now();
    const result = spawnSync(TIME, ['-v', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
    const seconds = (performance.now() - started) / 1000;
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr.slice(-2000)}`);
    const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr);
    if (rss === null) throw new Error(`${TIME} -v printed no maximum resident set size`);
    const user = /User time \(seconds\): ([\d.]+)/.exec(result.stderr);
    const system = /System time \(seconds\): ([\d.]+)/.exec(result.stderr);
    const cpuSeconds = user === null || system === null ? NaN : Number(user[1]) + Number(system[1]);
    return { seconds, cpuSeconds, peakRssMb: Number(rss[1]) / 1024, stdout: result.stdout };
  }
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let peakKb = 0;
    const poll = setInterval(() => {
      try {
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (hwm !== null) peakKb = Math.max(peakKb, Number(hwm[1]));
      } catch {
        // the process has just exited
      }
    }, 10);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} failed (${code}): ${Buffer.concat(err).toString().slice(-2000)}`));
      else resolve({ seconds, cpuSeconds: NaN, peakRssMb: peakKb / 1024, stdout: Buffer.concat(out).toString('utf8') });
    });
  });
}

/** `balances --json`: customer id → current, in cents (every account here has no pending and nothing scheduled). */
function ledgerscopeBalances(json: string): Map<string, bigint> {
  const view = JSON.parse(json) as { accounts: { customer_id: string; current: string; pending: string; scheduled: string }[] };
  const balances = new Map<string, bigint>();
  for (const account of view.accounts) {
    if (centsOf(account.pending) !== 0n || centsOf(account.scheduled) !== 0n) {
      throw new Error(`${account.customer_id}: pending ${account.pending}, scheduled ${account.scheduled}; the peer ledger has neither`);
    }
    if (balances.has(account.customer_id)) throw new Error(`${account.customer_id}: more than one account`);
    balances.set(account.customer_id, centsOf(account.current));
  }
  return balances;
}

/** `hledger bal --flat -E --no-total` lines: "  -12.34 USD  customers:cus_000001" (zero prints as "0"). */
function hledgerBalances(text: string): Map<string, bigint> {
  const balances = new Map<string, bigint>();
  for (const line of text.split('\n')) {
    const match = /^\s*(-?[\d.]+)(?: USD)?\s+customers:(\S+)\s*$/.exec(line);
    if (match !== null) balances.set(match[2]!, centsOf(match[1]!));
  }
  return balances;
}

function assertAgree(name: string, found: Map<string, bigint>, expected: Map<string, bigint>): void {
  const wrong: string[] = [];
  for (const [customer, cents] of expected) {
    const got = found.get(customer);
    if (got !== cents) wrong.push(`${customer}: expected ${cents} cents, ${name} says ${got ?? 'nothing'}`);
  }
  if (found.size !== expected.size) wrong.push(`${name} lists ${found.size} customers, the ledger has ${expected.size}`);
  if (wrong.length > 0) throw new Error(`peer bench: ${name} disagrees on ${wrong.length} balances, first: ${wrong.slice(0, 3).join('; ')}`);
}

export async function measurePeer(options: PeerOptions): Promise<void> {
  const { report } = options;
  // The installed command's entry (package.json bin): it loads dist/cli.mjs and runs it.
  const cli = fileURLToPath(new URL('../bin/ledgerscope.mjs', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'ledgerscope-peer-'));
  try {
    const ledger = generatePrepaidLedger({ transactions: options.transactions, customers: options.customers, seed: 12 });
    const files = { python: join(dir, 'moesif-python.jsonl'), compact: join(dir, 'moesif-compact.jsonl'), journal: join(dir, 'ledger.journal') };
    writeFileSync(files.python, ledger.moesifPython);
    writeFileSync(files.compact, ledger.moesifCompact);
    writeFileSync(files.journal, ledger.hledgerJournal);

    // Start-up: the usage text, no database; best of five, beside Node's own start (`node -e 0`) on this machine now.
    let startup = Number.POSITIVE_INFINITY;
    let bare = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 5; i++) {
      bare = Math.min(bare, (await timed(process.execPath, ['-e', '0'])).seconds);
      startup = Math.min(startup, (await timed(process.execPath, [cli, '--help'])).seconds);
    }
    report('cli_startup_ms', startup * 1000, 'ms');
    report('node_bare_startup_ms', bare * 1000, 'ms');
    // NODE_EXTRA_CA_CERTS makes every Node process read and parse that PEM file as it starts (~50 ms of CPU
    // for Debian's bundle on the development machine): both again without it, to show what is Node's and what ours.
    if (process.env.NODE_EXTRA_CA_CERTS !== undefined) {
      const env = { ...process.env };
      delete env.NODE_EXTRA_CA_CERTS;
      let plainStartup = Number.POSITIVE_INFINITY;
      let plainBare = Number.POSITIVE_INFINITY;
      for (let i = 0; i < 10; i++) {
        plainBare = Math.min(plainBare, wallMs(process.execPath, ['-e', '0'], env));
        plainStartup = Math.min(plainStartup, wallMs(process.execPath, [cli, '--help'], env));
      }
      report('cli_startup_without_extra_ca_certs_ms', plainStartup, 'ms');
      report('node_bare_startup_without_extra_ca_certs_ms', plainBare, 'ms');
    }

    const hledger = which('hledger');
    if (hledger === null) process.stderr.write('peer bench: hledger is not installed (apt-get install -y hledger); skipping the peer lines\n');
    const best = {
      import: Infinity, compact: Infinity, balances: Infinity, total: Infinity, hledger: Infinity, hledgerRss: Infinity,
      cpu: Infinity, hledgerCpu: Infinity, importCpu: Infinity, balancesCpu: Infinity,
    };
    let lsRssOfBest = Infinity;
    for (let round = 0; round < options.rounds; round++) {
      if (hledger !== null) {
        const run = await timed(hledger, ['-f', files.journal, 'bal', '--flat', '-E', '--no-total']);
        assertAgree('hledger', hledgerBalances(run.stdout), ledger.balancesCents);
        best.hledger = Math.min(best.hledger, run.seconds);
        best.hledgerRss = Math.min(best.hledgerRss, run.peakRssMb);
        best.hledgerCpu = Math.min(best.hledgerCpu, run.cpuSeconds);
      }
      const db = join(dir, `python-${round}.sqlite`);
      const imported = await timed(process.execPath, [cli, 'import', files.python, '--db', db]);
      const balances = await timed(process.execPath, [cli, 'balances', '--db', db, '--json']);
      assertAgree('ledgerscope', ledgerscopeBalances(balances.stdout), ledger.balancesCents);
      best.import = Math.min(best.import, imported.seconds);
      best.balances = Math.min(best.balances, balances.seconds);
      best.cpu = Math.min(best.cpu, imported.cpuSeconds + balances.cpuSeconds);
      best.importCpu = Math.min(best.importCpu, imported.cpuSeconds);
      best.balancesCpu = Math.min(best.balancesCpu, balances.cpuSeconds);
      if (imported.seconds + balances.seconds < best.total) {
        best.total = imported.seconds + balances.seconds;
        lsRssOfBest = Math.max(imported.peakRssMb, balances.peakRssMb);
      }
      const compactDb = join(dir, `compact-${round}.sqlite`);
      best.compact = Math.min(best.compact, (await timed(process.execPath, [cli, 'import', files.compact, '--db', compactDb])).seconds);
      if (!options.keep) rmSync(db, { force: true });
      rmSync(compactDb, { force: true });
    }
    report('cli_import_s', best.import, 's');
    report('cli_import_compact_s', best.compact, 's');
    report('cli_balances_s', best.balances, 's');
    report('cli_import_entries_per_s', options.transactions / best.import, 'entries/s');
    report('ledgerscope_peak_rss_mb', lsRssOfBest, 'MB');
    if (Number.isFinite(best.importCpu)) {
      report('cli_import_cpu_s', best.importCpu, 's');
      report('cli_balances_cpu_s', best.balancesCpu, 's');
    }
    if (hledger !== null) {
      report('hledger_bal_s', best.hledger, 's');
      report('hledger_peak_rss_mb', best.hledgerRss, 'MB');
      report('peer_ratio_hledger', best.hledger / best.total, 'x');
      if (Number.isFinite(best.cpu) && Number.isFinite(best.hledgerCpu)) {
        report('hledger_bal_cpu_s', best.hledgerCpu, 's');
        report('peer_ratio_hledger_cpu', best.hledgerCpu / best.cpu, 'x');
      }
    }
  } finally {
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
    else process.stderr.write(`peer bench: files kept in ${dir}\n`);
  }
}
