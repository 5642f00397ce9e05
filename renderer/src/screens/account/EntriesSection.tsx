import { useEffect, useRef, useState } from 'react';
import { ENTRY_KIND_NAMES, type AccountRef, type EntryKindName, type EntryRow, type EntrySourceName, type EntryStatusName } from '../../../../core/api/types';
import { call } from '../../api/client';
import { useLoad, usePagedRows } from '../../api/hooks';
import { Amount } from '../../components/Amount';
import { EmptyState, ErrorBanner, Loading } from '../../components/Feedback';
import { VirtualTable, type Column } from '../../components/VirtualTable';
import { formatCount, formatCountOf, formatInstant, formatKind } from '../../format';
import { currentParams, replaceParams } from '../../state/route';
import { useApp } from '../../state/store';
import { ENTRIES_PAGE_SIZE, ENTRIES_PARAM, entriesFilterFromParams, entriesFilterParams, entriesQuery, signedAmount } from './entries-query';
import { markEntriesPainted } from './entries-painted';

/** Marked once per page load when the entries table first shows rows: the first-paint benchmark reads it. */


/** An entry as the address names it. */
function entryParam(row: EntryRow): string {
  return `${row.source}:${row.id}`;
}

function Evidence({ entry, onClose }: { entry: EntryRow; onClose(): void }) {
  const evidence = useLoad(`${entry.source}:${entry.id}`, () => call('entries.evidence', { source: entry.source as EntrySourceName, id: entry.id }), !entry.generated);
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), [entry]);
  return (
    <aside
      className="evidence"
      aria-labelledby="evidence-title"
      data-testid="evidence"
      onKeyDown={(event) => {
        if (event.key === 'Escape') onClose();
      }}
    >
      <div className="evidence-head">
        <h4 id="evidence-title">
          Record of {formatKind(entry.kind).toLowerCase()} {entry.id}
        </h4>
        <button ref={close} type="button" className="secondary" onClick={onClose}>
          Close (Esc)
        </button>
      </div>
      {entry.generated ? (
        <p title="Rule L3: at expires_at an expiry entry removes whatever remains of the block">
          Recorded by the ledger engine when block {entry.block_id} reached its expiry; no file holds it.
        </p>
      ) : evidence.error !== null ? (
        <ErrorBanner message={evidence.error} />
      ) : evidence.data === null ? (
        <Loading label="Loading the record" />
      ) : (
        <>
          <p className="small">
            {evidence.data.file}
            {evidence.data.line === null ? '' : `, line ${evidence.data.line}`}
            {evidence.data.pointer === null ? '' : `, ${evidence.data.pointer}`} · imported {formatInstant(evidence.data.imported_at)}
          </p>
          {(evidence.data.allocation_warning ?? null) !== null ? (
            <p className="notice-warning small" data-testid="evidence-allocation-warning">
              {evidence.data.allocation_warning}
            </p>
          ) : null}
          {/* Exactly as read from the file: not re-formatted, so amounts keep every digit. */}
          <pre className="raw" data-testid="evidence-raw">
            {evidence.data.raw}
          </pre>
        </>
      )}
      {entry.effects.length > 0 ? (
        <table className="compact" aria-label="Effects on blocks">
          <caption>Effects</caption>
          <tbody>
            {entry.effects.map((effect, index) => (
              <tr key={index}>
                <td>{effect.type}</td>
                <td>{effect.block_id ?? 'deficit'}</td>
                <td className="right">
                  <Amount value={effect.amount} unit={entry.unit} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </aside>
  );
}

export function EntriesSection({ account }: { account: AccountRef }) {
  const asOf = useApp((state) => state.asOf);
  const dataVersion = useApp((state) => state.dataVersion);
  // The filters and the open record start from the address and are written back to it (reload and a shared link show the same rows).
  const [linked] = useState(currentParams);
  const [kinds, setKinds] = useState<EntryKindName[]>(() => entriesFilterFromParams(linked).kinds);
  const [status, setStatus] = useState<'' | EntryStatusName>(() => entriesFilterFromParams(linked).status);
  const [order, setOrder] = useState<'desc' | 'asc'>(() => entriesFilterFromParams(linked).order);
  const [selected, setSelected] = useState<EntryRow | null>(null);
  /** The record the address names ("source:id"), until it is found among the loaded rows or another is opened. */
  const [wanted, setWanted] = useState<string | null>(linked.get(ENTRIES_PARAM.entry));
  const [unfiltered, setUnfiltered] = useState<number | null>(null);
  useEffect(() => replaceParams(entriesFilterParams({ kinds, status, order })), [kinds, status, order]);
  useEffect(() => {
    if (wanted === null) replaceParams({ [ENTRIES_PARAM.entry]: selected === null ? null : entryParam(selected) });
  }, [selected, wanted]);
  const query = entriesQuery(account, asOf, { kinds, status, order });
  const rows = usePagedRows<EntryRow>(
    JSON.stringify([query, dataVersion]),
    async (offset, limit) => {
      const page = await call('entries.list', { ...query, offset, limit });
      setUnfiltered(page.total_unfiltered);
      return page;
    },
    ENTRIES_PAGE_SIZE,
  );

  // Reopens the record the address names, asked for by its id: it may lie far below the rows loaded so far
  // (the table loads as it scrolls; a report's drill links to any entry of a long account).
  useEffect(() => {
    if (wanted === null) return undefined;
    let live = true;
    const id = wanted.slice(wanted.indexOf(':') + 1);
    call('entries.list', { ...query, ids: [id], offset: 0, limit: 10 }).then(
      (page) => {
        if (!live) return;
        const row = page.rows.find((candidate) => entryParam(candidate) === wanted);
        if (row !== undefined) setSelected(row);
        setWanted(null);
      },
      () => live && setWanted(null),
    );
    return () => {
      live = false;
    };
    // Once per address: the filters in `query` are the ones the address gave.
  }, [wanted]);

  const painted = useRef(false);
  useEffect(() => {
    if (painted.current || !rows.ready || (rows.total ?? 0) === 0 || rows.row(0) === undefined) return;
    painted.current = true;
    // After the frame that shows the rows has been painted.
    requestAnimationFrame(() => setTimeout(markEntriesPainted, 0));
  });

  const unit = account.unit;
  const columns: Column<EntryRow>[] = [
    { id: 'seq', header: '#', width: '4.5rem', align: 'right', render: (r) => r.ledger_sequence_number },
    { id: 'at', header: 'Time (UTC)', width: '14.5rem', render: (r) => formatInstant(r.created_at).replace(' UTC', '') },
    { id: 'kind', header: 'Kind', width: '8.5rem', render: (r) => <span className={`kind kind-${r.kind}`}>{formatKind(r.kind)}</span> },
    { id: 'status', header: 'Status', width: '5.5rem', render: (r) => (r.status === 'pending' ? <span className="badge status-pending_payment">Pending</span> : 'Posted') },
    { id: 'amount', header: `Amount (${unit})`, width: '8.5rem', align: 'right', render: (r) => <Amount value={signedAmount(r)} unit={unit} showUnit={false} signed /> },
    { id: 'start', header: 'Starting', width: '8rem', align: 'right', render: (r) => <Amount value={r.starting_balance} unit={unit} showUnit={false} /> },
    { id: 'end', header: 'Ending', width: '8rem', align: 'right', render: (r) => <Amount value={r.ending_balance} unit={unit} showUnit={false} /> },
    { id: 'block', header: 'Block', width: 'minmax(6rem, 1fr)', render: (r) => r.block_id ?? (r.effects.length > 1 ? formatCountOf(r.effects.length, 'block') : r.effects[0]?.block_id ?? '') },
    { id: 'source', header: 'Source', width: '6rem', render: (r) => (r.generated ? <span className="muted">engine</span> : r.source) },
    { id: 'id', header: 'Id', width: 'minmax(7rem, 1fr)', render: (r) => <span title={r.id}>{r.id}</span> },
    { id: 'description', header: 'Description', width: 'minmax(8rem, 1.5fr)', render: (r) => r.description ?? '' },
  ];

  const toggleKind = (kind: EntryKindName): void => setKinds((current) => (current.includes(kind) ? current.filter((k) => k !== kind) : [...current, kind]));
  const filtered = kinds.length > 0 || status !== '';

  return (
    <section className="panel entries" aria-labelledby="entries-title">
      <div className="panel-head">
        <h3 id="entries-title">Entries</h3>
        <span className="muted small" data-testid="entries-count">
          {rows.total === null ? '' : filtered && unfiltered !== null ? `${formatCount(rows.total)} of ${formatCount(unfiltered)}` : formatCount(rows.total)}
        </span>
      </div>
      <div className="filters" role="group" aria-label="Entry filters">
        <fieldset className="kinds">
          <legend>Kinds</legend>
          {ENTRY_KIND_NAMES.map((kind) => (
            <label key={kind} className="check">
              <input type="checkbox" checked={kinds.includes(kind)} onChange={() => toggleKind(kind)} data-testid={`kind-${kind}`} />
              {formatKind(kind)}
            </label>
          ))}
        </fieldset>
        <label className="field">
          <span>Status</span>
          <select value={status} onChange={(event) => setStatus(event.target.value as '' | EntryStatusName)} data-testid="status-filter">
            <option value="">Any</option>
            <option value="posted">Posted</option>
            <option value="pending">Pending</option>
          </select>
        </label>
        <label className="field">
          <span>Order</span>
          <select value={order} onChange={(event) => setOrder(event.target.value as 'asc' | 'desc')} data-testid="order-filter">
            <option value="desc">Newest first</option>
            <option value="asc">Oldest first</option>
          </select>
        </label>
      </div>
      <ErrorBanner message={rows.error} />
      <div className={selected === null ? '' : 'with-evidence'}>
        <VirtualTable
          ariaLabel="Entries (Enter shows the raw record)"
          testId="entries-table"
          rowCount={rows.total ?? 0}
          row={rows.row}
          columns={columns}
          height={`min(28rem, ${Math.max(3, rows.total ?? 0) * 34 + 2}px)`}
          onRangeChange={rows.ensure}
          onActivate={(row) => {
            setWanted(null);
            setSelected(row);
          }}
          rowClassName={(row) => (row.status === 'pending' ? 'pending' : '')}
          empty={
            rows.ready ? (
              <EmptyState title={filtered ? 'No entries match' : 'No entries at this instant'}>
                <p>{filtered ? 'Clear the kind and status filters to see every entry.' : 'This account had no entries yet at this as-of instant; move it later.'}</p>
              </EmptyState>
            ) : (
              <div className="loading">Loading entries…</div>
            )
          }
        />
        {selected !== null ? (
          <Evidence
            entry={selected}
            onClose={() => {
              setSelected(null);
              // Back to the row the record was opened from.
              document.querySelector<HTMLElement>('[data-testid="entries-table"] [role="grid"]')?.focus();
            }}
          />
        ) : null}
      </div>
      <p className="hint small">Enter or double-click shows an entry’s raw record and its effect on each block.</p>
    </section>
  );
}
