/**
 * RFC 4180 CSV: fields holding a comma, a double quote, CR or LF are quoted and their quotes doubled;
 * records end with CRLF. null is the empty field.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRecord(fields: readonly (string | number | null)[]): string {
  return fields.map(csvField).join(',') + '\r\n';
}
