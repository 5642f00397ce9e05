import { ApiError } from '../api/errors.js';
import type { PaymentEvidence, PaymentEvidenceObject } from '../api/types.js';
import { toCanonical } from '../money/decimal.js';
import { collectStripeMoney, reversalOfRef } from '../reconcile/payments.js';
import {
  latestCompleteRunId,
  listPayments,
  listSourceObjects,
  loadPayment,
  paymentsNamingId,
  runItemsNamingPayments,
  type LedgerDb,
} from '../store/index.js';
import { formatInstant } from '../time/instant.js';
import { itemForRow, paymentMoneyStatus, reconciliationView, reversalMoneyStatus } from './customer-money.js';

/*
 * A payment, refund or dispute as support opens it from the timeline: every stored Stripe object behind
 * it, raw as read (DESIGN §5 evidence), its status in words, and what the latest reconciliation run says.
 */

function evidenceObject(db: LedgerDb, id: string): PaymentEvidenceObject | null {
  const stored = loadPayment(db, id);
  if (stored === null) return null;
  return {
    id,
    kind: stored.record.kind,
    status: stored.record.status,
    raw: stored.raw,
    file: stored.origin.file,
    line: stored.origin.line,
    pointer: stored.origin.pointer,
    version: stored.version,
    recorded_at: formatInstant(stored.recordedAt),
  };
}

export function paymentEvidence(db: LedgerDb, id: string): PaymentEvidence {
  const named = paymentsNamingId(db, id);
  if (named.length === 0) throw new ApiError('not_found', `no Stripe payment, refund or dispute ${JSON.stringify(id)} in this database`);
  // The customer's records (or, without a customer, those linked by id) are enough to group it as reconciliation does.
  const stripeCustomerId = named.find((record) => record.customerId !== null)?.customerId ?? null;
  const records = stripeCustomerId === null ? named : listPayments(db, { customerId: stripeCustomerId });
  for (const record of named) if (!records.some((other) => other.sourceId === record.sourceId)) records.push(record);
  // Refunds and disputes often name only the charge or intent, and no customer.
  const linkIds = records.flatMap((record) => [record.sourceId, record.paymentIntentId, record.chargeId].filter((value): value is string => value !== null));
  for (const linkId of new Set(linkIds)) {
    for (const record of paymentsNamingId(db, linkId)) if (!records.some((other) => other.sourceId === record.sourceId)) records.push(record);
  }
  const money = collectStripeMoney(records, Number.POSITIVE_INFINITY);
  const ref = money.byId.get(id);
  if (ref === undefined) throw new ApiError('not_found', `no Stripe payment, refund or dispute ${JSON.stringify(id)} in this database`);

  const runId = latestCompleteRunId(db);
  let result: Omit<PaymentEvidence, 'reconciliation' | 'customer'> & { ownId: string; objectIds: string[] };
  if (ref >= 0) {
    const group = money.groups[ref]!;
    const reversals = money.reversals.filter((reversal) => reversal.group === group.index && reversal.record !== null);
    const objectIds = group.records.map((record) => record.sourceId);
    result = {
      id: group.rep.sourceId,
      ownId: group.rep.sourceId,
      objectIds,
      kind: 'payment',
      currency: group.currency,
      amount: toCanonical(group.amount),
      money_status: paymentMoneyStatus(group, money.reversals),
      objects: [...objectIds, ...reversals.map((reversal) => reversal.id)].flatMap((objectId) => evidenceObject(db, objectId) ?? []),
    };
  } else {
    const reversal = money.reversals[reversalOfRef(ref)]!;
    const payment = reversal.group >= 0 ? money.groups[reversal.group]! : null;
    result = {
      id: reversal.id,
      ownId: reversal.id,
      objectIds: [reversal.id],
      kind: reversal.kind,
      currency: reversal.currency,
      amount: toCanonical(reversal.amount),
      money_status: reversalMoneyStatus(reversal),
      // The refund or dispute first, then the payment it takes money back from.
      objects: [reversal.id, ...(payment?.records.map((record) => record.sourceId) ?? [])].flatMap((objectId) => evidenceObject(db, objectId) ?? []),
    };
  }
  const items = runId === null ? [] : runItemsNamingPayments(db, runId, result.objectIds);
  const item = itemForRow(result.kind, result.ownId, result.objectIds, items);
  const customerObject = stripeCustomerId === null ? undefined : listSourceObjects(db, 'stripe', 'customer', stripeCustomerId)[0];
  const { ownId: _ownId, objectIds: _objectIds, ...view } = result;
  return {
    ...view,
    customer: customerObject === undefined ? null : { id: customerObject.objectId, raw: customerObject.raw },
    reconciliation: item === null ? null : reconciliationView(item),
  };
}
