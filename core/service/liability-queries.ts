import type { MethodInput } from '../api/contract.js';
import { ApiError } from '../api/errors.js';
import { LedgerRuleError } from '../ledger/types.js';
import { normalizeUnit } from '../money/units.js';
import {
  journalCsv,
  journalLines,
  liabilityReportCsv,
  liabilityReportFromDb,
  liabilityReportView,
  type JournalAccountNames,
  type LiabilityReportView,
} from '../report/index.js';
import type { LedgerDb } from '../store/index.js';
import { InstantParseError, parseInstant } from '../time/instant.js';

/*
 * The Credit liability screen's reads (issue 13): the same roll-forward as `report liability`, and its
 * CSV and the journal as files. Errors name the field.
 */

function period(input: { from: string; to: string; unit?: string | undefined }): { from: number; to: number; unit: string | undefined } {
  let from: number;
  let to: number;
  try {
    from = parseInstant(input.from);
  } catch (error) {
    if (error instanceof InstantParseError) throw new ApiError('invalid_input', `from: ${error.message}`);
    throw error;
  }
  try {
    to = parseInstant(input.to);
  } catch (error) {
    if (error instanceof InstantParseError) throw new ApiError('invalid_input', `to: ${error.message}`);
    throw error;
  }
  if (!(from < to)) throw new ApiError('invalid_input', `to: must be after from (the period is [from, to)), found ${input.from} .. ${input.to}`);
  return { from, to, unit: input.unit === undefined ? undefined : normalizeUnit(input.unit) };
}

export function liabilityView(db: LedgerDb, input: MethodInput<'report.liability'>): LiabilityReportView {
  try {
    return liabilityReportView(liabilityReportFromDb(db, period(input)));
  } catch (error) {
    if (error instanceof LedgerRuleError) throw new ApiError('conflict', `customer ${error.entry.customerId}: entry ${error.entry.sourceId} breaks ${error.rule}: ${error.message}`);
    throw error;
  }
}

export function liabilityExport(db: LedgerDb, input: MethodInput<'report.liabilityExport'>, accounts: JournalAccountNames, databaseName: string): { file_name: string; text: string } {
  const view = liabilityView(db, { from: input.from, to: input.to, ...(input.unit === undefined ? {} : { unit: input.unit }) });
  const stamp = (text: string): string => text.slice(0, 10);
  const base = `${databaseName.replace(/\.[^.]*$/, '')}-${input.what}-${stamp(view.from)}-${stamp(view.to)}`;
  return { file_name: `${base}.csv`, text: input.what === 'journal' ? journalCsv(journalLines(view, accounts)) : liabilityReportCsv(view) };
}
