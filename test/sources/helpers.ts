import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { toCanonical } from '../../core/money/decimal.js';
import { formatInstant } from '../../core/time/instant.js';
import type { LedgerEntry } from '../../core/ledger/types.js';
import { formatProblem } from '../../core/sources/problems.js';
import type { ParseResult } from '../../core/sources/types.js';

export function fixture(path: string): string {
  return readFileSync(fileURLToPath(new URL(`../fixtures/sources/${path}`, import.meta.url)), 'utf8');
}

/** The problems of a result, one formatted line each (what the CLI prints). */
export function problemLines(result: ParseResult): string[] {
  return result.problems.map(formatProblem);
}

/** An entry with amounts as canonical strings and instants as ISO text, for readable expectations. */
export function plain(entry: LedgerEntry): Record<string, unknown> {
  const instant = (value: number | null) => (value === null ? null : formatInstant(value));
  return {
    ...entry,
    amount: toCanonical(entry.amount),
    costBasis: entry.costBasis === null ? null : toCanonical(entry.costBasis),
    at: instant(entry.at),
    effectiveAt: instant(entry.effectiveAt),
    expiresAt: instant(entry.expiresAt),
    targetExpiresAt: instant(entry.targetExpiresAt),
    sourceExpiresAt: instant(entry.sourceExpiresAt),
  };
}

/** One JSON Lines file from records (objects are JSON.stringify'd, strings kept as written). */
export function jsonl(...lines: Array<string | object>): string {
  return lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n';
}
