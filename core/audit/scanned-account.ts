import { Decimal, ZERO } from '../money/decimal.js';
import { isAheadInDeductionOrder, type RankedBlock } from '../ledger/deduction-order.js';
import { replayScaled } from '../ledger/replay-scaled.js';
import type { AccountKey } from '../ledger/types.js';
import { SCAN_DECREMENT, SCAN_EXPIRY, SCAN_INCREMENT, scaledCanonical, type OrbExportScan } from '../sources/orb-export-scan.js';
import type { AccountAudit } from './types.js';

/**
 * The audit of one account whose entries are all records scanned from one Orb export file
 * (core/sources/orb-export-scan.ts), on scaled integers. It makes the checks of stated-balances.ts,
 * stated-blocks.ts and replay-check.ts in the same order over the same numbers, but only to prove that
 * none of them finds anything: it returns the account's audit when the account is clean, and null as soon
 * as any check would report (or an amount does not fit the integer range), so that the general audit
 * (audit.ts) runs on the account and words every finding. A clean account's audit is the general
 * audit's: no findings, the last stated ending balance, the replayed posted balance, pending 0.
 */

/** 10^k for k = 0..22, exact doubles. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
/** Largest common scale tried; beyond it the general audit runs. */
const MAX_SCALE = 15;

/** Per-scan L1 ranks of the cost bases (no cost basis ranks as 0, as L1 orders it). */
export class CostRanks {
  readonly rank: Int32Array;
  readonly zero: number;

  constructor(scan: OrbExportScan) {
    const values = [...scan.costBases, '0'];
    const decimals = values.map((text) => new Decimal(text));
    const order = values.map((_, i) => i).sort((a, b) => decimals[a]!.comparedTo(decimals[b]!));
    const rank = new Int32Array(values.length);
    let r = 0;
    for (let k = 0; k < order.length; k++) {
      if (k > 0 && !decimals[order[k]!]!.eq(decimals[order[k - 1]!]!)) r++;
      rank[order[k]!] = r;
    }
    this.rank = rank;
    this.zero = rank[values.length - 1]!;
  }

  of(scan: OrbExportScan, record: number): number {
    const index = scan.costBasis[record]!;
    return index < 0 ? this.zero : this.rank[index]!;
  }
}

// Scratch columns reused from account to account (accounts are small; a file has many).
let capacity = 0;
let kind = new Uint8Array(0);
let at = new Float64Array(0);
let amount = new Float64Array(0);
let starting = new Float64Array(0);
let ending = new Float64Array(0);
let block = new Int32Array(0);
let expiresAt = new Float64Array(0);
let costRank = new Int32Array(0);
let endings = new Float64Array(0);

function ensure(n: number): void {
  if (n <= capacity) return;
  capacity = Math.max(n, capacity * 2, 256);
  kind = new Uint8Array(capacity);
  at = new Float64Array(capacity);
  amount = new Float64Array(capacity);
  starting = new Float64Array(capacity);
  ending = new Float64Array(capacity);
  block = new Int32Array(capacity);
  expiresAt = new Float64Array(capacity);
  costRank = new Int32Array(capacity);
  endings = new Float64Array(capacity);
}

/** Audit order (load.ts compareAuditOrder): time, sequence, position in the file. */
function inAuditOrder(scan: OrbExportScan, records: number[]): number[] {
  const byAudit = (a: number, b: number): number =>
    scan.at[a]! - scan.at[b]! || scan.sequence[a]! - scan.sequence[b]! || scan.found[a]! - scan.found[b]!;
  for (let i = 1; i < records.length; i++) {
    if (byAudit(records[i - 1]!, records[i]!) > 0) return [...records].sort(byAudit);
  }
  return records;
}

/** value / 10^from at scale `to` (≥ from), or NaN when that is not a safe integer. */
function rescale(value: number, from: number, to: number): number {
  const scaled = value * POW10[to - from]!;
  return Number.isSafeInteger(scaled) ? scaled : NaN;
}

export function auditScannedAccount(key: AccountKey, scan: OrbExportScan, ranks: CostRanks, recordList: number[]): AccountAudit | null {
  const records = inAuditOrder(scan, recordList);
  const n = records.length;
  ensure(n);
  let scale = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    scale = Math.max(scale, scan.amountScale[r]!, scan.startingScale[r]!, scan.endingScale[r]!);
  }
  if (scale > MAX_SCALE) return null;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    kind[i] = scan.kind[r]!;
    at[i] = scan.at[r]!;
    amount[i] = rescale(scan.amount[r]!, scan.amountScale[r]!, scale);
    starting[i] = rescale(scan.starting[r]!, scan.startingScale[r]!, scale);
    ending[i] = rescale(scan.ending[r]!, scan.endingScale[r]!, scale);
    if (Number.isNaN(amount[i]!) || Number.isNaN(starting[i]!) || Number.isNaN(ending[i]!)) return null;
    block[i] = scan.block[r]!;
    expiresAt[i] = scan.expiresAt[r]!;
    costRank[i] = kind[i] === SCAN_INCREMENT ? ranks.of(scan, r) : 0;
  }
  if (!statedBalancesHold(scan, records)) return null;
  if (!statedBlocksHold(scan, records)) return null;
  const current = replayScaled({ count: n, kind, at, amount, block, expiresAt, costRank }, endings);
  if (current === null) return null;
  // I4: every stated ending balance is the replayed one.
  for (let i = 0; i < n; i++) if (endings[i] !== ending[i]) return null;
  const last = records[n - 1]!;
  return {
    key,
    entries: n,
    statedEndingBalance: scaledCanonical(scan.ending[last]!, scan.endingScale[last]!),
    replayedBalance: new Decimal(scaledCanonical(current, scale)),
    replayedPending: ZERO,
    findings: [],
  };
}

/**
 * stated-balances.ts with nothing to report: in sequence order the account opens at 0, sequence numbers
 * follow each other by one, each entry starts where the one before ended, and each moves the balance by
 * its own signed amount (I1).
 */
function statedBalancesHold(scan: OrbExportScan, records: number[]): boolean {
  const n = records.length;
  let order: number[] | null = null;
  for (let i = 1; i < n && order === null; i++) {
    if (scan.sequence[records[i]!]! < scan.sequence[records[i - 1]!]!) {
      order = Array.from({ length: n }, (_, k) => k).sort((a, b) => scan.sequence[records[a]!]! - scan.sequence[records[b]!]! || a - b);
    }
  }
  let previousSequence = 0;
  let previousEnding = 0;
  for (let k = 0; k < n; k++) {
    const i = order === null ? k : order[k]!;
    const sequence = scan.sequence[records[i]!]!;
    if (k === 0) {
      if (starting[i] !== 0) return false;
    } else if (sequence !== previousSequence + 1 || starting[i] !== previousEnding) {
      return false;
    }
    const moved = ending[i]! - starting[i]!;
    if (!Number.isSafeInteger(moved)) return false;
    const signed = kind[i] === SCAN_INCREMENT ? amount[i]! : -amount[i]!;
    if (moved !== signed) return false;
    previousSequence = sequence;
    previousEnding = ending[i]!;
  }
  return true;
}

interface StatedBlock extends RankedBlock {
  remaining: number;
}

/**
 * stated-blocks.ts with nothing to report: no draw outside its block's terms (L3), none from a block
 * while another came first in L1 order with credit left (L1), none below zero (I2).
 */
function statedBlocksHold(scan: OrbExportScan, records: number[]): boolean {
  const n = records.length;
  /** The first increment of each block: its terms. */
  const terms = new Map<number, number>();
  for (let i = 0; i < n; i++) if (kind[i] === SCAN_INCREMENT && !terms.has(block[i]!)) terms.set(block[i]!, i);
  const blocks = new Map<number, StatedBlock>();
  const live: StatedBlock[] = [];
  for (let i = 0; i < n; i++) {
    const t = at[i]!;
    switch (kind[i]) {
      case SCAN_INCREMENT: {
        if (blocks.has(block[i]!)) return false;
        const created: StatedBlock = {
          remaining: amount[i]!,
          effectiveAt: t,
          expiresAt: Number.isNaN(expiresAt[i]!) ? Number.POSITIVE_INFINITY : expiresAt[i]!,
          rank: costRank[i]!,
          created: i,
        };
        blocks.set(block[i]!, created);
        live.push(created);
        break;
      }
      case SCAN_DECREMENT: {
        const id = block[i]!;
        const known = terms.get(id);
        if (known !== undefined && t < at[known]!) return false;
        const knownExpiry = known === undefined ? NaN : expiresAt[known]!;
        if (known === undefined || (!Number.isNaN(knownExpiry) && t >= knownExpiry)) {
          // The decrement's own credit_block.expiry_date where no increment states the block's terms.
          const expiry = known === undefined ? expiresAt[i]! : knownExpiry;
          if (!Number.isNaN(expiry) && t >= expiry) return false;
        }
        const drawn = blocks.get(id);
        if (drawn === undefined) break;
        let kept = 0;
        for (const candidate of live) if (candidate.remaining > 0) live[kept++] = candidate;
        if (kept !== live.length) live.length = kept; // setting length is a runtime call even when unchanged
        for (const candidate of live) {
          if (candidate === drawn || candidate.effectiveAt > t || t >= candidate.expiresAt) continue;
          if (isAheadInDeductionOrder(candidate, drawn)) return false;
        }
        drawn.remaining -= amount[i]!;
        if (drawn.remaining < 0) return false;
        break;
      }
      case SCAN_EXPIRY: {
        const named = blocks.get(block[i]!);
        if (named !== undefined) named.remaining = 0;
        break;
      }
      default:
        return false;
    }
  }
  return true;
}
