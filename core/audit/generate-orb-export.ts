/**
 * A deterministic, internally consistent Orb ledger export in JSON Lines (for the audit benchmark and
 * tests): per customer, paid blocks and expiring promotions, usage drawn in L1 order with one decrement
 * entry per block touched (as Orb records it), credit_block_expiry entries when a block with credit left
 * expires, and sequence numbers with starting/ending balances that chain. Amounts are whole cents,
 * written as decimal literals without going through a float. An audit of it finds nothing.
 */

import { seededRandom } from '../synthetic/seeded-random.js';

export interface GenerateOrbExportOptions {
  entries: number;
  accounts: number;
  seed: number;
}

/** Whole cents as a decimal literal: 12345 → "123.45", -5 → "-0.05". */
function cents(value: number): string {
  const sign = value < 0 ? '-' : '';
  const magnitude = Math.abs(value);
  const fraction = magnitude % 100;
  return `${sign}${Math.floor(magnitude / 100)}${fraction === 0 ? '' : `.${String(fraction).padStart(2, '0').replace(/0$/, '')}`}`;
}

interface Block {
  id: string;
  remainingCents: number;
  expiresAt: number | null;
  costBasis: string;
  created: number;
}

const HOUR_MS = 3_600_000;
const START_MS = Date.UTC(2024, 0, 1);

/** L1 without priorities: expiry ascending (none last), cost ascending, creation. */
function l1(a: Block, b: Block): number {
  if (a.expiresAt !== b.expiresAt) {
    if (a.expiresAt === null) return 1;
    if (b.expiresAt === null) return -1;
    return a.expiresAt - b.expiresAt;
  }
  return Number(a.costBasis) - Number(b.costBasis) || a.created - b.created;
}

export function generateOrbExportJsonl(options: GenerateOrbExportOptions): string {
  const random = seededRandom(options.seed);
  const perAccount = Math.ceil(options.entries / options.accounts);
  const lines: string[] = [];
  for (let account = 0; account < options.accounts && lines.length < options.entries; account++) {
    const customer = `{"id":"cus_${account}","external_customer_id":"ext_${account}"}`;
    const blocks: Block[] = [];
    let balance = 0;
    let sequence = 0;
    let at = START_MS + account * 1000;
    const limit = Math.min(options.entries, lines.length + perAccount);
    const push = (type: string, amountCents: number, deltaCents: number, time: number, block: Block, extra = ''): void => {
      sequence++;
      const starting = balance;
      balance += deltaCents;
      const expiry = block.expiresAt === null ? 'null' : `"${new Date(block.expiresAt).toISOString()}"`;
      lines.push(
        `{"id":"e_${account}_${sequence}","ledger_sequence_number":${sequence},"entry_type":"${type}","entry_status":"committed",` +
          `"amount":${cents(amountCents)},"starting_balance":${cents(starting)},"ending_balance":${cents(balance)},` +
          `"created_at":"${new Date(time).toISOString()}","currency":"credits","customer":${customer},` +
          `"credit_block":{"id":"${block.id}","expiry_date":${expiry},"filters":[],"per_unit_cost_basis":"${block.costBasis}"},` +
          `"description":null,"metadata":{}${extra}}`,
      );
    };
    const expireThrough = (time: number): void => {
      for (;;) {
        let next: Block | undefined;
        for (const block of blocks) {
          if (block.expiresAt !== null && block.expiresAt <= time && block.remainingCents > 0 && (next === undefined || block.expiresAt < next.expiresAt!)) next = block;
        }
        if (next === undefined || lines.length >= limit) return;
        push('credit_block_expiry', -next.remainingCents, -next.remainingCents, next.expiresAt!, next);
        next.remainingCents = 0;
      }
    };
    const increment = (time: number): void => {
      const promo = random() < 0.3;
      const block: Block = {
        id: `blk_${account}_${sequence + 1}`,
        remainingCents: promo ? 500 + Math.floor(random() * 5_000) : 5_000 + Math.floor(random() * 50_000),
        expiresAt: promo ? time + (24 + Math.floor(random() * 24 * 30)) * HOUR_MS : null,
        costBasis: promo ? '0' : random() < 0.5 ? '0.01' : '0.02',
        created: sequence + 1,
      };
      blocks.push(block);
      blocks.sort(l1);
      push('increment', block.remainingCents, block.remainingCents, time, block);
    };
    while (lines.length < limit) {
      at += HOUR_MS;
      expireThrough(at);
      if (lines.length >= limit) break;
      const drawable = blocks.reduce((total, block) => total + (block.expiresAt === null || block.expiresAt > at ? block.remainingCents : 0), 0);
      const usage = 1 + Math.floor(random() * 3_000);
      if (sequence === 0 || drawable < usage || random() < 0.05) {
        increment(at);
        continue;
      }
      // One decrement entry per block touched, in L1 order, all at the same instant.
      let left = usage;
      for (const block of blocks) {
        if (left === 0 || lines.length >= limit) break;
        if (block.remainingCents === 0 || (block.expiresAt !== null && block.expiresAt <= at)) continue;
        const taken = Math.min(left, block.remainingCents);
        block.remainingCents -= taken;
        left -= taken;
        push('decrement', -taken, -taken, at, block);
      }
    }
  }
  // One join with an empty last line gives the final newline as a flat string; `join() + '\n'` would
  // give a cons string, which the audit's first read would copy whole (~1 s at 1M entries, a cost a
  // file read from disk never has).
  if (lines.length === 0) return '\n';
  lines.push('');
  return lines.join('\n');
}
