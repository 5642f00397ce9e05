import { Decimal, isDecimalLiteral } from '../../money/decimal.js';
import { stripeCurrencyExponent } from '../../money/stripe-minor-units.js';
import { isIsoCurrency } from '../../money/units.js';
import type { PaymentKind, PaymentRecord } from '../../payments/types.js';
import { parseInstant, type Instant } from '../../time/instant.js';
import { readCsv } from '../csv.js';
import { fileProblem } from '../problems.js';
import type { ImportProblem } from '../types.js';
import { emptyStripeParsed, type StripeParsed } from './types.js';

/*
 * Stripe dashboard CSV exports (DESIGN §5): unified payments, and balance history. Recognised by their
 * signature columns; amounts are in major units ("100.00"); times are UTC ("(UTC)" columns, no zone in
 * the cell); `<key> (metadata)` columns are the object's metadata. Every other column must be one the
 * export is known to have: an unknown column is an error, so a file from another report (or a renamed
 * column) is not half-read. A payment row's evidence is the row as {column: cell} JSON.
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
];

const BALANCE_COLUMNS = [
  'id', 'Type', 'Reporting Category', 'Source', 'Amount', 'Fee', 'Net', 'Currency', 'Created (UTC)', 'Available On (UTC)',
  'Description', 'Customer Facing Amount', 'Customer Facing Currency', 'Transfer', 'Transfer Date (UTC)', 'Transfer Group',
  'Status', 'Charge ID', 'Payment Intent ID', 'Invoice ID', 'Customer ID', 'Customer Email', 'Customer Name',
  'Customer Description', 'Exchange Rate', 'Payout ID', 'Payout Expected Arrival Date (UTC)', 'Payout Status',
];

const PAYMENT_KEYS = new Map(PAYMENT_COLUMNS.map((name) => [key(name), name]));
const BALANCE_KEYS = new Map(BALANCE_COLUMNS.map((name) => [key(name), name]));

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

export type StripeCsvKind = 'payments' | 'balance-history';

/** Which export a header is: balance history has Net (or Available On); else unified payments. */
export function stripeCsvKind(header: readonly string[]): StripeCsvKind {
  const keys = new Set(header.map(key));
  return keys.has('net') || keys.has('available on (utc)') ? 'balance-history' : 'payments';
}

interface Columns {
  /** Canonical column name (from the known list) → index. */
  index: Map<string, number>;
  metadata: { name: string; index: number }[];
}

function readHeader(file: string, header: string[], kind: StripeCsvKind, problems: ImportProblem[]): Columns | null {
  const known = kind === 'payments' ? PAYMENT_KEYS : BALANCE_KEYS;
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
    const canonical = known.get(key(name));
    if (canonical === undefined) {
      at(name === '' ? `column ${i + 1}` : name, `unknown column for a Stripe ${kind === 'payments' ? 'unified payments' : 'balance history'} export` +
        ' (metadata columns are named "<key> (metadata)"); remove it or check that this is the right export');
      return;
    }
    if (index.has(canonical)) {
      at(name, 'the column appears twice');
      return;
    }
    index.set(canonical, i);
  });
  const required =
    kind === 'payments' ? ['id', 'Amount', 'Currency', 'Status'] : ['id', 'Type', 'Amount', 'Currency', 'Created (UTC)'];
  for (const name of required) if (!index.has(name)) at(name, 'required column is missing');
  if (kind === 'payments' && !index.has('Created date (UTC)') && !index.has('Created (UTC)')) {
    at('Created date (UTC)', 'required column is missing (or "Created (UTC)")');
  }
  return problems.length === before ? { index, metadata } : null;
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

  currency(): string | null {
    const value = this.required('Currency');
    if (value === null) return null;
    if (!/^[A-Za-z]{3}$/.test(value) || !isIsoCurrency(value)) {
      this.fail('Currency', `expected an ISO 4217 currency code like "usd", found ${JSON.stringify(value)}`);
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
      return parseInstant(value, { assumeUtc: true });
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
  row.required('Type');
  const at = row.instant('Created (UTC)', true);
  row.instant('Available On (UTC)', false);
  const currency = row.currency();
  row.amount('Amount', currency, true, true);
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

export function parseStripeCsv(file: string, text: string, problems: ImportProblem[]): StripeParsed {
  const out = emptyStripeParsed();
  let header: string[] | null = null;
  let columns: Columns | null = null;
  let kind: StripeCsvKind = 'payments';
  let stop = false;
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
      if (kind === 'payments') readPaymentRow(row, header, out);
      else readBalanceRow(row, header, out);
      return true;
    },
    error(error) {
      problems.push({ file, line: error.line, pointer: null, field: '-', message: error.message });
    },
  });
  if (header === null) problems.push(fileProblem(file, 'the file is empty: nothing to import'));
  return out;
}
