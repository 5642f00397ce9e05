/** Plain-text table for terminal output; numeric-looking columns align right so digits line up. */
export function textTable(headers: string[], rows: (string | null)[][]): string {
  const cells = rows.map((row) => row.map((cell) => cell ?? '—'));
  const widths = headers.map((header, i) => Math.max(header.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const numeric = headers.map((_, i) => cells.length > 0 && cells.every((row) => /^-?[\d.]+$|^—$/.test(row[i] ?? '')));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}
