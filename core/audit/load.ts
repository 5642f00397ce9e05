import { toCanonical, type Decimal } from '../money/decimal.js';
import { accountKeyString } from '../ledger/account-key.js';
import type { AccountKey, LedgerEntry } from '../ledger/types.js';
import { formatProblem, type ParsedEntry } from '../sources/index.js';
import { detectShapeFormat } from '../sources/detect.js';
import { scanOrbExportJsonl, type OrbExportScan } from '../sources/orb-export-scan.js';
import { parseShapedFile } from '../sources/parse.js';
import { readShape } from '../sources/records.js';
import { CostRanks } from './scanned-account.js';
import { FILE_STRIDE, FirstCopies, type FirstRecord } from './first-copies.js';
import { formatOptionalInstant } from '../time/instant.js';
import type { AuditedEntry, AuditInput, AuditOptions, AuditReport, Finding } from './types.js';

/** `file:line#pointer` of a record, as import problems name it. */
export function where(parsed: ParsedEntry): string {
  const origin = parsed.origin;
  let text = origin.file;
  if (origin.line !== null) text += `:${origin.line}`;
  if (origin.pointer !== null) text += `#${origin.pointer}`;
  return text;
}

export interface LoadedAccount {
  key: AccountKey;
  /** In audit order (see auditOrder); entry.ordinal is the index here. Empty while `scanned` is set. */
  entries: AuditedEntry[];
  /**
   * Set when every entry of the account is a record scanned from one Orb export file
   * (orb-export-scan.ts): its records, not yet in audit order. audit.ts tries the scanned audit first and
   * calls `materialize` for the general one.
   */
  scanned: ScannedAccount | null;
}

export interface ScannedAccount {
  scan: OrbExportScan;
  fileIndex: number;
  records: number[];
  ranks: CostRanks;
}

export interface Loaded {
  files: AuditReport['files'];
  /** parse and L5 findings, in file order. */
  findings: Finding[];
  accounts: LoadedAccount[];
}

/** The scanned account as the general audit takes it: full entries, in audit order. */
export function materialize(account: LoadedAccount): void {
  const scanned = account.scanned;
  if (scanned === null) return;
  account.entries = scanned.records.map((r) => scannedEntry(scanned.scan, scanned.fileIndex, r));
  account.scanned = null;
  auditOrder(account.entries);
}

function scannedEntry(scan: OrbExportScan, fileIndex: number, record: number): AuditedEntry {
  return { parsed: scan.parsed(record), fileIndex, position: scan.found[record]! };
}


/**
 * Parses every file; a file with any problem contributes its problems as `parse` findings and nothing
 * else. Then L5 over all files together: an id seen again with the same content is a warning and counted
 * once; with different content an error, and the later copy is left out.
 *
 * Orb exports in JSON Lines are read by orb-export-scan.ts into columns (lines it does not take, by the
 * full reader), then walked in the order parseOrbExport returns its entries (customer, sequence, time,
 * file position), so that L5 meets the same copy first; everything else by parseImportFile.
 */
export function loadFiles(inputs: readonly AuditInput[], options: AuditOptions): Loaded {
  const files: AuditReport['files'] = [];
  const findings: Finding[] = [];
  /** Per source (ids are unique per source, L5), the first record of each id. */
  const firstCopies = new FirstCopies();
  const byAccount = new Map<string, { key: AccountKey; items: (AuditedEntry | number)[] }>();
  const scans: (OrbExportScan | undefined)[] = [];
  let lastAccount: { key: AccountKey; items: (AuditedEntry | number)[] } | null = null;

  const itemEntry = (item: AuditedEntry | number): AuditedEntry => {
    if (typeof item !== 'number') return item;
    const fileIndex = Math.floor(item / FILE_STRIDE);
    return scannedEntry(scans[fileIndex]!, fileIndex, item % FILE_STRIDE);
  };
  /** L5: false (and reported) when the id was seen before. */
  const firstCopy = (first: FirstRecord | undefined, item: AuditedEntry | number): boolean => {
    if (first === undefined) return true;
    findings.push(duplicateFinding(itemEntry(first), itemEntry(item)));
    return false;
  };
  const accountOf = (customerId: string, subscriptionId: string | null, unit: string) => {
    const accountKey = accountKeyString({ customerId, subscriptionId, unit });
    let account = byAccount.get(accountKey);
    if (account === undefined) {
      account = { key: { customerId, subscriptionId, unit }, items: [] };
      byAccount.set(accountKey, account);
    }
    return account;
  };
  const addParsed = (item: AuditedEntry): void => {
    const entry = item.parsed.entry;
    if (!firstCopy(firstCopies.firstOf(entry.source, entry.sourceId, item), item)) return;
    // Records of one account mostly come together: skip the map lookup while they do.
    let account = lastAccount;
    if (account === null || !sameAccount(account.key, entry)) {
      account = accountOf(entry.customerId, entry.subscriptionId, entry.unit);
      lastAccount = account;
    }
    account.items.push(item);
  };

  inputs.forEach((input, fileIndex) => {
    const shape = readShape(input.text);
    const format = options.source ?? detectShapeFormat(input.path, input.text, shape);
    if (typeof format !== 'string') {
      files.push({ path: input.path, format: null, records: 0, audited: false });
      findings.push({ rule: 'parse', severity: 'error', entryId: null, message: formatProblem(format) });
      return;
    }
    const scanned = format === 'orb-export' && shape.kind === 'jsonl' && options.scan !== false ? scanOrbExportJsonl(input.path, input.text) : null;
    // A block an expiration change creates may be named later by Orb's own id: only the whole-file reader
    // binds it (orb-export.ts bindMovedBlocks), so such a file is read whole.
    if (scanned !== null && !scanned.slow.some((slow) => slow.parsed.entry.kind === 'expiration_change')) {
      const scan = scanned;
      scans[fileIndex] = scan;
      const audited = scan.problems.length === 0;
      files.push({ path: input.path, format, records: scan.records, audited });
      if (!audited) {
        for (const problem of scan.problems) findings.push({ rule: 'parse', severity: 'error', entryId: null, message: formatProblem(problem) });
        return;
      }
      firstCopies.addScan(scan, fileIndex, inputs.length === 1);
      let lastCustomer = -1;
      let lastUnit = -1;
      let account: { key: AccountKey; items: (AuditedEntry | number)[] } | null = null;
      for (const handle of scanOrder(scan)) {
        if (handle < 0) {
          const slow = scan.slow[-handle - 1]!;
          addParsed({ parsed: slow.parsed, fileIndex, position: slow.found });
          account = null;
          continue;
        }
        const item = fileIndex * FILE_STRIDE + handle;
        if (!firstCopy(firstCopies.firstOfScanned(handle), item)) continue;
        const customer = scan.customer[handle]!;
        const unit = scan.unit[handle]!;
        if (account === null || customer !== lastCustomer || unit !== lastUnit) {
          account = accountOf(scan.customers[customer]!, null, scan.units[unit]!);
          lastCustomer = customer;
          lastUnit = unit;
        }
        account.items.push(item);
      }
      lastAccount = null;
      return;
    }
    const result = parseShapedFile(input.path, input.text, shape, format, {
      ...(options.unit === undefined ? {} : { unit: options.unit }),
    });
    if (result.format === 'stripe' || result.format === 'stripe-csv') {
      // Payments are reconciled against a ledger (`reconcile`), not audited as one.
      files.push({ path: input.path, format: result.format, records: 0, audited: false });
      findings.push({
        rule: 'parse',
        severity: 'error',
        entryId: null,
        message: `${input.path}: -: a Stripe payments file, not a credit ledger: import it and run \`ledgerscope reconcile\``,
      });
      return;
    }
    const audited = result.problems.length === 0;
    files.push({ path: input.path, format: result.format, records: result.entries.length, audited });
    if (!audited) {
      for (const problem of result.problems) findings.push({ rule: 'parse', severity: 'error', entryId: null, message: formatProblem(problem) });
      return;
    }
    const parsedEntries = result.entries;
    for (let position = 0; position < parsedEntries.length; position++) addParsed({ parsed: parsedEntries[position]!, fileIndex, position });
  });

  const ranks = new Map<OrbExportScan, CostRanks>();
  const accounts: LoadedAccount[] = [];
  for (const { key, items } of byAccount.values()) {
    const first = items[0];
    const fileIndex = typeof first === 'number' ? Math.floor(first / FILE_STRIDE) : -1;
    const oneScan = fileIndex >= 0 && items.every((item) => typeof item === 'number' && item >= fileIndex * FILE_STRIDE && item < (fileIndex + 1) * FILE_STRIDE);
    if (oneScan) {
      const scan = scans[fileIndex]!;
      let costRanks = ranks.get(scan);
      if (costRanks === undefined) {
        costRanks = new CostRanks(scan);
        ranks.set(scan, costRanks);
      }
      const base = fileIndex * FILE_STRIDE;
      const records = base === 0 ? (items as number[]) : (items as number[]).map((item) => item - base);
      accounts.push({ key, entries: [], scanned: { scan, fileIndex, records, ranks: costRanks } });
      continue;
    }
    const entries = items.map(itemEntry);
    auditOrder(entries);
    accounts.push({ key, entries, scanned: null });
  }
  return { files, findings, accounts };
}

/**
 * A scan's records (≥ 0) and slow lines (−1 − index into scan.slow) in parseOrbExport's replay order:
 * customer, ledger_sequence_number ascending (none last), created_at, file position.
 */
function scanOrder(scan: OrbExportScan): Int32Array {
  const slow = scan.slow;
  const slowCustomer = slow.map((line) => scan.internCustomer(line.parsed.entry.customerId));
  const customerCount = scan.customers.length;
  // A counting sort by customer (no array per customer grown a record at a time): each customer's
  // records and slow lines get a range, filled in file position order.
  const counts = new Int32Array(customerCount);
  for (let r = 0; r < scan.count; r++) counts[scan.customer[r]!]!++;
  for (const customer of slowCustomer) counts[customer]!++;
  const customerOrder = scan.customers.map((_, i) => i).sort((a, b) => {
    const ca = scan.customers[a]!;
    const cb = scan.customers[b]!;
    return ca < cb ? -1 : ca > cb ? 1 : 0;
  });
  const starts = new Int32Array(customerCount);
  let next = 0;
  for (const customer of customerOrder) {
    starts[customer] = next;
    next += counts[customer]!;
  }
  const fill = starts.slice();
  const order = new Int32Array(scan.count + slow.length);
  // Scanned records and slow lines merged in file position order.
  let s = 0;
  for (let r = 0; r < scan.count; r++) {
    const found = scan.found[r]!;
    while (s < slow.length && slow[s]!.found < found) {
      order[fill[slowCustomer[s]!]!++] = -1 - s;
      s++;
    }
    order[fill[scan.customer[r]!]!++] = r;
  }
  for (; s < slow.length; s++) order[fill[slowCustomer[s]!]!++] = -1 - s;

  const sequence = (h: number): number => (h >= 0 ? scan.sequence[h]! : slow[-1 - h]!.parsed.stated?.sequence ?? Number.POSITIVE_INFINITY);
  const at = (h: number): number => (h >= 0 ? scan.at[h]! : slow[-1 - h]!.parsed.entry.at);
  const found = (h: number): number => (h >= 0 ? scan.found[h]! : slow[-1 - h]!.found);
  const compare = (a: number, b: number): number => {
    const sa = sequence(a);
    const sb = sequence(b);
    if (sa !== sb) return sa < sb ? -1 : 1;
    return at(a) - at(b) || found(a) - found(b);
  };
  for (const customer of customerOrder) {
    const from = starts[customer]!;
    const to = from + counts[customer]!;
    let sorted = true;
    for (let i = from + 1; i < to && sorted; i++) sorted = compare(order[i - 1]!, order[i]!) < 0;
    if (!sorted) order.set(Array.from(order.subarray(from, to)).sort(compare), from);
  }
  return order;
}

function sameAccount(key: AccountKey, entry: LedgerEntry): boolean {
  return key.customerId === entry.customerId && key.subscriptionId === entry.subscriptionId && key.unit === entry.unit;
}

/**
 * Audit order: time, then the stated ledger sequence (Orb exports; none last), then file and position:
 * the replay's own order (L3: by time), so the block checks and the replay walk the entries alike. Each
 * entry's ordinal becomes its index, so the replay breaks ties at one instant the same way. The L8 checks
 * walk the sequence numbers separately.
 */
function auditOrder(entries: AuditedEntry[]): void {
  let sorted = true;
  for (let i = 1; i < entries.length && sorted; i++) sorted = compareAuditOrder(entries[i - 1]!, entries[i]!) <= 0;
  if (!sorted) entries.sort(compareAuditOrder);
  for (let i = 0; i < entries.length; i++) entries[i]!.parsed.entry.ordinal = i;
}

function compareAuditOrder(a: AuditedEntry, b: AuditedEntry): number {
  const byTime = a.parsed.entry.at - b.parsed.entry.at;
  if (byTime !== 0) return byTime;
  const sa = a.parsed.stated?.sequence ?? null;
  const sb = b.parsed.stated?.sequence ?? null;
  if (sa !== sb) {
    if (sa === null) return 1;
    if (sb === null) return -1;
    return sa - sb;
  }
  return a.fileIndex - b.fileIndex || a.position - b.position;
}

function duplicateFinding(first: AuditedEntry, again: AuditedEntry): Finding {
  const differences = contentDifferences(first.parsed, again.parsed);
  const id = again.parsed.entry.sourceId;
  if (differences.length === 0) {
    return {
      rule: 'L5',
      severity: 'warning',
      entryId: id,
      message: `${where(again.parsed)}: entry ${id} appears again with the same content (first at ${where(first.parsed)}); counted once`,
    };
  }
  return {
    rule: 'L5',
    severity: 'error',
    entryId: id,
    message:
      `${where(again.parsed)}: entry ${id} conflicts with the entry of the same id at ${where(first.parsed)}: ` +
      `${differences.join('; ')}; this copy is left out of the audit`,
  };
}

type FieldReader = (parsed: ParsedEntry) => string | null;

const decimalField = (get: (entry: LedgerEntry) => Decimal | null): FieldReader => (parsed) => {
  const value = get(parsed.entry);
  return value === null ? null : toCanonical(value);
};
const instantField = (get: (entry: LedgerEntry) => number | null): FieldReader => (parsed) => formatOptionalInstant(get(parsed.entry));

/** The content L5 compares, named as the source names it. */
const CONTENT_FIELDS: [string, FieldReader][] = [
  ['kind', (p) => p.entry.kind],
  ['status', (p) => p.entry.status],
  ['customer', (p) => p.entry.customerId],
  ['subscription', (p) => p.entry.subscriptionId],
  ['unit', (p) => p.entry.unit],
  ['amount', decimalField((e) => e.amount)],
  ['created_at', instantField((e) => e.at)],
  ['block', (p) => p.entry.blockId],
  ['effective_at', instantField((e) => e.effectiveAt)],
  ['expires_at', instantField((e) => e.expiresAt)],
  ['cost_basis', decimalField((e) => e.costBasis)],
  ['priority', (p) => (p.entry.priority === null ? null : String(p.entry.priority))],
  ['target_expires_at', instantField((e) => e.targetExpiresAt)],
  ['source_expires_at', instantField((e) => e.sourceExpiresAt)],
  ['void_reason', (p) => p.entry.voidReason],
  ['description', (p) => p.entry.description],
  ['ledger_sequence_number', (p) => (p.stated?.sequence == null ? null : String(p.stated.sequence))],
  ['starting_balance', (p) => p.stated?.startingBalance ?? null],
  ['ending_balance', (p) => p.stated?.endingBalance ?? null],
];

function contentDifferences(a: ParsedEntry, b: ParsedEntry): string[] {
  if (a.fingerprint === b.fingerprint && sameStated(a, b)) return [];
  const differences: string[] = [];
  for (const [name, read] of CONTENT_FIELDS) {
    const x = read(a);
    const y = read(b);
    if (x !== y) differences.push(`${name} ${show(x)} vs ${show(y)}`);
  }
  // Same fields but another fingerprint cannot happen; say so rather than report an empty difference.
  if (differences.length === 0) differences.push('content differs');
  return differences;
}

function sameStated(a: ParsedEntry, b: ParsedEntry): boolean {
  const x = a.stated;
  const y = b.stated;
  if (x === null || y === null) return x === y;
  return x.sequence === y.sequence && x.startingBalance === y.startingBalance && x.endingBalance === y.endingBalance;
}

function show(value: string | null): string {
  return value === null ? 'none' : JSON.stringify(value);
}
