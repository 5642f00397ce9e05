import { describe, expect, it } from 'vitest';
import { readCsv, readCsvHeader, type CsvRow, type CsvSyntaxError } from '../../core/sources/csv.js';

function read(text: string): { rows: CsvRow[]; errors: CsvSyntaxError[] } {
  const rows: CsvRow[] = [];
  const errors: CsvSyntaxError[] = [];
  readCsv(text, { row: (row) => void rows.push(row), error: (error) => void errors.push(error) });
  return { rows, errors };
}

describe('CSV rows keep their physical line and text', () => {
  it('quoted cells hold commas, doubled quotes and line breaks; the row starts where it starts', () => {
    const { rows, errors } = read('a,b,c\r\n1,"x, ""y""",z\r\n2,"two\nlines",w\n3,,\n');
    expect(errors).toEqual([]);
    expect(rows.map((row) => [row.line, row.cells])).toEqual([
      [1, ['a', 'b', 'c']],
      [2, ['1', 'x, "y"', 'z']],
      [3, ['2', 'two\nlines', 'w']],
      [5, ['3', '', '']],
    ]);
    expect(rows[2]?.raw).toBe('2,"two\nlines",w');
  });

  it('a BOM is ignored and blank lines are skipped, without losing count of lines', () => {
    const { rows } = read('\ufeffa,b\n\n1,2\n   \n3,4');
    expect(rows.map((row) => [row.line, row.cells])).toEqual([[1, ['a', 'b']], [3, ['1', '2']], [5, ['3', '4']]]);
  });

  it('text after a closing quote is a malformed row, reported on its line; the next rows are still read', () => {
    const { rows, errors } = read('a,b\n"x"y,1\n2,3\n');
    expect(errors).toEqual([{ line: 2, message: 'unexpected text after a closing quote (a " inside a quoted cell must be doubled: "")' }]);
    expect(rows.map((row) => row.line)).toEqual([1, 3]);
  });

  it('a quote that never closes ends the file with an error on the line it opened', () => {
    expect(read('a,b\n1,"open\n2,3\n').errors).toEqual([{ line: 2, message: 'a quoted cell is never closed (missing ")' }]);
  });

  it('readCsvHeader returns the first row only', () => {
    expect(readCsvHeader('id,"Created date (UTC)",Amount\n1,2,3\n')).toEqual(['id', 'Created date (UTC)', 'Amount']);
    expect(readCsvHeader('')).toBeNull();
  });
});
