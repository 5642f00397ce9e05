import { useState } from 'react';
import type { ReconcileEntry, ReconcileItemRow, ReconcilePayment } from '../../../../core/api/types';
import { call } from '../../api/client';
import { errorMessage } from '../../api/hooks';
import { Amount } from '../../components/Amount';
import { ErrorBanner } from '../../components/Feedback';
import { formatAmount, formatCategory, formatInstant, formatKind, negateAmount } from '../../format';

/** A difference with its evidence side by side: Stripe's objects, the ledger's entries, and the proposed entry. */

function PaymentsSide({ payments }: { payments: ReconcilePayment[] }) {
  if (payments.length === 0) return <p className="muted small side-empty">No Stripe payment</p>;
  return (
    <table className="compact">
      <thead>
        <tr>
          <th scope="col">Stripe id</th>
          <th scope="col">Kind</th>
          <th scope="col" className="right">
            Amount
          </th>
          <th scope="col">Date (UTC)</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {payments.map((payment) => (
          <tr key={payment.id}>
            <td>
              <code>{payment.id}</code>
            </td>
            {payment.found ? (
              <>
                <td>{formatKind(payment.kind ?? '')}</td>
                <td className="right">
                  {payment.amount === null || payment.currency === null ? (
                    '—'
                  ) : (
                    // Refunds and disputes take money back: shown negative.
                    <Amount value={payment.kind === 'refund' || payment.kind === 'dispute' ? negateAmount(payment.amount) : payment.amount} unit={payment.currency} />
                  )}
                </td>
                <td>{formatInstant(payment.at).replace(' UTC', '')}</td>
                <td>{payment.status}</td>
              </>
            ) : (
              <td colSpan={4} className="muted">
                not stored in this database
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** How an entry moves the balance: increments and amendments add, the others take away. */
function signedAmount(entry: ReconcileEntry): string {
  if (entry.amount === null) return '0';
  return entry.kind === 'increment' || entry.kind === 'amendment' ? entry.amount : negateAmount(entry.amount);
}

function EntriesSide({ entries }: { entries: ReconcileEntry[] }) {
  if (entries.length === 0) return <p className="muted small side-empty">No ledger entry</p>;
  return (
    <table className="compact">
      <thead>
        <tr>
          <th scope="col">Entry id</th>
          <th scope="col">Kind</th>
          <th scope="col" className="right">
            Amount
          </th>
          <th scope="col">Date (UTC)</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr key={entry.id}>
            <td>
              <code>{entry.id}</code>
              {entry.source === null ? null : <span className="muted small"> {entry.source}</span>}
            </td>
            {entry.found ? (
              <>
                <td>
                  {formatKind(entry.kind ?? '')}
                  {entry.cost_basis === null ? null : <span className="muted small"> · cost basis {entry.cost_basis}</span>}
                </td>
                <td className="right">
                  <Amount value={signedAmount(entry)} unit={entry.unit} signed />
                </td>
                <td>{formatInstant(entry.at).replace(' UTC', '')}</td>
                <td>{entry.status}</td>
              </>
            ) : (
              <td colSpan={4} className="muted">
                not in this account
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ProposalSide({ item }: { item: ReconcileItemRow }) {
  if (item.settled) return <p className="settled-note">Settled by posted adjustments</p>;
  if (item.posted !== null) {
    return (
      <p className="settled-note" data-testid="item-posted">
        Adjustment <code>{item.posted.idempotency_key}</code> posted {formatInstant(item.posted.posted_at)}: run again to see it settled.
      </p>
    );
  }
  const proposal = item.proposal;
  if (proposal === null) return <p className="muted small">{item.open ? 'No balancing entry proposed' : 'Stripe and the ledger agree: nothing to balance'}</p>;
  const adds = proposal.kind === 'increment' || proposal.kind === 'amendment';
  return (
    <p className="proposal-line">
      <span className="muted small">Proposed: </span>
      {proposal.provider === 'moesif' ? `Moesif ${proposal.moesif_type ?? 'adjustment'}` : `Orb ${proposal.kind}`}{' '}
      <Amount value={adds ? proposal.amount : negateAmount(proposal.amount)} unit={proposal.unit} signed />
      {proposal.block_id === null ? null : (
        <span className="muted small">
          {' '}
          on block <code>{proposal.block_id}</code>
        </span>
      )}
    </p>
  );
}

/** Fuzzy and grouped matches: accept, or reject (the match is then an open difference again). */
function MatchReview({ item, runId, onReviewed }: { item: ReconcileItemRow; runId: string; onReviewed(): void }) {
  const [error, setError] = useState<string | null>(null);
  const decide = (decision: 'accepted' | 'rejected'): void => {
    call('reconcile.review', { run_id: runId, item_id: item.item_id, decision }).then(
      () => {
        setError(null);
        onReviewed();
      },
      (failure: unknown) => setError(errorMessage(failure)),
    );
  };
  return (
    <span className="match-review" data-testid="match-review">
      {item.review === null ? (
        <span className="muted small">Not reviewed</span>
      ) : (
        <span className="small" data-testid="review-decision">
          {item.review.decision === 'accepted' ? 'Accepted' : 'Rejected'}
          {item.review.by === null ? '' : ` by ${item.review.by}`}
          {item.review.reason === null ? null : <span className="muted" data-testid="review-reason">{` (${item.review.reason})`}</span>}
        </span>
      )}{' '}
      <button type="button" className="secondary small" onClick={() => decide('accepted')} disabled={item.review?.decision === 'accepted'} data-testid="review-accept">
        Accept match
      </button>{' '}
      <button type="button" className="secondary small" onClick={() => decide('rejected')} disabled={item.review?.decision === 'rejected'} data-testid="review-reject">
        Reject match
      </button>
      <ErrorBanner message={error} />
    </span>
  );
}

export function ItemCard({ item, onOpen, runId, onReviewed }: { item: ReconcileItemRow; onOpen(item: ReconcileItemRow): void; runId?: string; onReviewed?(): void }) {
  const openable = item.open && item.proposal !== null;
  const state = item.open ? 'open' : item.settled || item.posted !== null ? 'settled' : 'agreed';
  return (
    <article
      className={`item-card ${state}`}
      tabIndex={0}
      aria-label={`${formatCategory(item.category)}: ${item.customer_id ?? 'no customer'} ${item.unit}, difference ${formatAmount(item.difference, item.unit)}${openable ? '; Enter reviews the adjustment' : ''}`}
      data-testid="reconcile-item"
      data-item-id={item.item_id}
      data-state={state}
      onKeyDown={(event) => {
        if (event.key === 'Enter' && event.target === event.currentTarget && openable) {
          event.preventDefault();
          onOpen(item);
        }
      }}
    >
      <header className="item-head">
        <span className="item-account">
          <strong>{item.customer_id ?? <span className="muted">no customer</span>}</strong>
          <span className="muted"> · {item.subscription_id ?? 'no subscription'} · {item.unit}</span>
        </span>
        <span className="item-figures">
          <span className="muted small">paid</span> <Amount value={item.expected} unit={item.unit} /> <span className="muted small">credited</span>{' '}
          <Amount value={item.actual} unit={item.unit} /> <span className="muted small">difference</span>{' '}
          <strong data-testid="item-difference">
            <Amount value={item.difference} unit={item.unit} signed />
          </strong>
        </span>
        {state === 'settled' ? <span className="badge status-active">settled</span> : null}
      </header>
      <p className="item-note small">{item.note}</p>
      <div className="sides">
        <section aria-label="Stripe">
          <h4>Stripe</h4>
          <PaymentsSide payments={item.payments} />
        </section>
        <section aria-label="Ledger">
          <h4>Ledger</h4>
          <EntriesSide entries={item.entries} />
        </section>
      </div>
      <footer className="item-foot">
        <ProposalSide item={item} />
        {(item.category === 'matched_fuzzy' || item.category === 'matched_grouped') && runId !== undefined ? (
          <MatchReview item={item} runId={runId} onReviewed={onReviewed ?? (() => {})} />
        ) : null}
        {openable ? (
          <button type="button" onClick={() => onOpen(item)} data-testid="item-review">
            Review adjustment…
          </button>
        ) : null}
      </footer>
    </article>
  );
}
