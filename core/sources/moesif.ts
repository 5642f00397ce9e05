import { Decimal } from '../money/decimal.js';
import { normalizeUnit } from '../money/units.js';
import type { EntryKind, EntryStatus, LedgerEntry } from '../ledger/types.js';
import { readCsv } from './csv.js';
import {
  DecimalReader,
  describeValue,
  isRecord,
  POSTED_OR_PENDING,
  readEnum,
  readInstant,
  readObject,
  readString,
  readUnit,
  type CanonicalDecimal,
  type JsonRecord,
} from './fields.js';
import { isLosslessNumber, parseJsonExact, toPlainJson } from './lossless-json.js';
import type { Instant } from '../time/instant.js';
import { fileProblem, RecordScope } from './problems.js';
import { ParsedRecord } from './parsed-entry.js';
import { MoesifLineFields, MoesifLineScanner } from './moesif-scan.js';
import { forEachDocumentRecord, forEachJsonLine, type Shape } from './records.js';
import type { ImportProblem, ParsedEntry } from './types.js';

/**
 * Moesif balance transactions (DESIGN §5): the API body's fields plus created_at, optional status and
 * currency, as a JSON array, JSON Lines or CSV with a header.
 */

type MoesifType = 'credit' | 'promotion' | 'adjustment' | 'debit';
const MOESIF_TYPES: Readonly<Record<string, MoesifType>> = {
  credit: 'credit',
  promotion: 'promotion',
  adjustment: 'adjustment',
  debit: 'debit',
};

export const MOESIF_REQUIRED_COLUMNS = ['company_id', 'transaction_id', 'type', 'amount', 'created_at'] as const;

// A credit is paid in the unit's own currency: one unit of credit costs one unit of money.
const COST_BASIS_PAID: CanonicalDecimal = { value: new Decimal(1), canonical: '1', zero: false };
// A promotion is free credit.
const COST_BASIS_FREE: CanonicalDecimal = { value: new Decimal(0), canonical: '0', zero: true };

class MoesifReader {
  readonly scope: RecordScope;
  readonly amounts = new DecimalReader();
  readonly entries: ParsedEntry[] = [];
  private readonly scanned = new MoesifLineFields();

  constructor(
    file: string,
    problems: ImportProblem[],
    /** Moesif bodies name no currency: `currency`, else the import's --unit, else USD. */
    private readonly defaultUnit: string,
    /** `--created-at-field`: the field that holds a body log's time when a record has no created_at. */
    private readonly createdAtField: string | null = null,
  ) {
    this.scope = new RecordScope(file, problems);
  }

  /** Reads one record (the scope already points at it) and appends its entry when it is good. */
  read(value: unknown, raw: string, lossless: boolean): void {
    const scope = this.scope;
    if (!isRecord(value)) {
      scope.fail('-', `expected a JSON object (one balance transaction), found ${describeValue(value)}`);
      return;
    }
    const record = isBalanceTransactionReport(value) ? reportAsBody(value) : value;
    const customerId = readString(scope, record, 'company_id', true);
    const subscriptionId = readString(scope, record, 'subscription_id', false);
    const sourceId = readString(scope, record, 'transaction_id', true);
    const type = readEnum(scope, record, 'type', MOESIF_TYPES, true);
    const amount = this.amounts.read(scope, record, 'amount', true);
    const sign = this.amounts.sign;
    const at = this.readCreatedAt(record);
    const activeAt = readInstant(scope, record, 'active_at', false);
    const expireAt = readInstant(scope, record, 'expire_at', false);
    const description = readString(scope, record, 'description', false);
    const status = readEnum(scope, record, 'status', POSTED_OR_PENDING, false) ?? 'posted';
    const unit = readUnit(scope, record, 'currency', this.defaultUnit);
    const metadata = readObject(scope, record, 'metadata', false);
    this.add(record, raw, lossless, customerId, subscriptionId, sourceId, type, amount, sign, at, activeAt, expireAt, description, status, unit, metadata);
  }

  /**
   * The line on text[start, stop) read by the scanner (moesif-scan.ts), its entry appended: true. False
   * when the scanner does not take it or a check below fails; nothing is reported then, and the caller
   * reads the line with JSON.parse and read(), which words every problem.
   */
  scanLine(scanner: MoesifLineScanner, start: number, stop: number, lineNumber: number): boolean {
    const fields = this.scanned;
    if (!scanner.scan(start, stop, fields)) return false;
    let unit = this.defaultUnit;
    if (fields.currency !== null) {
      unit = normalizeUnit(fields.currency);
      if (unit.length === 0) return false;
    }
    const scope = this.scope;
    scope.moveTo(lineNumber, null);
    // A finite JSON number: read as read() reads it, never a problem.
    const amount = this.amounts.readValue(scope, 'amount', fields.amount, true);
    return this.add(
      null,
      scanner.text.slice(start, stop),
      false,
      fields.companyId,
      fields.subscriptionId,
      fields.transactionId,
      fields.type,
      amount,
      this.amounts.sign,
      fields.createdAt,
      fields.activeAt,
      fields.expireAt,
      fields.description,
      fields.status ?? 'posted',
      unit,
      null,
    );
  }

  /**
   * The checks across fields, then the entry. `record` is null for a scanned line: a failing check then
   * reports nothing and answers false (read() reads the line again and reports it).
   */
  private add(
    record: JsonRecord | null,
    raw: string,
    lossless: boolean,
    customerId: string | null,
    subscriptionId: string | null,
    sourceId: string | null,
    type: MoesifType | null,
    amount: CanonicalDecimal | null,
    sign: number,
    at: Instant | null,
    activeAt: Instant | null,
    expireAt: Instant | null,
    description: string | null,
    status: EntryStatus,
    unit: string,
    metadata: JsonRecord | null,
  ): boolean {
    const scope = this.scope;
    let kind: EntryKind = 'increment';
    let costBasis: CanonicalDecimal | null = null;
    if (type !== null && amount !== null) {
      if (sign === 0) {
        if (record === null) return false;
        scope.fail('amount', `must not be zero (a transaction of 0 moves no credit), found ${describeValue(record.amount)}`);
      } else if (type === 'credit' || type === 'promotion') {
        if (sign < 0) {
          if (record === null) return false;
          scope.fail('amount', `Moesif ${type}s carry positive amounts, found ${describeValue(record.amount)}`);
        }
        costBasis = type === 'credit' ? COST_BASIS_PAID : COST_BASIS_FREE;
      } else if (type === 'debit') {
        if (sign > 0) {
          if (record === null) return false;
          scope.fail('amount', `Moesif debits carry negative amounts, found ${describeValue(record.amount)}`);
        }
        kind = 'decrement';
      } else if (sign < 0) {
        kind = 'decrement'; // a negative adjustment takes credit away like a debit
      } // a positive adjustment is an increment of unknown cost (cost basis null)
    }
    // Only an increment opens a block, so only its active_at/expire_at matter; on a debit they are ignored.
    const increment = kind === 'increment';
    if (increment && at !== null && expireAt !== null && expireAt <= (activeAt ?? at)) {
      if (record === null) return false;
      scope.fail('expire_at', `must be after ${activeAt !== null ? 'active_at' : 'created_at'} (the credit would never be usable), found ${describeValue(record.expire_at)}`);
    }
    if (scope.failed || customerId === null || sourceId === null || amount === null || at === null) return false;

    const entry: LedgerEntry = {
      source: 'moesif',
      sourceId,
      customerId,
      subscriptionId,
      unit,
      kind,
      status,
      amount: amount.value,
      at,
      ordinal: this.entries.length,
      blockId: increment ? sourceId : null, // a Moesif credit's block id is its transaction_id
      effectiveAt: increment ? activeAt : null,
      expiresAt: increment ? expireAt : null,
      costBasis: costBasis === null ? null : costBasis.value,
      priority: null,
      targetExpiresAt: null,
      sourceExpiresAt: null,
      voidReason: null,
      description,
    };
    this.entries.push(
      new ParsedRecord(
        entry,
        scope.origin(),
        raw,
        metadata === null ? null : lossless ? (toPlainJson(metadata) as JsonRecord) : metadata,
        null,
        amount.canonical,
        costBasis === null ? null : costBasis.canonical,
      ),
    );
    return true;
  }

  /**
   * created_at, else the field --created-at-field names. A body posted to balance_transactions has no
   * timestamp of its own, so a log of bodies must say when each was posted: the message says how.
   */
  private readCreatedAt(record: JsonRecord): Instant | null {
    const field = record.created_at === undefined && this.createdAtField !== null ? this.createdAtField : 'created_at';
    if (record[field] === undefined || record[field] === null) {
      this.scope.fail(
        field,
        field === 'created_at'
          ? `${CREATED_AT_MISSING}: a body posted to balance_transactions carries no timestamp; add "created_at" to each record, or name the field that holds the time with --created-at-field <name>`
          : `${CREATED_AT_MISSING} (--created-at-field names it), and the record has no "created_at" either`,
      );
      return null;
    }
    return readInstant(this.scope, record, field, true);
  }
}

const CREATED_AT_MISSING = 'required field is missing';

/**
 * One item of Moesif's `GET /v1/~/billing/reports?type=balance_transaction` (a BillingReport): it has
 * `_id`, `org_id`/`app_id` and `type: "balance_transaction"` beside company_id, amount and created_at.
 */
function isBalanceTransactionReport(value: JsonRecord): boolean {
  return value.type === 'balance_transaction' && ('_id' in value || 'org_id' in value);
}

/** The literal text of an amount (number, lossless number or string), for its sign. */
function amountText(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (isLosslessNumber(value)) return value.value;
  return '';
}

/**
 * A billing report as the balance-transaction body it records (docs/sources.md): transaction_id is the
 * report's `transaction_id` where it has one, else its `_id`; the published BillingReport names no
 * credit/debit type, so a `transaction_type` field is used where present, else the amount's sign (a
 * negative amount is a debit, a positive one a credit); `status` is kept only when it is `pending` or
 * `posted` (a report's own status words say how the report went, not the transaction).
 */
function reportAsBody(report: JsonRecord): JsonRecord {
  const body: JsonRecord = {};
  for (const key of ['company_id', 'subscription_id', 'amount', 'currency', 'description', 'active_at', 'expire_at', 'created_at', 'metadata']) {
    if (report[key] !== undefined && report[key] !== null) body[key] = report[key];
  }
  body.transaction_id = report.transaction_id ?? report._id;
  body.type = typeof report.transaction_type === 'string' ? report.transaction_type : amountText(report.amount).startsWith('-') ? 'debit' : 'credit';
  if (report.status === 'pending' || report.status === 'posted') body.status = report.status;
  return body;
}

export function parseMoesif(
  file: string,
  text: string,
  shape: Shape,
  unit: string | undefined,
  problems: ImportProblem[],
  createdAtField: string | null = null,
  /** False: every JSON Lines line through JSON.parse (the property test's reference). */
  scanLines = true,
): ParsedEntry[] {
  const defaultUnit = unit === undefined ? 'USD' : normalizeUnit(unit);
  if (defaultUnit === '') {
    problems.push(fileProblem(file, `--unit: expected a currency code or unit name, found ${JSON.stringify(unit)}`));
    return [];
  }
  const reader = new MoesifReader(file, problems, defaultUnit, createdAtField);
  switch (shape.kind) {
    case 'empty':
      break;
    case 'jsonl': {
      const scanner = new MoesifLineScanner(text);
      forEachJsonLine(
        text,
        reader.scope,
        (value, raw, lossless) => reader.read(value, raw, lossless),
        // The scanner knows created_at only: a log of bodies timed by another field takes the general path.
        scanLines && createdAtField === null ? (start, stop, line) => reader.scanLine(scanner, start, stop, line) : undefined,
      );
      break;
    }
    case 'document': {
      const scope = reader.scope;
      const wrong = forEachDocumentRecord(shape.value, shape.lossless, false, (value, pointer, raw, lossless) => {
        scope.moveTo(null, pointer);
        reader.read(value, raw, lossless);
      });
      if (wrong !== null) problems.push(fileProblem(file, wrong));
      break;
    }
    case 'broken-document':
      problems.push(fileProblem(file, `not valid JSON (line ${shape.error.line}, column ${shape.error.column}): ${shape.error.message}`, shape.error.line));
      break;
    case 'csv':
      readMoesifCsv(file, text, reader, problems, createdAtField);
      break;
  }
  return reader.entries;
}

/** CSV: an empty cell is an absent field; unknown columns are ignored; a `metadata` cell holds JSON. */
function readMoesifCsv(file: string, text: string, reader: MoesifReader, problems: ImportProblem[], createdAtField: string | null): void {
  const scope = reader.scope;
  let header: string[] | null = null;
  readCsv(text, {
    row(row) {
      if (header === null) {
        header = row.cells.map((cell) => cell.trim());
        const timeColumn = createdAtField !== null && !header.includes('created_at') ? createdAtField : 'created_at';
        const required = MOESIF_REQUIRED_COLUMNS.map((column) => (column === 'created_at' ? timeColumn : column));
        const missing = required.filter((column) => !header?.includes(column));
        for (const column of missing) {
          const how = column === 'created_at' ? ' (a log of posted bodies has no timestamp: add a created_at column, or name the column that holds the time with --created-at-field <name>)' : '';
          problems.push({ file, line: row.line, pointer: null, field: column, message: `required column is missing from the header${how}` });
        }
        const seen = new Set<string>();
        for (const column of header) {
          if (seen.has(column) && column !== '') problems.push({ file, line: row.line, pointer: null, field: column, message: 'column appears twice in the header' });
          seen.add(column);
        }
        return missing.length === 0; // without a required column no row can be read: stop here
      }
      scope.moveTo(row.line, null);
      if (row.cells.length !== header.length) {
        scope.fail('-', `expected ${header.length} cells as in the header, found ${row.cells.length}`);
        return;
      }
      const record: JsonRecord = {};
      for (let i = 0; i < header.length; i++) {
        const cell = row.cells[i] as string;
        if (cell !== '') record[header[i] as string] = cell;
      }
      const metadata = record.metadata;
      if (typeof metadata === 'string') {
        try {
          record.metadata = parseJsonExact(metadata);
        } catch {
          // left as text: the reader reports "expected an object"
        }
      }
      reader.read(record, row.raw, true);
    },
    error(error) {
      problems.push({ file, line: error.line, pointer: null, field: '-', message: error.message });
    },
  });
}
