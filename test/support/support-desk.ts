// A support desk's customers, for the customer timeline tests (API, CLI and browser): ledger credits in
// Moesif JSON Lines and Stripe objects in JSON Lines, shaped from Stripe's own fixtures (test/wire).
//
// cus_ada (Stripe customer cus_ada, "Ada Lovelace", ada@example.com; the Moesif company id is the Stripe id):
//   Jan 1  pi_ok 100.00 succeeded (charge ch_ok, invoice in_ok)      credit 100 naming pi_ok     → matched
//   Jan 3  pi_declined 500.00 requires_payment_method (declined)       credit 500 naming it        → credited although it failed
//   Jan 4  pi_ach 200.00 processing (an ACH debit not settled yet)     no credit                    → pending
//   Jan 5  usage 30
//   Jan 6  re_ok 25.00 refund of ch_ok, succeeded                       no void                      → refund not reversed
//   Jan 7  pi_disp 40.00 succeeded (charge ch_disp)                    credit 40 naming pi_disp     → matched
//   Jan 8  dp_lost 40.00 dispute of ch_disp, lost                       no void                      → dispute not reversed
//   Ledger balance 610 after Jan 7; money received 100 - 25 + 40 - 40 = 75.
// acme-grace (ledger id; Stripe customer cus_grace names it in metadata; "Grace Hopper", grace@example.com):
//   Jan 2  pi_grace 60.00 succeeded                                    credit 60 naming pi_grace    → matched
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { charge, customer, dispute, invoice, paymentIntent, refund } from '../wire/stripe-objects.js';

const at = (iso: string): number => Date.parse(iso) / 1000;

export const LEDGER_LINES = [
  { company_id: 'cus_ada', transaction_id: 'ada-credit-1', type: 'credit', amount: 100, description: 'Credits for pi_ok', created_at: '2025-01-01T00:10:00Z' },
  { company_id: 'acme-grace', transaction_id: 'grace-credit-1', type: 'credit', amount: 60, description: 'Credits for pi_grace', created_at: '2025-01-02T00:10:00Z' },
  { company_id: 'cus_ada', transaction_id: 'ada-credit-2', type: 'credit', amount: 500, description: 'Credits for pi_declined', created_at: '2025-01-03T00:10:00Z' },
  { company_id: 'cus_ada', transaction_id: 'ada-usage-1', type: 'debit', amount: -30, description: 'API usage', created_at: '2025-01-05T00:00:00Z' },
  { company_id: 'cus_ada', transaction_id: 'ada-credit-3', type: 'credit', amount: 40, description: 'Credits for pi_disp', created_at: '2025-01-07T00:10:00Z' },
];

export function stripeObjects(): Record<string, unknown>[] {
  return [
    { ...customer({ id: 'cus_ada', created: at('2024-12-01T00:00:00Z'), email: 'ada@example.com' }), name: 'Ada Lovelace' },
    { ...customer({ id: 'cus_grace', created: at('2024-12-02T00:00:00Z'), email: 'grace@example.com', metadata: { ledger_customer: 'acme-grace' } }), name: 'Grace Hopper' },
    paymentIntent({ id: 'pi_ok', created: at('2025-01-01T00:00:00Z'), amount: 10000, customer: 'cus_ada', latest_charge: 'ch_ok' }),
    charge({ id: 'ch_ok', created: at('2025-01-01T00:00:01Z'), amount: 10000, customer: 'cus_ada', payment_intent: 'pi_ok', amount_refunded: 2500 }),
    invoice({ id: 'in_ok', created: at('2025-01-01T00:00:00Z'), amount_due: 10000, amount_paid: 10000, customer: 'cus_ada', status: 'paid', payment_intent: 'pi_ok' }),
    paymentIntent({ id: 'pi_grace', created: at('2025-01-02T00:00:00Z'), amount: 6000, customer: 'cus_grace' }),
    paymentIntent({ id: 'pi_declined', created: at('2025-01-03T00:00:00Z'), amount: 50000, customer: 'cus_ada', status: 'requires_payment_method' }),
    paymentIntent({ id: 'pi_ach', created: at('2025-01-04T00:00:00Z'), amount: 20000, customer: 'cus_ada', status: 'processing' }),
    refund({ id: 're_ok', created: at('2025-01-06T00:00:00Z'), amount: 2500, charge: 'ch_ok', payment_intent: 'pi_ok', status: 'succeeded' }),
    paymentIntent({ id: 'pi_disp', created: at('2025-01-07T00:00:00Z'), amount: 4000, customer: 'cus_ada', latest_charge: 'ch_disp' }),
    charge({ id: 'ch_disp', created: at('2025-01-07T00:00:01Z'), amount: 4000, customer: 'cus_ada', payment_intent: 'pi_disp' }),
    dispute({ id: 'dp_lost', created: at('2025-01-08T00:00:00Z'), amount: 4000, charge: 'ch_disp', payment_intent: 'pi_disp', status: 'lost' }),
  ];
}

/** Writes the two files into `dir`: the ledger (Moesif JSON Lines) and the Stripe objects (JSON Lines). */
export function writeSupportDesk(dir: string): { ledgerFile: string; stripeFile: string } {
  const ledgerFile = join(dir, 'moesif.jsonl');
  const stripeFile = join(dir, 'stripe.jsonl');
  writeFileSync(ledgerFile, LEDGER_LINES.map((line) => JSON.stringify(line)).join('\n') + '\n');
  writeFileSync(stripeFile, stripeObjects().map((object) => JSON.stringify(object)).join('\n') + '\n');
  return { ledgerFile, stripeFile };
}
