import { useEffect, useRef } from 'react';
import type { CustomerMoneyItem, MoneyReconciliation } from '../../../../core/api/types';
import { call } from '../../api/client';
import { useLoad } from '../../api/hooks';
import { Amount } from '../../components/Amount';
import { ErrorBanner, Loading } from '../../components/Feedback';
import { formatInstant, formatKind } from '../../format';
import { routeHref } from '../../state/route';
import { MONEY_STATUS } from './money-status';

/** What reconciliation says, as a link to the item in its run. */
export function ReconciliationLink({ value }: { value: MoneyReconciliation | null }) {
  if (value === null) return <span className="muted">no reconciliation run yet</span>;
  const difference = !['matched', 'matched_grouped', 'pending'].includes(value.category);
  return (
    <a
      href={routeHref({ screen: 'reconciliation', runId: value.run_id, itemId: value.item_id })}
      className={difference && !value.settled ? 'negative-text' : undefined}
      title={`${value.summary} (run ${value.run_id}, item ${value.item_id})`}
      data-testid="reconciliation-link"
    >
      {value.summary}
    </a>
  );
}

/**
 * A payment, refund or dispute opened from the timeline: the Stripe objects behind it exactly as they were
 * read (not re-formatted: amounts keep every digit), its customer, and what reconciliation says.
 */
export function PaymentEvidencePanel({ item, onClose }: { item: CustomerMoneyItem; onClose(): void }) {
  // A refund known only from its payment's refunded amount has no object of its own: show the payment's.
  const id = item.id.split('#')[0]!;
  const evidence = useLoad(id, () => call('payments.evidence', { id }));
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), [item]);
  const label = MONEY_STATUS[item.money_status];
  return (
    <aside
      className="evidence payment-evidence"
      aria-labelledby="payment-evidence-title"
      data-testid="payment-evidence"
      onKeyDown={(event) => {
        if (event.key === 'Escape') onClose();
      }}
    >
      <div className="evidence-head">
        <h4 id="payment-evidence-title">
          {formatKind(item.type)} {item.id}
        </h4>
        <button ref={close} type="button" className="secondary" onClick={onClose}>
          Close (Esc)
        </button>
      </div>
      <p className="small">
        <span className={`badge money-${label.tone}`}>{label.text}</span> <Amount value={item.signed_amount} unit={item.currency} signed /> ·{' '}
        {formatInstant(item.at)}
      </p>
      <p className="small">
        Reconciliation: <ReconciliationLink value={item.reconciliation} />
      </p>
      {item.id !== id ? <p className="small muted">Known only from the payment’s refunded amount (a dashboard export has no refund objects); the payment’s objects follow.</p> : null}
      {evidence.error !== null ? (
        <ErrorBanner message={evidence.error} />
      ) : evidence.data === null ? (
        <Loading label="Loading the Stripe objects" />
      ) : (
        <>
          {evidence.data.objects.map((object) => (
            <section key={object.id} className="evidence-object" aria-label={`${object.kind} ${object.id}`}>
              <h5>
                {formatKind(object.kind)} {object.id} <span className="muted small">status {object.status.replace(/_/g, ' ')}</span>
              </h5>
              <p className="small muted">
                {object.file}
                {object.line === null ? '' : `, line ${object.line}`}
                {object.pointer === null ? '' : `, ${object.pointer}`} · version {object.version} · recorded {formatInstant(object.recorded_at)}
              </p>
              <pre className="raw" data-testid="payment-evidence-raw">
                {object.raw}
              </pre>
            </section>
          ))}
          {evidence.data.customer === null ? null : (
            <details className="evidence-object">
              <summary>Stripe customer {evidence.data.customer.id}</summary>
              <pre className="raw">{evidence.data.customer.raw}</pre>
            </details>
          )}
        </>
      )}
    </aside>
  );
}
