import type { ImportProblem, RecordOrigin } from './types.js';

/**
 * One line per problem, naming where, which field, what was expected and what was found:
 * `orders.jsonl:12: amount: expected …, found "12,50"`, `export.json#/data/3: entry_type: …`,
 * `pages.jsonl:4#/data/0: …` (a page on a JSON Lines line), `orders.csv: amount: …` (the whole file).
 */
export function formatProblem(p: ImportProblem): string {
  let where = p.file;
  if (p.line !== null) where += `:${p.line}`;
  if (p.pointer !== null) where += `#${p.pointer}`;
  return `${where}: ${p.field}: ${p.message}`;
}

/**
 * The record being read and the problems found so far. One per file, moved from record to record, so
 * the hot path allocates nothing for a good record's bookkeeping.
 */
export class RecordScope {
  line: number | null = null;
  pointer: string | null = null;
  /** True once the current record has a problem: it yields no entry. */
  failed = false;

  constructor(
    readonly file: string,
    readonly problems: ImportProblem[],
  ) {}

  moveTo(line: number | null, pointer: string | null): void {
    this.line = line;
    this.pointer = pointer;
    this.failed = false;
  }

  fail(field: string, message: string): void {
    this.failed = true;
    this.problems.push({ file: this.file, line: this.line, pointer: this.pointer, field, message });
  }

  origin(): RecordOrigin {
    return { file: this.file, line: this.line, pointer: this.pointer };
  }
}

/** Whole-file problem (no line, no pointer). */
export function fileProblem(file: string, message: string, line: number | null = null): ImportProblem {
  return { file, line, pointer: null, field: '-', message };
}
