/** "1 entry", "3 entries", "0 accounts": a count with its noun in the right number, for the CLI's sentences. */
export function counted(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
