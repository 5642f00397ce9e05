import { readCsv } from '../sources/csv.js';
import type { CustomerMapping } from './types.js';

/*
 * The customer mapping a user imports (DESIGN §6): CSV rows `ledger customer id, Stripe customer id`.
 * A first row naming the columns is a header when its second cell is not a Stripe customer id
 * ("cus_..."); cells are trimmed; blank lines are skipped. Every problem names the file, line and cell.
 */

export class MappingCsvError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'MappingCsvError';
  }
}

const MAX_ID_LENGTH = 512;

export function parseCustomerMappingCsv(file: string, text: string): CustomerMapping[] {
  const problems: string[] = [];
  const mappings: CustomerMapping[] = [];
  const seen = new Map<string, number>();
  let first = true;
  readCsv(text, {
    row(row) {
      const cells = row.cells.map((cell) => cell.trim());
      const isHeader = first && cells.length >= 2 && !/^cus_/.test(cells[1]!) && /customer/i.test(cells.join(' '));
      first = false;
      if (isHeader) return;
      if (cells.every((cell) => cell === '')) return;
      if (cells.length !== 2) {
        problems.push(`${file}:${row.line}: -: expected 2 cells (ledger customer id, Stripe customer id), found ${cells.length}`);
        return;
      }
      const [ledgerCustomerId, stripeCustomerId] = cells as [string, string];
      if (ledgerCustomerId === '' || ledgerCustomerId.length > MAX_ID_LENGTH) {
        problems.push(`${file}:${row.line}: ledger customer id: expected an id of 1 to ${MAX_ID_LENGTH} characters, found ${JSON.stringify(ledgerCustomerId)}`);
      }
      if (stripeCustomerId === '' || stripeCustomerId.length > MAX_ID_LENGTH) {
        problems.push(`${file}:${row.line}: Stripe customer id: expected an id like "cus_123", found ${JSON.stringify(stripeCustomerId)}`);
      }
      const earlier = seen.get(stripeCustomerId);
      if (earlier !== undefined) {
        problems.push(`${file}:${row.line}: Stripe customer id: ${stripeCustomerId} is already mapped on line ${earlier} (one ledger customer per Stripe customer)`);
      }
      seen.set(stripeCustomerId, row.line);
      mappings.push({ ledgerCustomerId, stripeCustomerId });
    },
    error(error) {
      problems.push(`${file}:${error.line}: -: ${error.message}`);
    },
  });
  if (problems.length > 0) throw new MappingCsvError(problems);
  if (mappings.length === 0) throw new MappingCsvError([`${file}: -: no mapping rows (expected: ledger customer id, Stripe customer id)`]);
  return mappings;
}
