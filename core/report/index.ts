export * from './liability.js';
export * from './liability-report.js';
export * from './liability-view.js';
export { liabilityReportFromDb } from './liability-db.js';
export { csvField, csvRecord } from './csv-write.js';
export { journalCsv, journalLines, JOURNAL_COLUMNS, type JournalAccountNames, type JournalLine } from './journal.js';
export { workbookBuffer, type SheetColumn, type SheetSpec } from './xlsx-write.js';
export { liabilitySheets, liabilityXlsx } from './liability-xlsx.js';
