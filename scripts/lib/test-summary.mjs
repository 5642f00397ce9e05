// Counts from vitest's and Playwright's JSON reports, and the one summary line CI reads.
import { existsSync, readFileSync } from 'node:fs';

/** @typedef {{ passed: number, failed: number, skipped: number }} Counts */

export const ZERO = Object.freeze({ passed: 0, failed: 0, skipped: 0 });

/** vitest `--reporter=json`: numPassedTests / numFailedTests / numPendingTests / numTodoTests. */
export function countsFromVitest(report) {
  return {
    passed: report.numPassedTests ?? 0,
    failed: report.numFailedTests ?? 0,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  };
}

/** Playwright json reporter: stats.expected / unexpected / flaky / skipped. */
export function countsFromPlaywright(report) {
  const stats = report.stats ?? {};
  return {
    passed: (stats.expected ?? 0) + (stats.flaky ?? 0),
    failed: stats.unexpected ?? 0,
    skipped: stats.skipped ?? 0,
  };
}

/** Distinct skip reasons in a Playwright json report, with how many tests each skipped. */
export function skipReasonsFromPlaywright(report) {
  const reasons = new Map();
  const visit = (suite) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        if (test.status !== 'skipped') continue;
        const reason = (test.annotations ?? []).find((note) => note.type === 'skip' && note.description)?.description ?? '(no reason given)';
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
    }
    for (const child of suite.suites ?? []) visit(child);
  };
  for (const suite of report.suites ?? []) visit(suite);
  return [...reasons].map(([reason, count]) => ({ reason, count }));
}

/** Reads a report; null when the tool wrote none (it crashed or never ran). */
export function readReport(path) {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

export function addCounts(a, b) {
  return { passed: a.passed + b.passed, failed: a.failed + b.failed, skipped: a.skipped + b.skipped };
}

/**
 * A step that failed without a failing test behind it (type errors, a build error, a runner that
 * crashed) counts as one failure, so the summary never reads "0 failed" on a red run.
 */
export function countsForStep({ exitCode, reported }) {
  const counts = reported ?? ZERO;
  if (exitCode !== 0 && counts.failed === 0) return { ...counts, failed: counts.failed + 1 };
  return counts;
}

export function summaryLine(counts) {
  return `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`;
}
