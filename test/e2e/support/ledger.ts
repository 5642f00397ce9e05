// A real ledger for the browser tests: seeded through the real CLI (`ledgerscope import`), served by the
// real `ledgerscope serve` (scripts/lib/serve.mjs reads the URL it prints).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe, type RunningServe } from '../../../scripts/lib/serve.mjs';
import { projectRoot } from './environment.js';

const DAY = 86_400_000;

/** Whole days from a base instant, as ISO UTC. */
export function day(base: number, days: number): string {
  return new Date(base + days * DAY).toISOString();
}

/** The CLI, as a user runs it. */
export function ledgerscope(...args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(projectRoot, 'bin', 'ledgerscope.mjs'), ...args], { cwd: projectRoot, encoding: 'utf8' });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export interface SeededLedger {
  dir: string;
  db: string;
  /** Day 0 of the named accounts' history: 60 days before the tests start, so "now" is after it. */
  start: number;
}

/** One Moesif JSON Lines record, amount as a JSON number literal (as Moesif sends it). */
function moesif(record: Record<string, string>): string {
  return JSON.stringify(record).replace(/"amount":"(-?[\d.]+)"/, '"amount":$1');
}

/**
 * cus_alpha: credit 100.00 (expires in 20 days), promotion 25 (expired 30 days ago, after 10 of it paid a
 *   debit) → balance 100.00, 125.00 at day 5.
 * cus_beta: credit 50, debit 80 → −30.00, deficit 30.
 * cus_gamma / sub_gamma: credit 10, pending debit 4 → available 6.
 * plus 40 generated-looking accounts, so the list scrolls.
 */
export function seedLedger(): SeededLedger {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerscope-e2e-'));
  const db = join(dir, 'ledger.sqlite');
  const start = Date.now() - 60 * DAY;
  const lines: Record<string, string>[] = [
    { company_id: 'cus_alpha', transaction_id: 'alpha-credit', type: 'credit', amount: '100.00', description: 'Prepaid credits', created_at: day(start, 0), expire_at: day(start, 80) },
    { company_id: 'cus_alpha', transaction_id: 'alpha-promo', type: 'promotion', amount: '25', description: 'Welcome bonus', created_at: day(start, 1), expire_at: day(start, 30) },
    { company_id: 'cus_alpha', transaction_id: 'alpha-usage', type: 'debit', amount: '-10', description: 'API usage', created_at: day(start, 10) },
    { company_id: 'cus_beta', transaction_id: 'beta-credit', type: 'credit', amount: '50', description: 'Prepaid credits', created_at: day(start, 2) },
    { company_id: 'cus_beta', transaction_id: 'beta-usage', type: 'debit', amount: '-80', description: 'API usage', created_at: day(start, 3) },
    { company_id: 'cus_gamma', subscription_id: 'sub_gamma', transaction_id: 'gamma-credit', type: 'credit', amount: '10', description: 'Prepaid credits', created_at: day(start, 4) },
    { company_id: 'cus_gamma', subscription_id: 'sub_gamma', transaction_id: 'gamma-usage', type: 'debit', amount: '-4', description: 'API usage', created_at: day(start, 6), status: 'pending' },
  ];
  for (let i = 0; i < 40; i++) {
    const company = `cus_team${String(i).padStart(3, '0')}`;
    lines.push({ company_id: company, transaction_id: `${company}-credit`, type: 'credit', amount: `${100 + i}.50`, description: 'Prepaid credits', created_at: day(start, 7), expire_at: day(start, 90 + i) });
    lines.push({ company_id: company, transaction_id: `${company}-usage`, type: 'debit', amount: `-${(i * 37) % 100}.25`, description: 'API usage', created_at: day(start, 8) });
  }
  const file = join(dir, 'moesif.jsonl');
  writeFileSync(file, lines.map(moesif).join('\n') + '\n');
  const imported = ledgerscope('import', file, '--db', db);
  if (imported.status !== 0) throw new Error(`seeding failed: ${imported.stderr}`);
  return { dir, db, start };
}

/** serve on a free port; settings go to a directory of the test's own, keys are absent from its environment. */
export async function serve(db: string, configDir: string, extraEnv: Record<string, string> = {}): Promise<RunningServe> {
  const env: NodeJS.ProcessEnv = { ...process.env, LEDGERSCOPE_CONFIG_DIR: configDir };
  for (const name of ['STRIPE_API_KEY', 'ORB_API_KEY', 'MOESIF_MANAGEMENT_TOKEN', 'LEDGERSCOPE_ORB_API_BASE', 'LEDGERSCOPE_MOESIF_API_BASE']) delete env[name];
  // Tests that push adjustments name a key and a local provider server here.
  return startServe({ root: projectRoot, db, port: 0, env: { ...env, ...extraEnv } });
}
