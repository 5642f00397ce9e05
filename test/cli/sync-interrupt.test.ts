// Issue 10 §5 through the real bin: a provider asking for an hour (Retry-After: 3600) gets a wait of at
// most 60 s, said on stderr, and Ctrl-C (a real SIGINT to the process) ends that wait: exit 130, what was
// committed kept. The test sends the signal when the wait is announced, so it ends on its own.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { paymentIntent } from '../wire/stripe-objects.js';
import { startStripeServer } from '../wire/stripe-server.js';
import { onCleanup } from '../sources-api/helpers.js';
import { buildCli, workDir } from './run-cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

beforeAll(() => buildCli(), 120_000);

describe('ledgerscope sync: a long Retry-After', () => {
  it('is capped at 60 s and said on stderr; Ctrl-C during the wait exits 130 with the cancel said', async () => {
    const stripe = await startStripeServer();
    onCleanup(() => stripe.close());
    stripe.put(paymentIntent({ id: 'pi_wait_1', created: stripe.clock - 100, amount: 500, customer: 'cus_1' }));
    stripe.faults.push({ status: 429, headers: { 'Retry-After': '3600' }, times: 1, path: /^\/v1\/payment_intents$/ });
    const dir = workDir();
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const child = spawn(process.execPath, [join(root, 'bin', 'ledgerscope.mjs'), 'sync', 'stripe', '--db', join(dir, 'l.sqlite'), '--api-base', stripe.url], {
      cwd: root,
      env: { ...process.env, STRIPE_API_KEY: stripe.apiKey },
    });
    let stderr = '';
    let interrupted = false;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (!interrupted && stderr.includes('before retrying')) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.on('close', (status) => resolve(status)));
    expect(stderr).toContain('sync stripe: GET payment_intents: Stripe answered 429 (rate limited): waiting 60 s before retrying; it asked for 3600 s');
    expect(stderr).toContain('sync stripe: cancelled at payment_intents');
    expect(code).toBe(130);
  }, 120_000);
});
