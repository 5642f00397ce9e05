import { toCanonical } from '../../money/decimal.js';
import type { AccountKey, EntryKind, LedgerEntry } from '../../ledger/types.js';
import { ParsedRecord } from '../parsed-entry.js';
import type { ImportProblem, ParsedEntry } from '../types.js';
import type { ParsedCreditTransaction, ParsedGrant, ParsedSourceObject, StripeParsed } from './types.js';

/*
 * Stripe billing credits → ledger entries (DESIGN §4 table, "Stripe credit grant"). A grant is an
 * increment of the account (customer, none, unit) creating block <grant id>. Its credit balance
 * transactions change that block:
 *   debit credits_applied  → decrement of block <grant id> (credits applied to an invoice; the replay
 *                            draws from the grant the transaction names, L1b)
 *   debit credits_voided   → void of block <grant id>, source id "<grant id>:void" (one void per grant)
 *   debit credits_expired  → expiry of block <grant id> (Stripe's own record; it removes the amount it
 *                            states, core/ledger/stated-expiry.ts; no generated expiry at expires_at)
 *   credit credits_application_invoice_voided → amendment (credits given back when an invoice is voided)
 *   credit credits_granted → the grant itself: kept as evidence, not a second increment
 * A voided grant with no credits_voided transaction at hand voids what remained of its block at
 * voided_at (computed by the writer, which can replay the account: core/sync/stripe-ledger-write.ts).
 */

/** The account and unit of a grant, from this batch or the store. */
export type GrantAccountLookup = (grantId: string) => AccountKey | null;

export function grantVoidId(grantId: string): string {
  return `${grantId}:void`;
}

export interface StripeLedgerResolution {
  entries: ParsedEntry[];
  /** Voided grants whose void amount is the block's remaining at voided_at (no credits_voided at hand). */
  voidsToCompute: ParsedGrant[];
  /** credits_granted transactions: evidence only. */
  evidence: ParsedSourceObject[];
}

const KIND_OF: Readonly<Record<Exclude<ParsedCreditTransaction['kind'], 'credits_granted'>, EntryKind>> = {
  credits_applied: 'decrement',
  credits_voided: 'void',
  credits_expired: 'expiry',
  credits_application_invoice_voided: 'amendment',
};

/**
 * Resolves credit balance transactions against their grants; a transaction whose grant is in neither
 * the batch nor the store is a problem naming it.
 */
export function resolveStripeLedger(parsed: StripeParsed, storedGrant: GrantAccountLookup, problems: ImportProblem[]): StripeLedgerResolution {
  const entries: ParsedEntry[] = [];
  const evidence: ParsedSourceObject[] = [];
  const batchGrants = new Map<string, AccountKey>();
  for (const grant of parsed.grants) {
    const e = grant.parsed.entry;
    batchGrants.set(e.sourceId, { customerId: e.customerId, subscriptionId: null, unit: e.unit });
    entries.push(grant.parsed);
  }
  const voidedInBatch = new Set<string>();
  for (const txn of parsed.creditTransactions) {
    const problem = (field: string, message: string): void => {
      problems.push({ file: txn.origin.file, line: txn.origin.line, pointer: txn.origin.pointer, field, message });
    };
    const account = batchGrants.get(txn.grantId) ?? storedGrant(txn.grantId);
    if (account === null) {
      problem('credit_grant', `credit grant ${JSON.stringify(txn.grantId)} is neither in this import nor in the database: import the credit grants too`);
      continue;
    }
    if (account.unit !== txn.unit) {
      problem('amount', `the transaction is in ${txn.unit} but its credit grant ${txn.grantId} is in ${account.unit}`);
      continue;
    }
    if (txn.kind === 'credits_granted') {
      evidence.push({
        provider: 'stripe', objectType: 'billing.credit_balance_transaction', objectId: txn.id, customerId: account.customerId, at: txn.at,
        origin: txn.origin, raw: txn.raw, observedAt: null,
      });
      continue;
    }
    const kind = KIND_OF[txn.kind];
    const isVoid = kind === 'void';
    if (isVoid) voidedInBatch.add(txn.grantId);
    const entry: LedgerEntry = {
      source: 'stripe',
      sourceId: isVoid ? grantVoidId(txn.grantId) : txn.id,
      customerId: account.customerId,
      subscriptionId: null,
      unit: account.unit,
      kind,
      status: 'posted',
      amount: txn.amount,
      at: txn.at,
      ordinal: 0,
      blockId: txn.grantId,
      effectiveAt: null,
      expiresAt: null,
      costBasis: null,
      priority: null,
      targetExpiresAt: null,
      sourceExpiresAt: null,
      voidReason: null,
      description: txn.invoiceId === null ? null : `${txn.kind.replace(/_/g, ' ')} ${txn.invoiceId}`,
    };
    const metadata: Record<string, unknown> = { stripe_credit_grant: txn.grantId, stripe_credit_balance_transaction: txn.id };
    if (txn.invoiceId !== null) metadata.stripe_invoice = txn.invoiceId;
    entries.push(new ParsedRecord(entry, txn.origin, txn.raw, metadata, null, toCanonical(txn.amount), null));
  }
  const voidsToCompute = parsed.grants.filter((grant) => grant.voidedAt !== null && !voidedInBatch.has(grant.parsed.entry.sourceId));
  return { entries, voidsToCompute, evidence };
}

/** Kinds at one instant: a block is created before anything draws from or names it. */
const KIND_RANK: Readonly<Record<EntryKind, number>> = {
  increment: 0, amendment: 1, decrement: 2, expiration_change: 3, void: 4, expiry: 5,
};

/** Puts entries in replay order (time, then kind rank, then arrival) and numbers them 0..n-1. */
export function orderStripeEntries(entries: ParsedEntry[]): ParsedEntry[] {
  const order = entries.map((parsed, position) => ({ parsed, position }));
  order.sort(
    (a, b) =>
      a.parsed.entry.at - b.parsed.entry.at ||
      KIND_RANK[a.parsed.entry.kind] - KIND_RANK[b.parsed.entry.kind] ||
      a.position - b.position,
  );
  return order.map((item, ordinal) => {
    item.parsed.entry.ordinal = ordinal;
    return item.parsed;
  });
}
