import type Database from 'better-sqlite3';
import { forEachAccountEntries, moesifAdjustmentDecrements } from '../store/index.js';
import { postedHere, type LiabilityOptions, type LiabilityReport } from './liability.js';
import { LiabilityReportBuilder } from './liability-report.js';

/** The liability report over every account in a ledger database, streamed account by account. */
export function liabilityReportFromDb(db: Database.Database, options: LiabilityOptions): LiabilityReport {
  // Which Moesif decrements are corrections is in their raw records: read once, not per account.
  const moesifCorrections = moesifAdjustmentDecrements(db);
  const builder = new LiabilityReportBuilder({
    ...options,
    isCorrection: (entry) => postedHere(entry) || (entry.source === 'moesif' && moesifCorrections.has(entry.sourceId)),
  });
  forEachAccountEntries(db, (key, entries) => builder.add(key, entries));
  return builder.finish();
}
