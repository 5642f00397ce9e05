import { createHash } from 'node:crypto';
import type { EntryKind, EntryStatus, LedgerEntry } from '../ledger/types.js';
import { toCanonical } from '../money/decimal.js';
import { normalizeUnit } from '../money/units.js';
import type { Instant } from '../time/instant.js';
import {
  DecimalReader,
  describeValue,
  isRecord,
  readEnum,
  readInstant,
  readInteger,
  readObject,
  readString,
  readUnit,
  type CanonicalDecimal,
  type JsonRecord,
} from './fields.js';
import { entryFingerprint } from './fingerprint.js';
import { toPlainJson } from './lossless-json.js';
import { fileProblem, RecordScope } from './problems.js';
import { ParsedRecord } from './parsed-entry.js';
import { forEachJsonLine, type Shape } from './records.js';
import type { ImportProblem, ParsedEntry } from './types.js';

/**
 * Orb create-entry bodies (DESIGN §5): JSON Lines of the Create-ledger-entry request body plus
 * customer_id and created_at (a replay of what was posted), optional id, and on increments block_id.
 * Fields an entry type does not use (void_reason on an increment, …) are ignored like unknown fields.
 */

const ORB_BODY_TYPES: Readonly<Record<string, Exclude<EntryKind, 'expiry'>>> = {
  increment: 'increment',
  decrement: 'decrement',
  expiration_change: 'expiration_change',
  void: 'void',
  amendment: 'amendment',
};

// Orb says "committed"; Moesif-style "posted" is accepted as the same.
export const ORB_STATUSES: Readonly<Record<string, EntryStatus>> = { committed: 'posted', posted: 'posted', pending: 'pending' };

/** Absent, null or empty: the field states nothing (a wrong type is reported by its reader). */
function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

class OrbBodyReader {
  readonly scope: RecordScope;
  readonly amounts = new DecimalReader();
  readonly entries: ParsedEntry[] = [];
  /** How often each generated id has been given, so identical bodies stay distinct entries. */
  private readonly generatedIds = new Map<string, number>();
  /** Per entry: it states no currency (its unit is decided once the whole file is read), it has no id. */
  private readonly unitUnstated: boolean[] = [];
  private readonly idMissing: boolean[] = [];
  /** Units the file's bodies state. */
  readonly statedUnits = new Set<string>();

  constructor(file: string, problems: ImportProblem[]) {
    this.scope = new RecordScope(file, problems);
  }

  read(value: unknown, raw: string, lossless: boolean): void {
    const scope = this.scope;
    if (!isRecord(value)) {
      scope.fail('-', `expected a JSON object (one create-entry body), found ${describeValue(value)}`);
      return;
    }
    const record = value;
    const kind = readEnum(scope, record, 'entry_type', ORB_BODY_TYPES, true);
    const customerId = readString(scope, record, 'customer_id', true);
    const at = readInstant(scope, record, 'created_at', true);
    const id = readString(scope, record, 'id', false);
    const amount = this.amounts.read(scope, record, 'amount', true);
    const sign = this.amounts.sign;
    // Orb: `currency`; a body stating none takes --unit, else the file's one stated currency, else credits (finish()).
    const unitStated = !isUnset(record.currency);
    const unit = readUnit(scope, record, 'currency', 'credits');
    const description = readString(scope, record, 'description', false);
    const metadata = readObject(scope, record, 'metadata', false);
    const status = this.readStatus(record);
    const blockIdGiven = readString(scope, record, 'block_id', false);

    let effectiveAt: Instant | null = null;
    let expiresAt: Instant | null = null;
    let costBasis: CanonicalDecimal | null = null;
    let priority: number | null = null;
    let targetExpiresAt: Instant | null = null;
    let sourceExpiresAt: Instant | null = null;
    let voidReason: string | null = null;

    if (amount !== null && kind !== null) {
      if (sign === 0) scope.fail('amount', `must not be zero, found ${describeValue(record.amount)}`);
      // Decrements appear with either sign in the wild: the magnitude is what is burned.
      else if (sign < 0 && kind !== 'decrement') scope.fail('amount', `must be greater than zero for ${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}, found ${describeValue(record.amount)}`);
    }
    switch (kind) {
      case 'increment': {
        effectiveAt = readInstant(scope, record, 'effective_date', false);
        expiresAt = readInstant(scope, record, 'expiry_date', false);
        costBasis = this.amounts.read(scope, record, 'per_unit_cost_basis', false);
        if (costBasis !== null && this.amounts.sign < 0) scope.fail('per_unit_cost_basis', `must not be negative, found ${describeValue(record.per_unit_cost_basis)}`);
        priority = readInteger(scope, record, 'priority', false);
        if (at !== null && expiresAt !== null && expiresAt <= (effectiveAt ?? at)) {
          scope.fail('expiry_date', `must be after ${effectiveAt !== null ? 'effective_date' : 'created_at'} (the block would never be usable), found ${describeValue(record.expiry_date)}`);
        }
        break;
      }
      case 'expiration_change': {
        // The source block is named by block_id, or by its expiry (L7).
        sourceExpiresAt = readInstant(scope, record, 'expiry_date', false);
        if (isUnset(record.block_id) && isUnset(record.expiry_date)) {
          scope.fail('block_id', 'an expiration_change needs block_id or expiry_date to name the block it changes');
        }
        // target_expiry_date must be stated; an explicit null means the moved credit never expires.
        if (!('target_expiry_date' in record)) scope.fail('target_expiry_date', 'required field is missing (null if the credit should never expire)');
        else targetExpiresAt = readInstant(scope, record, 'target_expiry_date', false);
        break;
      }
      case 'void':
      case 'amendment': {
        if (isUnset(record.block_id)) {
          scope.fail('block_id', `required for ${kind === 'void' ? 'a void' : 'an amendment'} (it names the block ${kind === 'void' ? 'to void' : 'to return credit to'})`);
        }
        if (kind === 'void') voidReason = readString(scope, record, 'void_reason', false);
        break;
      }
      default:
        break;
    }
    if (scope.failed || kind === null || customerId === null || amount === null || at === null) return;

    const entry: LedgerEntry = {
      source: 'orb',
      sourceId: id ?? '',
      customerId,
      subscriptionId: null,
      unit,
      kind,
      status,
      amount: amount.value,
      at,
      ordinal: this.entries.length,
      blockId: kind === 'decrement' ? null : blockIdGiven,
      effectiveAt,
      expiresAt,
      costBasis: costBasis === null ? null : costBasis.value,
      priority,
      targetExpiresAt,
      sourceExpiresAt,
      voidReason,
      description,
    };
    if (unitStated) this.statedUnits.add(unit);
    this.unitUnstated.push(!unitStated);
    this.idMissing.push(id === null);
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
  }

  /**
   * Decides the unit of bodies that state no currency: `--unit` where given; else the file's only stated
   * currency (a note says so); else credits when no body states one. Bodies that mix several stated
   * currencies with unstated ones need --unit (a problem). Then gives ids to bodies without one (the
   * content hash includes the unit) and increments without block_id their entry id as block id.
   */
  finish(unitOption: string | undefined, problems: ImportProblem[], notes: string[]): void {
    const unstated = this.unitUnstated.filter(Boolean).length;
    let fallback = 'credits';
    if (unitOption !== undefined) fallback = normalizeUnit(unitOption);
    else if (unstated > 0 && this.statedUnits.size === 1) {
      fallback = [...this.statedUnits][0]!;
      notes.push(`${this.scope.file}: ${unstated === 1 ? '1 body states' : `${unstated} bodies state`} no currency; read in ${fallback}, the only currency the file states (give --unit to choose another)`);
    } else if (unstated > 0 && this.statedUnits.size > 1) {
      problems.push(fileProblem(
        this.scope.file,
        `the bodies state the currencies ${[...this.statedUnits].sort().join(', ')} and ${unstated === 1 ? '1 body states' : `${unstated} bodies state`} none: give --unit to say which unit those are in`,
      ));
      return;
    }
    this.entries.forEach((parsed, index) => {
      const entry = parsed.entry;
      if (this.unitUnstated[index]) entry.unit = fallback;
      if (this.idMissing[index]) entry.sourceId = this.generateId(entryFingerprint(entry, toCanonical(entry.amount)));
      // Without block_id an increment's block id is its entry id.
      if (entry.kind === 'increment' && entry.blockId === null) entry.blockId = entry.sourceId;
    });
  }

  /** entry_status (Orb's name) or status; committed/posted → posted, pending → pending; default posted. */
  private readStatus(record: JsonRecord): EntryStatus {
    const field = record.entry_status !== undefined && record.entry_status !== null ? 'entry_status' : 'status';
    return readEnum(this.scope, record, field, ORB_STATUSES, false) ?? 'posted';
  }

  /**
   * A body without `id` gets a deterministic one: a hash of its canonical content (the fingerprint,
   * before the block id defaults to it), so importing the file again finds the same ids (L5). The n-th
   * identical body in the file gets ":n" appended, so two identical usage bodies stay two entries.
   */
  private generateId(content: string): string {
    const hash = createHash('sha256').update(content).digest('hex').slice(0, 24);
    const base = `orb-body:${hash}`;
    const seen = (this.generatedIds.get(base) ?? 0) + 1;
    this.generatedIds.set(base, seen);
    return seen === 1 ? base : `${base}:${seen}`;
  }
}

export function parseOrbBodies(file: string, text: string, shape: Shape, problems: ImportProblem[], unitOption?: string, notes: string[] = []): ParsedEntry[] {
  const reader = new OrbBodyReader(file, problems);
  if (shape.kind === 'jsonl') {
    forEachJsonLine(text, reader.scope, (value, raw, lossless) => reader.read(value, raw, lossless));
  } else if (shape.kind !== 'empty') {
    problems.push(fileProblem(file, 'Orb create-entry bodies are read from JSON Lines (one body per line); this file is not JSON Lines'));
  }
  reader.finish(unitOption, problems, notes);
  return reader.entries;
}
