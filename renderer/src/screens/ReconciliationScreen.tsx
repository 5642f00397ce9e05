import { Fragment, useEffect, useRef, useState } from 'react';
import type { ReconcileCategory, ReconcileItemRow, ReconcileRunPage, ReconcileRunSummary } from '../../../core/api/types';
import { call } from '../api/client';
import { errorMessage, useLoad } from '../api/hooks';
import { Amount } from '../components/Amount';
import { EmptyState, ErrorBanner, Loading } from '../components/Feedback';
import { formatCategory, formatCount, formatCountOf, formatInstant } from '../format';
import { useReconcile } from '../state/reconcile';
import { currentParams, replaceParams } from '../state/route';
import { useApp } from '../state/store';
import { focusOr } from '../focus';
import { exportAdjustments, exportRunReport } from './export';
import { AdjustmentDialog } from './reconcile/AdjustmentDialog';
import { ItemCard } from './reconcile/ItemCard';
import { PostedAdjustments } from './reconcile/PostedAdjustments';
import { RunsPanel } from './reconcile/RunsPanel';

const PAGE_SIZE = 50;

/** The address keys of this screen's view: the run, the categories pressed, all items or open ones, the item in focus. */
const PARAM = { run: 'run', categories: 'cat', all: 'all', item: 'item' } as const;

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

/** j and k: the next and previous item card, from the one in focus (issue 14: an item in a few keys). */
function useItemKeys(): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if ((event.key !== 'j' && event.key !== 'k') || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      if (document.querySelector('dialog[open]') !== null) return;
      const items = [...document.querySelectorAll<HTMLElement>('[data-item-id]')];
      if (items.length === 0) return;
      const current = document.activeElement instanceof HTMLElement ? document.activeElement.closest<HTMLElement>('[data-item-id]') : null;
      const index = current === null ? -1 : items.indexOf(current);
      const next = event.key === 'j' ? Math.min(items.length - 1, index + 1) : Math.max(0, index - 1);
      event.preventDefault();
      const target = items[next]!;
      target.focus();
      target.scrollIntoView({ block: 'nearest' });
      replaceParams({ [PARAM.item]: target.dataset['itemId'] ?? null });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

function asOfText(asOf: string | null): string {
  if (asOf === null) return 'now';
  return formatInstant(asOf.length === 10 ? `${asOf}T00:00:00.000Z` : asOf);
}

/** Counts per category as toggle buttons: pressed ones filter the list (none pressed: every category). */
function CategoryCounts({ page, selected, onToggle }: { page: ReconcileRunPage; selected: ReadonlySet<ReconcileCategory>; onToggle(category: ReconcileCategory): void }) {
  const present = page.counts.filter((count) => count.total > 0);
  return (
    <div className="category-counts" role="group" aria-label="Items per category (press to filter)" data-testid="category-counts">
      {present.map((count) => {
        const difference = !['matched', 'matched_fuzzy', 'matched_grouped', 'pending'].includes(count.category);
        return (
          <button
            key={count.category}
            type="button"
            className={`count-chip${difference && count.open > 0 ? ' has-open' : ''}`}
            aria-pressed={selected.has(count.category)}
            onClick={() => onToggle(count.category)}
            data-testid={`count-${count.category}`}
          >
            <span className="count-label">{formatCategory(count.category)}</span>
            <span className="count-value">{formatCount(count.total)}</span>
            {difference && count.open > 0 ? <span className="count-open">{formatCount(count.open)} open</span> : null}
          </button>
        );
      })}
    </div>
  );
}

function DriftTable({ page }: { page: ReconcileRunPage }) {
  if (page.drift.length === 0) return <p className="small notice">Every account's balance agrees with its payments as of {formatInstant(page.run.as_of)}.</p>;
  return (
    <details className="drift" open={page.drift.length <= 5}>
      <summary>
        {formatCountOf(page.drift.length, 'account')} {page.drift.length === 1 ? 'drifts' : 'drift'} (expected from payments vs. actual in the ledger)
      </summary>
      <table className="compact" data-testid="drift-table">
        <thead>
          <tr>
            <th scope="col">Customer</th>
            <th scope="col">Subscription</th>
            <th scope="col" className="right">
              Expected
            </th>
            <th scope="col" className="right">
              Actual
            </th>
            <th scope="col" className="right">
              Difference
            </th>
          </tr>
        </thead>
        <tbody>
          {page.drift.map((line) => (
            <tr key={`${line.customer_id}|${line.subscription_id}|${line.unit}`}>
              <td>{line.customer_id ?? <span className="muted">no customer</span>}</td>
              <td>{line.subscription_id ?? <span className="muted">none</span>}</td>
              <td className="right">
                <Amount value={line.expected} unit={line.unit} />
              </td>
              <td className="right">
                <Amount value={line.actual} unit={line.unit} />
              </td>
              <td className="right">
                <Amount value={line.difference} unit={line.unit} signed />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** One item of one run, when a link (the customer timeline's) names it. */
export interface ReconcileFocus {
  runId: string;
  itemId: string;
}

function RunView({ run, runs, onChanged, focusItemId }: { run: ReconcileRunSummary; runs: ReconcileRunSummary[]; onChanged(): void; focusItemId: string | null }) {
  const version = useReconcile((state) => state.version);
  const dataVersion = useApp((state) => state.dataVersion);
  const startRun = useReconcile((state) => state.startRun);
  const [categories, setCategories] = useState<Set<ReconcileCategory>>(
    () => new Set((currentParams().get(PARAM.categories) ?? '').split(',').filter((category) => category !== '') as ReconcileCategory[]),
  );
  const [openOnly, setOpenOnly] = useState(() => currentParams().get(PARAM.all) !== '1');
  const linkedItem = useRef(currentParams().get(PARAM.item));
  useItemKeys();
  useEffect(() => replaceParams({ [PARAM.run]: run.run_id }), [run.run_id]);
  useEffect(() => {
    replaceParams({ [PARAM.categories]: [...categories].join(','), [PARAM.all]: openOnly ? null : '1' });
  }, [categories, openOnly]);
  const [page, setPage] = useState<ReconcileRunPage | null>(null);
  const [rows, setRows] = useState<ReconcileItemRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [editing, setEditing] = useState<ReconcileItemRow | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const query = focusItemId === null ? { run_id: run.run_id, categories: [...categories], open_only: openOnly } : { run_id: run.run_id, item_ids: [focusItemId] };
  const key = JSON.stringify([query, version, dataVersion]);

  useEffect(() => {
    let current = true;
    call('reconcile.get', { ...query, offset: 0, limit: PAGE_SIZE }).then(
      (reply) => {
        if (!current) return;
        setPage(reply);
        setRows(reply.rows);
        setError(null);
        // A shared link names an item: show it once its card is on the page.
        const linked = linkedItem.current;
        linkedItem.current = null;
        if (linked !== null) {
          requestAnimationFrame(() => {
            const card = document.querySelector<HTMLElement>(`[data-item-id="${CSS.escape(linked)}"]`);
            card?.focus();
            card?.scrollIntoView({ block: 'nearest' });
          });
        }
      },
      (failure: unknown) => current && setError(errorMessage(failure)),
    );
    return () => {
      current = false;
    };
    // key stands for the query and the data it reads.
  }, [key]);

  const more = (): void => {
    setLoadingMore(true);
    call('reconcile.get', { ...query, offset: rows.length, limit: PAGE_SIZE }).then(
      (reply) => {
        setRows((previous) => [...previous, ...reply.rows]);
        setLoadingMore(false);
      },
      (failure: unknown) => {
        setError(errorMessage(failure));
        setLoadingMore(false);
      },
    );
  };

  const toggle = (category: ReconcileCategory): void =>
    setCategories((previous) => {
      const next = new Set(previous);
      if (next.has(category)) next.delete(category);
      else next.add(category);
      return next;
    });

  return (
    <>
      {/* Shown only in print (and "Save as PDF"): which run and as of when, on the report's first page. */}
      <header className="print-only print-header" data-testid="print-header">
        <strong>Ledgerscope reconciliation report</strong> · Run {run.run_id} · as of {formatInstant(run.as_of)} ·{' '}
        {run.sign_off === null ? 'not signed off' : `signed off by ${run.sign_off.by} at ${formatInstant(run.sign_off.at)}`}
      </header>
      <div className="two-column reconcile-top">
        <section className="panel" aria-labelledby="run-title" data-testid="run-summary">
          <div className="panel-head">
            <h3 id="run-title">
              Run {run.run_id} <span className="title-meta">as of {formatInstant(run.as_of)}</span>
            </h3>
            <span className="spacer" />
            {/* The auditor's report of this run: the file the CLI's reconcile --report writes. */}
            <div className="export-group no-print" role="group" aria-label="Export report">
              <span className="muted small">Export report</span>
              <button type="button" className="secondary" onClick={() => void exportRunReport(run.run_id, 'xlsx').then(setMessage, (failure: unknown) => setError(errorMessage(failure)))} aria-label="Export report as XLSX" data-testid="export-report-xlsx">
                XLSX
              </button>
              <button type="button" className="secondary" onClick={() => void exportRunReport(run.run_id, 'csv').then(setMessage, (failure: unknown) => setError(errorMessage(failure)))} aria-label="Export report as CSV" data-testid="export-report-csv">
                CSV
              </button>
            </div>
          </div>
          <p className="small muted">
            {formatCountOf(run.inputs.payment_count, 'Stripe payment record')} against {formatCountOf(run.inputs.ledger_entry_count, 'ledger entry', 'ledger entries')} · window ±
            {formatCountOf(run.settings.date_window_days, 'day')} · tolerance {run.settings.amount_tolerance} · run at {formatInstant(run.created_at)}
          </p>
          <p data-testid="open-count" className={run.open_count > 0 ? 'negative-text' : 'notice'}>
            {run.open_count === 0 ? 'No open differences.' : `${formatCountOf(run.open_count, 'open difference')} to review.`}
          </p>
          {run.review.total === 0 ? null : (
            <p className="small" data-testid="review-count">
              Fuzzy and grouped matches: {formatCount(run.review.reviewed)} reviewed, {formatCount(run.review.unreviewed)} not reviewed
              {run.review.rejected > 0 ? ` (${formatCount(run.review.rejected)} rejected)` : ''}.
            </p>
          )}
          {page === null ? null : (
            <>
              <CategoryCounts page={page} selected={categories} onToggle={toggle} />
              <DriftTable page={page} />
            </>
          )}
        </section>
        <RunsPanel
          runs={runs}
          shown={run}
          onShow={(runId) => {
            useReconcile.getState().selectRun(runId);
            replaceParams({ [PARAM.run]: runId, [PARAM.item]: null });
          }}
          onChanged={onChanged}
        />
      </div>
      <section className="panel" aria-labelledby="items-title">
        {focusItemId === null ? null : (
          <p className="notice" data-testid="focused-item">
            Showing one item, {focusItemId}, as the customer timeline linked it.{' '}
            <a href="#/reconciliation">Show every item of the latest run</a>
          </p>
        )}
        <div className="panel-head items-head">
          <h3 id="items-title" tabIndex={-1}>
            Differences
          </h3>
          <label className="check" hidden={focusItemId !== null}>
            <input type="checkbox" checked={openOnly} onChange={(event) => setOpenOnly(event.target.checked)} data-testid="open-only" />
            Open differences only
          </label>
          {categories.size > 0 ? (
            <button type="button" className="link-button" onClick={() => setCategories(new Set())}>
              Show every category
            </button>
          ) : null}
          <span className="muted small" data-testid="items-count">
            {page === null ? '' : `${formatCount(rows.length)} of ${formatCountOf(page.total, 'item')}`}
          </span>
          <span className="spacer" />
          <button type="button" className="secondary" onClick={() => void exportAdjustments(run.run_id, 'posted').then(setMessage, (failure: unknown) => setError(errorMessage(failure)))}>
            Export posted adjustments
          </button>
          <button type="button" className="secondary" onClick={() => void exportAdjustments(run.run_id, 'proposed').then(setMessage, (failure: unknown) => setError(errorMessage(failure)))}>
            Export open proposals
          </button>
        </div>
        {message === null ? null : (
          <p className="success" role="status" data-testid="reconcile-message">
            {message}{' '}
            {message.startsWith('Posted') ? (
              <button type="button" className="link-button" onClick={() => void startRun()}>
                Run reconciliation again
              </button>
            ) : null}
          </p>
        )}
        <ErrorBanner message={error} />
        {page === null ? (
          error === null ? (
            <Loading label="Loading the run" />
          ) : null
        ) : rows.length === 0 ? (
          <EmptyState title={openOnly ? 'No open differences' : 'No items'} testId="items-empty">
            <p>
              {openOnly
                ? 'Every payment and paid credit of this run matches, or its difference is settled. Untick “Open differences only” to see the matched items, or sign the run off.'
                : 'This run has no items in the chosen categories.'}
            </p>
          </EmptyState>
        ) : (
          <div className="item-list" data-testid="reconcile-items">
            {rows.map((item, index) => (
              <Fragment key={item.item_id}>
                {index === 0 || rows[index - 1]!.category !== item.category ? (
                  <h4 className="category-head" data-testid="category-head">
                    {formatCategory(item.category)}{' '}
                    <span className="muted small">{formatCount(page.counts.find((count) => count.category === item.category)?.[openOnly ? 'open' : 'total'] ?? 0)}</span>
                  </h4>
                ) : null}
                <ItemCard item={item} onOpen={setEditing} runId={run.run_id} onReviewed={onChanged} />
              </Fragment>
            ))}
            {rows.length < page.total ? (
              <button type="button" className="secondary" onClick={more} disabled={loadingMore}>
                {loadingMore ? 'Loading…' : `Show ${formatCount(Math.min(PAGE_SIZE, page.total - rows.length))} more`}
              </button>
            ) : null}
          </div>
        )}
      </section>
      <PostedAdjustments runId={run.run_id} reloadKey={JSON.stringify([version, dataVersion])} onChanged={onChanged} />
      {editing === null ? null : (
        <AdjustmentDialog
          item={editing}
          onClose={() => {
            const id = editing.item_id;
            setEditing(null);
            // Back to the item the dialog was opened from (keyboard users keep their place).
            setTimeout(() => document.querySelector<HTMLElement>(`[data-item-id="${CSS.escape(id)}"]`)?.focus(), 0);
          }}
          onPosted={(result) => {
            const id = editing.item_id;
            setMessage(`Posted ${result.idempotency_key} (${result.status === 'posted' ? 'new ledger entry' : 'it was already posted'}).`);
            setEditing(null);
            onChanged();
            // Back to the item posted from, or, once settled items leave the list, the list's heading.
            setTimeout(() => focusOr(`[data-item-id="${CSS.escape(id)}"]`, '#items-title'), 0);
          }}
        />
      )}
    </>
  );
}

export function ReconciliationScreen({ focus = null }: { focus?: ReconcileFocus | null }) {
  useEffect(() => {
    const linked = currentParams().get(PARAM.run);
    if (linked !== null) useReconcile.getState().selectRun(linked);
  }, []);
  const asOf = useApp((state) => state.asOf);
  const info = useApp((state) => state.info);
  const dataVersion = useApp((state) => state.dataVersion);
  const { runId, job, error, version, startRun, changed } = useReconcile();
  const runs = useLoad(JSON.stringify([dataVersion, version]), () => call('reconcile.runs', {}));
  const running = job?.state === 'running';
  const list = runs.data;
  const complete = list?.runs.filter((run) => run.state === 'complete') ?? [];
  const shown = complete.find((run) => run.run_id === (focus?.runId ?? runId)) ?? complete[0] ?? null;

  return (
    <section className="screen reconcile-screen" aria-labelledby="reconciliation-title">
      <div className="screen-head reconcile-head">
        <div>
          <h2 id="reconciliation-title">Reconciliation</h2>
          <p className="screen-sub">Stripe payments against ledger credits, every difference with its evidence and a proposed balancing entry.</p>
        </div>
        <div className="actions">
          <button type="button" onClick={() => void startRun()} disabled={running || list === null || list.entry_count === 0} data-testid="run-reconciliation">
            {running ? 'Running…' : `Run reconciliation as of ${asOfText(asOf)}`}
          </button>
        </div>
      </div>
      {running ? (
        <div className="progress" role="status" data-testid="reconcile-progress">
          <span>Matching payments and credits…</span>
          <progress />
        </div>
      ) : null}
      <ErrorBanner message={error ?? runs.error} />
      {list === null ? (
        runs.error === null ? (
          <Loading label="Loading runs" />
        ) : null
      ) : list.entry_count === 0 ? (
        <EmptyState title="No ledger imported yet" testId="reconcile-empty">
          <p>
            {info?.database.path ?? info?.database.name ?? 'This database'} has no ledger entries yet. Import an Orb or Moesif export and your Stripe exports
            (API objects or dashboard CSV) on the <a href="#/import">Import</a> screen (or run{' '}
            <code>ledgerscope import &lt;file&gt;… --db {info?.database.path ?? info?.database.name ?? '<path>'}</code>), then reconcile them here.
          </p>
        </EmptyState>
      ) : (
        <>
          {list.payment_count === 0 ? (
            <p className="notice-warning" data-testid="no-payments">
              No Stripe payments imported yet — import a Stripe export or run <code>ledgerscope sync stripe</code>. Until then every paid credit shows as
              “credited but no payment”.
            </p>
          ) : null}
          {shown === null ? (
            <EmptyState title="No reconciliation run yet" testId="reconcile-no-runs">
              <p>
                Press <strong>Run reconciliation</strong> to match {formatCountOf(list.payment_count, 'Stripe payment record')} against{' '}
                {formatCountOf(list.entry_count, 'ledger entry', 'ledger entries')} as of {asOfText(asOf)} (set another instant in the toolbar).
              </p>
            </EmptyState>
          ) : (
            <RunView key={`${shown.run_id}|${focus?.itemId ?? ''}`} run={shown} runs={list.runs} onChanged={changed} focusItemId={focus !== null && focus.runId === shown.run_id ? focus.itemId : null} />
          )}
        </>
      )}
    </section>
  );
}
