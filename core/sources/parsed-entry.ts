import type { LedgerEntry } from '../ledger/types.js';
import { entryFingerprint } from './fingerprint.js';
import type { ParsedEntry, RecordOrigin, StatedBalances } from './types.js';

/**
 * The parsers' ParsedEntry. The fingerprint is computed on first read and kept: an import reads it
 * only for the few entries whose source id it has seen before (L5), so building it for every record
 * would cost the hot path a string per entry (~10% of parse time, ~130 bytes of heap each) for
 * nothing. JSON.stringify includes it (toJSON); an object spread does not, so copy with `toJSON()`.
 */
export class ParsedRecord implements ParsedEntry {
  private fingerprintText: string | null = null;

  constructor(
    readonly entry: LedgerEntry,
    readonly origin: RecordOrigin,
    readonly raw: string,
    readonly metadata: Record<string, unknown> | null,
    readonly stated: StatedBalances | null,
    /** toCanonical of entry.amount and entry.costBasis, already at hand in the parser. */
    readonly amountCanonical: string,
    readonly costBasisCanonical: string | null,
    readonly externalCustomerId: string | null = null,
  ) {}

  get fingerprint(): string {
    if (this.fingerprintText === null) this.fingerprintText = entryFingerprint(this.entry, this.amountCanonical, this.costBasisCanonical);
    return this.fingerprintText;
  }

  toJSON(): ParsedEntry {
    return {
      entry: this.entry,
      origin: this.origin,
      raw: this.raw,
      metadata: this.metadata,
      fingerprint: this.fingerprint,
      stated: this.stated,
      externalCustomerId: this.externalCustomerId,
    };
  }
}
