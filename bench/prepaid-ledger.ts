/**
 * The peer benchmark's ledger (issue 12): a prepaid ledger of N transactions over C customers, written
 * three ways with the same balances — Moesif JSON Lines as Python's json.dumps writes them (", " and ": "
 * separators, floats, isoformat offsets), the same compact, and an hledger journal. Usage debits are far
 * more frequent than top-ups; some top-ups expire. hledger knows nothing of expiry, so the journal states
 * each expiry as a transaction; its amount comes from a small independent simulation of L1–L3 here
 * (integer cents), and the benchmark then checks that Ledgerscope's replay agrees with hledger's sums.
 */

import { seededRandom } from '../core/synthetic/seeded-random.js';

export interface PrepaidLedgerOptions {
  transactions: number;
  customers: number;
  seed: number;
}

export interface PrepaidLedger {
  /** Moesif JSON Lines, `json.dumps` style. */
  moesifPython: string;
  /** The same records, compact, with `Z` instants. */
  moesifCompact: string;
  hledgerJournal: string;
  /** Expected current balance per customer id, in cents (what both tools must print). */
  balancesCents: Map<string, bigint>;
  expiries: number;
}

const DAY_MS = 86_400_000;
const START_MS = Date.UTC(2024, 0, 1);
const TOP_UPS_CENTS = [5_000, 10_000, 20_000, 25_000, 50_000];

/** Python's repr of a two-decimal float: 100 → "100.0", 12.5 → "12.5", -0.37 → "-0.37". */
function pythonFloat(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const magnitude = Math.abs(cents);
  const whole = Math.floor(magnitude / 100);
  const fraction = magnitude % 100;
  if (fraction === 0) return `${sign}${whole}.0`;
  if (fraction % 10 === 0) return `${sign}${whole}.${fraction / 10}`;
  return `${sign}${whole}.${fraction < 10 ? '0' : ''}${fraction}`;
}

/** Two decimals always, as a journal writes money: 12.5 → "12.50". */
function journalAmount(cents: number | bigint): string {
  const value = BigInt(cents);
  const sign = value < 0n ? '-' : '';
  const magnitude = value < 0n ? -value : value;
  const fraction = magnitude % 100n;
  return `${sign}${magnitude / 100n}.${fraction < 10n ? '0' : ''}${fraction}`;
}

/** datetime.isoformat() of an aware UTC datetime with whole seconds: "2024-01-01T00:00:05+00:00". */
function pythonInstant(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

interface Block {
  remaining: number;
  expiresAt: number | null;
  sequence: number;
}

interface Customer {
  id: string;
  subscription: string | null;
  blocks: Block[];
  deficit: number;
  sequence: number;
}

function expireThrough(customer: Customer, at: number, onExpiry: (block: Block) => void): void {
  for (const block of customer.blocks) {
    if (block.expiresAt !== null && block.expiresAt <= at && block.remaining >= 0) {
      onExpiry(block);
      block.remaining = -1; // expired: never drawn again, never expired twice
    }
  }
}

/** L1 for these blocks (no priority, one cost basis, effective at creation): expiring first, then oldest. */
function drawOrder(a: Block, b: Block): number {
  const ax = a.expiresAt ?? Number.POSITIVE_INFINITY;
  const bx = b.expiresAt ?? Number.POSITIVE_INFINITY;
  return ax - bx || a.sequence - b.sequence;
}

export function generatePrepaidLedger(options: PrepaidLedgerOptions): PrepaidLedger {
  const { transactions, customers: customerCount, seed } = options;
  if (!Number.isSafeInteger(transactions) || transactions < customerCount) throw new Error('transactions must be at least customers');
  const random = seededRandom(seed);
  const pick = (n: number): number => Math.floor(random() * n);
  const customers: Customer[] = [];
  for (let c = 0; c < customerCount; c++) {
    const id = `cus_${String(c + 1).padStart(6, '0')}`;
    customers.push({ id, subscription: c % 5 === 4 ? null : `sub_${String(c + 1).padStart(6, '0')}`, blocks: [], deficit: 0, sequence: 0 });
  }
  const python: string[] = [];
  const compact: string[] = [];
  const journal: string[] = [];
  const expiryLines: string[] = [];
  let expiries = 0;
  const expire = (customer: Customer) => (block: Block) => {
    if (block.remaining === 0) return; // an expiry of nothing moves no money
    expiries++;
    const date = new Date(block.expiresAt!).toISOString().slice(0, 10);
    expiryLines.push(`${date} expiry\n    customers:${customer.id}  ${journalAmount(-block.remaining)} USD\n    income:expired\n`);
  };

  let now = START_MS;
  for (let i = 0; i < transactions; i++) {
    now += 1_000 * (1 + pick(300));
    // Every customer's first transaction is a top-up (a prepaid account starts funded).
    const customer = customers[i < customerCount ? i : pick(customerCount)]!;
    expireThrough(customer, now, expire(customer));
    const transactionId = `txn_${seed.toString(36)}_${i.toString(16).padStart(8, '0')}`;
    const topUp = customer.sequence === 0 || random() < 0.04;
    customer.sequence++;
    let cents: number;
    let expiresAt: number | null = null;
    let type: string;
    let description: string;
    if (topUp) {
      type = 'credit';
      description = 'Prepaid credits purchase';
      cents = TOP_UPS_CENTS[pick(TOP_UPS_CENTS.length)]!;
      if (random() < 0.4) expiresAt = now + (30 + pick(60)) * DAY_MS;
      const repaid = Math.min(customer.deficit, cents);
      customer.deficit -= repaid;
      customer.blocks.push({ remaining: cents - repaid, expiresAt, sequence: customer.sequence });
    } else {
      type = 'debit';
      description = 'API usage';
      const usage = random() < 0.95 ? 1 + pick(500) : 1 + pick(5_000);
      cents = -usage;
      let left = usage;
      const drawable = customer.blocks.filter((block) => block.remaining > 0).sort(drawOrder);
      for (const block of drawable) {
        const drawn = Math.min(block.remaining, left);
        block.remaining -= drawn;
        left -= drawn;
        if (left === 0) break;
      }
      customer.deficit += left;
    }
    const subscriptionPy = customer.subscription === null ? '' : `"subscription_id": "${customer.subscription}", `;
    const subscriptionJs = customer.subscription === null ? '' : `"subscription_id":"${customer.subscription}",`;
    const expiresPy = expiresAt === null ? '' : `, "expire_at": "${pythonInstant(expiresAt)}"`;
    const expiresJs = expiresAt === null ? '' : `,"expire_at":"${new Date(expiresAt).toISOString()}"`;
    python.push(
      `{"company_id": "${customer.id}", ${subscriptionPy}"transaction_id": "${transactionId}", "type": "${type}", ` +
        `"amount": ${pythonFloat(cents)}, "description": "${description}"${expiresPy}, "created_at": "${pythonInstant(now)}"}`,
    );
    compact.push(
      `{"company_id":"${customer.id}",${subscriptionJs}"transaction_id":"${transactionId}","type":"${type}",` +
        `"amount":${pythonFloat(cents)},"description":"${description}"${expiresJs},"created_at":"${new Date(now).toISOString()}"}`,
    );
    const date = new Date(now).toISOString().slice(0, 10);
    journal.push(
      `${date} ${transactionId} ${description}\n    customers:${customer.id}  ${journalAmount(cents)} USD\n    ${topUp ? 'assets:stripe' : 'income:usage'}\n`,
    );
  }
  // Every expiry is long past (the data ends in 2025): the balances as of now include them all.
  const balancesCents = new Map<string, bigint>();
  for (const customer of customers) {
    expireThrough(customer, Number.POSITIVE_INFINITY, expire(customer));
    const remaining = customer.blocks.reduce((sum, block) => sum + Math.max(0, block.remaining), 0);
    balancesCents.set(customer.id, BigInt(remaining - customer.deficit));
  }
  return {
    moesifPython: `${python.join('\n')}\n`,
    moesifCompact: `${compact.join('\n')}\n`,
    hledgerJournal: `${journal.join('\n')}\n${expiryLines.join('\n')}`,
    balancesCents,
    expiries,
  };
}

/** A decimal string ("-12.5", "0", "3.40") as integer cents; throws on anything finer than a cent. */
export function centsOf(text: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,2})0*)?$/.exec(text.trim());
  if (match === null) throw new Error(`not an amount in cents: ${JSON.stringify(text)}`);
  const cents = BigInt(match[2]!) * 100n + BigInt((match[3] ?? '0').padEnd(2, '0'));
  return match[1] === '-' ? -cents : cents;
}
