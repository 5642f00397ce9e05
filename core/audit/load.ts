import { toCanonical, type Decimal } from '../money/decimal.js';
import { accountKeyString } from '../ledger/account-key.js';
import type { AccountKey, LedgerEntry } from '../ledger/types.js';
import { formatProblem, parseImportFile, type ParsedEntry } from '../sources/index.js';
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
  /** In audit order (see auditOrder); entry.ordinal is the index here. */
  entries: AuditedEntry[];
}

export interface Loaded {
  files: AuditReport['files'];
  /** parse and L5 findings, in file order. */
  findings: Finding[];
  accounts: LoadedAccount[];
}

/**
 * Parses every file; a file with any problem contributes its problems as `parse` findings and nothing
 * else. Then L5 over all files together: an id seen again with the same content is a warning and counted
 * once; with different content an error, and the later copy is left out.
 */
export function loadFiles(inputs: readonly AuditInput[], options: AuditOptions): Loaded {
  const files: AuditReport['files'] = [];
  const findings: Finding[] = [];
  /** Per source (ids are unique per source, L5), the first record of each id. */
  const firstById = new Map<string, Map<string, AuditedEntry>>();
  const byAccount = new Map<string, LoadedAccount>();
  let lastAccount: LoadedAccount | null = null;
  inputs.forEach((input, fileIndex) => {
    const result = parseImportFile(input.path, input.text, {
      ...(options.source === undefined ? {} : { source: options.source }),
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
    for (let position = 0; position < parsedEntries.length; position++) {
      const parsed = parsedEntries[position]!;
      const entry = parsed.entry;
      const item: AuditedEntry = { parsed, fileIndex, position };
      let ids = firstById.get(entry.source);
      if (ids === undefined) {
        ids = new Map();
        firstById.set(entry.source, ids);
      }
      const first = ids.get(entry.sourceId);
      if (first !== undefined) {
        findings.push(duplicateFinding(first, item));
        continue;
      }
      ids.set(entry.sourceId, item);
      // Records of one account mostly come together: skip the map lookup while they do.
      let account = lastAccount;
      if (account === null || !sameAccount(account.key, entry)) {
        const accountKey = accountKeyString(entry);
        account = byAccount.get(accountKey) ?? null;
        if (account === null) {
          account = { key: { customerId: entry.customerId, subscriptionId: entry.subscriptionId, unit: entry.unit }, entries: [] };
          byAccount.set(accountKey, account);
        }
        lastAccount = account;
      }
      account.entries.push(item);
    }
  });
  const accounts = [...byAccount.values()];
  for (const account of accounts) auditOrder(account.entries);
  return { files, findings, accounts };
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
