import { amountLimitProblem, Decimal, isDecimalLiteral } from '../../money/decimal.js';
import { stripeCurrencyExponent } from '../../money/stripe-minor-units.js';
import { isIsoCurrency } from '../../money/units.js';
import type { PaymentKind, PaymentRecord } from '../../payments/types.js';
import { parseInstant, type Instant } from '../../time/instant.js';
import { readCsv } from '../csv.js';
import { fileProblem } from '../problems.js';
import type { ImportProblem } from '../types.js';
import { emptyStripeParsed, type StripeParsed } from './types.js';

/*
 * Stripe dashboard CSV exports (DESIGN §5): unified payments, balance history (current and legacy
 * headers) and the "Balance change from activity" itemized report. Recognised by their signature
 * columns; amounts are in major units ("100.00"); times are UTC ("(UTC)" and "_utc" columns, written
 * "2025-01-10 17:40:02" or "2025-01-10 17:40:02 +0000"); `<key> (metadata)` and `payment_metadata[key]`
 * columns are the object's metadata. Stripe adds columns over time and lets the user pick them, so a
 * column Ledgerscope does not know is kept in the evidence and named once in the import's notes as
 * ignored; only a missing required column, or a bad value in a column that is read, is an error. Rows
 * without an id (incomplete payments that never moved money) are skipped and counted. A row's evidence
 * is the row as {column: cell} JSON. Where each header list comes from: test/fixtures/stripe-csv/README.md.
 */

const METADATA_SUFFIX = ' (metadata)';

/** Column names compared case-insensitively, single-spaced. */
function key(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

const PAYMENT_COLUMNS = [
  'id', 'Description', 'Seller Message', 'Created date (UTC)', 'Created (UTC)', 'Amount', 'Amount Refunded', 'Currency',
  'Converted Amount', 'Converted Amount Refunded', 'Fee', 'Tax', 'Taxes On Fee', 'Converted Currency', 'Mode', 'Status',
  'Statement Descriptor', 'Customer ID', 'Customer Description', 'Customer Email', 'Customer Name', 'Customer Phone', 'Captured',
  'Card ID', 'Card Last4', 'Card Brand', 'Card Funding', 'Card Exp Month', 'Card Exp Year', 'Card Name', 'Card Address Line1',
  'Card Address Line2', 'Card Address City', 'Card Address State', 'Card Address Country', 'Card Address Zip',
  'Card Issue Country', 'Card Fingerprint', 'Card CVC Status', 'Card AVS Zip Status', 'Card AVS Line1 Status',
  'Card Tokenization Method', 'Card Wallet', 'Disputed Amount', 'Dispute Status', 'Dispute Reason', 'Dispute Date (UTC)',
  'Dispute Evidence Due (UTC)', 'Invoice ID', 'Invoice Number', 'Checkout Session ID', 'Checkout Custom Field 1 Key',
  'Checkout Custom Field 1 Value', 'Checkout Custom Field 2 Key', 'Checkout Custom Field 2 Value', 'Checkout Custom Field 3 Key',
  'Checkout Custom Field 3 Value', 'Checkout Line Item Summary', 'Checkout Promotional Consent',
  'Checkout Terms of Service Consent', 'Client Reference ID', 'Payment Link ID', 'UTM Campaign', 'UTM Content', 'UTM Medium',
  'UTM Source', 'UTM Term', 'Terminal Location ID', 'Terminal Reader ID', 'Application Fee', 'Application ID', 'Destination',
  'Transfer', 'Transfer Group', 'PaymentIntent ID', 'Payment Source Type', 'Payment Method Type', 'Payment Method ID',
  'Refunded date (UTC)', 'Amount Captured', 'Balance Transaction ID', 'Receipt Email', 'Receipt Number', 'Shipping Name',
  'Shipping Address Line1', 'Shipping Address Line2', 'Shipping Address City', 'Shipping Address State',
  'Shipping Address Country', 'Shipping Address Postal Code', 'Outcome', 'Risk Level', 'Risk Score', 'Network Status',
  'Decline Reason', 'Decline Code',
  // Columns of current exports (2023 on) and of Link payments.
  'Is Link', 'Link Funding', 'Interchange Costs', 'Merchant Service Charge', 'Payment Method Fingerprint',
];

const BALANCE_COLUMNS = [
  'id', 'Type', 'Reporting Category', 'Source', 'Amount', 'Fee', 'Net', 'Currency', 'Created (UTC)', 'Available On (UTC)',
  'Description', 'Customer Facing Amount', 'Customer Facing Currency', 'Transfer', 'Transfer Date (UTC)', 'Transfer Group',
  'Status', 'Charge ID', 'Payment Intent ID', 'Invoice ID', 'Customer ID', 'Customer Email', 'Customer Name',
  'Customer Description', 'Exchange Rate', 'Payout ID', 'Payout Expected Arrival Date (UTC)', 'Payout Status',
  // The current export names the gross amount "Gross" where the legacy one says "Amount".
  'Gross', 'Source ID', 'Payout Date (UTC)',
];

/** "Balance change from activity" itemized report (balance_change_from_activity.itemized.1–3). */
const ITEMIZED_COLUMNS = [
  'balance_transaction_id', 'created_utc', 'created', 'available_on_utc', 'available_on', 'currency', 'gross', 'fee', 'net',
  'reporting_category', 'source_id', 'description', 'customer_facing_amount', 'customer_facing_currency', 'regulatory_tag',
  'automatic_payout_id', 'automatic_payout_effective_at_utc', 'automatic_payout_effective_at', 'customer_id', 'customer_email',
  'customer_name', 'customer_description', 'customer_shipping_address_line1', 'customer_shipping_address_line2',
  'customer_shipping_address_city', 'customer_shipping_address_state', 'customer_shipping_address_postal_code',
  'customer_shipping_address_country', 'customer_address_line1', 'customer_address_line2', 'customer_address_city',
  'customer_address_state', 'customer_address_postal_code', 'customer_address_country', 'shipping_address_line1',
  'shipping_address_line2', 'shipping_address_city', 'shipping_address_state', 'shipping_address_postal_code',
  'shipping_address_country', 'card_address_line1', 'card_address_line2', 'card_address_city', 'card_address_state',
  'card_address_postal_code', 'card_address_country', 'charge_id', 'payment_intent_id', 'charge_created_utc', 'charge_created',
  'invoice_id', 'invoice_number', 'subscription_id', 'order_id', 'payment_method_type', 'is_link', 'card_brand', 'card_funding',
  'card_country', 'statement_descriptor', 'dispute_reason', 'connected_account_id', 'connected_account_name',
  'connected_account_country', 'connected_account_direct_charge_id', 'destination_payment_id', 'balance_type', 'trace_id',
  'trace_id_status',
];
/** The itemized report's metadata columns: `payment_metadata[key]`, `refund_metadata[key]`, `transfer_metadata[key]`. */
const ITEMIZED_METADATA = /^(payment|refund|transfer)_metadata\[(.+)\]$/;

const PAYMENT_KEYS = new Map(PAYMENT_COLUMNS.map((name) => [key(name), name]));
const BALANCE_KEYS = new Map(BALANCE_COLUMNS.map((name) => [key(name), name]));
const ITEMIZED_KEYS = new Map(ITEMIZED_COLUMNS.map((name) => [key(name), name]));

const EXPORT_NAME: Readonly<Record<StripeCsvKind, string>> = {
  payments: 'unified payments export',
  'balance-history': 'balance history export',
  'balance-change-itemized': '"Balance change from activity" itemized report',
};

/** Dashboard status words → the API's (PaymentRecord keeps Stripe's API words, DESIGN §6). */
const DASHBOARD_STATUS: Readonly<Record<string, string>> = {
  paid: 'succeeded',
  succeeded: 'succeeded',
  refunded: 'succeeded', // the money came in; Amount Refunded says what went back
  'partially refunded': 'succeeded',
  disputed: 'succeeded', // the dispute is stated by Disputed Amount and Dispute Status
  failed: 'failed',
  blocked: 'failed',
  canceled: 'canceled',
  cancelled: 'canceled',
  pending: 'pending',
  uncaptured: 'requires_capture',
  incomplete: 'requires_payment_method',
};

export type StripeCsvKind = 'payments' | 'balance-history' | 'balance-change-itemized';

/**
 * Which export a header is: the itemized report has balance_transaction_id; balance history has Net
 * (or Available On); else unified payments.
 */
export function stripeCsvKind(header: readonly string[]): StripeCsvKind {
  const keys = new Set(header.map(key));
  if (keys.has('balance_transaction_id')) return 'balance-change-itemized';
  return keys.has('net') || keys.has('available on (utc)') ? 'balance-history' : 'payments';
}

interface Columns {
  /** Canonical column name (from the known list) → index. */
  index: Map<string, number>;
  metadata: { name: string; index: number }[];
  /** Columns Ledgerscope does not know: kept in the evidence, named once in the notes. */
  ignored: string[];
}

function readHeader(file: string, header: string[], kind: StripeCsvKind, problems: ImportProblem[]): Columns | null {
  const known = kind === 'payments' ? PAYMENT_KEYS : kind === 'balance-history' ? BALANCE_KEYS : ITEMIZED_KEYS;
  const ignored: string[] = [];
  const index = new Map<string, number>();
  const metadata: { name: string; index: number }[] = [];
  const before = problems.length;
  const at = (field: string, message: string): void => {
    problems.push({ file, line: 1, pointer: null, field, message });
  };
  header.forEach((cell, i) => {
    const name = cell.trim();
    if (name.endsWith(METADATA_SUFFIX) && name.length > METADATA_SUFFIX.length) {
      metadata.push({ name: name.slice(0, -METADATA_SUFFIX.length), index: i });
      return;
    }
    const itemizedMetadata = kind === 'balance-change-itemized' ? ITEMIZED_METADATA.exec(name) : null;
    if (itemizedMetadata !== null) {
      metadata.push({ name: itemizedMetadata[2]!, index: i });
      return;
    }
    const canonical = known.get(key(name));
    if (canonical === undefined) {
      ignored.push(name === '' ? `column ${i + 1}` : name);
      return;
    }
    if (index.has(canonical)) {
      at(name, 'the column appears twice');
      return;
    }
    index.set(canonical, i);
  });
  const required =
    kind === 'payments' ? ['id', 'Amount', 'Currency', 'Status']
      : kind === 'balance-history' ? ['id', 'Currency', 'Created (UTC)']
        : ['balance_transaction_id', 'created_utc', 'currency', 'gross', 'reporting_category'];
  for (const name of required) if (!index.has(name)) at(name, `required column of a Stripe ${EXPORT_NAME[kind]} is missing`);
  if (kind === 'payments' && !index.has('Created date (UTC)') && !index.has('Created (UTC)')) {
    at('Created date (UTC)', `required column of a Stripe ${EXPORT_NAME[kind]} is missing (or "Created (UTC)")`);
  }
  if (kind === 'balance-history' && !index.has('Type') && !index.has('Reporting Category')) {
    at('Type', `required column of a Stripe ${EXPORT_NAME[kind]} is missing (or "Reporting Category")`);
  }
  if (kind === 'balance-history' && !index.has('Amount') && !index.has('Gross')) {
    at('Amount', `required column of a Stripe ${EXPORT_NAME[kind]} is missing (or "Gross")`);
  }
  return problems.length === before ? { index, metadata, ignored } : null;
}

/** One row's reader: cells by canonical column name, problems at the row's line. */
class Row {
  failed = false;
  constructor(
    readonly file: string,
    readonly line: number,
    readonly cells: string[],
    readonly columns: Columns,
    readonly problems: ImportProblem[],
  ) {}

  fail(field: string, message: string): void {
    this.failed = true;
    this.problems.push({ file: this.file, line: this.line, pointer: null, field, message });
  }

  cell(name: string): string | null {
    const i = this.columns.index.get(name);
    if (i === undefined) return null;
    const value = (this.cells[i] ?? '').trim();
    return value === '' ? null : value;
  }

  required(name: string): string | null {
    const value = this.cell(name);
    if (value === null) this.fail(name, 'must not be empty');
    return value;
  }

  currency(column = 'Currency'): string | null {
    const value = this.required(column);
    if (value === null) return null;
    if (!/^[A-Za-z]{3}$/.test(value) || !isIsoCurrency(value)) {
      this.fail(column, `expected an ISO 4217 currency code like "usd", found ${JSON.stringify(value)}`);
      return null;
    }
    return value.toUpperCase();
  }

  /** A major-unit amount that fits the currency's minor unit; `signed` allows a minus sign. */
  amount(name: string, currency: string | null, required: boolean, signed: boolean): Decimal | null {
    const value = required ? this.required(name) : this.cell(name);
    if (value === null) return null;
    if (!isDecimalLiteral(value) || value.startsWith('+')) {
      this.fail(name, `expected a decimal number like "12.50" (no exponent, no thousands separator), found ${JSON.stringify(value)}`);
      return null;
    }
    const beyond = amountLimitProblem(value);
    if (beyond !== null) {
      this.fail(name, beyond);
      return null;
    }
    const amount = new Decimal(value);
    if (!signed && amount.isNegative()) {
      this.fail(name, `must not be negative, found ${JSON.stringify(value)}`);
      return null;
    }
    if (currency !== null) {
      const exponent = stripeCurrencyExponent(currency);
      if (amount.decimalPlaces() > exponent) {
        this.fail(name, `${value} ${currency} has more decimals than Stripe's ${exponent}-digit minor unit for it: a ${currency} amount cannot be ${JSON.stringify(value)}`);
        return null;
      }
    }
    return amount;
  }

  instant(name: string, required: boolean): Instant | null {
    const value = required ? this.required(name) : this.cell(name);
    if (value === null) return null;
    try {
      return parseInstant(stripeCsvTime(value), { assumeUtc: true });
    } catch (error) {
      this.fail(name, (error as Error).message);
      return null;
    }
  }

  metadata(): Record<string, string> {
    const metadata: Record<string, string> = {};
    for (const column of this.columns.metadata) {
      const value = this.cells[column.index] ?? '';
      if (value !== '') metadata[column.name] = value;
    }
    return metadata;
  }

  /** The row as {column: cell}: the evidence kept beside the record. */
  evidence(header: readonly string[]): string {
    const object: Record<string, string> = {};
    header.forEach((name, i) => (object[name] = this.cells[i] ?? ''));
    return JSON.stringify(object);
  }
}

/**
 * A time as Stripe's exports write it: "2025-01-10 17:40:02", or with its offset after a space
 * ("2025-01-10 17:40:02 +0000") or " UTC"; the columns are UTC, so a zoneless cell is UTC.
 */
function stripeCsvTime(value: string): string {
  const zoned = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (?:([+-]\d{2}:?\d{2})|UTC)$/.exec(value);
  if (zoned === null) return value;
  return zoned[2] === undefined ? `${zoned[1]}Z` : `${zoned[1]}${zoned[2]}`;
}

function paymentKindOf(id: string): PaymentKind {
  return id.startsWith('pi_') ? 'payment_intent' : 'charge';
}

function readPaymentRow(row: Row, header: readonly string[], out: StripeParsed): void {
  const id = row.required('id');
  const createdColumn = row.columns.index.has('Created date (UTC)') ? 'Created date (UTC)' : 'Created (UTC)';
  const at = row.instant(createdColumn, true);
  const currency = row.currency();
  const amount = row.amount('Amount', currency, true, false);
  const amountRefunded = row.amount('Amount Refunded', currency, false, false);
  const disputedAmount = row.amount('Disputed Amount', currency, false, false);
  const statusWord = row.required('Status');
  if (row.failed || id === null || at === null || currency === null || amount === null || statusWord === null) return;
  const status = DASHBOARD_STATUS[statusWord.toLowerCase()] ?? statusWord.toLowerCase();
  const kind = paymentKindOf(id);
  const record: PaymentRecord = {
    source: 'stripe',
    sourceId: id,
    kind,
    customerId: row.cell('Customer ID'),
    amount,
    currency,
    status,
    at,
    paymentIntentId: kind === 'payment_intent' ? id : row.cell('PaymentIntent ID'),
    chargeId: kind === 'charge' ? id : null,
    invoiceId: row.cell('Invoice ID'),
    checkoutSessionId: row.cell('Checkout Session ID'),
    amountRefunded,
    description: row.cell('Description'),
    metadata: row.metadata(),
  };
  const disputeStatus = row.cell('Dispute Status');
  if (disputedAmount !== null && !disputedAmount.isZero()) record.disputedAmount = disputedAmount;
  if (disputeStatus !== null) record.disputeStatus = disputeStatus.toLowerCase().replace(/\s+/g, '_');
  out.payments.push({ record, origin: { file: row.file, line: row.line, pointer: null }, raw: row.evidence(header), observedAt: null, partial: true });
}

function readBalanceRow(row: Row, header: readonly string[], out: StripeParsed): void {
  const id = row.required('id');
  row.required(row.columns.index.has('Type') ? 'Type' : 'Reporting Category');
  const at = row.instant('Created (UTC)', true);
  row.instant('Available On (UTC)', false);
  const currency = row.currency();
  row.amount(row.columns.index.has('Amount') ? 'Amount' : 'Gross', currency, true, true);
  row.amount('Fee', currency, false, true);
  row.amount('Net', currency, false, true);
  if (row.failed || id === null) return;
  out.objects.push({
    provider: 'stripe',
    objectType: 'balance_history_row',
    objectId: id,
    customerId: row.cell('Customer ID'),
    at,
    origin: { file: row.file, line: row.line, pointer: null },
    raw: row.evidence(header),
    observedAt: null,
  });
}

/** An itemized report row: a balance transaction, kept as evidence like a balance history row. */
function readItemizedRow(row: Row, header: readonly string[], out: StripeParsed): void {
  const id = row.required('balance_transaction_id');
  row.required('reporting_category');
  const at = row.instant('created_utc', true);
  row.instant('available_on_utc', false);
  row.instant('charge_created_utc', false);
  row.instant('automatic_payout_effective_at_utc', false);
  const currency = row.currency('currency');
  row.amount('gross', currency, true, true);
  row.amount('fee', currency, false, true);
  row.amount('net', currency, false, true);
  if (row.failed || id === null) return;
  out.objects.push({
    provider: 'stripe',
    objectType: 'balance_change_row',
    objectId: id,
    customerId: row.cell('customer_id'),
    at,
    origin: { file: row.file, line: row.line, pointer: null },
    raw: row.evidence(header),
    observedAt: null,
  });
}

/** The column that holds a row's id, per export. */
const ID_COLUMN: Readonly<Record<StripeCsvKind, string>> = {
  payments: 'id',
  'balance-history': 'id',
  'balance-change-itemized': 'balance_transaction_id',
};

export function parseStripeCsv(file: string, text: string, problems: ImportProblem[]): StripeParsed {
  const out = emptyStripeParsed();
  let header: string[] | null = null;
  let columns: Columns | null = null;
  let kind: StripeCsvKind = 'payments';
  let stop = false;
  let incomplete = 0;
  readCsv(text, {
    row(csvRow) {
      if (header === null) {
        header = csvRow.cells.map((cell) => cell.trim());
        kind = stripeCsvKind(header);
        columns = readHeader(file, header, kind, problems);
        if (columns === null) stop = true;
        return !stop;
      }
      if (columns === null) return false;
      if (csvRow.cells.length !== header.length) {
        problems.push({ file, line: csvRow.line, pointer: null, field: '-', message: `expected ${header.length} cells like the header, found ${csvRow.cells.length}` });
        return true;
      }
      const row = new Row(file, csvRow.line, csvRow.cells, columns, problems);
      // Incomplete payments (requires_payment_method...) have no id and never moved money: skipped, counted.
      if (row.cell(ID_COLUMN[kind]) === null) {
        if (csvRow.cells.some((cell) => cell.trim() !== '')) incomplete++;
        return true;
      }
      if (kind === 'payments') readPaymentRow(row, header, out);
      else if (kind === 'balance-history') readBalanceRow(row, header, out);
      else readItemizedRow(row, header, out);
      return true;
    },
    error(error) {
      problems.push({ file, line: error.line, pointer: null, field: '-', message: error.message });
    },
  });
  if (header === null) problems.push(fileProblem(file, 'the file is empty: nothing to import'));
  const read = columns as Columns | null; // assigned in the row callback
  if (read !== null && read.ignored.length > 0) {
    out.notes.push(`${file}: ${read.ignored.length} column${read.ignored.length === 1 ? '' : 's'} of the Stripe ${EXPORT_NAME[kind]} ignored (kept in the evidence): ${read.ignored.map((name) => JSON.stringify(name)).join(', ')}`);
  }
  if (incomplete > 0) out.notes.push(`${file}: ${incomplete} incomplete row${incomplete === 1 ? '' : 's'} without an id skipped`);
  return out;
}
