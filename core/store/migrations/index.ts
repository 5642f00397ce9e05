import { migration0001 } from './0001-initial.js';
import type { Migration } from './types.js';

export type { Migration } from './types.js';

/** Shipped migrations in order. Append only: never edit, reorder or remove a shipped one. */
export const MIGRATIONS: readonly Migration[] = [migration0001];
