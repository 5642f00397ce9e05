import { migration0001 } from './0001-initial.js';
import { migration0002 } from './0002-payments-sync.js';
import { migration0003 } from './0003-reconcile.js';
import { migration0004 } from './0004-replay-checkpoints.js';
import { migration0005 } from './0005-adjustment-copies.js';
import { migration0006 } from './0006-recent-entry-rows.js';
import { migration0007 } from './0007-scheduled-credit.js';
import { migration0008 } from './0008-account-summaries.js';
import { migration0009 } from './0009-month-end-close.js';
import { migration0010 } from './0010-stated-allocation.js';
import { migration0011 } from './0011-stated-expiry.js';
import { migration0012 } from './0012-account-states.js';
import { migration0013 } from './0013-payment-link-indexes.js';
import type { Migration } from './types.js';

export type { Migration } from './types.js';

/** Shipped migrations in order. Append only: never edit, reorder or remove a shipped one. */
export const MIGRATIONS: readonly Migration[] = [migration0001, migration0002, migration0003, migration0004, migration0005, migration0006, migration0007, migration0008, migration0009, migration0010, migration0011, migration0012, migration0013];
