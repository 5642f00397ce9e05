import { liabilityCsvHeader, liabilityTableRows, type LiabilityReportView } from './liability-view.js';
import { MOVEMENT_LINES } from './liability.js';
import { workbookBuffer, type SheetSpec } from './xlsx-write.js';

/*
 * The liability roll-forward as a workbook (`report liability --xlsx`): a Roll-forward sheet per unit and
 * line (opening, each movement, closing: credits, value at cost basis, entries) and an Accounts sheet with
 * the CSV's columns. Amounts are numbers.
 */

const TEXT_COLUMNS = new Set(['row_type', 'customer_id', 'subscription_id', 'unit']);

export function liabilitySheets(view: LiabilityReportView): SheetSpec[] {
  const rollForward: (string | number | null)[][] = [];
  for (const total of view.totals) {
    rollForward.push([total.unit, 'opening balance', total.opening_balance.credits, total.opening_balance.value, null]);
    for (const line of MOVEMENT_LINES) rollForward.push([total.unit, line, total[line].credits, total[line].value, total[line].entry_count]);
    rollForward.push([total.unit, 'closing balance', total.closing_balance.credits, total.closing_balance.value, null]);
  }
  return [
    {
      name: 'Roll-forward',
      columns: [{ header: 'unit' }, { header: 'line', width: 24 }, { header: 'credits', numeric: true }, { header: 'value', numeric: true }, { header: 'entries', numeric: true }],
      rows: rollForward,
    },
    { name: 'Accounts', columns: liabilityCsvHeader().map((header) => ({ header, numeric: !TEXT_COLUMNS.has(header) })), rows: liabilityTableRows(view) },
    {
      name: 'Period',
      columns: [{ header: 'field' }, { header: 'value', width: 30 }],
      rows: [['from', view.from], ['to', view.to], ['unit', view.unit ?? 'all']],
    },
  ];
}

export function liabilityXlsx(view: LiabilityReportView): Promise<Buffer> {
  return workbookBuffer(liabilitySheets(view));
}
