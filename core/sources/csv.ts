/**
 * RFC 4180 CSV reader that keeps, for every row, the physical line it starts on and its exact text:
 * problems name the line and the row's text is kept as evidence, which papaparse's row callbacks do
 * not give directly. Comma-separated, `"` quoting with `""` escapes, line breaks inside quotes,
 * LF or CRLF endings, a leading BOM ignored, blank lines skipped.
 */

export interface CsvRow {
  cells: string[];
  /** 1-based physical line the row starts on. */
  line: number;
  /** The row's text without its line ending (several lines if a quoted cell holds line breaks). */
  raw: string;
}

export interface CsvSyntaxError {
  line: number;
  message: string;
}

export interface CsvVisitor {
  /** Return false to stop reading. */
  row(row: CsvRow): boolean | void;
  error(error: CsvSyntaxError): void;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/** Visits each row in order. A malformed row is reported and skipped; an unterminated quote ends the file. */
export function readCsv(text: string, visitor: CsvVisitor): void {
  const length = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < length) {
    const rowStart = i;
    const rowLine = line;
    const cells: string[] = [];
    let malformed: string | null = null;
    let rowEnd = -1;
    for (;;) {
      // One cell per pass; i is at its first character.
      let cell: string;
      if (text.charCodeAt(i) === QUOTE) {
        let value = '';
        let from = i + 1;
        for (;;) {
          const close = text.indexOf('"', from);
          if (close === -1) {
            visitor.error({ line: rowLine, message: 'a quoted cell is never closed (missing ")' });
            return;
          }
          line += countLineFeeds(text, from, close);
          value += text.slice(from, close);
          if (text.charCodeAt(close + 1) === QUOTE) {
            value += '"';
            from = close + 2;
          } else {
            i = close + 1;
            break;
          }
        }
        cell = value;
        const next = text.charCodeAt(i);
        if (i < length && next !== COMMA && next !== LF && !(next === CR && text.charCodeAt(i + 1) === LF)) {
          malformed = 'unexpected text after a closing quote (a " inside a quoted cell must be doubled: "")';
          while (i < length && text.charCodeAt(i) !== LF) i++;
        }
      } else {
        const start = i;
        while (i < length) {
          const code = text.charCodeAt(i);
          if (code === COMMA || code === LF || (code === CR && text.charCodeAt(i + 1) === LF)) break;
          i++;
        }
        cell = text.slice(start, i);
      }
      cells.push(cell);
      if (i >= length) {
        rowEnd = length;
        break;
      }
      const code = text.charCodeAt(i);
      if (code === COMMA) {
        i++;
        continue;
      }
      if (code === CR) {
        rowEnd = i;
        i += 2;
      } else {
        rowEnd = i;
        i += 1;
      }
      line++;
      break;
    }
    const raw = text.slice(rowStart, rowEnd);
    if (malformed !== null) visitor.error({ line: rowLine, message: malformed });
    else if (!(cells.length === 1 && raw.trim() === '') && visitor.row({ cells, line: rowLine, raw }) === false) return;
  }
}

function countLineFeeds(text: string, from: number, to: number): number {
  let count = 0;
  for (let at = text.indexOf('\n', from); at !== -1 && at < to; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

/** The first row's cells (the header), or null if the text has none. */
export function readCsvHeader(text: string): string[] | null {
  const found: string[][] = [];
  let malformed = false;
  readCsv(text, {
    row(row) {
      if (!malformed) found.push(row.cells);
      return false;
    },
    error() {
      malformed = true;
    },
  });
  return found[0] ?? null;
}
