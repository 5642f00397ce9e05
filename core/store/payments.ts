import { Decimal, toCanonical } from '../money/decimal.js';
import { stripeMinorToMajor } from '../money/stripe-minor-units.js';
import { isIsoCurrency } from '../money/units.js';
import type { AccountKey, EntrySource } from '../ledger/types.js';
import type { PaymentKind, PaymentRecord } from '../payments/types.js';
import { paymentFingerprint, sortedMetadataJson } from '../sources/stripe/payment-fingerprint.js';
import type { Instant } from '../time/instant.js';
import { toAccountKey } from './entries-read.js';
import type { LedgerDb } from './open.js';
import { prepared } from './statements.js';

/*
 * Payments repository (migration 0002): Stripe money records with their evidence and version history,
 * and other provider objects kept as evidence. Writers run inside the caller's transaction.
 */

/** Where a stored version came from: "file.csv" (with line/pointer) or "stripe:/v1/charges". */
export interface PaymentOrigin {
  file: string;
  line: number | null;
  pointer: string | null;
}

export interface PaymentWrite {
  record: PaymentRecord;
  raw: string;
  origin: PaymentOrigin;
  /** Stripe's clock for this state (event created, response Date); null for files. */
  observedAt: Instant | null;
}

/** A payment as stored: the current version's record, and its bookkeeping. */
export interface StoredPayment {
  record: PaymentRecord;
  version: number;
  fingerprint: string;
  observedAt: Instant | null;
  recordedAt: Instant;
  origin: PaymentOrigin;
  raw: string;
}

/** One superseded (or the current) version of a payment, for its history. */
export interface PaymentVersion {
  version: number;
  status: string;
  amount: Decimal;
  amountRefunded: Decimal | null;
  observedAt: Instant | null;
  recordedAt: Instant;
  /** When a later version replaced it; null for the current version. */
  supersededAt: Instant | null;
  origin: PaymentOrigin;
  raw: string;
}

const PAYMENT_COLUMNS =
  'source_id, kind, customer_id, amount, currency, status, at, payment_intent_id, charge_id, invoice_id, checkout_session_id, ' +
  'amount_refunded, description, metadata, extra';

type PaymentRow = [
  sourceId: string,
  kind: string,
  customerId: string | null,
  amount: string,
  currency: string,
  status: string,
  at: number,
  paymentIntentId: string | null,
  chargeId: string | null,
  invoiceId: string | null,
  checkoutSessionId: string | null,
  amountRefunded: string | null,
  description: string | null,
  metadata: string,
  extra: string | null,
];

interface PaymentExtra {
  balance_effect?: 'credit' | 'debit';
  disputed_amount?: string;
  dispute_status?: string;
}

function extraOf(record: PaymentRecord): string | null {
  const extra: PaymentExtra = {};
  if (record.balanceEffect !== undefined && record.balanceEffect !== null) extra.balance_effect = record.balanceEffect;
  if (record.disputedAmount !== undefined && record.disputedAmount !== null) extra.disputed_amount = toCanonical(record.disputedAmount);
  if (record.disputeStatus !== undefined && record.disputeStatus !== null) extra.dispute_status = record.disputeStatus;
  return Object.keys(extra).length === 0 ? null : JSON.stringify(extra);
}

/** Amounts repeat (prices, packs): one Decimal per distinct text per read. */
class Decimals {
  private readonly values = new Map<string, Decimal>();
  get(text: string): Decimal {
    let value = this.values.get(text);
    if (value === undefined) {
      if (this.values.size > 4096) this.values.clear();
      value = new Decimal(text);
      this.values.set(text, value);
    }
    return value;
  }
}

function decodePayment(row: PaymentRow, decimals: Decimals): PaymentRecord {
  const record: PaymentRecord = {
    source: 'stripe',
    sourceId: row[0],
    kind: row[1] as PaymentKind,
    customerId: row[2],
    amount: decimals.get(row[3]),
    currency: row[4],
    status: row[5],
    at: row[6],
    paymentIntentId: row[7],
    chargeId: row[8],
    invoiceId: row[9],
    checkoutSessionId: row[10],
    amountRefunded: row[11] === null ? null : decimals.get(row[11]),
    description: row[12],
    metadata: JSON.parse(row[13]) as Record<string, string>,
  };
  if (row[14] !== null) {
    const extra = JSON.parse(row[14]) as PaymentExtra;
    if (extra.balance_effect !== undefined) record.balanceEffect = extra.balance_effect;
    if (extra.disputed_amount !== undefined) record.disputedAmount = decimals.get(extra.disputed_amount);
    if (extra.dispute_status !== undefined) record.disputeStatus = extra.dispute_status;
  }
  return record;
}

function assertStorablePayment(record: PaymentRecord): void {
  // Programmer errors: the mappers validate user data before it gets here.
  if (record.sourceId === '' || record.currency === '' || !Number.isSafeInteger(record.at)) {
    throw new Error(`payment "${record.sourceId}" is not storable`);
  }
  if (record.amount.isNegative()) throw new Error(`payment "${record.sourceId}": amount must be a magnitude, found ${toCanonical(record.amount)}`);
}

const INSERT_PAYMENT_SQL =
  `INSERT INTO payments (source, ${PAYMENT_COLUMNS}, fingerprint, version, observed_at, recorded_at, origin, origin_line, origin_pointer, raw) ` +
  "VALUES ('stripe', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, source_id) DO NOTHING";

const UPDATE_PAYMENT_SQL =
  'UPDATE payments SET kind = ?, customer_id = ?, amount = ?, currency = ?, status = ?, at = ?, payment_intent_id = ?, charge_id = ?, ' +
  'invoice_id = ?, checkout_session_id = ?, amount_refunded = ?, description = ?, metadata = ?, extra = ?, fingerprint = ?, ' +
  'version = version + 1, observed_at = ?, recorded_at = ?, origin = ?, origin_line = ?, origin_pointer = ?, raw = ? ' +
  "WHERE source = 'stripe' AND source_id = ?";

const ARCHIVE_PAYMENT_SQL =
  'INSERT INTO payment_versions (source, source_id, version, status, amount, amount_refunded, fingerprint, observed_at, recorded_at, ' +
  'superseded_at, origin, origin_line, origin_pointer, raw) ' +
  "SELECT source, source_id, version, status, amount, amount_refunded, fingerprint, observed_at, recorded_at, ?, origin, origin_line, origin_pointer, raw FROM payments WHERE source = 'stripe' AND source_id = ?";

function recordValues(record: PaymentRecord): unknown[] {
  return [
    record.kind, record.customerId, toCanonical(record.amount), record.currency, record.status, record.at, record.paymentIntentId,
    record.chargeId, record.invoiceId, record.checkoutSessionId, record.amountRefunded === null ? null : toCanonical(record.amountRefunded),
    record.description, sortedMetadataJson(record.metadata), extraOf(record),
  ];
}

/** Inserts a payment as version 1; false when its (source, source id) is already stored (nothing written). */
export function insertPaymentIfNew(db: LedgerDb, write: PaymentWrite, recordedAt: Instant, fingerprint = paymentFingerprint(write.record)): boolean {
  assertStorablePayment(write.record);
  const { record, origin } = write;
  const result = prepared(db, INSERT_PAYMENT_SQL).run(
    record.sourceId, ...recordValues(record), fingerprint, write.observedAt, recordedAt, origin.file, origin.line, origin.pointer, write.raw,
  );
  return result.changes === 1;
}

/** Replaces the stored payment by a new version; the superseded one, raw included, moves to payment_versions. */
export function supersedePayment(db: LedgerDb, write: PaymentWrite, recordedAt: Instant, fingerprint = paymentFingerprint(write.record)): number {
  assertStorablePayment(write.record);
  const { record, origin } = write;
  const archived = prepared(db, ARCHIVE_PAYMENT_SQL).run(recordedAt, record.sourceId);
  if (archived.changes !== 1) throw new Error(`supersedePayment: payment "${record.sourceId}" is not stored`);
  prepared(db, UPDATE_PAYMENT_SQL).run(
    ...recordValues(record), fingerprint, write.observedAt, recordedAt, origin.file, origin.line, origin.pointer, write.raw, record.sourceId,
  );
  return prepared(db, "SELECT version FROM payments WHERE source = 'stripe' AND source_id = ?").pluck().get(record.sourceId) as number;
}

/** The stored payment, or null. */
export function loadPayment(db: LedgerDb, sourceId: string): StoredPayment | null {
  const row = prepared(
    db,
    `SELECT ${PAYMENT_COLUMNS}, version, fingerprint, observed_at, recorded_at, origin, origin_line, origin_pointer, raw ` +
      "FROM payments WHERE source = 'stripe' AND source_id = ?",
  )
    .raw()
    .get(sourceId) as [...PaymentRow, number, string, number | null, number, string, number | null, string | null, string] | undefined;
  if (row === undefined) return null;
  const [version, fingerprint, observedAt, recordedAt, file, line, pointer, raw] = row.slice(15) as [
    number, string, number | null, number, string, number | null, string | null, string,
  ];
  return {
    record: decodePayment(row.slice(0, 15) as PaymentRow, new Decimals()),
    version,
    fingerprint,
    observedAt,
    recordedAt,
    origin: { file, line, pointer },
    raw,
  };
}

/** The fingerprint and observed_at of a stored payment (the cheap check a re-sync makes), or null. */
export function paymentState(db: LedgerDb, sourceId: string): { fingerprint: string; observedAt: Instant | null } | null {
  const row = prepared(db, "SELECT fingerprint, observed_at FROM payments WHERE source = 'stripe' AND source_id = ?").raw().get(sourceId) as
    | [string, number | null]
    | undefined;
  return row === undefined ? null : { fingerprint: row[0], observedAt: row[1] };
}

/** True when a superseded version of the payment had exactly this content. */
export function paymentHadFingerprint(db: LedgerDb, sourceId: string, fingerprint: string): boolean {
  return (
    prepared(db, "SELECT 1 FROM payment_versions WHERE source = 'stripe' AND source_id = ? AND fingerprint = ? LIMIT 1").get(sourceId, fingerprint) !==
    undefined
  );
}

/** Every version of a payment, oldest first, the current one last; [] when it is not stored. */
export function paymentHistory(db: LedgerDb, sourceId: string): PaymentVersion[] {
  const decimals = new Decimals();
  const old = prepared(
    db,
    'SELECT version, status, amount, amount_refunded, observed_at, recorded_at, superseded_at, origin, origin_line, origin_pointer, raw ' +
      "FROM payment_versions WHERE source = 'stripe' AND source_id = ? ORDER BY version",
  )
    .raw()
    .all(sourceId) as [number, string, string, string | null, number | null, number, number, string, number | null, string | null, string][];
  const versions: PaymentVersion[] = old.map((row) => ({
    version: row[0],
    status: row[1],
    amount: decimals.get(row[2]),
    amountRefunded: row[3] === null ? null : decimals.get(row[3]),
    observedAt: row[4],
    recordedAt: row[5],
    supersededAt: row[6],
    origin: { file: row[7], line: row[8], pointer: row[9] },
    raw: row[10],
  }));
  const current = loadPayment(db, sourceId);
  if (current !== null) {
    versions.push({
      version: current.version,
      status: current.record.status,
      amount: current.record.amount,
      amountRefunded: current.record.amountRefunded,
      observedAt: current.observedAt,
      recordedAt: current.recordedAt,
      supersededAt: null,
      origin: current.origin,
      raw: current.raw,
    });
  }
  return versions;
}

/** Which payments to read; every field narrows, absent fields do not. */
export interface PaymentFilter {
  /** Stripe customer id (cus_…). */
  customerId?: string;
  kinds?: readonly PaymentKind[];
  /** Created at or after (inclusive). */
  from?: Instant;
  /** Created before (exclusive). */
  to?: Instant;
  /** Upper-case ISO currency. */
  currency?: string;
  /** These Stripe ids only. */
  ids?: readonly string[];
}

function filterSql(filter: PaymentFilter): { where: string; args: unknown[] } {
  const clauses: string[] = ["source = 'stripe'"];
  const args: unknown[] = [];
  if (filter.customerId !== undefined) {
    clauses.push('customer_id = ?');
    args.push(filter.customerId);
  }
  if (filter.kinds !== undefined) {
    clauses.push('kind IN (SELECT value FROM json_each(?))');
    args.push(JSON.stringify(filter.kinds));
  }
  if (filter.from !== undefined) {
    clauses.push('at >= ?');
    args.push(filter.from);
  }
  if (filter.to !== undefined) {
    clauses.push('at < ?');
    args.push(filter.to);
  }
  if (filter.currency !== undefined) {
    clauses.push('currency = ?');
    args.push(filter.currency);
  }
  if (filter.ids !== undefined) {
    clauses.push('source_id IN (SELECT value FROM json_each(?))');
    args.push(JSON.stringify(filter.ids));
  }
  return { where: clauses.join(' AND '), args };
}

/** Calls `fn` with each current payment matching `filter`, by (at, source id); one row in memory at a time. */
export function forEachPayment(db: LedgerDb, filter: PaymentFilter, fn: (record: PaymentRecord) => void): void {
  const { where, args } = filterSql(filter);
  const decimals = new Decimals();
  const statement = prepared(db, `SELECT ${PAYMENT_COLUMNS} FROM payments WHERE ${where} ORDER BY at, source_id`).raw();
  for (const row of statement.iterate(...args) as Iterable<PaymentRow>) fn(decodePayment(row, decimals));
}

/** The current version of every payment matching `filter`, by (at, source id). */
export function listPayments(db: LedgerDb, filter: PaymentFilter = {}): PaymentRecord[] {
  const records: PaymentRecord[] = [];
  forEachPayment(db, filter, (record) => records.push(record));
  return records;
}

export function countPayments(db: LedgerDb, filter: PaymentFilter = {}): number {
  const { where, args } = filterSql(filter);
  return prepared(db, `SELECT count(*) FROM payments WHERE ${where}`).pluck().get(...args) as number;
}

// ----- other provider objects (evidence) -----

export type EvidenceProvider = 'stripe' | 'orb' | 'moesif';

export interface SourceObjectWrite {
  provider: EvidenceProvider;
  objectType: string;
  objectId: string;
  customerId: string | null;
  at: Instant | null;
  origin: PaymentOrigin;
  raw: string;
  observedAt: Instant | null;
}

export type ObjectWriteResult = 'inserted' | 'updated' | 'unchanged' | 'stale';

/**
 * Stores an object as evidence: new → version 1; the same raw text → unchanged; an older observation
 * than the stored one → stale (not applied); else a new version, the old one kept in source_object_versions.
 */
export function upsertSourceObject(db: LedgerDb, write: SourceObjectWrite, recordedAt: Instant): ObjectWriteResult {
  const stored = prepared(db, 'SELECT raw, observed_at FROM source_objects WHERE provider = ? AND object_type = ? AND object_id = ?')
    .raw()
    .get(write.provider, write.objectType, write.objectId) as [string, number | null] | undefined;
  const { origin } = write;
  if (stored === undefined) {
    prepared(
      db,
      'INSERT INTO source_objects (provider, object_type, object_id, customer_id, at, version, observed_at, recorded_at, origin, origin_line, origin_pointer, raw) ' +
        'VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)',
    ).run(write.provider, write.objectType, write.objectId, write.customerId, write.at, write.observedAt, recordedAt, origin.file, origin.line, origin.pointer, write.raw);
    return 'inserted';
  }
  if (stored[0] === write.raw) return 'unchanged';
  if (stored[1] !== null && write.observedAt !== null && write.observedAt < stored[1]) return 'stale';
  prepared(
    db,
    'INSERT INTO source_object_versions (provider, object_type, object_id, version, observed_at, recorded_at, superseded_at, origin, raw) ' +
      'SELECT provider, object_type, object_id, version, observed_at, recorded_at, ?, origin, raw FROM source_objects WHERE provider = ? AND object_type = ? AND object_id = ?',
  ).run(recordedAt, write.provider, write.objectType, write.objectId);
  prepared(
    db,
    'UPDATE source_objects SET customer_id = ?, at = ?, version = version + 1, observed_at = ?, recorded_at = ?, origin = ?, origin_line = ?, origin_pointer = ?, raw = ? ' +
      'WHERE provider = ? AND object_type = ? AND object_id = ?',
  ).run(write.customerId, write.at, write.observedAt, recordedAt, origin.file, origin.line, origin.pointer, write.raw, write.provider, write.objectType, write.objectId);
  return 'updated';
}

export interface StoredSourceObject {
  provider: EvidenceProvider;
  objectType: string;
  objectId: string;
  customerId: string | null;
  at: Instant | null;
  version: number;
  raw: string;
}

/** Current versions of a provider's objects of one type, by object id. */
export function listSourceObjects(db: LedgerDb, provider: EvidenceProvider, objectType: string, customerId?: string): StoredSourceObject[] {
  const rows = (
    customerId === undefined
      ? prepared(db, 'SELECT object_id, customer_id, at, version, raw FROM source_objects WHERE provider = ? AND object_type = ? ORDER BY object_id').raw().all(provider, objectType)
      : prepared(db, 'SELECT object_id, customer_id, at, version, raw FROM source_objects WHERE provider = ? AND object_type = ? AND customer_id = ? ORDER BY object_id')
          .raw()
          .all(provider, objectType, customerId)
  ) as [string, string | null, number | null, number, string][];
  return rows.map((row) => ({ provider, objectType, objectId: row[0], customerId: row[1], at: row[2], version: row[3], raw: row[4] }));
}

export function countSourceObjects(db: LedgerDb, provider: EvidenceProvider, objectType?: string): number {
  return (
    objectType === undefined
      ? prepared(db, 'SELECT count(*) FROM source_objects WHERE provider = ?').pluck().get(provider)
      : prepared(db, 'SELECT count(*) FROM source_objects WHERE provider = ? AND object_type = ?').pluck().get(provider, objectType)
  ) as number;
}

/** A Stripe customer as synced or imported: what customer linking and the customer view need. */
export interface StripeCustomerRecord {
  id: string;
  email: string | null;
  name: string | null;
  /** Stripe's customer balance in major units (negative: credit the customer can spend); null without a currency. */
  balance: Decimal | null;
  currency: string | null;
  metadata: Record<string, string>;
}

/** Stripe customers (deleted ones left out), by id: their metadata links ledger customers (DESIGN §6). */
export function listStripeCustomers(db: LedgerDb): StripeCustomerRecord[] {
  const customers: StripeCustomerRecord[] = [];
  for (const object of listSourceObjects(db, 'stripe', 'customer')) {
    const value = JSON.parse(object.raw) as Record<string, unknown>;
    if (value.deleted === true) continue;
    const currency = typeof value.currency === 'string' && value.currency !== '' ? value.currency.toUpperCase() : null;
    const metadata: Record<string, string> = {};
    if (value.metadata !== null && typeof value.metadata === 'object') {
      for (const [key, item] of Object.entries(value.metadata as Record<string, unknown>)) if (typeof item === 'string') metadata[key] = item;
    }
    let balance: Decimal | null = null;
    if (currency !== null && typeof value.balance === 'number' && Number.isSafeInteger(value.balance)) {
      // Stored raw is Stripe's minor units; major units via Stripe's exponent (not ISO's).
      balance = minorToMajorSafe(value.balance, currency);
    }
    customers.push({
      id: object.objectId,
      email: typeof value.email === 'string' ? value.email : null,
      name: typeof value.name === 'string' ? value.name : null,
      balance,
      currency,
      metadata,
    });
  }
  return customers;
}

function minorToMajorSafe(minor: number, currency: string): Decimal | null {
  return isIsoCurrency(currency) ? stripeMinorToMajor(String(minor), currency) : null;
}

// ----- ledger helpers the Stripe and Orb writers need -----

/** The account of a stored ledger entry (a Stripe grant's increment), or null when not stored. */
export function entryAccount(db: LedgerDb, source: EntrySource, sourceId: string): AccountKey | null {
  const row = prepared(
    db,
    'SELECT a.customer_id, a.subscription_id, a.unit FROM entries e JOIN accounts a ON a.id = e.account_id WHERE e.source = ? AND e.source_id = ?',
  )
    .raw()
    .get(source, sourceId) as [string, string, string] | undefined;
  return row === undefined ? null : toAccountKey(row[0], row[1], row[2]);
}

/** True when an entry with this identity (L5) is stored. */
export function hasEntry(db: LedgerDb, source: EntrySource, sourceId: string): boolean {
  return prepared(db, 'SELECT 1 FROM entries WHERE source = ? AND source_id = ?').get(source, sourceId) !== undefined;
}

/**
 * Adds keys to a stored entry's metadata (never changes or removes one): the link from an Orb credit
 * purchase to the Stripe payment of its invoice arrives after the entry. Metadata is not L5 content.
 * Returns true when something was added.
 */
export function addEntryMetadata(db: LedgerDb, source: EntrySource, sourceId: string, added: Record<string, string>): boolean {
  const row = prepared(db, 'SELECT id, metadata FROM entries WHERE source = ? AND source_id = ?').raw().get(source, sourceId) as
    | [number, string | null]
    | undefined;
  if (row === undefined) return false;
  const metadata = row[1] === null ? {} : (JSON.parse(row[1]) as Record<string, unknown>);
  let changed = false;
  for (const [key, value] of Object.entries(added)) {
    if (metadata[key] === undefined) {
      metadata[key] = value;
      changed = true;
    }
  }
  if (changed) prepared(db, 'UPDATE entries SET metadata = ? WHERE id = ?').run(JSON.stringify(metadata), row[0]);
  return changed;
}

/** Source ids of a source's entries whose metadata has `key` equal to `value` (Orb invoice → its increment). */
export function entriesWithMetadata(db: LedgerDb, source: EntrySource, key: string, value: string): string[] {
  return prepared(db, "SELECT source_id FROM entries WHERE source = ? AND metadata IS NOT NULL AND json_extract(metadata, '$.' || ?) = ?")
    .pluck()
    .all(source, key, value) as string[];
}

// ----- lookups by id (support's customer search) -----

/** paymentsNamingId's query; exported so a test can hold its plan to the indexes (migration 0013), not a scan. */
export const PAYMENTS_NAMING_ID_SQL =
  // source = 'stripe' only beside source_id: every payment is Stripe's (0002's CHECK), and written outside the
  // OR it made SQLite walk every payment through the (source, source_id) index instead of five lookups.
  `SELECT ${PAYMENT_COLUMNS} FROM payments WHERE (source = 'stripe' AND source_id = @id) OR ` +
  'payment_intent_id = @id OR charge_id = @id OR invoice_id = @id OR checkout_session_id = @id ORDER BY at, source_id LIMIT 100';

/** Current payments that are, or link to, the Stripe object `id` (intent, charge, invoice, checkout session). */
export function paymentsNamingId(db: LedgerDb, id: string): PaymentRecord[] {
  const decimals = new Decimals();
  const rows = prepared(db, PAYMENTS_NAMING_ID_SQL)
    .raw()
    .all({ id }) as PaymentRow[];
  return rows.map((row) => decodePayment(row, decimals));
}

/** Up to `limit` stored Stripe ids starting with `prefix`, with their customer, by id (the unique index serves it). */
export function paymentIdsStartingWith(db: LedgerDb, prefix: string, limit: number): { id: string; customerId: string | null }[] {
  if (prefix === '') return [];
  const rows = prepared(db, "SELECT source_id, customer_id FROM payments WHERE source = 'stripe' AND source_id >= ? AND source_id < ? ORDER BY source_id LIMIT ?")
    .raw()
    .all(prefix, `${prefix}\uffff`, limit) as [string, string | null][];
  return rows.map(([id, customerId]) => ({ id, customerId }));
}
