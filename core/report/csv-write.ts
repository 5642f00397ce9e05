/**
 * The one CSV writer: every CSV the app writes (the liability report, the accounts/balances export) goes
 * through csvRecord.
 *
 * RFC 4180: fields holding a comma, a double quote, CR or LF are quoted and their quotes doubled; records
 * end with CRLF. null is the empty field.
 *
 * Formula injection (OWASP "CSV Injection", issue 10 item 6): a spreadsheet runs a cell that starts with
 * `=`, `+`, `-`, `@`, a tab, CR or LF as a formula, and ids, descriptions and metadata come from outside.
 * Such a cell is written with a leading single quote, and quoted, so it opens as the text it was
 * (`'=HYPERLINK(…)`, `'-cus_1`: still readable). A plain number (`-12.5`, the only kind of value that
 * starts with a minus in our own output) is left alone so that it stays a number.
 */

/** First characters a spreadsheet reads as the start of a formula. */
const FORMULA_START = /^[=+\-@\t\r\n]/;
/** A plain decimal number: left as it is, a minus sign included. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  if (FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) return `"'${text.replace(/"/g, '""')}"`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRecord(fields: readonly (string | number | null)[]): string {
  return fields.map(csvField).join(',') + '\r\n';
}
