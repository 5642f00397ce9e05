export * from './liability.js';
export * from './liability-report.js';
export * from './liability-view.js';
export { liabilityReportFromDb } from './liability-db.js';
export { csvField, csvRecord } from './csv-write.js';
