import { useEffect, useRef, useState } from 'react';
import { SOURCE_FORMAT_NAMES, type ImportProblemRow, type JobStatus, type PreviewFile, type SourceFormatName } from '../../../core/api/types';
import { isDesktop } from '../api/client';
import { Amount } from '../components/Amount';
import { EmptyState, ErrorBanner } from '../components/Feedback';
import { VirtualTable, type Column } from '../components/VirtualTable';
import { formatBytes, formatCount, formatCountOf, formatInstant, formatKind } from '../format';
import { focusOr } from '../focus';
import { useImport } from '../state/import';
import { MappingImportPanel } from './import/MappingImportPanel';
import { PreviewSummary } from './import/PreviewSummary';
import { useApp } from '../state/store';

const FORMAT_LABEL: Record<SourceFormatName, string> = {
  moesif: 'Moesif balance transactions',
  'orb-bodies': 'Orb create-entry bodies',
  'orb-export': 'Orb ledger export',
  stripe: 'Stripe API objects',
  'stripe-csv': 'Stripe dashboard CSV',
};

/** Up to this many problems are listed in full, wrapped; more go in a scrolling table of one line each. */
const WRAPPED_PROBLEMS = 20;

const PHASE_LABEL: Record<string, string> = { read: 'Reading files', parse: 'Parsing', check: 'Checking against the ledger', write: 'Writing' };

/** The menu's File > Import Files… : open the host's dialog (desktop) or the page's file picker. */
export function requestPick(): void {
  useImport.getState().setPickRequested(true);
}

function JobProgressBar({ job, onCancel }: { job: JobStatus | null; onCancel(): void }) {
  const progress = job?.progress ?? null;
  const label = progress === null ? 'Starting' : PHASE_LABEL[progress.phase] ?? progress.phase;
  const detail = progress === null || progress.total === 0 ? '' : ` ${formatCount(progress.done)} of ${formatCount(progress.total)}`;
  return (
    <div className="progress" data-testid="import-progress">
      <label htmlFor="import-progress-bar">
        {label}
        {detail}
      </label>
      <progress id="import-progress-bar" max={progress?.total || 1} value={progress === null || progress.total === 0 ? undefined : progress.done} />
      <button type="button" className="secondary" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

function ProblemList({ problems, count }: { problems: ImportProblemRow[]; count: number }) {
  const columns: Column<ImportProblemRow>[] = [
    { id: 'where', header: 'Where', width: 'minmax(10rem, 1fr)', render: (p) => `${p.file}${p.line === null ? '' : `:${p.line}`}${p.pointer === null ? '' : `#${p.pointer}`}` },
    { id: 'field', header: 'Field', width: '9rem', render: (p) => p.field },
    { id: 'message', header: 'Problem', width: 'minmax(16rem, 3fr)', render: (p) => <span title={p.rule === undefined ? p.message : `${p.message} (ledger rule ${p.rule})`}>{p.message}</span> },
  ];
  return (
    <section className="panel problems" aria-labelledby="problems-title" data-testid="import-problems">
      <h3 id="problems-title" className="negative-text" tabIndex={-1}>
        {formatCountOf(count, 'problem')}: nothing will be written
      </h3>
      {count > problems.length ? <p className="small">The first {formatCount(problems.length)} are listed; fix them and preview again for the rest.</p> : null}
      {problems.length <= WRAPPED_PROBLEMS ? (
        // A few problems: a plain table whose messages wrap, read whole.
        <table className="compact problem-list" aria-label="Import problems" data-testid="problem-list">
          <thead>
            <tr>
              <th scope="col">Where</th>
              <th scope="col">Field</th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {problems.map((p, index) => (
              <tr key={`${p.file}|${p.line ?? ''}|${p.pointer ?? ''}|${p.field}|${index}`}>
                <td>{columns[0]!.render(p, index)}</td>
                <td>{p.field}</td>
                <td data-testid="problem-message" title={p.rule === undefined ? undefined : `Ledger rule ${p.rule}`}>
                  {p.message}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <VirtualTable ariaLabel="Import problems" rowCount={problems.length} row={(i) => problems[i]} columns={columns} height={`${Math.min(10, problems.length) * 34 + 2}px`} />
      )}
    </section>
  );
}

function FilePreview({ file, sizeBytes }: { file: PreviewFile; sizeBytes: number | undefined }) {
  return (
    <section className="panel" aria-label={`Preview of ${file.name}`} data-testid="file-preview">
      <h3>
        {file.name}{' '}
        <span className="title-meta">
          {file.format === null ? 'format not recognised' : FORMAT_LABEL[file.format]} · {formatCountOf(file.records, 'record')}
          {sizeBytes === undefined ? '' : ` · ${formatBytes(sizeBytes)}`}
        </span>
      </h3>
      {file.first_rows.length > 0 ? (
        <div className="table-scroll">
          <table className="compact">
            <caption className="small">First {formatCountOf(file.first_rows.length, 'record')} as Ledgerscope will read them</caption>
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">Id</th>
                <th scope="col">Customer</th>
                <th scope="col">Subscription</th>
                <th scope="col">Kind</th>
                <th scope="col">Status</th>
                <th scope="col" className="right">
                  Amount
                </th>
                <th scope="col">Created (UTC)</th>
              </tr>
            </thead>
            <tbody>
              {file.first_rows.map((row, index) => (
                <tr key={`${row.id}-${index}`} title={row.raw}>
                  <td>{row.line ?? row.pointer}</td>
                  <td>{row.id}</td>
                  <td>{row.customer_id}</td>
                  <td>{row.subscription_id ?? <span className="muted">none</span>}</td>
                  <td>{formatKind(row.kind)}</td>
                  <td>{row.status}</td>
                  <td className="right">
                    <Amount value={row.amount} unit={row.unit} />
                  </td>
                  <td>{formatInstant(row.created_at).replace(' UTC', '')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

export function ImportScreen() {
  const state = useImport();
  const info = useApp((s) => s.info);
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const desktop = isDesktop();

  const choose = (): void => {
    if (desktop) void state.pickOnHost();
    else input.current?.click();
  };

  useEffect(() => {
    if (state.pickRequested) {
      state.setPickRequested(false);
      choose();
    }
  });

  // Focus follows the work: the summary once previewed, the result once imported, the picker after starting over.
  const previousPhase = useRef(state.phase);
  useEffect(() => {
    const from = previousPhase.current;
    previousPhase.current = state.phase;
    if (from === state.phase) return;
    if (state.phase === 'previewed') focusOr('#problems-title', '#preview-summary-title');
    else if (state.phase === 'done') focusOr('[data-testid="import-result"]');
    else if (state.phase === 'idle' && from !== 'reading' && from !== 'previewing') focusOr('[data-testid="choose-files"]');
  }, [state.phase]);

  const busy = state.phase === 'reading' || state.phase === 'previewing' || state.phase === 'importing';
  const preview = state.preview?.preview ?? null;
  const sizes = new Map(state.upload?.files.map((file) => [file.name, file.size_bytes]) ?? []);
  const run = state.run;
  const records = preview?.files.reduce((sum, file) => sum + file.records, 0) ?? 0;

  return (
    <section className="screen" aria-labelledby="import-title">
      <div className="screen-head">
        <h2 id="import-title">Import</h2>
        <p className="screen-sub">
          Into {info?.database.name ?? 'the open database'}. Every file is checked against the ledger before anything is written; any problem and
          nothing is.
        </p>
        {info?.database.read_only === true ? (
          <p className="notice-warning" data-testid="import-read-only">
            {info.database.name} is read-only (its file, folder or disk cannot be written): nothing can be imported into it. Copy the ledger to a
            writable place to import into it.
          </p>
        ) : null}
      </div>
      <div
        className={`dropzone${dragging ? ' dragging' : ''}`}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          if (!busy) void state.chooseFiles([...event.dataTransfer.files]);
        }}
        data-testid="dropzone"
      >
        <p>Drop Orb, Moesif or Stripe export files here, or</p>
        <button type="button" onClick={choose} disabled={busy} data-testid="choose-files">
          Choose files…
        </button>
        <input
          ref={input}
          type="file"
          multiple
          hidden
          accept=".json,.jsonl,.ndjson,.csv,application/json,text/csv"
          data-testid="file-input"
          onChange={(event) => {
            const files = [...(event.target.files ?? [])];
            event.target.value = '';
            void state.chooseFiles(files);
          }}
        />
        <div className="options">
          <label className="field">
            <span>Format</span>
            <select value={state.source} onChange={(event) => state.setOptions({ source: event.target.value as SourceFormatName | '' })} disabled={busy}>
              <option value="">Detect from the content</option>
              {SOURCE_FORMAT_NAMES.map((format) => (
                <option key={format} value={format}>
                  {FORMAT_LABEL[format]}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Unit of records without a currency (Moesif, Orb bodies)</span>
            <input type="text" value={state.unit} placeholder="USD" onChange={(event) => state.setOptions({ unit: event.target.value })} disabled={busy} size={8} />
          </label>
        </div>
      </div>
      <ErrorBanner message={state.error} />
      {state.phase === 'reading' ? <div className="loading">Reading {state.upload === null ? 'files' : formatCountOf(state.upload.files.length, 'file')}…</div> : null}
      {state.phase === 'previewing' ? <JobProgressBar job={state.preview} onCancel={() => void state.cancel()} /> : null}
      {state.phase === 'importing' ? <JobProgressBar job={run} onCancel={() => void state.cancel()} /> : null}
      {state.preview?.state === 'cancelled' || run?.state === 'cancelled' ? <p className="notice">Cancelled: nothing was written.</p> : null}

      {state.phase === 'done' && run?.result ? (
        <div className="success" role="status" data-testid="import-result" tabIndex={-1}>
          <strong>
            Imported {formatCountOf(run.result.inserted, 'new entry', 'new entries')} ({formatCount(run.result.unchanged)} already present)
            {run.result.accounts_touched === null ? '' : ` across ${formatCountOf(run.result.accounts_touched, 'account')}`}
            {run.result.payments === null
              ? '.'
              : ` and ${formatCountOf(run.result.payments.inserted, 'new Stripe payment')} (${formatCount(run.result.payments.updated)} updated, ${formatCount(run.result.payments.unchanged)} unchanged).`}
          </strong>{' '}
          {run.result.adjustments_replaced > 0 ? (
            <span>
              {formatCountOf(run.result.adjustments_replaced, 'posted adjustment')} now counted once: the provider's copy replaced the local entry.{' '}
            </span>
          ) : null}
          {run.result.warnings.map((warning) => (
            <p key={warning} className="notice-warning" data-testid="import-warning">
              {warning}
            </p>
          ))}
          <a href="#/accounts">See the accounts</a> ·{' '}
          <button type="button" className="link-button" onClick={state.reset}>
            Import more files
          </button>
        </div>
      ) : null}
      {run?.state === 'failed' ? (
        run.problem_count > 0 ? (
          <ProblemList problems={run.problems} count={run.problem_count} />
        ) : (
          <ErrorBanner message={run.error} />
        )
      ) : null}

      {preview !== null && state.phase !== 'done' ? (
        <>
          {preview.problem_count > 0 ? <ProblemList problems={preview.problems} count={preview.problem_count} /> : null}
          {preview.summary.records > 0 ? <PreviewSummary summary={preview.summary} /> : null}
          {preview.files.map((file) => (
            <FilePreview key={file.name} file={file} sizeBytes={sizes.get(file.name)} />
          ))}
          <div className="actions">
            <button type="button" onClick={() => void state.startRun()} disabled={!preview.ok || busy} data-testid="import-run">
              {preview.summary.new_records === 0 ? `Import anyway (nothing new in ${formatCountOf(records, 'record')})` : `Import ${formatCountOf(records, 'record')}`}
            </button>
            <button type="button" className="secondary" onClick={state.reset} disabled={busy}>
              Start over
            </button>
            {!preview.ok ? <span className="negative-text">Fix the problems above, then choose the files again.</span> : null}
          </div>
        </>
      ) : null}

      {state.phase === 'idle' && preview === null && run === null ? (
        <EmptyState title="Nothing chosen yet">
          <p>
            Ledgerscope reads Orb ledger exports, Orb create-entry bodies (JSON Lines), Moesif balance transactions (JSON, JSON Lines, CSV), and
            Stripe exports: API objects (payments, charges, refunds, disputes, credit grants) and dashboard CSV exports. The format is detected
            from the content; you will see a summary, the first rows and every problem before anything is written, into {info?.database.name ?? 'the open database'}.
          </p>
        </EmptyState>
      ) : null}
      <MappingImportPanel />
    </section>
  );
}
