// `ledgerscope adjustments list|push` through the real bin, against the wire-format Orb and Moesif
// servers (the child process reaches them over 127.0.0.1; keys through its environment).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { MoesifWireServer } from '../wire/moesif-server.js';
import { startOrbServer, type OrbWireServer } from '../wire/orb-server.js';
import { HUGE, moesifAdjustedDb, orbAdjustedDb } from '../sources-api/adjustment-fixtures.js';
import { onCleanup } from '../sources-api/helpers.js';
import { buildCli, type CliResult } from './run-cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The bin in a child process, asynchronously: the servers answer from this process meanwhile. */
function ledgerscope(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  const clean = { ...process.env };
  for (const name of ['ORB_API_KEY', 'MOESIF_MANAGEMENT_TOKEN', 'LEDGERSCOPE_ORB_API_BASE', 'LEDGERSCOPE_MOESIF_API_BASE']) delete clean[name];
  const child = spawn(process.execPath, [join(root, 'bin', 'ledgerscope.mjs'), ...args], { cwd: root, env: { ...clean, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr })));
}

async function orbServer(): Promise<OrbWireServer> {
  const orb = await startOrbServer();
  onCleanup(() => orb.close());
  orb.addCustomer('cus_O');
  return orb;
}

beforeAll(() => buildCli(), 120_000);

describe('ledgerscope adjustments push', () => {
  it('without --confirm: lists what would be sent, sends nothing, exits 2 with one line naming --confirm', async () => {
    const orb = await orbServer();
    const { path, keys } = orbAdjustedDb();
    const env = { ORB_API_KEY: orb.apiKey };
    const dry = await ledgerscope(env, 'adjustments', 'push', '--db', path, '--orb-api-base', orb.url);
    expect(dry.status).toBe(2);
    expect(dry.stderr).toBe("adjustments push: nothing was sent; pushing writes to the providers' ledgers, add --confirm to push\n");
    expect(dry.stdout).toContain('would push 4 adjustments');
    for (const key of Object.values(keys)) expect(dry.stdout).toContain(key);
    expect(dry.stdout).toContain(HUGE);
    const json = await ledgerscope(env, 'adjustments', 'push', '--db', path, '--key', keys['payment:pi_1']!, '--json');
    expect(json.status).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ dry_run: true, adjustments: [{ idempotency_key: keys['payment:pi_1'], provider: 'orb', customer_id: 'cus_O', amount: HUGE, pushed_at: null }] });
    expect(orb.requests).toEqual([]);
  });

  it('--confirm pushes to Orb and Moesif (exit 0), exact amounts; list shows them pushed; pushing again sends nothing', async () => {
    const orb = await orbServer();
    const { path, keys, runId } = orbAdjustedDb();
    const env = { ORB_API_KEY: orb.apiKey };
    const pushed = await ledgerscope(env, 'adjustments', 'push', '--db', path, '--confirm', '--run', runId, '--orb-api-base', orb.url);
    expect(pushed.stderr).toBe('');
    expect(pushed.status).toBe(0);
    expect(pushed.stdout).toContain(`pushed ${keys['payment:pi_1']} (orb cus_O increment ${HUGE} USD) → orb_entry_`);
    expect(pushed.stdout).toContain('4 pushed, 0 already pushed, 0 failed, 0 skipped');
    expect(orb.createRequests.find((r) => r.idempotencyKey === keys['payment:pi_1'])!.body).toContain(`"amount":${HUGE},`);
    expect(pushed.stdout + pushed.stderr).not.toContain(orb.apiKey);
    const list = await ledgerscope({}, 'adjustments', 'list', '--db', path, '--json');
    expect(list.status).toBe(0);
    const adjustments = (JSON.parse(list.stdout) as { adjustments: { pushed_at: string | null; provider_entry_id: string | null }[] }).adjustments;
    expect(adjustments).toHaveLength(4);
    expect(adjustments.every((a) => a.pushed_at !== null && a.provider_entry_id !== null)).toBe(true);
    expect((await ledgerscope({}, 'adjustments', 'list', '--db', path, '--unpushed')).stdout).toBe('no posted adjustment is waiting to be pushed\n');
    const again = await ledgerscope(env, 'adjustments', 'push', '--db', path, '--confirm', '--orb-api-base', orb.url, '--json');
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ pushed: [], already_pushed: [], failed: [], skipped: [], cancelled: [] });
    expect(orb.createRequests).toHaveLength(4);

    // Moesif, its base from the environment as the serve host reads it.
    const moesif = await new MoesifWireServer().start();
    onCleanup(() => moesif.close());
    const other = moesifAdjustedDb();
    const viaEnv = await ledgerscope({ MOESIF_MANAGEMENT_TOKEN: moesif.token, LEDGERSCOPE_MOESIF_API_BASE: moesif.url }, 'adjustments', 'push', '--db', other.path, '--confirm');
    expect(viaEnv.status).toBe(0);
    expect(moesif.transactions.get(other.keys['payment:pi_3']!)).toContain('"amount":70.000000000000000000123');
  });

  it('exit 1 when a push fails or a provider has no key (each said on stderr, the key never); exit 2 for bad usage', async () => {
    const orb = await orbServer();
    const { path, keys, runId } = orbAdjustedDb();
    const noKey = await ledgerscope({}, 'adjustments', 'push', '--db', path, '--confirm', '--key', keys['entry:orb:inc_a']!);
    expect(noKey.status).toBe(1);
    expect(noKey.stderr).toBe(`adjustments push: ${keys['entry:orb:inc_a']} skipped: no Orb API key (set ORB_API_KEY, or add it in Settings)\n`);
    const wrong = await ledgerscope({ ORB_API_KEY: 'orb_wrong_key_4321' }, 'adjustments', 'push', '--db', path, '--confirm', '--key', keys['entry:orb:inc_a']!, '--orb-api-base', orb.url);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toBe(`adjustments push: ${keys['entry:orb:inc_a']}: the Orb key was rejected (401) — check ORB_API_KEY\n`);
    expect(wrong.stdout + wrong.stderr).not.toContain('orb_wrong_key_4321');
    const list = await ledgerscope({}, 'adjustments', 'list', '--db', path);
    expect(list.stdout).toContain('failed (1 attempt): the Orb key was rejected (401)');
    expect(list.stdout).toContain('not pushed');

    expect((await ledgerscope({}, 'adjustments', 'frob', '--db', path)).stderr).toBe('adjustments: expected "list" or "push"\n');
    const unknown = await ledgerscope({}, 'adjustments', 'push', '--db', path, '--confirm', '--key', 'lsadj_nope');
    expect([unknown.status, unknown.stderr]).toEqual([2, 'adjustments push: no posted adjustment "lsadj_nope"\n']);
    const otherRun = await ledgerscope({}, 'adjustments', 'push', '--db', path, '--confirm', '--run', 'R9-other', '--key', keys['entry:orb:inc_a']!);
    expect([otherRun.status, otherRun.stderr]).toEqual([2, `adjustments push: adjustment ${keys['entry:orb:inc_a']} belongs to run ${runId}, not R9-other\n`]);
    const badBase = await ledgerscope({ ORB_API_KEY: orb.apiKey }, 'adjustments', 'push', '--db', path, '--confirm', '--orb-api-base', 'not a url');
    expect(badBase.status).toBe(2);
    expect(badBase.stderr).toContain('--orb-api-base: expected a URL');
    expect((await ledgerscope({}, 'adjustments', 'push', '--confirm')).status).toBe(2);
  });
});
