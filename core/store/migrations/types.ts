/** One append-only schema step: `id` is its file name, applied once, in the order of MIGRATIONS. */
export interface Migration {
  id: string;
  sql: string;
}
