import { SyncError } from './sync-errors.js';

/*
 * A list that does not advance (issue 10 §5): a provider answering every page with the same last object
 * (a starting_after it ignores, a next_cursor that points back) would be read forever. Each paged read
 * keeps the cursors it has asked with; asking with one again stops the sync with a clear error instead.
 * One set per list read: its size is the number of pages of that list in this run.
 */
export class CursorTrail {
  private readonly seen = new Set<string>();

  constructor(
    private readonly provider: string,
    private readonly list: string,
  ) {}

  /** Records the cursor the next page will be asked with; throws when this read asked with it before. */
  next(cursor: string): void {
    if (this.seen.has(cursor)) {
      throw new SyncError(
        'api',
        `${this.list}: ${this.provider} answered with the cursor ${cursor} again, so the list does not advance; ` +
          `the sync stops here rather than asking for the same page forever (${this.seen.size} pages were read)`,
      );
    }
    this.seen.add(cursor);
  }
}
