import { useState } from 'react';
import type { ReconcileComparison, ReconcileItemView, ReconcileRunEvent, ReconcileRunSummary } from '../../../../core/api/types';
import { call } from '../../api/client';
import { errorMessage, useLoad } from '../../api/hooks';
import { Amount } from '../../components/Amount';
import { ErrorBanner } from '../../components/Feedback';
import { formatCategory, formatCount, formatCountOf, formatInstant } from '../../format';

/** Saved runs: pick one to show, sign it off, compare it with another. */

/**
 * Sign-off locks a run. Who signs is the name set in Settings; the first time, the name typed here is
 * saved there. With open differences, signing off needs a tick and a reason (both recorded).
 */
function SignOffForm({ run, onSigned }: { run: ReconcileRunSummary; onSigned(): void }) {
  const settings = useLoad(`settings-${String(run.locked)}`, () => call('settings.get', {}));
  const saved = settings.data?.operator_name ?? null;
  const [by, setBy] = useState('');
  const [note, setNote] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (run.sign_off !== null) return <LockedRun run={run} onReopened={onSigned} />;
  const name = saved ?? by.trim();
  const open = run.open_count;
  const ready = name !== '' && (open === 0 || (confirmed && note.trim() !== ''));
  return (
    <form
      className="sign-off-form"
      data-testid="sign-off-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (!ready) return;
        // The first sign-off also records the name in Settings: every later action is recorded under it.
        const remember = saved === null ? call('settings.set', { operator_name: name }).then(() => undefined) : Promise.resolve();
        remember
          .then(() =>
            call('reconcile.signOff', {
              run_id: run.run_id,
              by: name,
              ...(note.trim() === '' ? {} : { note }),
              ...(open > 0 ? { confirm_open_differences: true } : {}),
            }),
          )
          .then(
            () => {
              // A re-open later starts from an empty reason: each sign-off states its own.
              setError(null);
              setNote('');
              setConfirmed(false);
              onSigned();
            },
            (failure: unknown) => setError(errorMessage(failure)),
          );
      }}
    >
      {saved === null ? (
        <label className="field">
          Your name (saved in Settings)
          <input value={by} onChange={(event) => setBy(event.target.value)} autoComplete="name" data-testid="sign-off-by" />
        </label>
      ) : (
        <p className="small">
          Signing off as <strong data-testid="sign-off-name">{saved}</strong> (change it in Settings)
        </p>
      )}
      {open > 0 ? (
        <p className="notice-warning small" data-testid="sign-off-open-warning">
          {formatCount(open)} open {open === 1 ? 'difference remains' : 'differences remain'}. Signing off locks the run with {open === 1 ? 'it' : 'them'}: say why.
        </p>
      ) : null}
      <label className="field grow">
        {open > 0 ? 'Reason (required)' : 'Note'}
        <input value={note} onChange={(event) => setNote(event.target.value)} data-testid="sign-off-note" />
      </label>
      {open > 0 ? (
        <label className="checkbox small">
          <input type="checkbox" checked={confirmed} onChange={(event) => setConfirmed(event.target.checked)} data-testid="sign-off-confirm" />
          Sign off with {formatCountOf(open, 'open difference')}
        </label>
      ) : null}
      <button type="submit" disabled={!ready} data-testid="sign-off-submit">
        Sign off {run.run_id}
      </button>
      <ErrorBanner message={error} />
    </form>
  );
}

/** A signed-off run: who, when, why; locked until re-opened with a reason. */
function LockedRun({ run, onReopened }: { run: ReconcileRunSummary; onReopened(): void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const signOff = run.sign_off!;
  return (
    <div className="locked-run" data-testid="sign-off">
      <p className="small">
        Signed off by <strong>{signOff.by}</strong> at {formatInstant(signOff.at)}
        {signOff.note === null ? '' : `: “${signOff.note}”`}
      </p>
      <p className="notice-warning small" data-testid="lock-message">
        This run is locked: no adjustment can be posted against it. Re-open it with a reason, or run a new reconciliation.
      </p>
      <form
        className="inline no-print"
        onSubmit={(event) => {
          event.preventDefault();
          if (reason.trim() === '') return;
          call('reconcile.reopen', { run_id: run.run_id, reason }).then(
            () => {
              setError(null);
              onReopened();
            },
            (failure: unknown) => setError(errorMessage(failure)),
          );
        }}
      >
        <label className="field grow">
          Reason to re-open
          <input value={reason} onChange={(event) => setReason(event.target.value)} data-testid="reopen-reason" />
        </label>
        <button type="submit" className="secondary" disabled={reason.trim() === ''} data-testid="reopen-submit">
          Re-open {run.run_id}
        </button>
      </form>
      <ErrorBanner message={error} />
    </div>
  );
}

const EVENT_NAMES: Record<ReconcileRunEvent['kind'], string> = {
  run: 'Run',
  sign_off: 'Signed off',
  reopen: 'Re-opened',
  adjustment: 'Adjustment posted',
  reversal: 'Adjustment reversed',
  push: 'Push',
  review: 'Match reviewed',
};

function eventDetail(event: ReconcileRunEvent): string {
  const d = event.detail;
  switch (event.kind) {
    case 'adjustment':
      return `${d['item_id'] ?? ''}: ${d['kind'] ?? ''} ${d['amount'] ?? ''} ${d['unit'] ?? ''}`;
    case 'reversal':
      return `${d['reverses'] ?? ''} (${d['item_id'] ?? ''})`;
    case 'push':
      return `${d['idempotency_key'] ?? ''}: ${d['result'] ?? ''}`;
    case 'review':
      return `${d['item_id'] ?? ''}: ${d['decision'] ?? ''}`;
    case 'run':
      return d['as_of'] === undefined ? '' : `as of ${formatInstant(d['as_of'])}`;
    default:
      return '';
  }
}

/** Who did what to the run, in order. */
export function RunHistory({ runId, reloadKey }: { runId: string; reloadKey: string }) {
  const history = useLoad(JSON.stringify([runId, reloadKey]), () => call('reconcile.history', { run_id: runId }));
  const events = history.data?.events ?? [];
  return (
    <details className="run-history" data-testid="run-history">
      <summary>History ({formatCountOf(events.length, 'event')})</summary>
      <ErrorBanner message={history.error} />
      <table className="compact">
        <thead>
          <tr>
            <th scope="col">When (UTC)</th>
            <th scope="col">What</th>
            <th scope="col">Who</th>
            <th scope="col">Reason</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event, index) => (
            <tr key={index} data-event-kind={event.kind}>
              <td>{formatInstant(event.at)}</td>
              <td>{EVENT_NAMES[event.kind]}</td>
              <td>{event.by ?? <span className="muted">not recorded</span>}</td>
              <td>{event.reason ?? ''}</td>
              <td className="small">{eventDetail(event)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
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
      <RunHistory runId={shown.run_id} reloadKey={JSON.stringify([shown.sign_off, shown.open_count, shown.locked])} />
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
