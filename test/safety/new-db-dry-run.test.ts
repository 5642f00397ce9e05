// Issue 10 item 1: a Stripe import (or its dry run, the Import screen's preview) into a path that does
// not exist builds the database aside: the real path is never created by a dry run, and never deleted,
// so another process's committed import into that path survives.
import { spawn } from 'node:child_process';
import { existsSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { openLedgerDb } from '../../core/store/index.js';
import { importStripeFiles } from '../../core/import/stripe-files.js';
import { buildCli } from '../cli/run-cli.js';
import { tempDir } from '../sources-api/helpers.js';
import { charge, customer, paymentIntent } from '../wire/stripe-objects.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const T0 = 1_736_000_000;
const NOW = (T0 + 1_000_000) * 1000;

function stripeFile(): { path: string; text: string } {
  const objects = [
    customer({ id: 'cus_1', created: T0 }),
    paymentIntent({ id: 'pi_1', created: T0 + 10, amount: 5000, customer: 'cus_1', latest_charge: 'ch_1' }),
    charge({ id: 'ch_1', created: T0 + 11, amount: 5000, customer: 'cus_1', payment_intent: 'pi_1' }),
  ];
  return { path: 'stripe.json', text: JSON.stringify({ object: 'list', data: objects, has_more: false, url: '/v1/x' }) };
}

function moesifLines(count: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(JSON.stringify({ company_id: `c${i % 10}`, transaction_id: `tx-${i}`, type: 'credit', amount: 1, created_at: '2025-01-01T00:00:00Z' }));
  }
  return lines.join('\n') + '\n';
}

beforeAll(() => buildCli(), 120_000);

describe('a new Stripe database is built aside (issue 10 item 1)', () => {
  it('a dry run on a new path never creates the real path, not even for a moment', async () => {
    const dir = tempDir();
    const dbPath = join(dir, 'ledger.sqlite');
    const seen: string[] = [];
    const watcher = watch(dir, (_event, name) => {
      if (name !== null) seen.push(String(name));
    });
    try {
      const summary = importStripeFiles(dbPath, [stripeFile()], { now: NOW, dryRun: true });
      expect(summary.payments.inserted).toBeGreaterThan(0);
      for (let i = 0; i < 20; i++) await tick();
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      watcher.close();
    }
    expect(existsSync(dbPath)).toBe(false);
    expect(seen.filter((name) => name === 'ledger.sqlite' || name.startsWith('ledger.sqlite-'))).toEqual([]);
  });

  it('a committed Stripe import on a new path is linked into place', () => {
    const dir = tempDir();
    const dbPath = join(dir, 'ledger.sqlite');
    const summary = importStripeFiles(dbPath, [stripeFile()], { now: NOW });
    expect(summary.payments.inserted).toBeGreaterThan(0);
    const db = openLedgerDb(dbPath, { create: false, now: NOW });
    try {
      expect((db.prepare('SELECT count(*) AS n FROM payments').get() as { n: number }).n).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it("dry runs beside another process's import into the same new path leave that process's committed import", async () => {
    const dir = tempDir();
    const dbPath = join(dir, 'ledger.sqlite');
    writeFileSync(join(dir, 'moesif.jsonl'), moesifLines(3000));
    const child = spawn(process.execPath, [join(root, 'bin', 'ledgerscope.mjs'), 'import', join(dir, 'moesif.jsonl'), '--db', dbPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    let done = false;
    void exited.then(() => (done = true));
    let dryRuns = 0;
    while (!done) {
      importStripeFiles(dbPath, [stripeFile()], { now: NOW, dryRun: true });
      dryRuns++;
      await tick();
    }
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/3000/);
    expect(dryRuns).toBeGreaterThan(0);
    expect(existsSync(dbPath)).toBe(true);
    const db = openLedgerDb(dbPath, { create: false, now: NOW });
    try {
      expect((db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n).toBe(3000);
    } finally {
      db.close();
    }
  }, 60_000);
});
