import type ExcelJSModule from 'exceljs';

/*
 * XLSX workbooks for the reports a finance team hands over (issue 13), written with exceljs: a well-kept
 * library that writes real Office Open XML (typed cells, number formats) and reads it back, so tests
 * check the numbers in the file itself. Decisions written down here:
 * - One sheet per section. A column marked numeric holds numbers, not text: the canonical decimal string
 *   becomes a spreadsheet number (an IEEE double, the only number a cell holds), shown with up to 12
 *   decimals by its format, so 12.5 reads 12.5 and sums in the sheet. The exact decimal string is what
 *   the CSV and JSON carry; amounts beyond 15 significant digits would round in a spreadsheet anyway.
 * - Text that starts with = + - @ stays text (a cell value is never a formula here).
 * - exceljs is loaded when a workbook is written, not when the CLI starts: it takes half a second to load,
 *   and every other command would pay for it.
 */

export interface SheetColumn {
  header: string;
  numeric?: boolean;
  width?: number;
}

export interface SheetSpec {
  name: string;
  columns: readonly SheetColumn[];
  rows: readonly (readonly (string | number | null)[])[];
}

const NUMBER_FORMAT = '#,##0.############';
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

function cellValue(value: string | number | null, numeric: boolean): string | number | null {
  if (value === null || value === '') return null;
  if (!numeric || typeof value === 'number') return value;
  // A decimal string from core: the number it names. Anything else (a label in a numeric column) stays text.
  return DECIMAL.test(value) ? Number(value) : value;
}

export async function workbookBuffer(sheets: readonly SheetSpec[]): Promise<Buffer> {
  const ExcelJS = ((await import('exceljs')) as unknown as { default: typeof ExcelJSModule }).default;
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Ledgerscope';
  for (const spec of sheets) {
    const sheet = workbook.addWorksheet(spec.name.slice(0, 31));
    sheet.columns = spec.columns.map((column) => ({ header: column.header, width: column.width ?? Math.max(12, Math.min(48, column.header.length + 4)) }));
    sheet.getRow(1).font = { bold: true };
    sheet.views = [{ state: 'frozen', ySplit: 1 }];
    for (const row of spec.rows) sheet.addRow(row.map((value, index) => cellValue(value, spec.columns[index]?.numeric === true)));
    spec.columns.forEach((column, index) => {
      if (column.numeric === true) sheet.getColumn(index + 1).numFmt = NUMBER_FORMAT;
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
