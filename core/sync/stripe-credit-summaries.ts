import { Decimal } from '../money/decimal.js';
import { formatProblem, type ImportProblem } from '../sources/index.js';
import { RecordScope } from '../sources/problems.js';
import { emptyStripeParsed, mapStripeObject, type StripeParsed } from '../sources/stripe/index.js';
import type { ParsedBalanceSummary } from '../sources/stripe/types.js';
import { listStripeGrantOwners, type LedgerDb, type StripeGrantOwner } from '../store/index.js';
import type { CreditBalanceSummaryQuery, StripeApi, StripeJson } from './stripe-client.js';
import { fetchInOrder } from './in-order.js';
import { SyncError } from './sync-errors.js';

/*
 * The Stripe sync's credit balance summaries (issue 9 §4 for the API, like the file import's
 * core/import/stripe-balance-summary.ts): for every customer holding credit grants here, Stripe's
 * billing.credit_balance_summary, mapped by the same reader as a file's, kept as evidence and handed to
 * the compare. What Stripe's answers mean:
 *
 * - Which call. Every grant scoped to metered prices (`applicability_config.scope.price_type`, all of
 *   them today): one call per customer, filter[type]=applicability_scope with price_type metered. A grant
 *   that lists its prices instead may not be in that scope's balance, so such a customer is asked grant
 *   by grant (filter[type]=credit_grant) and the grants' balances are added up per currency.
 * - A currency the customer's grants use but the summary does not list (an empty `balances` included):
 *   Stripe lists one balance per credit grant currency, so a missing one means Stripe holds no credit
 *   there (no grant, or none left); it states zero and is compared as zero. Treating it as "states
 *   nothing" would leave a replay that still shows credit silently unchecked.
 * - 404 (resource_missing): Stripe does not know the customer (deleted, or another Stripe account's key).
 *   That says nothing about the balance, neither zero nor anything else: a warning, no comparison, and the
 *   account's stored disagreement stays as it was. Other errors (429 after its retries, 5xx after the
 *   SDK's, 401, 403) stop the sync like any other request: nothing of this step is written.
 * - A summary that does not map (a field Ledgerscope cannot read): skipped with a warning, like any object.
 */

export const SUMMARY_ORIGIN = 'stripe:/v1/billing/credit_balance_summary';

interface CustomerGrants {
  customerId: string;
  viaAccount: boolean;
  grants: StripeGrantOwner[];
}

/** The customers to ask, each with its grants. */
function customersWithGrants(db: LedgerDb): CustomerGrants[] {
  const byCustomer = new Map<string, CustomerGrants>();
  for (const grant of listStripeGrantOwners(db)) {
    let found = byCustomer.get(grant.customerId);
    if (found === undefined) byCustomer.set(grant.customerId, (found = { customerId: grant.customerId, viaAccount: grant.viaAccount, grants: [] }));
    found.grants.push(grant);
  }
  return [...byCustomer.values()];
}

/** What the step fetched: evidence objects and the balances to compare (one per customer and currency). */
export interface FetchedSummaries {
  parsed: StripeParsed;
  customers: number;
  /** Customers whose summaries were read (not a 404, nothing unreadable): the ones compared. */
  usable: number;
  /** Objects fetched (summaries). */
  objects: number;
}

export interface FetchSummaryOptions {
  db: LedgerDb;
  api: StripeApi;
  signal?: AbortSignal;
  warnings: string[];
  /** Customers asked at once (core/sync/in-order.ts). */
  concurrency: number;
  /** Called before each customer's answers are read (the sync's cancel point). */
  beforeCustomer: (customerId: string) => void;
  /** Counts an object that did not map. */
  onSkipped: () => void;
}

export async function fetchCreditSummaries(options: FetchSummaryOptions): Promise<FetchedSummaries> {
  const out = emptyStripeParsed();
  const result: FetchedSummaries = { parsed: out, customers: 0, usable: 0, objects: 0 };
  // Several customers asked at once, each customer's answers read, warned about and kept in customer order.
  await fetchInOrder(customersWithGrants(options.db), options.concurrency, (customer) => askCustomer(options, customer), (customer, answers) => {
    result.customers++;
    const stated: ParsedBalanceSummary[] = [];
    for (const answer of answers) {
      const mapped = readAnswer(options, answer);
      if (mapped !== 'missing') result.objects++;
      // A grant's summary missing or unreadable leaves the customer's sum unknown: not compared.
      if (mapped === 'missing' || mapped === null) return;
      out.objects.push(...mapped.objects);
      stated.push(...mapped.balanceSummaries);
    }
    result.usable++;
    out.balanceSummaries.push(...perCurrency(customer, stated));
  }, (customer) => options.beforeCustomer(customer.customerId));
  return result;
}

/** Stripe's answer to one query: the summary, or the message of a 404. */
interface SummaryAnswer {
  query: CreditBalanceSummaryQuery;
  answer: { object: StripeJson; observedAt: number | null } | { missing: string };
}

/**
 * The customer's queries, one after another, up to the first 404: one call for metered grants, or one per
 * grant where a grant lists its prices (see above). Only the network here; reading happens in order.
 */
async function askCustomer(options: FetchSummaryOptions, customer: CustomerGrants): Promise<SummaryAnswer[]> {
  const perGrant = customer.grants.some((grant) => grant.priceType !== 'metered');
  const queries: CreditBalanceSummaryQuery[] = perGrant
    ? customer.grants.map((grant) => ({ customerId: customer.customerId, viaAccount: customer.viaAccount, grantId: grant.grantId }))
    : [{ customerId: customer.customerId, viaAccount: customer.viaAccount }];
  const answers: SummaryAnswer[] = [];
  for (const query of queries) {
    try {
      answers.push({ query, answer: await options.api.retrieveCreditBalanceSummary(query, options.signal) });
    } catch (error) {
      if (!(error instanceof SyncError && error.code === 'resource_missing')) throw error;
      answers.push({ query, answer: { missing: error.message } });
      break;
    }
  }
  return answers;
}

/** One answer, mapped; 'missing' for a 404; null when the answer does not map (warned). */
function readAnswer(options: FetchSummaryOptions, { query, answer }: SummaryAnswer): StripeParsed | 'missing' | null {
  if ('missing' in answer) {
    options.warnings.push(
      `customer ${query.customerId}: Stripe has no credit balance summary for it (${answer.missing}); its credit balance was not compared with Stripe's`,
    );
    return 'missing';
  }
  const problems: ImportProblem[] = [];
  const scope = new RecordScope(SUMMARY_ORIGIN, problems);
  scope.moveTo(null, query.grantId === undefined ? query.customerId : `${query.customerId}/${query.grantId}`);
  const parsed = emptyStripeParsed();
  mapStripeObject(answer.object, { scope, raw: JSON.stringify(answer.object), observedAt: answer.observedAt, out: parsed });
  if (problems.length === 0 && parsed.balanceSummaries.some((summary) => summary.customerId !== query.customerId)) {
    scope.fail('customer', `expected the customer asked for, ${query.customerId}`);
  }
  if (problems.length > 0 || parsed.objects.length !== 1) {
    options.onSkipped();
    for (const problem of problems) options.warnings.push(`skipped: ${formatProblem(problem)}`);
    return null;
  }
  // One grant's summary is kept under the grant's id (the customer's own is kept under the customer's).
  if (query.grantId !== undefined) parsed.objects[0] = { ...parsed.objects[0]!, objectId: query.grantId };
  return parsed;
}

/**
 * One statement per currency: a currency the grants use and no summary lists states zero; grant-by-grant
 * summaries add up. A currency only the summary names is passed on (the compare warns when it is not zero).
 */
function perCurrency(customer: CustomerGrants, stated: readonly ParsedBalanceSummary[]): ParsedBalanceSummary[] {
  const origin = { file: SUMMARY_ORIGIN, line: null, pointer: customer.customerId };
  const byUnit = new Map<string, ParsedBalanceSummary>();
  for (const grant of customer.grants) {
    if (!byUnit.has(grant.unit)) byUnit.set(grant.unit, { customerId: customer.customerId, unit: grant.unit, ledgerBalance: new Decimal(0), availableBalance: new Decimal(0), origin });
  }
  for (const summary of stated) {
    const sum = byUnit.get(summary.unit);
    if (sum === undefined) {
      byUnit.set(summary.unit, { ...summary, origin });
      continue;
    }
    const available = sum.availableBalance === null || summary.availableBalance === null ? null : sum.availableBalance.plus(summary.availableBalance);
    byUnit.set(summary.unit, { ...sum, ledgerBalance: sum.ledgerBalance.plus(summary.ledgerBalance), availableBalance: available });
  }
  return [...byUnit.values()];
}
