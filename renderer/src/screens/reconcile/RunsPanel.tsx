import { useState } from 'react';
import type { ReconcileComparison, ReconcileItemView, ReconcileRunSummary } from '../../../../core/api/types';
import { call } from '../../api/client';
import { errorMessage } from '../../api/hooks';
import { Amount } from '../../components/Amount';
import { ErrorBanner } from '../../components/Feedback';
import { formatCategory, formatCount, formatInstant } from '../../format';

/** Saved runs: pick one to show, sign it off, compare it with another. */

function SignOffForm({ run, onSigned }: { run: ReconcileRunSummary; onSigned(): void }) {
  const [by, setBy] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  if (run.sign_off !== null) {
    return (
      <p className="small" data-testid="sign-off">
        Signed off by <strong>{run.sign_off.by}</strong> at {formatInstant(run.sign_off.at)}
        {run.sign_off.note === null ? '' : `: “${run.sign_off.note}”`}
      </p>
    );
  }
  return (
    <form
      className="sign-off-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (by.trim() === '') return;
        call('reconcile.signOff', { run_id: run.run_id, by: by.trim(), ...(note.trim() === '' ? {} : { note }) }).then(
          () => {
            setError(null);
            onSigned();
          },
          (failure: unknown) => setError(errorMessage(failure)),
        );
      }}
    >
      <label className="field">
        Signed off by
        <input value={by} onChange={(event) => setBy(event.target.value)} autoComplete="name" data-testid="sign-off-by" />
      </label>
      <label className="field grow">
        Note
        <input value={note} onChange={(event) => setNote(event.target.value)} data-testid="sign-off-note" />
      </label>
      <button type="submit" disabled={by.trim() === ''} data-testid="sign-off-submit">
        Sign off {run.run_id}
      </button>
      <ErrorBanner message={error} />
    </form>
  );
}

function ItemLine({ item }: { item: ReconcileItemView }) {
  return (
    <li>
      <code>{item.item_id}</code> {formatCategory(item.category)}
      {item.settled ? ' (settled)' : ''} · {item.customer_id ?? 'no customer'} · <Amount value={item.difference} unit={item.unit} signed />
    </li>
  );
}

function Comparison({ comparison }: { comparison: ReconcileComparison }) {
  return (
    <div className="comparison" data-testid="comparison">
      <p className="small">
        {comparison.from_run_id} → {comparison.to_run_id}: open differences {formatCount(comparison.open_before)} → {formatCount(comparison.open_after)}
      </p>
      {(
        [
          ['Appeared', comparison.appeared],
          // As they stood before: what was resolved.
          ['Resolved', comparison.resolved.map((entry) => entry.before)],
          ['Changed', comparison.changed.map((entry) => entry.after)],
        ] as const
      ).map(([label, items]) => (
        <details key={label} open={items.length > 0 && items.length <= 10}>
          <summary>
            {label}: {formatCount(items.length)}
          </summary>
          <ul className="small">
            {items.map((item) => (
              <ItemLine key={item.item_id} item={item} />
            ))}
          </ul>
        </details>
      ))}
    </div>
  );
}

export function RunsPanel({ runs, shown, onShow, onChanged }: { runs: ReconcileRunSummary[]; shown: ReconcileRunSummary; onShow(runId: string): void; onChanged(): void }) {
  const [compareWith, setCompareWith] = useState('');
  const [comparison, setComparison] = useState<ReconcileComparison | null>(null);
  const [error, setError] = useState<string | null>(null);
  const others = runs.filter((run) => run.run_id !== shown.run_id && run.state === 'complete');
  return (
    <section className="panel" aria-labelledby="runs-title" data-testid="runs-panel">
      <h3 id="runs-title">Runs</h3>
      <div className="table-scroll">
        <table className="compact runs-table">
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">As of (UTC)</th>
              <th scope="col" className="right">
                Items
              </th>
              <th scope="col" className="right">
                Open
              </th>
              <th scope="col">Signed off</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.run_id} aria-current={run.run_id === shown.run_id ? 'true' : undefined}>
                <td>
                  {run.state === 'complete' ? (
                    <button type="button" className="link-button" onClick={() => onShow(run.run_id)} aria-pressed={run.run_id === shown.run_id}>
                      {run.run_id}
                    </button>
                  ) : (
                    <span title={run.error ?? undefined}>
                      {run.run_id} <span className="muted">({run.state})</span>
                    </span>
                  )}
                </td>
                <td title={`run at ${formatInstant(run.created_at)}`}>{formatInstant(run.as_of).replace(' UTC', '').replace(/\.\d{3}$/, '')}</td>
                <td className="right">{formatCount(run.item_count)}</td>
                <td className={`right${run.open_count > 0 ? ' negative-text' : ''}`}>{formatCount(run.open_count)}</td>
                <td>{run.sign_off === null ? <span className="muted">—</span> : run.sign_off.by}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <SignOffForm key={shown.run_id} run={shown} onSigned={onChanged} />
      {others.length > 0 ? (
        <form
          className="inline compare-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (compareWith === '') return;
            call('reconcile.compare', { from_run_id: compareWith, to_run_id: shown.run_id }).then(
              (reply) => {
                setComparison(reply);
                setError(null);
              },
              (failure: unknown) => setError(errorMessage(failure)),
            );
          }}
        >
          <label className="field">
            Compare {shown.run_id} with
            <select value={compareWith} onChange={(event) => setCompareWith(event.target.value)} data-testid="compare-with">
              <option value="">choose an earlier run</option>
              {others.map((run) => (
                <option key={run.run_id} value={run.run_id}>
                  {run.run_id} (as of {formatInstant(run.as_of)})
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="secondary" disabled={compareWith === ''} data-testid="compare-submit">
            Compare
          </button>
        </form>
      ) : null}
      <ErrorBanner message={error} />
      {comparison !== null && comparison.to_run_id === shown.run_id ? <Comparison comparison={comparison} /> : null}
    </section>
  );
}
