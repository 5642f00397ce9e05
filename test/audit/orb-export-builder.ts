// Crafted Orb ledger exports for the audit tests: records shaped as View Credits Ledger returns them, with
// sequence numbers and starting/ending balances computed as a consistent provider would state them.
// Tests then perturb one thing and check that exactly that is reported.
import { Decimal, toCanonical } from '../../core/money/decimal.js';

export type OrbRecord = Record<string, unknown> & {
  id: string;
  ledger_sequence_number: number;
  starting_balance: string;
  ending_balance: string;
};

interface BlockTerms {
  expiry_date: string | null;
  per_unit_cost_basis: string | null;
}

export class OrbExport {
  readonly records: OrbRecord[] = [];
  private balance = new Decimal(0);
  private readonly blocks = new Map<string, BlockTerms>();

  constructor(
    readonly customerId = 'cus_orb_1',
    readonly currency = 'credits',
  ) {}

  private push(id: string, entryType: string, amount: string, delta: Decimal, createdAt: string, blockId: string | null, extra: Record<string, unknown> = {}): OrbRecord {
    const starting = this.balance;
    this.balance = this.balance.plus(delta);
    const terms = blockId === null ? undefined : this.blocks.get(blockId);
    const record: OrbRecord = {
      id,
      ledger_sequence_number: this.records.length + 1,
      entry_type: entryType,
      entry_status: 'committed',
      amount,
      starting_balance: toCanonical(starting),
      ending_balance: toCanonical(this.balance),
      created_at: createdAt,
      currency: this.currency,
      customer: { id: this.customerId, external_customer_id: null },
      credit_block: blockId === null ? null : { id: blockId, expiry_date: terms?.expiry_date ?? null, per_unit_cost_basis: terms?.per_unit_cost_basis ?? null },
      description: null,
      metadata: {},
      ...extra,
    };
    this.records.push(record);
    return record;
  }

  increment(id: string, amount: string, createdAt: string, options: { blockId?: string; expiry?: string; cost?: string } = {}): OrbRecord {
    const blockId = options.blockId ?? id;
    this.blocks.set(blockId, { expiry_date: options.expiry ?? null, per_unit_cost_basis: options.cost ?? null });
    return this.push(id, 'increment', amount, new Decimal(amount), createdAt, blockId);
  }

  decrement(id: string, amount: string, createdAt: string, blockId: string): OrbRecord {
    return this.push(id, 'decrement', `-${amount}`, new Decimal(amount).negated(), createdAt, blockId);
  }

  void(id: string, blockId: string, amount: string, createdAt: string, reason: string | null = null): OrbRecord {
    return this.push(id, 'void', `-${amount}`, new Decimal(amount).negated(), createdAt, blockId, { void_amount: amount, void_reason: reason });
  }

  amendment(id: string, blockId: string, amount: string, createdAt: string): OrbRecord {
    return this.push(id, 'amendment', amount, new Decimal(amount), createdAt, blockId);
  }

  expirationChange(id: string, blockId: string, amount: string, createdAt: string, newExpiry: string): OrbRecord {
    return this.push(id, 'expiration_change', `-${amount}`, new Decimal(0), createdAt, blockId, { new_block_expiry_date: newExpiry });
  }

  expiry(id: string, blockId: string, amount: string, createdAt: string): OrbRecord {
    return this.push(id, 'credit_block_expiry', `-${amount}`, new Decimal(amount).negated(), createdAt, blockId);
  }

  /** Shifts the stated balances of every record from `sequence` on (a provider's arithmetic slip). */
  shiftBalancesFrom(sequence: number, by: string, { startingToo = true } = {}): void {
    for (const record of this.records) {
      if (record.ledger_sequence_number < sequence) continue;
      if (record.ledger_sequence_number > sequence || startingToo) record.starting_balance = toCanonical(new Decimal(record.starting_balance).plus(by));
      record.ending_balance = toCanonical(new Decimal(record.ending_balance).plus(by));
    }
  }

  find(id: string): OrbRecord {
    const record = this.records.find((candidate) => candidate.id === id);
    if (record === undefined) throw new Error(`no record ${id}`);
    return record;
  }

  /** JSON Lines, newest first as Orb lists them. */
  jsonl(records: readonly unknown[] = this.records): string {
    return [...records].reverse().map((record) => JSON.stringify(record)).join('\n') + '\n';
  }
}

/**
 * A clean ledger touching every entry type: two paid blocks and a promotion, usage across blocks in
 * deduction order, a refund, an amendment, an expiration change and an expiry.
 */
export function cleanExport(): OrbExport {
  const x = new OrbExport();
  x.increment('inc_promo', '50', '2025-01-01T00:00:00Z', { expiry: '2025-01-15T00:00:00Z', cost: '0' });
  x.increment('inc_paid', '100', '2025-01-01T00:00:01Z', { cost: '0.5' });
  x.decrement('dec_1', '30', '2025-01-02T00:00:00Z', 'inc_promo');
  x.decrement('dec_2a', '20', '2025-01-03T00:00:00Z', 'inc_promo'); // promo runs out...
  x.decrement('dec_2b', '5', '2025-01-03T00:00:00Z', 'inc_paid'); // ...and the paid block pays the rest
  x.amendment('amd_1', 'inc_paid', '5', '2025-01-04T00:00:00Z');
  x.increment('inc_later', '40', '2025-01-05T00:00:00Z', { expiry: '2025-02-01T00:00:00Z', cost: '0.4' });
  x.expirationChange('exc_1', 'inc_later', '10', '2025-01-06T00:00:00Z', '2025-06-01T00:00:00Z');
  x.decrement('dec_3', '12', '2025-01-07T00:00:00Z', 'inc_later');
  x.void('void_1', 'inc_paid', '25', '2025-01-08T00:00:00Z', 'refund');
  x.expiry('exp_1', 'inc_later', '18', '2025-02-01T00:00:00Z');
  return x;
}
