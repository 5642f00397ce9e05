/**
 * A deterministic Moesif balance-transaction file in JSON Lines, for the import benchmark and tests.
 * Per account: a first paid credit, then a realistic mix — mostly debits (usage, a few pending), paid
 * credits with and without expiry, promotions, rare adjustments. Amounts have two decimals and are
 * JSON numbers as Moesif's API sends them; created_at increases from 2024-01-01T00:00:00.000Z.
 */

import { seededRandom } from '../synthetic/seeded-random.js';

export interface GenerateMoesifOptions {
  entries: number;
  accounts: number;
  seed: number;
}

/** Whole cents as a two-decimal literal, without going through a float: 12345 → "123.45". */
function centsLiteral(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const magnitude = Math.abs(cents);
  const fraction = magnitude % 100;
  return `${sign}${(magnitude - fraction) / 100}.${fraction < 10 ? '0' : ''}${fraction}`;
}

const CREDIT_PACKS_CENTS = [1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000];
const DAY_MS = 86_400_000;
const START_MS = Date.UTC(2024, 0, 1);

export function generateMoesifJsonl(options: GenerateMoesifOptions): string {
  const { entries, accounts, seed } = options;
  if (!Number.isSafeInteger(entries) || entries < 0) throw new Error(`entries must be a non-negative integer, found ${entries}`);
  if (!Number.isSafeInteger(accounts) || accounts < 1) throw new Error(`accounts must be a positive integer, found ${accounts}`);
  const random = seededRandom(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const seen = new Uint8Array(accounts);
  const lines: string[] = new Array<string>(entries);
  let now = START_MS;
  for (let i = 0; i < entries; i++) {
    now += 1 + pick(60_000); // strictly increasing, up to a minute apart
    const account = pick(accounts);
    const companyId = `cus_${(account + 1).toString(36).padStart(6, '0')}`;
    // One account in five has no subscription.
    const subscription = account % 5 === 4 ? '' : `"subscription_id":"sub_${(account + 1).toString(36).padStart(6, '0')}",`;
    const transactionId = `txn_${seed.toString(36)}_${i.toString(16).padStart(8, '0')}`;
    const createdAt = new Date(now).toISOString();
    const r = seen[account] === 0 ? 0 : random();
    seen[account] = 1;
    let body: string;
    if (r < 0.05) {
      // A paid credit; three in five expire, between 30 days and a year after purchase.
      const cents = CREDIT_PACKS_CENTS[pick(CREDIT_PACKS_CENTS.length)] as number;
      const expires = random() < 0.6 ? `,"active_at":"${createdAt}","expire_at":"${new Date(now + (30 + pick(335)) * DAY_MS).toISOString()}"` : '';
      body = `"type":"credit","amount":${centsLiteral(cents)},"description":"Prepaid credits purchase"${expires},"created_at":"${createdAt}","metadata":{"stripe_payment_intent":"pi_${seed.toString(36)}${i.toString(36)}"}`;
    } else if (r < 0.07) {
      // A promotion, usually expiring after 30 or 90 days.
      const cents = (1 + pick(20)) * 500;
      const expires = random() < 0.8 ? `,"expire_at":"${new Date(now + (random() < 0.5 ? 30 : 90) * DAY_MS).toISOString()}"` : '';
      body = `"type":"promotion","amount":${centsLiteral(cents)},"description":"Promotional credits"${expires},"created_at":"${createdAt}"`;
    } else if (r < 0.075) {
      const cents = (1 + pick(5_000)) * (random() < 0.5 ? 1 : -1);
      body = `"type":"adjustment","amount":${centsLiteral(cents)},"description":"Manual adjustment","created_at":"${createdAt}"`;
    } else {
      // Usage: small debits, mostly under $5; one in fifty still pending.
      const cents = random() < 0.9 ? 1 + pick(500) : 1 + pick(5_000);
      const pending = random() < 0.02 ? ',"status":"pending"' : '';
      body = `"type":"debit","amount":${centsLiteral(-cents)},"description":"API usage","created_at":"${createdAt}"${pending}`;
    }
    lines[i] = `{"company_id":"${companyId}",${subscription}"transaction_id":"${transactionId}",${body}}`;
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
