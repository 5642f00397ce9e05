export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

export const ZERO: Readonly<Counts>;
export function countsFromVitest(report: unknown): Counts;
export function countsFromPlaywright(report: unknown): Counts;
export function readReport(path: string): unknown | null;
export function skipReasonsFromPlaywright(report: unknown): { reason: string; count: number }[];
export function addCounts(a: Counts, b: Counts): Counts;
export function countsForStep(step: { exitCode: number; reported: Counts | null }): Counts;
export function summaryLine(counts: Counts): string;
