import { useEffect, useState } from 'react';
import type { KeyProvider, KeyStatus, SettingsView } from '../../../core/api/types';
import { call } from '../api/client';
import { errorMessage, useLoad } from '../api/hooks';
import { CustomerMappingSettings, OperatorSettings } from './settings/CloseSettings';
import { ErrorBanner, Loading } from '../components/Feedback';

const PROVIDER_LABEL: Record<KeyProvider, string> = {
  stripe: 'Stripe (restricted, read-only key)',
  orb: 'Orb API key',
  moesif: 'Moesif management token',
};

const STORED_IN: Record<NonNullable<KeyStatus['stored_in']>, string> = {
  environment: 'from the environment',
  safe_storage: 'in the system keychain',
  session: 'for this session only',
  basic_text: 'saved without a keyring',
};

function KeyRow({ settings, provider, saveWithoutKeyring, onSaved }: { settings: SettingsView; provider: KeyProvider; saveWithoutKeyring: boolean; onSaved(view: SettingsView): void }) {
  const status = settings.keys.find((key) => key.provider === provider);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const save = (value: string | null): void => {
    call('settings.set', { keys: { [provider]: value }, ...(saveWithoutKeyring ? { save_keys_without_keyring: true } : {}) }).then(
      (view) => {
        setDraft('');
        setError(null);
        onSaved(view);
      },
      (failure: unknown) => setError(errorMessage(failure)),
    );
  };
  return (
    <tr>
      <th scope="row">{PROVIDER_LABEL[provider]}</th>
      <td data-testid={`key-${provider}`}>
        {status?.configured ? (
          <>
            <code>{status.masked}</code> <span className="muted small">({status.stored_in === null ? 'not set' : STORED_IN[status.stored_in]})</span>
          </>
        ) : (
          <span className="muted">not set</span>
        )}
      </td>
      <td>
        {settings.keys_editable ? (
          <form
            className="inline"
            onSubmit={(event) => {
              event.preventDefault();
              if (draft.trim() !== '') save(draft.trim());
            }}
          >
            <input type="password" value={draft} onChange={(event) => setDraft(event.target.value)} aria-label={`New ${PROVIDER_LABEL[provider]}`} autoComplete="off" />
            <button type="submit" disabled={draft.trim() === ''}>
              Save
            </button>
            {status?.configured ? (
              <button type="button" className="secondary" onClick={() => save(null)}>
                Remove
              </button>
            ) : null}
          </form>
        ) : (
          <span className="small">
            Set <code>{settings.key_environment[provider]}</code> before <code>ledgerscope serve</code>
          </span>
        )}
        <ErrorBanner message={error} />
      </td>
    </tr>
  );
}

export function SettingsScreen() {
  const loaded = useLoad('settings', () => call('settings.get', {}));
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [windowDays, setWindowDays] = useState('');
  const [tolerance, setTolerance] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saveWithoutKeyring, setSaveWithoutKeyring] = useState(false);
  useEffect(() => {
    if (loaded.data !== null) setSettings(loaded.data);
  }, [loaded.data]);
  useEffect(() => {
    if (settings !== null) {
      setWindowDays(String(settings.reconciliation.date_window_days));
      setTolerance(settings.reconciliation.amount_tolerance);
    }
  }, [settings]);

  if (loaded.error !== null) return <ErrorBanner message={loaded.error} />;
  if (settings === null) return <Loading label="Loading settings" />;

  const saveReconciliation = (): void => {
    setMessage(null);
    if (!/^\d{1,2}$/.test(windowDays)) return setError('The window is a whole number of days from 0 to 90.');
    if (!/^\d+(\.\d+)?$/.test(tolerance)) return setError('The tolerance is an amount like 0 or 0.01 (no separators).');
    call('settings.set', { reconciliation: { date_window_days: Number(windowDays), amount_tolerance: tolerance } }).then(
      (view) => {
        setSettings(view);
        setError(null);
        setMessage('Saved.');
      },
      (failure: unknown) => setError(errorMessage(failure)),
    );
  };

  return (
    <section className="screen" aria-labelledby="settings-title">
      <div className="screen-head">
        <h2 id="settings-title">Settings</h2>
      </div>
      <section className="panel" aria-labelledby="reconciliation-settings">
        <h3 id="reconciliation-settings">Reconciliation</h3>
        <form
          className="settings-form"
          onSubmit={(event) => {
            event.preventDefault();
            saveReconciliation();
          }}
        >
          <label className="field">
            <span>Date window (± days)</span>
            <input type="number" min={0} max={90} value={windowDays} onChange={(event) => setWindowDays(event.target.value)} data-testid="window-days" />
          </label>
          <label className="field">
            <span>Amount tolerance (in the account’s unit)</span>
            <input type="text" inputMode="decimal" value={tolerance} onChange={(event) => setTolerance(event.target.value.trim())} data-testid="amount-tolerance" />
          </label>
          <button type="submit">Save</button>
          {message !== null ? (
            <span role="status" className="notice">
              {message}
            </span>
          ) : null}
        </form>
        <ErrorBanner message={error} />
        <p className="hint small">A payment matches a ledger credit of the same customer and unit within this many days; differences up to the tolerance count as matched.</p>
      </section>
      <OperatorSettings settings={settings} onSaved={setSettings} />
      <CustomerMappingSettings />
      <section className="panel" aria-labelledby="keys-title">
        <h3 id="keys-title">API keys</h3>
        {settings.key_storage.session_only_by_default ? (
          <p className="notice small" role="note" data-testid="key-storage">
            {settings.key_storage.message}
          </p>
        ) : (
          <p className="small" data-testid="key-storage">
            {settings.key_storage.message}
          </p>
        )}
        {settings.keys_editable && settings.key_storage.protection === 'basic_text' ? (
          <label className="small">
            <input type="checkbox" checked={saveWithoutKeyring} onChange={(event) => setSaveWithoutKeyring(event.target.checked)} data-testid="save-without-keyring" /> Save keys I enter on disk
            anyway (anyone who can read this computer’s files could read them)
          </label>
        ) : null}
        <table className="keys">
          <tbody>
            {(['stripe', 'orb', 'moesif'] as const).map((provider) => (
              <KeyRow key={provider} settings={settings} provider={provider} saveWithoutKeyring={saveWithoutKeyring} onSaved={setSettings} />
            ))}
          </tbody>
        </table>
      </section>
    </section>
  );
}
