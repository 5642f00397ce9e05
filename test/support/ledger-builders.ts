// Builders for ledger entries in tests: one account, explicit instants, ordinals in call order.
import { expect } from 'vitest';
import { Decimal, toCanonical } from '../../core/money/decimal.js';
import { parseInstant, type Instant } from '../../core/time/instant.js';
import { replayAccount, type ReplayOptions } from '../../core/ledger/replay.js';
import type { AccountKey, AccountState, BlockState, EntryStatus, LedgerEntry, ReplayedEntry } from '../../core/ledger/types.js';

export const ACCOUNT: AccountKey = { customerId: 'cus_test', subscriptionId: null, unit: 'credits' };

export const DAY_MS = 86_400_000;

/** Decimal from a literal: tests never pass amounts through floats. */
export function dec(text: string): Decimal {
  return new Decimal(text);
}

/** ISO 8601 instant ("2025-01-10T00:00:00Z" or a date "2025-01-10") → Instant. */
export function t(text: string): Instant {
  return parseInstant(text);
}

export interface IncrementOptions {
  blockId?: string;
  effectiveAt?: Instant | null;
  expiresAt?: Instant | null;
  costBasis?: string | null;
  priority?: number | null;
  status?: EntryStatus;
}

export interface NamedBlockOptions {
  status?: EntryStatus;
  voidReason?: string;
}

export interface ExpirationChangeOptions {
  blockId?: string | null;
  sourceExpiresAt?: Instant | null;
  targetExpiresAt: Instant | null;
  status?: EntryStatus;
}

/**
 * Accumulates one account's entries; each entry's ordinal is its position in call order, so
 * entries at one instant replay in the order they were written.
 */
export class LedgerBuilder {
  readonly entries: LedgerEntry[] = [];

  constructor(readonly key: AccountKey = ACCOUNT) {}

  private push(partial: Partial<LedgerEntry> & Pick<LedgerEntry, 'sourceId' | 'kind' | 'amount' | 'at'>): LedgerEntry {
    const entry: LedgerEntry = {
      source: 'orb',
      customerId: this.key.customerId,
      subscriptionId: this.key.subscriptionId,
      unit: this.key.unit,
      status: 'posted',
      ordinal: this.entries.length + 1,
      blockId: null,
      effectiveAt: null,
      expiresAt: null,
      costBasis: null,
      priority: null,
      targetExpiresAt: null,
      sourceExpiresAt: null,
      voidReason: null,
      description: null,
      ...partial,
    };
    this.entries.push(entry);
    return entry;
  }

  increment(sourceId: string, amount: string, at: Instant, options: IncrementOptions = {}): LedgerEntry {
    return this.push({
      sourceId,
      kind: 'increment',
      amount: dec(amount),
      at,
      status: options.status ?? 'posted',
      blockId: options.blockId ?? null,
      effectiveAt: options.effectiveAt ?? null,
      expiresAt: options.expiresAt ?? null,
      costBasis: options.costBasis === undefined || options.costBasis === null ? null : dec(options.costBasis),
      priority: options.priority ?? null,
    });
  }

  /** `blockId`: the block the source says it drew from (L1b); without it L1 decides. */
  decrement(sourceId: string, amount: string, at: Instant, options: { status?: EntryStatus; blockId?: string } = {}): LedgerEntry {
    return this.push({ sourceId, kind: 'decrement', amount: dec(amount), at, status: options.status ?? 'posted', blockId: options.blockId ?? null });
  }

  void(sourceId: string, blockId: string, amount: string, at: Instant, options: NamedBlockOptions = {}): LedgerEntry {
    return this.push({
      sourceId,
      kind: 'void',
      amount: dec(amount),
      at,
      blockId,
      status: options.status ?? 'posted',
      voidReason: options.voidReason ?? null,
    });
  }

  amendment(sourceId: string, blockId: string, amount: string, at: Instant, options: NamedBlockOptions = {}): LedgerEntry {
    return this.push({ sourceId, kind: 'amendment', amount: dec(amount), at, blockId, status: options.status ?? 'posted' });
  }

  expirationChange(sourceId: string, amount: string, at: Instant, options: ExpirationChangeOptions): LedgerEntry {
    return this.push({
      sourceId,
      kind: 'expiration_change',
      amount: dec(amount),
      at,
      blockId: options.blockId ?? null,
      sourceExpiresAt: options.sourceExpiresAt ?? null,
      targetExpiresAt: options.targetExpiresAt,
      status: options.status ?? 'posted',
    });
  }

  /** An imported expiry (Orb credit_block_expiry: its amount is informational; Stripe credits_expired: stated). */
  expiry(sourceId: string, blockId: string, amount: string, at: Instant, options: { source?: LedgerEntry['source'] } = {}): LedgerEntry {
    return this.push({ sourceId, kind: 'expiry', amount: dec(amount), at, blockId, source: options.source ?? 'orb' });
  }

  replay(options: ReplayOptions = {}): AccountState {
    return replayAccount(this.key, this.entries, { checkEveryStep: true, ...options });
  }
}

export function block(state: AccountState, id: string): BlockState {
  const found = state.blocks.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no block ${id} in [${state.blocks.map((b) => b.id).join(', ')}]`);
  return found;
}

export function replayed(state: AccountState, sourceId: string): ReplayedEntry {
  const found = state.entries.find((candidate) => !candidate.generated && candidate.entry.sourceId === sourceId);
  if (found === undefined) throw new Error(`no replayed entry ${sourceId}`);
  return found;
}

export function generatedExpiries(state: AccountState): ReplayedEntry[] {
  return state.entries.filter((candidate) => candidate.generated);
}

/** Compares a Decimal with a literal through the canonical string, so "80" equals "80.00". */
export function expectAmount(actual: Decimal, expected: string): void {
  expect(toCanonical(actual)).toBe(toCanonical(dec(expected)));
}

/** Effects as [type, blockId, canonical amount] triples: readable in failure messages. */
export function effectsOf(entry: ReplayedEntry): Array<[string, string | null, string]> {
  return entry.effects.map((effect) => [effect.type, effect.blockId, toCanonical(effect.amount)]);
}
