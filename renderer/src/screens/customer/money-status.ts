// What a Stripe row's status says, in words support reads, with a tone for its colour.
import type { MoneyStatusName } from '../../../../core/api/types';

export interface MoneyStatusLabel {
  text: string;
  tone: 'good' | 'warn' | 'bad' | 'neutral';
  /** Failed, processing and canceled payments: not money received. */
  notReceived: boolean;
}

export const MONEY_STATUS: Record<MoneyStatusName, MoneyStatusLabel> = {
  succeeded: { text: 'Succeeded', tone: 'good', notReceived: false },
  processing: { text: 'Processing · not received yet', tone: 'warn', notReceived: true },
  failed: { text: 'Failed · not received', tone: 'bad', notReceived: true },
  canceled: { text: 'Canceled · not received', tone: 'neutral', notReceived: true },
  refunded: { text: 'Refunded', tone: 'bad', notReceived: false },
  partially_refunded: { text: 'Partially refunded', tone: 'warn', notReceived: false },
  disputed_open: { text: 'Disputed: open', tone: 'warn', notReceived: false },
  disputed_won: { text: 'Disputed: won', tone: 'good', notReceived: false },
  disputed_lost: { text: 'Disputed: lost', tone: 'bad', notReceived: false },
  no_payment: { text: 'No money moved', tone: 'neutral', notReceived: true },
};

/** Labels that Stripe's own word explains further (why it failed, what an open dispute waits for). */
const EXPLAINED = new Set<MoneyStatusName>(['failed', 'processing', 'canceled', 'disputed_open']);

/** Stripe's own word, when it says more than the label ("requires_payment_method" → "requires payment method"). */
export function stripeWord(status: string, label: MoneyStatusName): string | null {
  const word = status.trim().toLowerCase().replace(/_/g, ' ');
  return EXPLAINED.has(label) && word !== label.replace(/_/g, ' ') ? word : null;
}
