import { EmptyState } from '../components/Feedback';

/** A slot for the reconciliation runs and the adjustment dialog: they arrive with the reconcile engine (issue 4). */
export function ReconciliationScreen() {
  return (
    <section className="screen" aria-labelledby="reconciliation-title">
      <div className="screen-head">
        <h2 id="reconciliation-title">Reconciliation</h2>
      </div>
      <EmptyState title="Not available in this version yet">
        <p>
          Reconciliation runs (payments against ledger credits, differences by category, proposed balancing entries) and the adjustment dialog
          arrive with the reconciliation engine. Meanwhile, Accounts and the customer timeline show every balance at any instant, and Settings
          holds the matching window and tolerances they will use.
        </p>
      </EmptyState>
    </section>
  );
}
