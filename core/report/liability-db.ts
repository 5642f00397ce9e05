import type Database from 'better-sqlite3';
import { forEachAccountEntries } from '../store/index.js';
import type { LiabilityOptions, LiabilityReport } from './liability.js';
import { LiabilityReportBuilder } from './liability-report.js';

/** The liability report over every account in a ledger database, streamed account by account. */
export function liabilityReportFromDb(db: Database.Database, options: LiabilityOptions): LiabilityReport {
  const builder = new LiabilityReportBuilder(options);
  forEachAccountEntries(db, (key, entries) => builder.add(key, entries));
  return builder.finish();
}
