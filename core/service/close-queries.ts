import type { MethodInput } from '../api/contract.js';
import type { CustomerMappingList, PostedAdjustment, ReconcileRunHistory, ReconcileRunSummary, ReversalPreview } from '../api/types.js';
import { deleteCustomerMapping, findRun, upsertCustomerMappings, type LedgerDb } from '../store/index.js';
import type { Instant } from '../time/instant.js';
import { previewReversal, reverseAdjustment } from './adjustment-reversal.js';
import { asApiError, runSummary } from './reconcile-queries.js';
import { importCustomerMapping, listCustomerLinks, runSummaryView } from './reconcile-service.js';
import { reopenRun, reviewItem, runHistory, RunNotFound } from './run-close.js';

/*
 * The month-end close methods of the contract (issue 13) over core/service/run-close, adjustment-reversal
 * and the customer mapping. `operator` is the name set in Settings: who each action is recorded under.
 */

function summaryOf(db: LedgerDb, runId: string): ReconcileRunSummary {
  const run = findRun(db, runId);
  if (run === null) throw new RunNotFound(runId);
  return runSummary(runSummaryView(db, run));
}

export function reopen(db: LedgerDb, input: MethodInput<'reconcile.reopen'>, now: Instant, operator: string | null): ReconcileRunSummary {
  return asApiError(() => {
    reopenRun(db, input.run_id, { by: operator, reason: input.reason, now });
    return summaryOf(db, input.run_id);
  });
}

export function history(db: LedgerDb, input: MethodInput<'reconcile.history'>): ReconcileRunHistory {
  return asApiError(() => ({ run_id: input.run_id, events: runHistory(db, input.run_id) as ReconcileRunHistory['events'] }));
}

export function review(db: LedgerDb, input: MethodInput<'reconcile.review'>, now: Instant, operator: string | null): ReconcileRunSummary {
  return asApiError(() => {
    reviewItem(db, input.run_id, { itemId: input.item_id, decision: input.decision, by: operator, reason: input.reason ?? null, now });
    return summaryOf(db, input.run_id);
  });
}

export function reversePreview(db: LedgerDb, input: MethodInput<'adjustment.reversePreview'>, now: Instant): ReversalPreview {
  return asApiError(() => previewReversal(db, input.idempotency_key, now) as ReversalPreview);
}

export function reverse(db: LedgerDb, input: MethodInput<'adjustment.reverse'>, now: Instant, operator: string | null): PostedAdjustment {
  return asApiError(() => reverseAdjustment(db, input.idempotency_key, { now, by: operator, reason: input.reason }) as PostedAdjustment);
}

export function mappingList(db: LedgerDb | null): CustomerMappingList {
  return { mappings: db === null ? [] : listCustomerLinks(db) };
}

export function mappingImport(db: LedgerDb, input: MethodInput<'mapping.import'>, now: Instant): CustomerMappingList {
  return asApiError(() => {
    importCustomerMapping(db, { name: input.name, text: input.text }, now);
    return mappingList(db);
  });
}

export function mappingSet(db: LedgerDb, input: MethodInput<'mapping.set'>, now: Instant): CustomerMappingList {
  return asApiError(() => {
    db.transaction(() => {
      if (input.ledger_customer_id === null) deleteCustomerMapping(db, input.stripe_customer_id);
      else upsertCustomerMappings(db, [{ stripeCustomerId: input.stripe_customer_id, ledgerCustomerId: input.ledger_customer_id }], 'edited', now);
    }).immediate();
    return mappingList(db);
  });
}
