// Property: generate payments and the credits that pay for them, perturb some at random, and the run
// reports exactly the perturbations (each in its category) and nothing else.
// Seeded: the seed is printed; `LEDGER_SEED=<n> npx vitest run test/reconcile` replays a failure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PaymentRecord } from '../../core/payments/types.js';
import { hasDifferences, isDifference, type ItemCategory } from '../../core/reconcile/index.js';
import { account, AccountBuilder, at, DAY, dispute, payment, refund, run } from './fixtures.js';

const seed = process.env.LEDGER_SEED === undefined ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : Number(process.env.LEDGER_SEED);
if (!Number.isSafeInteger(seed)) throw new Error(`LEDGER_SEED must be an integer, found ${JSON.stringify(process.env.LEDGER_SEED)}`);
const numRuns = Number(process.env.RECONCILE_RUNS ?? 150);
console.log(`reconcile perturbations: LEDGER_SEED=${seed} (${numRuns} runs)`);

/** What is done to one payment, and what the run must then say about it (null: nothing, it matches). */
const PERTURBATIONS = {
  none: null,
  refundReversed: null,
  disputeWonRestored: null,
  dropCredit: 'missing_in_ledger',
  amountChanged: 'amount_mismatch',
  unitError: 'unit_error',
  wrongCurrency: 'currency_mismatch',
  duplicate: 'duplicate_credit',
  paymentFailed: 'credited_but_payment_failed',
  refundNotReversed: 'refund_not_reversed',
  refundPartlyReversed: 'refund_not_reversed',
  disputeLost: 'dispute_not_reversed',
  disputeWonNotRestored: 'dispute_won_not_restored',
  pending: 'pending',
  referenceRemoved: 'matched_fuzzy',
} as const satisfies Record<string, ItemCategory | null>;
type Perturbation = keyof typeof PERTURBATIONS;

const perturbation = fc.oneof(
  { arbitrary: fc.constant<Perturbation>('none'), weight: 12 },
  { arbitrary: fc.constantFrom<Perturbation>(...(Object.keys(PERTURBATIONS) as Perturbation[]).filter((p) => p !== 'none')), weight: 8 },
);

const paymentSpec = fc.record({
  customer: fc.integer({ min: 0, max: 3 }),
  cents: fc.integer({ min: 0, max: 49 }), // payments end in .00–.49; noise ends in .50–.99: never equal
  minute: fc.integer({ min: 0, max: 100 * 24 * 60 }),
  reference: fc.constantFrom('source_id', 'metadata', 'description'),
  perturbation,
});

const world = fc.record({
  // Distinct dollars make every payment amount unique: no fuzzy match is ambiguous.
  dollars: fc.uniqueArray(fc.integer({ min: 5, max: 5000 }), { minLength: 1, maxLength: 30 }),
  specs: fc.array(paymentSpec, { minLength: 30, maxLength: 30 }),
  extras: fc.array(fc.record({ customer: fc.integer({ min: 0, max: 3 }), dollars: fc.integer({ min: 1, max: 900 }), cents: fc.integer({ min: 50, max: 99 }) }), { maxLength: 4 }),
  usage: fc.array(fc.record({ customer: fc.integer({ min: 0, max: 3 }), dollars: fc.integer({ min: 0, max: 40 }), cents: fc.integer({ min: 50, max: 99 }), minute: fc.integer({ min: 0, max: 100 * 24 * 60 }) }), { maxLength: 20 }),
});

type World = typeof world extends fc.Arbitrary<infer T> ? T : never;

function money(dollars: number, cents: number): string {
  return `${dollars}.${String(cents).padStart(2, '0')}`;
}

/** Builds the payments and ledger of a world; returns them with the items the run must report. */
function build(w: World): { payments: PaymentRecord[]; accounts: AccountBuilder[]; expected: Map<string, ItemCategory> } {
  const usd = [0, 1, 2, 3].map((c) => account(`cus_${c}`, 'USD'));
  const eur = [0, 1, 2, 3].map((c) => account(`cus_${c}`, 'EUR'));
  const payments: PaymentRecord[] = [];
  const expected = new Map<string, ItemCategory>();
  // Entries are added per account in time order: collect, then sort (the builder numbers ordinals).
  const entries: { when: number; add: () => void }[] = [];
  w.dollars.forEach((dollars, i) => {
    const spec = w.specs[i]!;
    const pi = `pi_${i}`;
    const amount = money(dollars, spec.cents);
    const when = at(0) + spec.minute * 60_000;
    const customer = `cus_${spec.customer}`;
    const p = spec.perturbation;
    const status = p === 'paymentFailed' ? 'requires_payment_method' : p === 'pending' ? 'processing' : 'succeeded';
    payments.push(payment(pi, customer, amount, when, { status }));
    const creditId = `tx_${i}`;
    // How the credit names its payment: its id is the payment intent, or metadata, or its description says so.
    const referenced = p !== 'referenceRemoved';
    const sourceId: string = referenced && spec.reference === 'source_id' ? pi : creditId;
    const options = {
      metadata: referenced && spec.reference === 'metadata' ? { stripe_payment_intent: pi } : null,
      description: referenced && spec.reference === 'description' ? `Credits for ${pi} (checkout)` : null,
    };
    const credited = p === 'amountChanged' ? money(dollars, spec.cents + 37) : p === 'unitError' ? `${dollars}${String(spec.cents).padStart(2, '0')}` : amount;
    const ledger = p === 'wrongCurrency' ? eur[spec.customer]! : usd[spec.customer]!;
    if (p !== 'dropCredit' && p !== 'pending') entries.push({ when: when + 1, add: () => void ledger.credit(sourceId, credited, when + 1, options) });
    if (p === 'referenceRemoved') entries.push({ when: when + 1, add: () => void 0 });
    if (p === 'duplicate') entries.push({ when: when + DAY / 24, add: () => void ledger.credit(`dup_${i}`, amount, when + DAY / 24, { metadata: { pi } }) });
    const later = when + 2 * DAY;
    if (p === 'refundReversed' || p === 'refundNotReversed' || p === 'refundPartlyReversed') payments.push(refund(`re_${i}`, pi, amount, later));
    if (p === 'refundReversed') entries.push({ when: later, add: () => void ledger.void(`v_${i}`, sourceId, amount, later, { metadata: { refund: `re_${i}` } }) });
    if (p === 'refundPartlyReversed') entries.push({ when: later, add: () => void ledger.void(`v_${i}`, sourceId, '1', later, { metadata: { refund: `re_${i}` } }) });
    if (p === 'disputeLost') payments.push(dispute(`dp_${i}`, pi, amount, later, 'lost'));
    if (p === 'disputeWonNotRestored' || p === 'disputeWonRestored') {
      payments.push(dispute(`dp_${i}`, pi, amount, later, 'won'));
      entries.push({ when: later, add: () => void ledger.void(`v_${i}`, sourceId, amount, later, { source: 'orb', metadata: { dispute: `dp_${i}` } }) });
      if (p === 'disputeWonRestored') entries.push({ when: later + DAY, add: () => void ledger.amend(`a_${i}`, sourceId, amount, later + DAY, { source: 'orb' }) });
    }
    const category = PERTURBATIONS[p];
    if (category === null) return;
    const id =
      p === 'duplicate' ? `entry:moesif:dup_${i}`
      : p === 'refundNotReversed' || p === 'refundPartlyReversed' ? `payment:re_${i}`
      : p === 'disputeLost' || p === 'disputeWonNotRestored' ? `payment:dp_${i}`
      : `payment:${pi}`;
    expected.set(id, category);
  });
  w.extras.forEach((extra, k) => {
    // Far after every payment (outside every window): a paid credit with no payment at all.
    const when = at(200 + k);
    entries.push({ when, add: () => void usd[extra.customer]!.credit(`extra_${k}`, money(extra.dollars, extra.cents), when) });
    expected.set(`entry:moesif:extra_${k}`, 'missing_in_stripe');
  });
  w.usage.forEach((use, k) => {
    const when = at(0) + use.minute * 60_000 + 7;
    entries.push({ when, add: () => void usd[use.customer]!.debit(`use_${k}`, money(use.dollars, use.cents), when) });
  });
  entries.sort((a, b) => a.when - b.when);
  for (const entry of entries) entry.add();
  return { payments, accounts: [...usd, ...eur].filter((builder) => builder.entries.length > 0), expected };
}

describe('reconciliation reports exactly the perturbations', () => {
  it(`every planted difference in its category, nothing else (seed ${seed})`, () => {
    fc.assert(
      fc.property(world, (w) => {
        const { payments, accounts, expected } = build(w);
        const result = run(payments, accounts, { asOf: at(400) });
        const reported = new Map(result.items.filter((item) => item.category !== 'matched').map((item) => [item.id, item.category]));
        expect(Object.fromEntries([...reported].sort())).toEqual(Object.fromEntries([...expected].sort()));
        // Every Stripe record ends in exactly one item (a duplicate credit names its payment only as evidence).
        const owners = new Map<string, number>();
        for (const item of result.items) {
          if (item.category === 'duplicate_credit') continue;
          for (const id of item.paymentIds) owners.set(id, (owners.get(id) ?? 0) + 1);
        }
        expect(payments.every((p) => owners.get(p.sourceId) === 1)).toBe(true);
        // Every paid credit ends in exactly one item.
        const entryOwners = new Map<string, number>();
        for (const item of result.items) for (const entry of item.entries) entryOwners.set(entry.sourceId, (entryOwners.get(entry.sourceId) ?? 0) + 1);
        for (const builder of accounts) for (const entry of builder.entries) if (entry.kind === 'increment') expect(entryOwners.get(entry.sourceId), entry.sourceId).toBe(1);
        // The run has something to act on exactly when a planted difference is one.
        expect(hasDifferences(result)).toBe([...expected.values()].some(isDifference));
        for (const item of result.items) expect(item.proposal !== null, item.id).toBe(isDifference(item.category));
      }),
      { seed, numRuns },
    );
  });
});
