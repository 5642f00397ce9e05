import { describe, expect, it } from 'vitest';
import { addCounts, countsForStep, countsFromPlaywright, countsFromVitest, summaryLine } from '../../scripts/lib/test-summary.mjs';

describe('npm test summary line', () => {
  it('adds vitest and Playwright counts', () => {
    const unit = countsFromVitest({ numPassedTests: 40, numFailedTests: 1, numPendingTests: 2, numTodoTests: 1 });
    const e2e = countsFromPlaywright({ stats: { expected: 2, unexpected: 0, flaky: 1, skipped: 4 } });
    expect(summaryLine(addCounts(unit, e2e))).toBe('43 passed, 1 failed, 7 skipped');
  });

  it('counts a failed step without failing tests (type errors, crashed runner) as one failure', () => {
    expect(countsForStep({ exitCode: 2, reported: null })).toEqual({ passed: 0, failed: 1, skipped: 0 });
    expect(countsForStep({ exitCode: 1, reported: { passed: 5, failed: 0, skipped: 0 } })).toEqual({ passed: 5, failed: 1, skipped: 0 });
    expect(countsForStep({ exitCode: 1, reported: { passed: 5, failed: 2, skipped: 0 } })).toEqual({ passed: 5, failed: 2, skipped: 0 });
    expect(countsForStep({ exitCode: 0, reported: null })).toEqual({ passed: 0, failed: 0, skipped: 0 });
  });
});

describe('npm test skip reasons', () => {
  it('lists each Playwright skip reason once with its count', async () => {
    const { skipReasonsFromPlaywright } = await import('../../scripts/lib/test-summary.mjs');
    const skipped = (reason: string) => ({ status: 'skipped', annotations: [{ type: 'skip', description: reason }] });
    const report = {
      suites: [
        { specs: [{ tests: [skipped('Electron binary not installed (x)')] }, { tests: [{ status: 'expected', annotations: [] }] }] },
        { suites: [{ specs: [{ tests: [skipped('Electron binary not installed (x)')] }] }] },
      ],
    };
    expect(skipReasonsFromPlaywright(report)).toEqual([{ reason: 'Electron binary not installed (x)', count: 2 }]);
  });
});
