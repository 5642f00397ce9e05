// DESIGN §6: one planted difference per category; each is found and nothing else is reported.
import { describe, expect, it } from 'vitest';
import { Decimal, toCanonical } from '../../core/money/decimal.js';
import { hasDifferences, isDifference, parseReconcileSettings, providerBodyJson, SettingsError, type ReconcileResult } from '../../core/reconcile/index.js';
import { account, at, differences, dispute, payment, refund, run, summary } from './fixtures.js';

/** The planted item is the only one that is not `matched`, and every payment record is in exactly one item. */
function expectOnly(result: ReconcileResult, expected: ReturnType<typeof differences>): void {
  expect(differences(result)).toEqual(expected);
  const seen = new Map<string, number>();
  for (const item of result.items) {
    if (item.category === 'duplicate_credit') continue; // names the payment it repeats as evidence
    for (const id of item.paymentIds) seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  for (const [id, count] of seen) expect(count, id).toBe(1);
}

describe('matching stages', () => {
  it('exact reference: the transaction id is the payment intent → matched', () => {
    const result = run([payment('pi_1', 'cus_A', '100', at(0))], [account('cus_A').credit('pi_1', '100', at(0))]);
    expect(summary(result)).toEqual([['matched', ['pi_1'], ['pi_1'], '100', '100']]);
    expect(hasDifferences(result)).toBe(false);
    expect(result.accounts.map((a) => [a.account.customerId, toCanonical(a.difference)])).toEqual([['cus_A', '0']]);
  });

  it('exact reference through metadata, a description, or a linked object of the payment (charge, session, invoice)', () => {
    const payments = [
      payment('pi_1', 'cus_A', '10', at(0)),
      payment('ch_1', 'cus_A', '10', at(0), { kind: 'charge', paymentIntentId: 'pi_1' }),
      payment('cs_1', 'cus_A', '10', at(0), { kind: 'checkout_session', status: 'complete', paymentIntentId: 'pi_1' }),
      payment('pi_2', 'cus_A', '20', at(1)),
      payment('in_3', 'cus_A', '30', at(2), { kind: 'invoice', status: 'paid' }),
    ];
    const ledger = account('cus_A')
      .credit('tx-1', '10', at(20), { metadata: { checkout: 'cs_1' } })
      .credit('tx-2', '20', at(21), { description: 'Top-up for pi_2 via checkout' })
      .credit('tx-3', '30', at(22), { source: 'orb', metadata: { payment_provider_id: 'in_3' } });
    const result = run(payments, [ledger]);
    expect(summary(result)).toEqual([
      ['matched', ['pi_1', 'cs_1', 'ch_1'], ['tx-1'], '10', '10'],
      ['matched', ['pi_2'], ['tx-2'], '20', '20'],
      ['matched', ['in_3'], ['tx-3'], '30', '30'],
    ]);
  });

  it('customer + unit + amount within ±3 days → matched_fuzzy; outside the window → missing on both sides', () => {
    const result = run(
      [payment('pi_1', 'cus_A', '50', at(0)), payment('pi_2', 'cus_A', '60', at(0))],
      [account('cus_A').credit('tx-a', '50', at(3)).credit('tx-b', '60', at(3) + 1)],
    );
    expectOnly(result, [
      ['matched_fuzzy', ['pi_1'], ['tx-a'], '50', '50'],
      ['missing_in_ledger', ['pi_2'], [], '60', '0'],
      ['missing_in_stripe', [], ['tx-b'], '0', '60'],
    ]);
  });

  it('a user mapping, Stripe customer metadata and Orb external ids link customers', () => {
    const payments = [payment('pi_1', 'cus_S1', '10', at(0)), payment('pi_2', 'cus_S2', '20', at(0)), payment('pi_3', 'cus_S3', '30', at(0))];
    const orb = account('orb_cust_3', 'credits');
    orb.credit('e3', '30', at(1), { source: 'orb' });
    orb.records[0]!.externalCustomerId = 'cus_S3';
    const result = run(payments, [account('co_1').credit('t1', '10', at(1)), account('co_2').credit('t2', '20', at(1)), orb], {
      mappings: [{ ledgerCustomerId: 'co_1', stripeCustomerId: 'cus_S1' }],
      stripeCustomers: [{ id: 'cus_S2', metadata: { moesif_company_id: 'co_2' } }],
    });
    expect(summary(result).map(([category, payments, entries]) => [category, payments, entries])).toEqual([
      ['matched_fuzzy', ['pi_1'], ['t1']],
      ['matched_fuzzy', ['pi_2'], ['t2']],
      ['matched_fuzzy', ['pi_3'], ['e3']],
    ]);
  });

  it('grouped: one payment credited in parts, and several payments credited as one → matched_grouped', () => {
    const result = run(
      [payment('pi_1', 'cus_A', '90', at(0)), payment('pi_2', 'cus_B', '30', at(0)), payment('pi_3', 'cus_B', '20', at(1))],
      [account('cus_A').credit('a1', '40', at(1)).credit('a2', '50', at(2)), account('cus_B').credit('b1', '50', at(1))],
    );
    expectOnly(result, [
      ['matched_grouped', ['pi_1'], ['a1', 'a2'], '90', '90'],
      ['matched_grouped', ['pi_2', 'pi_3'], ['b1'], '50', '50'],
    ]);
  });
});

describe('every category is found, and nothing else', () => {
  it('missing_in_ledger (a payment no credit names or matches)', () => {
    const result = run([payment('pi_1', 'cus_A', '70', at(0))], [account('cus_A').credit('other', '5', at(40), { costBasis: '0' })]);
    expectOnly(result, [['missing_in_ledger', ['pi_1'], [], '70', '0']]);
    expect(result.items[0]!.proposal?.body).toEqual({
      company_id: 'cus_A',
      transaction_id: result.items[0]!.proposal!.idempotencyKey,
      type: 'credit',
      amount: '70',
      description: 'Ledgerscope run-test: missing_in_ledger pi_1',
    });
  });

  it('missing_in_stripe (a paid credit with no payment); promotional credit (cost basis 0) is never reported', () => {
    const result = run([], [account('cus_A').credit('tx-1', '25', at(0)).credit('promo', '10', at(0), { costBasis: '0' })]);
    expectOnly(result, [['missing_in_stripe', [], ['tx-1'], '0', '25']]);
  });

  it('amount_mismatch (a credit names the payment but holds another amount)', () => {
    const result = run([payment('pi_1', 'cus_A', '100', at(0))], [account('cus_A').credit('tx-1', '90', at(0), { metadata: { payment_intent: 'pi_1' } })]);
    expectOnly(result, [['amount_mismatch', ['pi_1'], ['tx-1'], '100', '90']]);
    expect(result.items[0]!.proposal?.body).toMatchObject({ type: 'credit', amount: '10' });
  });

  it('currency_mismatch (paid in EUR, credited in USD)', () => {
    const result = run([payment('pi_1', 'cus_A', '100', at(0), { currency: 'EUR' })], [account('cus_A').credit('pi_1', '100', at(0))]);
    expectOnly(result, [['currency_mismatch', ['pi_1'], ['pi_1'], '0', '100']]);
  });

  it('unit_error (cents credited as dollars), by reference and by amount in the window', () => {
    const result = run(
      [payment('pi_1', 'cus_A', '10', at(0)), payment('pi_2', 'cus_A', '25', at(10))],
      [account('cus_A').credit('pi_1', '1000', at(0)).credit('tx-2', '2500', at(11))],
    );
    expectOnly(result, [
      ['unit_error', ['pi_1'], ['pi_1'], '10', '1000'],
      ['unit_error', ['pi_2'], ['tx-2'], '25', '2500'],
    ]);
  });

  it('duplicate_credit (two credits name one payment)', () => {
    const result = run(
      [payment('pi_1', 'cus_A', '100', at(0))],
      [account('cus_A').credit('tx-1', '100', at(0), { metadata: { pi: 'pi_1' } }).credit('tx-2', '100', at(1), { metadata: { pi: 'pi_1' } })],
    );
    expectOnly(result, [['duplicate_credit', ['pi_1'], ['tx-2'], '0', '100']]);
  });

  it('credited_but_payment_failed (by reference, and by amount in the window)', () => {
    const result = run(
      [payment('pi_1', 'cus_A', '40', at(0), { status: 'requires_payment_method' }), payment('pi_2', 'cus_A', '15', at(5), { status: 'canceled' })],
      [account('cus_A').credit('pi_1', '40', at(0)).credit('tx-2', '15', at(5))],
    );
    expectOnly(result, [
      ['credited_but_payment_failed', ['pi_1'], ['pi_1'], '0', '40'],
      ['credited_but_payment_failed', ['pi_2'], ['tx-2'], '0', '15'],
    ]);
  });

  it('refund_not_reversed, and a partial reversal is refund_not_reversed too', () => {
    const result = run(
      [
        payment('pi_1', 'cus_A', '100', at(0)),
        refund('re_1', 'pi_1', '30', at(5)),
        payment('pi_2', 'cus_A', '50', at(0)),
        refund('re_2', 'pi_2', '50', at(6)),
        payment('pi_3', 'cus_A', '80', at(0)),
        refund('re_3', 'pi_3', '80', at(7)),
      ],
      [
        account('cus_A')
          .credit('pi_1', '100', at(0))
          .credit('pi_2', '50', at(0))
          .void('v-2', 'pi_2', '20', at(6), { metadata: { refund: 're_2' } })
          .credit('pi_3', '80', at(0))
          .void('v-3', 'pi_3', '80', at(7), { voidReason: 'refund' }),
      ],
    );
    expectOnly(result, [
      ['refund_not_reversed', ['re_1'], [], '-30', '0'],
      ['refund_not_reversed', ['re_2'], ['v-2'], '-50', '-20'],
    ]);
    expect(result.items.find((item) => item.id === 'payment:re_1')?.proposal?.body).toMatchObject({ type: 'adjustment', amount: '-30' });
  });

  it('dispute_not_reversed (a lost dispute the ledger did not take back)', () => {
    const result = run([payment('pi_1', 'cus_A', '100', at(0)), dispute('dp_1', 'pi_1', '100', at(9), 'lost')], [account('cus_A').credit('pi_1', '100', at(0))]);
    expectOnly(result, [['dispute_not_reversed', ['dp_1'], [], '-100', '0']]);
  });

  it('dispute_won_not_restored (credit taken back for a dispute that was then won)', () => {
    const payments = [payment('pi_1', 'cus_A', '100', at(0)), dispute('dp_1', 'pi_1', '100', at(9), 'won'), payment('pi_2', 'cus_A', '60', at(0)), dispute('dp_2', 'pi_2', '60', at(9), 'won')];
    const ledger = account('cus_A', 'credits')
      .credit('pi_1', '100', at(0), { source: 'orb' })
      .void('v-1', 'pi_1', '100', at(9), { source: 'orb', metadata: { dispute: 'dp_1' } })
      .credit('pi_2', '60', at(0), { source: 'orb' })
      .void('v-2', 'pi_2', '60', at(9), { source: 'orb', metadata: { dispute: 'dp_2' } })
      .amend('a-2', 'pi_2', '60', at(30), { source: 'orb' });
    const result = run(payments, [ledger]);
    expectOnly(result, [['dispute_won_not_restored', ['dp_1'], ['v-1'], '0', '-100']]);
    // Orb language: an amendment of the block the void took from.
    expect(result.items.find((item) => item.id === 'payment:dp_1')?.proposal?.body).toMatchObject({ entry_type: 'amendment', block_id: 'pi_1', amount: '100' });
  });

  it('pending (shown, not drift): processing payment, open dispute, pending credit', () => {
    const result = run(
      [payment('pi_1', 'cus_A', '20', at(0), { status: 'processing' }), payment('pi_2', 'cus_A', '30', at(0)), dispute('dp_2', 'pi_2', '30', at(3), 'needs_response')],
      [account('cus_A').credit('pi_2', '30', at(0)).credit('tx-9', '9', at(2), { status: 'pending' })],
    );
    expectOnly(result, [
      ['pending', ['pi_1'], [], '20', '0'],
      ['pending', [], ['tx-9'], '0', '9'],
      ['pending', ['dp_2'], [], '-30', '0'],
    ]);
    expect(hasDifferences(result)).toBe(false);
    expect(result.items.every((item) => item.proposal === null)).toBe(true);
  });

  it('balance_drift per account: expected from Stripe net of refunds, actual credited, as of the chosen instant', () => {
    const payments = [payment('pi_1', 'cus_A', '100', at(0)), refund('re_1', 'pi_1', '40', at(10)), payment('pi_2', 'cus_A', '50', at(20))];
    const ledger = account('cus_A').credit('pi_1', '100', at(0)).void('v-1', 'pi_1', '40', at(10), { voidReason: 'refund' }).debit('usage', '30', at(11));
    const early = run(payments, [ledger], { asOf: at(15) });
    expect(early.accounts.map((a) => [toCanonical(a.expected), toCanonical(a.actual), toCanonical(a.difference)])).toEqual([['60', '60', '0']]);
    const later = run(payments, [ledger], { asOf: at(25) });
    expect(later.accounts.map((a) => [toCanonical(a.expected), toCanonical(a.actual), toCanonical(a.difference)])).toEqual([['110', '60', '-50']]);
    expect(hasDifferences(later)).toBe(true);
  });

  it('a payment refunded in full and never credited owes nothing', () => {
    const result = run([payment('pi_1', 'cus_A', '100', at(0)), refund('re_1', 'pi_1', '100', at(2))], [account('cus_A')]);
    expectOnly(result, []);
    expect(summary(result)).toEqual([['matched', ['pi_1', 're_1'], [], '0', '0']]);
  });

  it('every difference category has a proposal; matched and pending have none', () => {
    const result = run(
      [payment('pi_1', 'cus_A', '70', at(0)), payment('pi_2', 'cus_A', '10', at(0))],
      [account('cus_A').credit('pi_2', '10', at(0)).credit('x', '5', at(50))],
    );
    for (const item of result.items) expect(item.proposal !== null, item.id).toBe(isDifference(item.category));
  });
});

describe('proposals in the ledger\'s own language', () => {
  it('Orb custom unit: credits at a cost basis; increment, void with its block, void_reason refund', () => {
    const payments = [
      payment('in_1', 'cus_O', '100', at(0), { kind: 'invoice', status: 'paid' }),
      refund('re_1', 'in_1', '20', at(4)),
      payment('in_2', 'cus_O', '50', at(10), { kind: 'invoice', status: 'paid' }),
    ];
    const ledger = account('cus_O', 'credits')
      .credit('e1', '500', at(0), { source: 'orb', costBasis: '0.2', metadata: { payment_provider_id: 'in_1' } })
      .credit('e3', '50', at(60), { source: 'orb', costBasis: '0.2' });
    const result = run(payments, [ledger]);
    expectOnly(result, [
      ['refund_not_reversed', ['re_1'], [], '-100', '0'],
      ['missing_in_ledger', ['in_2'], [], '250', '0'],
      ['missing_in_stripe', [], ['e3'], '0', '50'],
    ]);
    const body = (id: string) => result.items.find((item) => item.id === id)!.proposal!.body;
    const metadata = (id: string) => ({ ledgerscope_idempotency_key: result.items.find((item) => item.id === id)!.proposal!.idempotencyKey, ledgerscope_run_id: 'run-test', ledgerscope_item_id: id });
    expect(body('payment:re_1')).toEqual({
      customer_id: 'cus_O', entry_type: 'void', amount: '100', currency: 'credits', description: 'Ledgerscope run-test: refund_not_reversed re_1',
      block_id: 'e1', void_reason: 'refund', metadata: metadata('payment:re_1'),
    });
    expect(body('payment:in_2')).toEqual({
      customer_id: 'cus_O', entry_type: 'increment', amount: '250', currency: 'credits', description: 'Ledgerscope run-test: missing_in_ledger in_2',
      per_unit_cost_basis: '0.2', metadata: metadata('payment:in_2'),
    });
    expect(body('entry:orb:e3')).toMatchObject({ entry_type: 'void', amount: '50', block_id: 'e3' });
    expect(providerBodyJson(body('payment:in_2'))).toContain('"amount":250,');
  });

  it('a void larger than what the block still holds is proposed as a decrement', () => {
    const ledger = account('cus_O', 'credits')
      .credit('e1', '100', at(0), { source: 'orb' })
      .debit('use', '90', at(1), { source: 'orb' });
    const result = run([], [ledger]);
    expect(result.items[0]!.proposal!.body).toMatchObject({ entry_type: 'decrement', amount: '100' });
    expect(result.items[0]!.proposal!.body).not.toHaveProperty('block_id');
  });

  it('idempotency keys are deterministic from the run and the item', () => {
    const first = run([payment('pi_1', 'cus_A', '70', at(0))], [], { runId: 'R1-abcd0123' });
    const again = run([payment('pi_1', 'cus_A', '70', at(0))], [], { runId: 'R1-abcd0123' });
    const other = run([payment('pi_1', 'cus_A', '70', at(0))], [], { runId: 'R2-abcd0123' });
    expect(first.items[0]!.proposal!.idempotencyKey).toMatch(/^lsadj_[0-9a-f]{32}$/);
    expect(again.items[0]!.proposal!.idempotencyKey).toBe(first.items[0]!.proposal!.idempotencyKey);
    expect(other.items[0]!.proposal!.idempotencyKey).not.toBe(first.items[0]!.proposal!.idempotencyKey);
  });
});

describe('settings', () => {
  it('the window and the tolerance are settings, validated, with defaults', () => {
    expect(parseReconcileSettings({})).toEqual({ dateWindowDays: 3, amountTolerance: new Decimal(0) });
    expect(() => parseReconcileSettings({ date_window_days: -1 })).toThrow(SettingsError);
    expect(() => parseReconcileSettings({ amount_tolerance: '1e-2' })).toThrow(/amount_tolerance/);
    expect(() => parseReconcileSettings({ amount_tolerance: '-0.01' })).toThrow(/cannot be negative/);
    expect(() => parseReconcileSettings({ window: 3 })).toThrow(SettingsError);
    const wide = run([payment('pi_1', 'cus_A', '50', at(0))], [account('cus_A').credit('tx', '50', at(6))], { settings: { dateWindowDays: 7 } });
    expect(summary(wide)[0]![0]).toBe('matched_fuzzy');
    const tolerant = run([payment('pi_1', 'cus_A', '50', at(0))], [account('cus_A').credit('pi_1', '49.99', at(0))], { settings: { amountTolerance: new Decimal('0.01') } });
    expect(summary(tolerant)).toEqual([['matched', ['pi_1'], ['pi_1'], '50', '49.99']]);
  });

  it('output order is deterministic whatever the input order', () => {
    const payments = [payment('pi_2', 'cus_B', '20', at(1)), payment('pi_1', 'cus_A', '10', at(0)), payment('pi_3', 'cus_A', '5', at(2))];
    const accounts = () => [account('cus_B').credit('pi_2', '20', at(1)), account('cus_A').credit('x', '7', at(9)).credit('pi_1', '10', at(0))];
    const a = summary(run(payments, accounts()));
    const b = summary(run([...payments].reverse(), accounts().reverse()));
    expect(b).toEqual(a);
    expect(a.map(([, p, e]) => [...p, ...e].join())).toEqual(['pi_1,pi_1', 'pi_3', 'x', 'pi_2,pi_2']);
  });
});

describe('settlement by posted adjustments', () => {
  const key = 'lsadj_0123456789abcdef0123456789abcdef';
  const refs = [{ idempotencyKey: key, runId: 'R1-aaaaaaaa', itemId: 'payment:pi_1' }];
  const metadata = { ledgerscope_idempotency_key: key, ledgerscope_run_id: 'R1-aaaaaaaa', ledgerscope_item_id: 'payment:pi_1' };

  it('an adjustment counts toward the item it was posted for: settled, with its entry, and no new proposal', () => {
    const ledger = account('cus_A').credit(key, '70', at(20), { source: 'ledgerscope', metadata });
    const result = run([payment('pi_1', 'cus_A', '70', at(0))], [ledger], { adjustments: refs });
    expect(summary(result)).toEqual([['settled', ['pi_1'], [key], '70', '70']]);
    expect(result.items[0]).toMatchObject({ category: 'missing_in_ledger', settled: true, proposal: null });
    expect(hasDifferences(result)).toBe(false);
  });

  it('the provider\'s re-imported copy (Orb metadata, or Moesif transaction_id) is the same adjustment; both at once is a duplicate', () => {
    const orbCopy = account('cus_A').credit('orb-entry-9', '70', at(21), { source: 'orb', metadata });
    expect(summary(run([payment('pi_1', 'cus_A', '70', at(0))], [orbCopy], { adjustments: refs }))).toEqual([['settled', ['pi_1'], ['orb-entry-9'], '70', '70']]);
    const moesifCopy = account('cus_A').credit(key, '70', at(21));
    expect(summary(run([payment('pi_1', 'cus_A', '70', at(0))], [moesifCopy], { adjustments: refs }))).toEqual([['settled', ['pi_1'], [key], '70', '70']]);
    const both = account('cus_A').credit('orb-entry-9', '70', at(21), { source: 'orb', metadata }).credit('local', '70', at(22), { metadata });
    expect(differences(run([payment('pi_1', 'cus_A', '70', at(0))], [both], { adjustments: refs }))).toEqual([
      ['settled', ['pi_1'], ['orb-entry-9'], '70', '70'],
      ['duplicate_credit', [], ['local'], '0', '70'],
    ]);
  });

  it('an adjustment whose item resolved on its own (the original credit arrived) is extra credit: duplicate_credit', () => {
    const ledger = account('cus_A').credit('pi_1', '70', at(1)).credit('adj', '70', at(20), { metadata });
    const result = run([payment('pi_1', 'cus_A', '70', at(0))], [ledger], { adjustments: refs });
    expect(differences(result)).toEqual([['duplicate_credit', [], ['adj'], '0', '70']]);
    expect(result.items.find((item) => item.id === 'entry:moesif:adj')?.proposal?.body).toMatchObject({ type: 'adjustment', amount: '-70' });
  });
});

describe('Stripe objects not in the data', () => {
  it('a charge (dashboard CSV) is found by the payment intent id it carries', () => {
    const result = run(
      [payment('ch_9', 'cus_A', '30', at(0), { kind: 'charge', paymentIntentId: 'pi_9' }), refund('re_9', 'pi_9', '30', at(2))],
      [account('cus_A').credit('pi_9', '30', at(0)).void('v9', 'pi_9', '30', at(2), { voidReason: 'refund' })],
    );
    expect(summary(result)).toEqual([
      ['matched', ['ch_9'], ['pi_9'], '30', '30'],
      ['matched', ['re_9'], ['v9'], '-30', '-30'],
    ]);
  });

  it('amount_refunded without refund records is a refund of its own', () => {
    const result = run([payment('ch_1', 'cus_A', '50', at(0), { kind: 'charge', amountRefunded: '20' })], [account('cus_A').credit('ch_1', '50', at(0))]);
    expectOnly(result, [['refund_not_reversed', ['ch_1#amount_refunded'], [], '-20', '0']]);
  });
});
