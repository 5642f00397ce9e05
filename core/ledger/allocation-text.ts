import { toCanonical } from '../money/decimal.js';
import type { AllocationWarning } from './types.js';

/**
 * L1b in words, for the import summary and the entry's evidence: which block the source named, why it
 * could not cover the amount, and where the rest went (the other blocks in deduction order, then the
 * deficit, as a void's excess goes). No rule codes: this is read by people.
 */
export function allocationWarningText(warning: AllocationWarning): string {
  const { entry, blockId } = warning;
  const amount = toCanonical(entry.amount);
  const named = `${entry.kind} ${entry.sourceId} of ${amount} names block ${blockId}`;
  const rest = 'drawn from the other blocks in deduction order, and what they could not cover became deficit';
  switch (warning.reason) {
    case 'unknown':
      return `${named}, which this account does not have at that time; the amount was ${rest}`;
    case 'pending':
      return `${named}, which is still awaiting payment; the amount was ${rest}`;
    case 'scheduled':
      return `${named}, which was not yet effective; the amount was ${rest}`;
    case 'expired':
      return `${named}, which had already expired; the amount was ${rest}`;
    case 'empty':
      return `${named}, which was already empty; the amount was ${rest}`;
    case 'expiry_differs': {
      const held = toCanonical(warning.covered);
      if (warning.covered.gt(entry.amount)) {
        return `expiry ${entry.sourceId} states that ${amount} of block ${blockId} expired, but the block held ${held}; the other ${toCanonical(warning.covered.minus(entry.amount))} expired with it`;
      }
      if (warning.covered.isZero()) return `expiry ${entry.sourceId} states that ${amount} of block ${blockId} expired, but the block was already empty; nothing expired`;
      return `expiry ${entry.sourceId} states that ${amount} of block ${blockId} expired, but the block held only ${held}; ${held} expired`;
    }
    case 'short': {
      const left = toCanonical(entry.amount.minus(warning.covered));
      return `${named}, which held only ${toCanonical(warning.covered)}; the other ${left} was ${rest}`;
    }
  }
}
