import type { Decimal } from '../../money/decimal.js';
import type { PaymentRecord } from '../../payments/types.js';
import type { Instant } from '../../time/instant.js';
import type { ParsedEntry, RecordOrigin } from '../types.js';

/** One Stripe money object read from the API or a file, with its evidence. */
export interface ParsedPayment {
  record: PaymentRecord;
  origin: RecordOrigin;
  /** The object as Stripe sent it (JSON), or the CSV row. */
  raw: string;
  /**
   * Stripe's clock when this state of the object was seen: the event's `created`, or the `Date` of the
   * list response. Null for files (an export states no time of observation).
   */
  observedAt: Instant | null;
  /**
   * True for records that state only some of the object's fields (a dashboard CSV row): a field it
   * leaves empty keeps the value already stored instead of erasing it.
   */
  partial?: boolean;
}

export type EvidenceProvider = 'stripe' | 'orb';

/**
 * Any other provider object kept as evidence: Stripe customers (balance, metadata), balance
 * transactions, credit balance transactions already represented by their grant; Orb customers,
 * credit balances, invoices.
 */
export interface ParsedSourceObject {
  provider: EvidenceProvider;
  /** Stripe's `object` ("customer", "balance_transaction") or Orb's resource name ("customer", "invoice"). */
  objectType: string;
  objectId: string;
  customerId: string | null;
  at: Instant | null;
  origin: RecordOrigin;
  raw: string;
  observedAt: Instant | null;
}

/** The kinds of Stripe billing credit balance transactions Ledgerscope maps. */
export type CreditTransactionKind =
  | 'credits_applied' // debit: a decrement (credits applied to an invoice)
  | 'credits_voided' // debit: the void of its grant's block
  | 'credits_expired' // debit: Stripe's record of its grant's expiry
  | 'credits_granted' // credit: the grant itself, already an increment
  | 'credits_application_invoice_voided'; // credit: an amendment (credits given back to the block)

/** A billing.credit_balance_transaction before its grant (customer, unit) is known. */
export interface ParsedCreditTransaction {
  id: string;
  grantId: string;
  kind: CreditTransactionKind;
  amount: Decimal;
  /** The amount's currency (upper case). */
  unit: string;
  at: Instant;
  invoiceId: string | null;
  origin: RecordOrigin;
  raw: string;
}

/** A billing.credit_grant: its increment, and when it was voided. */
export interface ParsedGrant {
  parsed: ParsedEntry;
  voidedAt: Instant | null;
}

/**
 * One currency of a billing.credit_balance_summary: what Stripe states the customer's credit balance is.
 * Stripe gives no time for it: it is compared with the replay as of the import.
 */
export interface ParsedBalanceSummary {
  customerId: string;
  /** Upper case. */
  unit: string;
  /** The balance of the credit balance transactions: compared with the replay's current balance. */
  ledgerBalance: Decimal;
  /** What is left after credit reserved for draft invoices (Ledgerscope does not see those): evidence only. */
  availableBalance: Decimal | null;
  origin: RecordOrigin;
}

/** Everything one Stripe file (or one sync page) holds, mapped but not yet resolved against the store. */
export interface StripeParsed {
  payments: ParsedPayment[];
  grants: ParsedGrant[];
  creditTransactions: ParsedCreditTransaction[];
  objects: ParsedSourceObject[];
  /** Credit balance summaries, per customer and currency (their objects are in `objects` as evidence). */
  balanceSummaries: ParsedBalanceSummary[];
  /**
   * What the reader passed over without it being an error, one line each, for the import summary: a
   * dashboard export's ignored columns, its incomplete rows without an id.
   */
  notes: string[];
}

export function emptyStripeParsed(): StripeParsed {
  return { payments: [], grants: [], creditTransactions: [], objects: [], balanceSummaries: [], notes: [] };
}
