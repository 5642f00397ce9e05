// The entries table's first paint is what the account screen is measured by (DESIGN §8:
// account_view_first_paint_ms). Later, heavier parts, such as the chart's code (about 390 KB, compiled
// while the table's rows are on their way), wait for it so as not to compete with it for the CPU; or for
// a short while at most, so that an empty or failing table holds nothing back.
export const ENTRIES_PAINTED_MARK = 'ledgerscope:entries-painted';

let resolvePainted: () => void = () => {};
const painted = new Promise<void>((resolve) => {
  resolvePainted = resolve;
});

/** Called once the frame showing the first rows has been painted. */
export function markEntriesPainted(): void {
  performance.mark(ENTRIES_PAINTED_MARK);
  resolvePainted();
}

/** Resolves when the entries table has painted (once per page), or after `maxWaitMs`. */
export function afterEntriesPainted(maxWaitMs: number): Promise<void> {
  return Promise.race([painted, new Promise<void>((resolve) => setTimeout(resolve, maxWaitMs))]);
}
