// The Moesif balance-transaction client against a local management-API server.
import { describe, expect, it } from 'vitest';
import { moesifRequestBody, MoesifError, postMoesifBalanceTransaction, type MoesifBalanceTransaction } from '../../core/sources/moesif-api/client.js';
import { MoesifWireServer } from '../wire/moesif-server.js';
import { onCleanup } from './helpers.js';

async function server(): Promise<MoesifWireServer> {
  const moesif = await new MoesifWireServer().start();
  onCleanup(() => moesif.close());
  return moesif;
}

const body: MoesifBalanceTransaction = {
  company_id: 'cus_NffrFeUfNV2Hib',
  subscription_id: 'sub_1',
  transaction_id: 'ledgerscope-R1-abcd1234-item7',
  type: 'adjustment',
  amount: '-12.3456789012345678',
  description: 'balancing adjustment',
  active_at: '2025-01-10T00:00:00.000Z',
};

const noWait = { sleep: async () => {}, backoffMs: 1 };

describe('Moesif balance transactions', () => {
  it('posts the documented body with a bearer token; the amount is a JSON number with its exact digits', async () => {
    const moesif = await server();
    const result = await postMoesifBalanceTransaction({ token: moesif.token, apiBase: moesif.url, ...noWait }, body);
    expect(result).toEqual({ outcome: 'created', status: 201, attempts: 1 });
    const sent = moesif.transactions.get(body.transaction_id)!;
    expect(sent).toContain('"amount":-12.3456789012345678');
    expect(JSON.parse(sent)).toMatchObject({ company_id: 'cus_NffrFeUfNV2Hib', type: 'adjustment', subscription_id: 'sub_1' });
    expect(moesifRequestBody({ ...body, subscription_id: null, description: undefined })).not.toContain('subscription_id');
  });

  it('idempotent by transaction_id: a lost response is retried with the same body and Moesif holds one transaction', async () => {
    const moesif = await server();
    moesif.failAfterStoring = 2;
    const result = await postMoesifBalanceTransaction({ token: moesif.token, apiBase: moesif.url, ...noWait }, body);
    expect(result.attempts).toBe(3);
    expect(moesif.transactions.size).toBe(1);
    expect(new Set(moesif.requests.map((r) => r.body)).size).toBe(1);
    // Posting it again later is the same transaction.
    await postMoesifBalanceTransaction({ token: moesif.token, apiBase: moesif.url, ...noWait }, body);
    expect(moesif.transactions.size).toBe(1);
  });

  it('a rejected token is a clear error without the token; a bad amount is refused before posting', async () => {
    const moesif = await server();
    const error = await postMoesifBalanceTransaction({ token: 'wrong-token-4321', apiBase: moesif.url, ...noWait }, body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MoesifError);
    expect((error as Error).message).toBe('the Moesif token was rejected (401) — check MOESIF_MANAGEMENT_TOKEN (it needs the create:billing_reports scope)');
    await expect(postMoesifBalanceTransaction({ token: moesif.token, apiBase: moesif.url, ...noWait }, { ...body, amount: '1e3' })).rejects.toThrow(
      'amount must be a decimal like "-12.5", found "1e3"',
    );
    expect(moesif.requests).toHaveLength(1);
  });
});
