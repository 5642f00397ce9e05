import { useState } from 'react';
import type { CustomerMappingList, JournalAccounts, SettingsView } from '../../../../core/api/types';
import { call } from '../../api/client';
import { errorMessage, useLoad } from '../../api/hooks';
import { ErrorBanner } from '../../components/Feedback';
import { formatCountOf, formatInstant } from '../../format';

/*
 * Settings for the month-end close (issue 13): your name (recorded with every run, sign-off, re-open,
 * adjustment, reversal and push), the journal's account names, and the customer mapping (ledger customer
 * id ↔ Stripe customer id) that reconciliation and the customer timeline use: import a CSV, edit, remove.
 */

const JOURNAL_LABELS: Record<keyof JournalAccounts, string> = {
  cash: 'Cash',
  deferred_revenue: 'Deferred revenue',
  revenue: 'Revenue',
  breakage: 'Breakage',
};

export function OperatorSettings({ settings, onSaved }: { settings: SettingsView; onSaved(view: SettingsView): void }) {
  const [name, setName] = useState(settings.operator_name ?? '');
  const [accounts, setAccounts] = useState<JournalAccounts>(settings.journal_accounts);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <section className="panel" aria-labelledby="operator-title">
      <h3 id="operator-title">Month-end close</h3>
      <form
        className="settings-form"
        onSubmit={(event) => {
          event.preventDefault();
          setMessage(null);
          call('settings.set', { operator_name: name.trim() === '' ? null : name, journal_accounts: accounts }).then(
            (view) => {
              onSaved(view);
              setError(null);
              setMessage('Saved.');
            },
            (failure: unknown) => setError(errorMessage(failure)),
          );
        }}
      >
        <label className="field">
          <span>Your name</span>
          <input value={name} onChange={(event) => setName(event.target.value)} autoComplete="name" data-testid="operator-name" />
        </label>
        {(Object.keys(JOURNAL_LABELS) as (keyof JournalAccounts)[]).map((key) => (
          <label className="field" key={key}>
            <span>{JOURNAL_LABELS[key]} account</span>
            <input value={accounts[key]} onChange={(event) => setAccounts({ ...accounts, [key]: event.target.value })} data-testid={`journal-${key}`} />
          </label>
        ))}
        <button type="submit" data-testid="operator-save">
          Update name and accounts
        </button>
        {message !== null ? (
          <span role="status" className="notice">
            {message}
          </span>
        ) : null}
      </form>
      <ErrorBanner message={error} />
      <p className="hint small">
        Your name is recorded with every run, sign-off, re-open, adjustment, reversal and push; a run cannot be signed off without it. The account names
        head the deferred revenue and breakage journal (ledgerscope report journal).
      </p>
    </section>
  );
}

export function CustomerMappingSettings() {
  const [version, setVersion] = useState(0);
  const [stripeId, setStripeId] = useState('');
  const [ledgerId, setLedgerId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const loaded = useLoad(`mapping-${version}`, () => call('mapping.list', {}));
  const mappings = loaded.data?.mappings ?? [];
  const done = (): void => {
    setError(null);
    setVersion((v) => v + 1);
  };
  const failed = (failure: unknown): void => setError(errorMessage(failure));
  const apply = (request: Promise<CustomerMappingList>): void => void request.then(done, failed);
  return (
    <section className="panel" aria-labelledby="mapping-title" data-testid="mapping-panel">
      <h3 id="mapping-title">Customer mapping</h3>
      <p className="small">
        Links a ledger customer id to a Stripe customer id where they differ; reconciliation and the customer timeline use it. A CSV has two columns:
        ledger customer id, Stripe customer id (a header row is fine). An import is every row or none.
      </p>
      <label className="field">
        <span>Import a mapping CSV</span>
        <input
          type="file"
          accept=".csv,text/csv"
          data-testid="mapping-file"
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file === undefined) return;
            void file.text().then((text) => apply(call('mapping.import', { name: file.name, text })), failed);
            event.target.value = '';
          }}
        />
      </label>
      <form
        className="inline"
        onSubmit={(event) => {
          event.preventDefault();
          if (stripeId.trim() === '' || ledgerId.trim() === '') return;
          setStripeId('');
          setLedgerId('');
          apply(call('mapping.set', { stripe_customer_id: stripeId, ledger_customer_id: ledgerId }));
        }}
      >
        <label className="field">
          <span>Stripe customer id</span>
          <input value={stripeId} onChange={(event) => setStripeId(event.target.value)} data-testid="mapping-stripe" />
        </label>
        <label className="field">
          <span>Ledger customer id</span>
          <input value={ledgerId} onChange={(event) => setLedgerId(event.target.value)} data-testid="mapping-ledger" />
        </label>
        <button type="submit" className="secondary" disabled={stripeId.trim() === '' || ledgerId.trim() === ''} data-testid="mapping-add">
          Add or change
        </button>
      </form>
      <ErrorBanner message={error ?? loaded.error} />
      <p className="small muted" data-testid="mapping-count">
        {formatCountOf(mappings.length, 'mapping')}
      </p>
      {mappings.length === 0 ? null : (
        <table className="compact" data-testid="mapping-table">
          <thead>
            <tr>
              <th scope="col">Stripe customer</th>
              <th scope="col">Ledger customer</th>
              <th scope="col">From</th>
              <th scope="col">Since (UTC)</th>
              <th scope="col" aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {mappings.map((m) => (
              <tr key={m.stripe_customer_id}>
                <td className="mono">{m.stripe_customer_id}</td>
                <td className="mono">{m.ledger_customer_id}</td>
                <td>{m.origin}</td>
                <td>{formatInstant(m.created_at)}</td>
                <td>
                  <button
                    type="button"
                    className="secondary small"
                    aria-label={`Remove the mapping of ${m.stripe_customer_id}`}
                    onClick={() => apply(call('mapping.set', { stripe_customer_id: m.stripe_customer_id, ledger_customer_id: null }))}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
