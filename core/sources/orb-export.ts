import { ZERO } from '../money/decimal.js';
import type { EntryKind, LedgerEntry } from '../ledger/types.js';
import type { Instant } from '../time/instant.js';
import { parseInstantFast } from './instant-fast.js';
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
import { toPlainJson } from './lossless-json.js';
import { ORB_STATUSES } from './orb-bodies.js';
import { fileProblem, RecordScope } from './problems.js';
import { ParsedRecord } from './parsed-entry.js';
import { forEachDocumentRecord, forEachJsonLine, isPage, readJsonLine, type JsonLineVisitor, type Shape } from './records.js';
import type { ImportProblem, ParsedEntry, StatedBalances } from './types.js';

/**
 * Orb ledger export (DESIGN §5): entries as View Credits Ledger returns them, as a JSON array, a page
 * object {data, pagination_metadata}, or JSON Lines (of entries, or of pages).
 */

const ORB_EXPORT_TYPES: Readonly<Record<string, EntryKind>> = {
  increment: 'increment',
  decrement: 'decrement',
  expiration_change: 'expiration_change',
  credit_block_expiry: 'expiry', // Orb's record of an expiry; its amount is informational
  void: 'void',
  void_initiated: 'void', // decided: both void types are voids, each with its own entry_status
  amendment: 'amendment',
};

/** The amount of a void step that moves nothing (see read()). */
const NO_MOVE: CanonicalDecimal = { value: ZERO, canonical: '0', zero: true };

interface Pending {
  parsed: ParsedEntry;
  sequence: number | null;
  position: number;
  /** credit_block.expiry_date of an entry naming a block (undefined: not stated or unreadable). */
  blockExpiry: Instant | null | undefined;
}

class OrbExportReader {
  readonly scope: RecordScope;
  readonly amounts = new DecimalReader();
  readonly found: Pending[] = [];

  constructor(file: string, problems: ImportProblem[]) {
    this.scope = new RecordScope(file, problems);
  }

  read(value: unknown, raw: string, lossless: boolean): void {
    const scope = this.scope;
    if (!isRecord(value)) {
      scope.fail('-', `expected a JSON object (one ledger entry), found ${describeValue(value)}`);
      return;
    }
    const record = value;
    const amounts = this.amounts;
    const sourceId = readString(scope, record, 'id', true);
    const sequence = readInteger(scope, record, 'ledger_sequence_number', false);
    if (sequence !== null && sequence < 0) scope.fail('ledger_sequence_number', `must not be negative, found ${sequence}`);
    const kind = readEnum(scope, record, 'entry_type', ORB_EXPORT_TYPES, true);
    const status = readEnum(scope, record, 'entry_status', ORB_STATUSES, false) ?? 'posted';
    const amount = amounts.read(scope, record, 'amount', true);
    const amountSign = amounts.sign;
    const startingBalance = amounts.readSignedCanonical(scope, record, 'starting_balance', false);
    const endingBalance = amounts.readSignedCanonical(scope, record, 'ending_balance', false);
    const at = readInstant(scope, record, 'created_at', true);
    const unit = readUnit(scope, record, 'currency', 'credits'); // Orb: `currency`, else credits
    const description = readString(scope, record, 'description', false);
    const metadata = readObject(scope, record, 'metadata', false);

    const customer = readObject(scope, record, 'customer', true);
    const customerId = customer === null ? null : readString(scope, customer, 'id', true, 'customer.id');
    const externalCustomerId = customer === null ? null : readString(scope, customer, 'external_customer_id', false, 'customer.external_customer_id');

    // Every type but decrement names its block.
    const needsBlock = kind !== null && kind !== 'decrement';
    const block = readObject(scope, record, 'credit_block', needsBlock);
    const blockId = block === null ? null : readString(scope, block, 'id', needsBlock, 'credit_block.id');
    // Only to recognise a block an expiration change created (bindMovedBlocks); not checked here.
    const blockExpiry = block === null || kind === 'increment' ? undefined : statedExpiry(block.expiry_date);

    let magnitude: CanonicalDecimal | null = amount;
    let expiresAt: Instant | null = null;
    let costBasis: CanonicalDecimal | null = null;
    let targetExpiresAt: Instant | null = null;
    let voidReason: string | null = null;
    if (kind === 'increment') {
      if (amount !== null && amountSign <= 0) scope.fail('amount', `must be greater than zero for an increment, found ${describeValue(record.amount)}`);
      if (block !== null) {
        expiresAt = readInstant(scope, block, 'expiry_date', false, 'credit_block.expiry_date');
        costBasis = amounts.read(scope, block, 'per_unit_cost_basis', false, 'credit_block.per_unit_cost_basis');
        if (costBasis !== null && amounts.sign < 0) scope.fail('credit_block.per_unit_cost_basis', `must not be negative, found ${describeValue(block.per_unit_cost_basis)}`);
      }
      if (at !== null && expiresAt !== null && expiresAt <= at) {
        scope.fail('credit_block.expiry_date', `must be after created_at (the block would never be usable), found ${describeValue(block?.expiry_date)}`);
      }
    } else if (kind === 'expiration_change') {
      targetExpiresAt = readInstant(scope, record, 'new_block_expiry_date', false);
    } else if (kind === 'void') {
      // A void removes void_amount where stated, else the entry's amount.
      const voidAmount = amounts.read(scope, record, 'void_amount', false);
      if (voidAmount !== null) {
        magnitude = voidAmount;
        if (voidAmount.zero) scope.fail('void_amount', `must not be zero, found ${describeValue(record.void_amount)}`);
      }
      voidReason = readString(scope, record, 'void_reason', false);
    }
    // Amounts other than an increment's appear with either sign in the wild: the magnitude is the
    // amount; an expiry's is informational and may be zero.
    if (amount !== null && amount.zero && kind !== null && kind !== 'expiry' && kind !== 'increment' && magnitude === amount) {
      scope.fail('amount', `must not be zero for entry_type ${describeValue(record.entry_type)}, found ${describeValue(record.amount)}`);
    }
    if (scope.failed || sourceId === null || kind === null || magnitude === null || at === null || customerId === null) return;
    // A two-step void (void_initiated, then void): the posted step whose stated balances do not move is the
    // one that moves nothing, so the credit leaves once. Its record keeps the amount it states.
    if (kind === 'void' && status === 'posted' && startingBalance !== null && startingBalance === endingBalance) magnitude = NO_MOVE;

    const entry: LedgerEntry = {
      source: 'orb',
      sourceId,
      customerId,
      subscriptionId: null,
      unit,
      kind,
      status,
      amount: magnitude.value,
      at,
      ordinal: 0, // assigned once the file is in replay order
      // A decrement's credit_block is the block Orb drew from: the replay follows it (L1b).
      blockId,
      effectiveAt: null,
      expiresAt,
      costBasis: costBasis === null ? null : costBasis.value,
      priority: null,
      targetExpiresAt,
      sourceExpiresAt: null,
      voidReason,
      description,
    };
    const stated: StatedBalances = { sequence, startingBalance, endingBalance };
    this.found.push({
      parsed: new ParsedRecord(
        entry,
        scope.origin(),
        raw,
        metadata === null ? null : lossless ? (toPlainJson(metadata) as JsonRecord) : metadata,
        stated,
        magnitude.canonical,
        costBasis === null ? null : costBasis.canonical,
        externalCustomerId,
      ),
      sequence,
      position: this.found.length,
      blockExpiry,
    });
  }

  /**
   * Exports come newest first; replay order is (customer, ledger_sequence_number ascending, created_at,
   * file position). An entry without a sequence number sorts after those with one.
   */
  inReplayOrder(): ParsedEntry[] {
    const sorted = [...this.found].sort((a, b) => {
      const ca = a.parsed.entry.customerId;
      const cb = b.parsed.entry.customerId;
      if (ca !== cb) return ca < cb ? -1 : 1;
      const sa = a.sequence ?? Number.POSITIVE_INFINITY;
      const sb = b.sequence ?? Number.POSITIVE_INFINITY;
      if (sa !== sb) return sa < sb ? -1 : 1;
      if (a.parsed.entry.at !== b.parsed.entry.at) return a.parsed.entry.at - b.parsed.entry.at;
      return a.position - b.position;
    });
    bindMovedBlocks(sorted);
    return sorted.map((item, ordinal) => {
      item.parsed.entry.ordinal = ordinal;
      return item.parsed;
    });
  }
}

function statedExpiry(value: unknown): Instant | null | undefined {
  if (value === null) return null;
  if (typeof value !== 'string') return undefined;
  try {
    return parseInstantFast(value);
  } catch {
    return undefined;
  }
}

/**
 * The block an expiration_change creates has Orb's own id in the export, which later decrements, voids and
 * its credit_block_expiry name; the engine names the moved block after the change's entry id. Here, in
 * replay order per account, an entry naming a block no earlier entry created is bound to the earliest
 * unbound expiration change before it whose new expiry is the block's stated expiry_date and whose
 * amount covers the entry's (an expiry's amount is informational); that id then names the change's
 * entry id everywhere in the file. The raw record keeps Orb's id. Ids seen in no other file of this import.
 */
function bindMovedBlocks(sorted: readonly Pending[]): void {
  let account = '';
  let known = new Set<string>();
  let unbound: LedgerEntry[] = [];
  let alias = new Map<string, string>();
  for (const item of sorted) {
    const entry = item.parsed.entry;
    const key = `${entry.customerId}\u001f${entry.unit}`;
    if (key !== account) {
      account = key;
      known = new Set();
      unbound = [];
      alias = new Map();
    }
    if (entry.kind === 'increment') {
      known.add(entry.blockId ?? entry.sourceId);
      continue;
    }
    const named = entry.blockId;
    if (named !== null && !known.has(named) && !alias.has(named) && item.blockExpiry !== undefined) {
      const index = unbound.findIndex(
        (change) => change.targetExpiresAt === item.blockExpiry && (entry.kind === 'expiry' || entry.amount.lte(change.amount)),
      );
      if (index >= 0) {
        alias.set(named, unbound[index]!.sourceId);
        unbound.splice(index, 1);
      }
    }
    if (named !== null) {
      const bound = alias.get(named);
      if (bound !== undefined) entry.blockId = bound;
    }
    if (entry.kind === 'expiration_change') {
      known.add(entry.sourceId);
      unbound.push(entry);
    }
  }
}

/** Reads one JSON Lines record: an entry, or a whole page whose entries are named by line and pointer. */
function jsonLineVisitor(reader: OrbExportReader): JsonLineVisitor {
  const scope = reader.scope;
  return (value, raw, lossless) => {
    if (!isPage(value)) {
      reader.read(value, raw, lossless);
      return;
    }
    const line = scope.line;
    forEachDocumentRecord(value, lossless, true, (item, pointer, itemRaw) => {
      scope.moveTo(line, pointer);
      reader.read(item, itemRaw, lossless);
    });
  };
}

/**
 * Reads Orb export JSON Lines one line at a time, exactly as parseOrbExport reads each line of a JSON
 * Lines file (same problems, same entries), for a caller that scans most lines itself
 * (orb-export-scan.ts) and hands this reader the lines it does not take. Entries come in file order
 * (ordinal 0); the caller orders them.
 */
export class OrbExportLineReader {
  private readonly reader: OrbExportReader;
  private readonly visit: JsonLineVisitor;

  constructor(file: string, problems: ImportProblem[]) {
    this.reader = new OrbExportReader(file, problems);
    this.visit = jsonLineVisitor(this.reader);
  }

  /** The entries of one line (a page line may hold several; a bad line none, its problems reported). */
  readLine(line: string, lineNumber: number): ParsedEntry[] {
    const found = this.reader.found;
    const before = found.length;
    readJsonLine(line, lineNumber, this.reader.scope, this.visit);
    const entries: ParsedEntry[] = [];
    for (let i = before; i < found.length; i++) entries.push(found[i]!.parsed);
    found.length = before;
    return entries;
  }
}

export function parseOrbExport(file: string, text: string, shape: Shape, problems: ImportProblem[]): ParsedEntry[] {
  const reader = new OrbExportReader(file, problems);
  const scope = reader.scope;
  switch (shape.kind) {
    case 'empty':
      break;
    case 'jsonl':
      forEachJsonLine(text, scope, jsonLineVisitor(reader));
      break;
    case 'document': {
      const wrong = forEachDocumentRecord(shape.value, shape.lossless, true, (value, pointer, raw, lossless) => {
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
      problems.push(fileProblem(file, 'an Orb ledger export is JSON (an array, a page object or JSON Lines); this file is not JSON'));
      break;
  }
  return reader.inReplayOrder();
}
