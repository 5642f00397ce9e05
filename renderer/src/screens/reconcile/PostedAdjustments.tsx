import { useEffect, useRef, useState } from 'react';
import type { AdjustmentPushReport, AdjustmentsList, PostedAdjustment, PushProgress, ReversalPreview } from '../../../../core/api/types';
import { call, subscribeEvents } from '../../api/client';
import { errorMessage, useLoad } from '../../api/hooks';
import { Amount } from '../../components/Amount';
import { ErrorBanner } from '../../components/Feedback';
import { formatCount, formatCountOf, formatInstant, formatKind } from '../../format';

/*
 * A run's posted adjustments and whether each reached its provider (pushed / not pushed / failed with the
 * provider's words). "Push to provider…" (every unpushed one) or a row's "Push…" (that one) opens a
 * confirmation listing exactly what will be sent; only its confirm button calls adjustment.push, with the
 * keys it listed. While it pushes, the dialog stays open with the host's progress (which adjustment, and
 * any wait a provider asked for) and its Cancel stops the push rather than hiding it.
 */

const PROVIDER_NAMES: Record<PostedAdjustment['provider'], string> = { orb: 'Orb', moesif: 'Moesif' };

function PushStatus({ adjustment }: { adjustment: PostedAdjustment }) {
  if (adjustment.pushed_at !== null) {
    return (
      <span className="push-status pushed" data-testid="push-status">
        pushed {formatInstant(adjustment.pushed_at)}
        {adjustment.provider_entry_id === null ? null : <span className="muted"> as {adjustment.provider_entry_id}</span>}
      </span>
    );
  }
  if (adjustment.confirmed_at !== null) {
    return (
      <span className="push-status pushed" data-testid="push-status">
        confirmed by provider {formatInstant(adjustment.confirmed_at)}
        <span className="muted"> as {adjustment.entry_id}</span>
      </span>
    );
  }
  if (adjustment.push_error !== null) {
    return (
      <span className="push-status failed negative-text" data-testid="push-status">
        failed ({formatCountOf(adjustment.push_attempts, 'attempt')}): {adjustment.push_error}
      </span>
    );
  }
  return (
    <span className="push-status muted" data-testid="push-status">
      not pushed
    </span>
  );
}

/** The amount as the provider receives it: the exact decimal text, signed as the body carries it. */
function sentAmount(adjustment: PostedAdjustment): string {
  const amount = adjustment.body['amount'];
  return typeof amount === 'string' ? amount : adjustment.amount;
}

function PushDialog({ adjustments, ready, onClose, onPushed }: { adjustments: PostedAdjustment[]; ready: AdjustmentsList['push_ready']; onClose(): void; onPushed(report: AdjustmentPushReport): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [pushing, setPushing] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [progress, setProgress] = useState<PushProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element !== null && !element.open) element.showModal();
  }, []);
  // Listening from the start, so the first progress event of a push is not missed.
  useEffect(
    () =>
      subscribeEvents((event) => {
        if (event.type === 'push') setProgress(event.progress);
      }),
    [],
  );
  const cancel = (): void => {
    if (!pushing) {
      dialog.current?.close();
      return;
    }
    // The push ends after the adjustment in flight (a wait ends at once); its report then closes the dialog.
    setCancelling(true);
    call('adjustment.pushCancel', {}).catch((failure: unknown) => setError(errorMessage(failure)));
  };
  const withoutKey = [...new Set(adjustments.filter((a) => !ready[a.provider]).map((a) => PROVIDER_NAMES[a.provider]))];
  const push = (): void => {
    setPushing(true);
    setCancelling(false);
    setProgress(null);
    setError(null);
    call('adjustment.push', { confirm: true, keys: adjustments.map((a) => a.idempotency_key) }).then(
      (report) => {
        setPushing(false);
        onPushed(report);
        dialog.current?.close();
      },
      (failure: unknown) => {
        setPushing(false);
        setError(errorMessage(failure));
      },
    );
  };
  return (
    <dialog
      ref={dialog}
      className="dialog push-dialog"
      aria-labelledby="push-title"
      onClose={onClose}
      // Esc while pushing asks to cancel instead of hiding a push that goes on.
      onCancel={(event) => {
        if (!pushing) return;
        event.preventDefault();
        cancel();
      }}
      data-testid="push-dialog"
    >
      <h2 id="push-title">Push {adjustments.length === 1 ? 'this adjustment' : `${formatCount(adjustments.length)} adjustments`} to the provider?</h2>
      <p className="small">
        This writes to the provider's live ledger. Each request carries its idempotency key, so the provider records it once even if it is sent again.
      </p>
      <div className="table-scroll">
        <table className="compact" data-testid="push-table">
          <thead>
            <tr>
              <th scope="col">Provider</th>
              <th scope="col">Customer</th>
              <th scope="col">Entry</th>
              <th scope="col" className="right">
                Amount sent
              </th>
              <th scope="col">Idempotency key</th>
            </tr>
          </thead>
          <tbody>
            {adjustments.map((a) => (
              <tr key={a.idempotency_key}>
                <td>{PROVIDER_NAMES[a.provider]}</td>
                <td>
                  {a.customer_id}
                  {a.subscription_id === null ? null : <span className="muted"> / {a.subscription_id}</span>}
                </td>
                <td>{a.provider === 'moesif' ? String(a.body['type'] ?? formatKind(a.kind)) : formatKind(a.kind)}</td>
                <td className="right mono" data-testid="push-amount">
                  {sentAmount(a)} {a.unit}
                </td>
                <td className="mono small">{a.idempotency_key}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {withoutKey.length > 0 ? (
        <p className="notice-warning small" data-testid="push-missing-key">
          No API key for {withoutKey.join(' and ')}: those adjustments will be skipped. Add the key in Settings (or the environment in browser mode).
        </p>
      ) : null}
      {pushing ? <PushProgressLine progress={progress} cancelling={cancelling} /> : null}
      <ErrorBanner message={error} />
      <div className="actions dialog-actions">
        <button type="button" className="secondary" onClick={cancel} disabled={cancelling} data-testid="push-cancel">
          {pushing ? (cancelling ? 'Cancelling…' : 'Cancel the push (Esc)') : 'Cancel (Esc)'}
        </button>
        <button type="button" onClick={push} disabled={pushing} data-testid="push-confirm">
          {pushing ? 'Pushing…' : `Confirm and push ${formatCount(adjustments.length)}`}
        </button>
      </div>
    </dialog>
  );
}

/** Which adjustment is being sent and why the push pauses, as the host reports it. */
function PushProgressLine({ progress, cancelling }: { progress: PushProgress | null; cancelling: boolean }) {
  const sending = progress === null || progress.idempotency_key === null ? 'Sending…' : `Sending ${formatCount(progress.done + 1)} of ${formatCount(progress.total)} (${progress.idempotency_key})…`;
  return (
    <p className="small" role="status" aria-live="polite" data-testid="push-progress">
      {sending}
      {progress?.waiting == null ? null : <span className="notice-warning" data-testid="push-waiting"> {progress.waiting}.</span>}
      {cancelling ? ' Cancelling: nothing more is sent after this one.' : null}
    </p>
  );
}

/** Reverse a posted adjustment: what would be posted, the balance before and after, and a required reason. */
function ReverseDialog({ adjustment, onClose, onReversed }: { adjustment: PostedAdjustment; onClose(): void; onReversed(reversal: PostedAdjustment): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const preview = useLoad(adjustment.idempotency_key, () => call('adjustment.reversePreview', { idempotency_key: adjustment.idempotency_key }));
  useEffect(() => {
    const element = dialog.current;
    if (element !== null && !element.open) element.showModal();
  }, []);
  const p: ReversalPreview | null = preview.data;
  return (
    <dialog ref={dialog} className="dialog reverse-dialog" aria-labelledby="reverse-title" onClose={onClose} data-testid="reverse-dialog">
      <h2 id="reverse-title">Reverse adjustment {adjustment.idempotency_key}?</h2>
      <p className="small">
        A reversing adjustment is posted, linked to this one; nothing is deleted. The item it settled is open again.
      </p>
      <ErrorBanner message={preview.error} />
      {p === null ? null : (
        <table className="compact" data-testid="reverse-preview">
          <tbody>
            <tr>
              <th scope="row">Posts</th>
              <td>
                {PROVIDER_NAMES[p.proposal.provider]} {formatKind(p.proposal.kind)} {p.proposal.amount} {p.proposal.unit} for {p.proposal.customer_id}
              </td>
            </tr>
            <tr>
              <th scope="row">Current balance</th>
              <td className="mono" data-testid="reverse-balance">
                {p.preview.before.current} → {p.preview.after.current} {p.proposal.unit}
              </td>
            </tr>
          </tbody>
        </table>
      )}
      <label className="field">
        Reason (required)
        <input value={reason} onChange={(event) => setReason(event.target.value)} data-testid="reverse-reason" />
      </label>
      <ErrorBanner message={error} />
      <div className="actions dialog-actions">
        <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
          Cancel (Esc)
        </button>
        <button
          type="button"
          disabled={busy || reason.trim() === '' || p === null}
          data-testid="reverse-confirm"
          onClick={() => {
            setBusy(true);
            call('adjustment.reverse', { idempotency_key: adjustment.idempotency_key, reason }).then(
              (reversal) => {
                setBusy(false);
                onReversed(reversal);
                dialog.current?.close();
              },
              (failure: unknown) => {
                setBusy(false);
                setError(errorMessage(failure));
              },
            );
          }}
        >
          Post the reversal
        </button>
      </div>
    </dialog>
  );
}

function reportText(report: AdjustmentPushReport): string {
  const parts = [
    `${formatCount(report.pushed.length)} pushed`,
    report.already_pushed.length > 0 ? `${formatCount(report.already_pushed.length)} already pushed` : null,
    report.failed.length > 0 ? `${formatCount(report.failed.length)} failed` : null,
    report.skipped.length > 0 ? `${formatCount(report.skipped.length)} skipped (${report.skipped[0]!.reason})` : null,
    report.cancelled.length > 0 ? `${formatCount(report.cancelled.length)} not sent (cancelled)` : null,
  ];
  return parts.filter((part) => part !== null).join(', ') + '.';
}

export function PostedAdjustments({ runId, reloadKey, onChanged = () => {} }: { runId: string; reloadKey: string; onChanged?(): void }) {
  const [pushVersion, setPushVersion] = useState(0);
  const [confirming, setConfirming] = useState<PostedAdjustment[] | null>(null);
  const [reversing, setReversing] = useState<PostedAdjustment | null>(null);
  const [message, setMessage] = useState<{ text: string; warning: boolean } | null>(null);
  const list = useLoad(JSON.stringify([runId, reloadKey, pushVersion]), () => call('adjustment.list', { run_id: runId }));
  // The button the dialog was opened from (the panel's, or a row's): focus goes back to it.
  const opener = useRef<HTMLButtonElement | null>(null);
  const openDialog = (button: HTMLButtonElement, chosen: PostedAdjustment[]): void => {
    opener.current = button;
    setConfirming(chosen);
  };
  const adjustments = list.data?.adjustments ?? [];
  if (adjustments.length === 0 && list.error === null) return null;
  const unpushed = adjustments.filter((a) => a.pushed_at === null && a.confirmed_at === null);
  return (
    <section className="panel" aria-labelledby="posted-title" data-testid="posted-adjustments">
      <div className="panel-head items-head">
        <h3 id="posted-title">Posted adjustments</h3>
        <span className="muted small">
          {formatCount(adjustments.length - unpushed.length)} of {formatCount(adjustments.length)} pushed to the provider
        </span>
        <span className="spacer" />
        <button type="button" onClick={(event) => openDialog(event.currentTarget, unpushed)} disabled={unpushed.length === 0} data-testid="push-open">
          Push {unpushed.length > 1 ? 'all ' : ''}to provider…
        </button>
      </div>
      <ErrorBanner message={list.error} />
      {message === null ? null : (
        // A push that skipped or failed anything is a warning, never a success banner.
        <p className={message.warning ? 'notice-warning' : 'success'} role="status" data-testid="push-message" data-warning={message.warning}>
          {message.text}
        </p>
      )}
      <div className="table-scroll">
        <table className="compact" data-testid="posted-table">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col">Provider</th>
              <th scope="col">Customer</th>
              <th scope="col">Entry</th>
              <th scope="col" className="right">
                Amount
              </th>
              <th scope="col">Posted</th>
              <th scope="col">Provider status</th>
              <th scope="col" aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {adjustments.map((a) => (
              <tr key={a.idempotency_key} data-adjustment-key={a.idempotency_key} data-pushed={a.pushed_at !== null || a.confirmed_at !== null}>
                <td>
                  <code>{a.item_id}</code>
                  {a.reverses_key === null ? null : (
                    <span className="small muted" data-testid="reversal-of">
                      {' '}
                      reversal of {a.reverses_key}
                    </span>
                  )}
                  {a.reversed_by_key === null ? null : (
                    <span className="small muted" data-testid="reversed-by">
                      {' '}
                      reversed by {a.reversed_by_key}
                    </span>
                  )}
                </td>
                <td>{PROVIDER_NAMES[a.provider]}</td>
                <td>{a.customer_id}</td>
                <td>{formatKind(a.kind)}</td>
                <td className="right" data-testid="posted-amount">
                  <Amount value={a.amount} unit={a.unit} />
                </td>
                <td>{formatInstant(a.posted_at)}</td>
                <td>
                  <PushStatus adjustment={a} />
                </td>
                <td>
                  {a.pushed_at === null && a.confirmed_at === null ? (
                    <button
                      type="button"
                      className="secondary small"
                      onClick={(event) => openDialog(event.currentTarget, [a])}
                      aria-label={`Push adjustment ${a.idempotency_key} to the provider…`}
                      data-testid="push-row"
                    >
                      Push…
                    </button>
                  ) : null}
                  {a.reverses_key === null && a.reversed_by_key === null ? (
                    <button
                      type="button"
                      className="secondary small"
                      onClick={() => setReversing(a)}
                      aria-label={`Reverse adjustment ${a.idempotency_key}…`}
                      data-testid="reverse-row"
                    >
                      Reverse…
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {confirming === null || list.data === null ? null : (
        <PushDialog
          adjustments={confirming}
          ready={list.data.push_ready}
          onClose={() => {
            setConfirming(null);
            // Back to the button the dialog was opened from.
            setTimeout(() => opener.current?.focus(), 0);
          }}
          onPushed={(report) => {
            setMessage({ text: reportText(report), warning: report.failed.length > 0 || report.skipped.length > 0 || report.cancelled.length > 0 });
            setPushVersion((v) => v + 1);
          }}
        />
      )}
      {reversing === null ? null : (
        <ReverseDialog
          adjustment={reversing}
          onClose={() => setReversing(null)}
          onReversed={(reversal) => {
            setMessage({ text: `Reversed by ${reversal.idempotency_key}.`, warning: false });
            setPushVersion((v) => v + 1);
            onChanged();
          }}
        />
      )}
    </section>
  );
}
