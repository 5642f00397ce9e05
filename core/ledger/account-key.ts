import type { AccountKey } from './types.js';

/** Stable string form of an account key, for maps and SQL: customer, subscription, unit joined by U+001F. */
export function accountKeyString(key: AccountKey): string {
  return `${key.customerId}\u001f${key.subscriptionId ?? ''}\u001f${key.unit}`;
}

export function compareAccountKeys(a: AccountKey, b: AccountKey): number {
  return (
    compareText(a.customerId, b.customerId) ||
    compareText(a.subscriptionId ?? '', b.subscriptionId ?? '') ||
    compareText(a.unit, b.unit)
  );
}

/** Code-unit order: deterministic across locales (I3). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
