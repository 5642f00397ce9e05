// A ledger and Stripe payments with one planted difference, for the reconciliation screens. The ledger
// goes in through `ledgerscope import`; the payments through `ledgerscope import --source stripe` (list
// pages of payment intents, shaped from test/fixtures/stripe/templates.json). While that CLI path does
// not write payments yet (core/service/import-files routes only ledger entries today), the same file is
// parsed by the real Stripe file parser and written by the real payments writer (core/sync/payment-write).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseImportFile } from '../../../core/sources/index.js';
import { countPayments, openLedgerDb } from '../../../core/store/index.js';
import { emptyPaymentCounts, writeFilePayments } from '../../../core/import/payment-write.js';
import { projectRoot } from './environment.js';
import { day, ledgerscope, type SeededLedger } from './ledger.js';

const DAY = 86_400_000;

interface Templates {
  payment_intent: Record<string, unknown>;
}

function paymentIntent(template: Record<string, unknown>, id: string, customer: string, amountMinor: number, at: string): Record<string, unknown> {
  return {
    ...template,
    id,
    customer,
    amount: amountMinor,
    amount_received: amountMinor,
    currency: 'usd',
    status: 'succeeded',
    created: Math.floor(Date.parse(at) / 1000),
    canceled_at: null,
    cancellation_reason: null,
    last_payment_error: null,
    next_action: null,
    latest_charge: null,
    metadata: {},
    description: `Prepaid credits for ${customer}`,
  };
}

export interface ReconcileLedger extends SeededLedger {
  /** How the payments got in: "cli" (ledgerscope import --source stripe) or "store" (the fallback above). */
  paymentsVia: 'cli' | 'store';
}

/**
 * cus_paid:    credit 50.00 (day 1) and pi_paid 50.00 USD (day 1): matched.
 * cus_short:   credit 20.00 (day 0) and pi_base 20.00 USD (day 0): matched; pi_missing 40.00 USD (day 5)
 *              that no credit answers: missing_in_ledger, balance 20.00 (60.00 once the adjustment is posted).
 */
export function seedReconcileLedger(): ReconcileLedger {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerscope-e2e-reconcile-'));
  const db = join(dir, 'ledger.sqlite');
  const start = Date.now() - 30 * DAY;
  const ledgerFile = join(dir, 'moesif.jsonl');
  const credits = [
    { company_id: 'cus_paid', transaction_id: 'paid-credit', type: 'credit', amount: 50, description: 'Prepaid credits', created_at: day(start, 1) },
    { company_id: 'cus_short', transaction_id: 'short-credit', type: 'credit', amount: 20, description: 'Prepaid credits', created_at: day(start, 0) },
  ];
  writeFileSync(ledgerFile, credits.map((line) => JSON.stringify(line)).join('\n') + '\n');
  const imported = ledgerscope('import', ledgerFile, '--db', db);
  if (imported.status !== 0) throw new Error(`seeding the ledger failed: ${imported.stderr}`);

  const templates = JSON.parse(readFileSync(join(projectRoot, 'test', 'fixtures', 'stripe', 'templates.json'), 'utf8')) as Templates;
  const stripeFile = join(dir, 'payment_intents.json');
  const page = {
    object: 'list',
    url: '/v1/payment_intents',
    has_more: false,
    data: [
      paymentIntent(templates.payment_intent, 'pi_paid', 'cus_paid', 5000, day(start, 1)),
      paymentIntent(templates.payment_intent, 'pi_base', 'cus_short', 2000, day(start, 0)),
      paymentIntent(templates.payment_intent, 'pi_missing', 'cus_short', 4000, day(start, 5)),
    ],
  };
  writeFileSync(stripeFile, JSON.stringify(page, null, 2));
  const stripe = ledgerscope('import', stripeFile, '--source', 'stripe', '--db', db);
  if (stripe.status !== 0) throw new Error(`importing Stripe payments failed: ${stripe.stderr}`);

  const handle = openLedgerDb(db, { create: false });
  try {
    if (countPayments(handle) > 0) return { dir, db, start, paymentsVia: 'cli' };
    const parsed = parseImportFile('payment_intents.json', readFileSync(stripeFile, 'utf8'), { source: 'stripe' });
    if (parsed.problems.length > 0 || parsed.stripe === undefined) throw new Error(`the Stripe file does not parse: ${JSON.stringify(parsed.problems)}`);
    const payments = parsed.stripe.payments;
    const problems: Parameters<typeof writeFilePayments>[4] = [];
    handle.transaction(() => writeFilePayments(handle, payments, Date.now(), emptyPaymentCounts(), problems)).immediate();
    if (problems.length > 0 || countPayments(handle) !== 3) throw new Error(`writing Stripe payments failed: ${JSON.stringify(problems)}`);
    return { dir, db, start, paymentsVia: 'store' };
  } finally {
    handle.close();
  }
}
