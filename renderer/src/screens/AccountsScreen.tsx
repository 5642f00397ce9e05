import { useEffect, useMemo, useState } from 'react';
import { ACCOUNT_SORT_KEYS, type AccountSortKey, type AccountSummary, type AccountUnitTotals } from '../../../core/api/types';
import { call } from '../api/client';
import { usePagedRows } from '../api/hooks';
import { Amount } from '../components/Amount';
import { EmptyState, ErrorBanner } from '../components/Feedback';
import { VirtualTable, type Column } from '../components/VirtualTable';
import { formatCount, formatCountOf, formatDate, formatInstant, isZeroAmount } from '../format';
import { currentParams, navigate, replaceParams, routeHref } from '../state/route';
import { asOfParam, useApp } from '../state/store';
import { exportBalances } from './export';

const DECIMAL_INPUT = /^\d+(\.\d+)?$/;

/** This screen's address keys. */
const PARAM = { search: 'q', sort: 'sort', direction: 'dir', below: 'below', deficit: 'deficit', disagrees: 'disagrees', expiring: 'expiring' } as const;
const SORT_KEYS: readonly AccountSortKey[] = ACCOUNT_SORT_KEYS;

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

/** The totals table's amount columns, in its order. */
const TOTAL_COLUMNS = ['current', 'pending', 'scheduled', 'deficit', 'expiring'] as const;

export function AccountsScreen() {
  const asOf = useApp((state) => state.asOf);
  const dataVersion = useApp((state) => state.dataVersion);
  const info = useApp((state) => state.info);
  // The search, sort and filters start from the address and are written back to it (a shareable view).
  const [linked] = useState(currentParams);
  const [search, setSearch] = useState(linked.get(PARAM.search) ?? '');
  const [sort, setSort] = useState<{ key: AccountSortKey; direction: 'asc' | 'desc' }>(() => {
    const key = linked.get(PARAM.sort);
    return key !== null && SORT_KEYS.includes(key as AccountSortKey)
      ? { key: key as AccountSortKey, direction: linked.get(PARAM.direction) === 'desc' ? 'desc' : 'asc' }
      : { key: 'customer_id', direction: 'asc' };
  });
  const [lowBelow, setLowBelow] = useState(linked.get(PARAM.below) ?? '');
  const [inDeficit, setInDeficit] = useState(linked.get(PARAM.deficit) === '1');
  const [disagrees, setDisagrees] = useState(linked.get(PARAM.disagrees) === '1');
  const [expiringOn, setExpiringOn] = useState(linked.get(PARAM.expiring) !== null);
  const [expiringDays, setExpiringDays] = useState(linked.get(PARAM.expiring) ?? '30');
  useEffect(() => {
    const isDefaultSort = sort.key === 'customer_id' && sort.direction === 'asc';
    replaceParams({
      [PARAM.search]: search,
      [PARAM.sort]: isDefaultSort ? null : sort.key,
      [PARAM.direction]: isDefaultSort ? null : sort.direction,
      [PARAM.below]: lowBelow,
      [PARAM.deficit]: inDeficit ? '1' : null,
      [PARAM.disagrees]: disagrees ? '1' : null,
      [PARAM.expiring]: expiringOn ? expiringDays : null,
    });
  }, [search, sort, lowBelow, inDeficit, disagrees, expiringOn, expiringDays]);
  const [notice, setNotice] = useState<string | null>(null);
  const [shownAsOf, setShownAsOf] = useState<string | null>(null);
  const debouncedSearch = useDebounced(search, 150);

  const lowValid = lowBelow === '' || DECIMAL_INPUT.test(lowBelow);
  const days = /^\d{1,4}$/.test(expiringDays) ? Number(expiringDays) : null;
  const filter = useMemo(
    () => ({
      ...(lowBelow !== '' && lowValid ? { low_balance_below: lowBelow } : {}),
      ...(inDeficit ? { in_deficit: true } : {}),
      ...(disagrees ? { disagrees_with_source: true } : {}),
      ...(expiringOn && days !== null ? { expiring_within_days: days } : {}),
    }),
    [lowBelow, lowValid, inDeficit, disagrees, expiringOn, days],
  );
  const query = { search: debouncedSearch, sort, filter, ...asOfParam(asOf) };
  const key = JSON.stringify([query, dataVersion]);
  const [totalAccounts, setTotalAccounts] = useState<number | null>(null);
  const [totals, setTotals] = useState<AccountUnitTotals[]>([]);
  const rows = usePagedRows<AccountSummary>(key, async (offset, limit) => {
    const page = await call('accounts.list', { ...query, offset, limit });
    setTotalAccounts(page.total_accounts);
    setTotals(page.totals);
    setShownAsOf(page.as_of);
    return page;
  });

  const noLedger = info !== null && !info.database.exists;
  const toggleSort = (column: AccountSortKey) => () =>
    setSort((current) =>
      current.key === column ? { key: column, direction: current.direction === 'asc' ? 'desc' : 'asc' } : { key: column, direction: column === 'customer_id' || column === 'unit' || column === 'next_expiry_at' ? 'asc' : 'desc' },
    );
  const sortOf = (column: AccountSortKey) => ({ direction: sort.key === column ? sort.direction : null, onToggle: toggleSort(column) });

  const money = (pick: (row: AccountSummary) => string, hideZero = false) => (row: AccountSummary) =>
    hideZero && isZeroAmount(pick(row)) ? <span className="muted">—</span> : <Amount value={pick(row)} unit={row.unit} showUnit={false} scale={row.scale} />;

  const columns: Column<AccountSummary>[] = [
    {
      id: 'customer',
      header: 'Customer',
      width: 'minmax(11rem, 1.4fr)',
      sort: sortOf('customer_id'),
      render: (row) => (
        <span className="customer-cell">
          <a href={routeHref({ screen: 'account', account: row })} tabIndex={-1}>
            {row.customer_id}
          </a>
          {row.customer_name || row.customer_email ? (
            <span className="customer-contact muted small" data-testid="customer-contact" title={[row.customer_name, row.customer_email].filter(Boolean).join(' · ')}>
              {row.customer_name || row.customer_email}
            </span>
          ) : null}
        </span>
      ),
    },
    { id: 'subscription', header: 'Subscription', width: 'minmax(8rem, 1fr)', render: (row) => row.subscription_id ?? <span className="muted">none</span> },
    { id: 'unit', header: 'Unit', width: '5.5rem', sort: sortOf('unit'), render: (row) => row.unit },
    { id: 'current', header: 'Current', width: '8.5rem', align: 'right', sort: sortOf('current'), render: money((r) => r.current) },
    { id: 'pending', header: 'Pending', width: '7.5rem', align: 'right', sort: sortOf('pending'), render: money((r) => r.pending, true) },
    { id: 'available', header: 'Available', width: '8.5rem', align: 'right', sort: sortOf('available'), render: money((r) => r.available) },
    { id: 'deficit', header: 'Deficit', width: '7.5rem', align: 'right', sort: sortOf('deficit'), render: money((r) => r.deficit, true) },
    { id: 'scheduled', header: 'Scheduled', width: '8rem', align: 'right', sort: sortOf('scheduled'), render: money((r) => r.scheduled, true) },
    { id: 'next_expiry', header: 'Next expiry', width: '7.5rem', sort: sortOf('next_expiry_at'), render: (row) => formatDate(row.next_expiry_at) },
    { id: 'expiring', header: 'Expiring', width: '7.5rem', align: 'right', sort: sortOf('amount_expiring'), render: money((r) => r.amount_expiring, true) },
    { id: 'last', header: 'Last entry', width: '7rem', sort: sortOf('last_entry_at'), render: (row) => formatDate(row.last_entry_at) },
    {
      id: 'source',
      header: 'Source',
      width: '6.5rem',
      render: (row) =>
        (row.source_disagreement ?? null) !== null ? (
          <span className="badge status-scheduled" data-testid="disagrees-badge" title="The balance the source states differs from the replay's: see the account">
            disagrees
          </span>
        ) : (
          <span className="muted">—</span>
        ),
    },
  ];

  const filtered = debouncedSearch !== '' || Object.keys(filter).length > 0;

  return (
    <section className="screen" aria-labelledby="accounts-title">
      <div className="screen-head">
        <h2 id="accounts-title">Accounts</h2>
        <p className="screen-sub" data-testid="accounts-count">
          {rows.total === null || totalAccounts === null
            ? ' '
            : `${formatCount(rows.total)} of ${formatCountOf(totalAccounts, 'account')} · as of ${formatInstant(shownAsOf)}`}
        </p>
      </div>
      {totals.length === 0 || noLedger ? null : (
        <table className="compact account-totals" data-testid="accounts-totals" aria-label="Totals per currency of the accounts listed">
          <thead>
            <tr>
              <th scope="col">Unit</th>
              <th scope="col" className="right">
                Accounts
              </th>
              <th scope="col" className="right">
                Current
              </th>
              <th scope="col" className="right">
                Pending
              </th>
              <th scope="col" className="right">
                Scheduled
              </th>
              <th scope="col" className="right">
                Deficit
              </th>
              <th scope="col" className="right">
                Expiring within {formatCountOf(totals[0]!.expiring_within_days, 'day')}
              </th>
            </tr>
          </thead>
          <tbody>
            {totals.map((t) => (
              <tr key={t.unit} data-unit={t.unit}>
                <th scope="row">{t.unit}</th>
                <td className="right">{formatCount(t.accounts)}</td>
                {TOTAL_COLUMNS.map((column) => (
                  <td key={column} className="right">
                    <Amount value={t[column]} unit={t.unit} scale={t.scale} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="filters" onSubmit={(event) => event.preventDefault()} aria-label="Search and filters" hidden={noLedger}>
        <label className="field grow">
          <span>Search</span>
          <input
            id="accounts-search"
            type="search"
            placeholder="Customer, name, email, subscription or unit ( / )"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            onKeyDown={(event) => {
              // Down from the search box goes into the results.
              if (event.key === 'ArrowDown') {
                event.preventDefault();
                document.querySelector<HTMLElement>('[data-testid="accounts-table"] [role="grid"]')?.focus();
              }
            }}
            autoComplete="off"
          />
        </label>
        <label className="field">
          <span>Available below</span>
          <input
            type="text"
            inputMode="decimal"
            placeholder="e.g. 10.00"
            value={lowBelow}
            onChange={(event) => setLowBelow(event.target.value.trim())}
            aria-invalid={!lowValid}
            data-testid="filter-low-balance"
            size={9}
          />
        </label>
        <label className="check">
          <input type="checkbox" checked={inDeficit} onChange={(event) => setInDeficit(event.target.checked)} data-testid="filter-deficit" />
          In deficit
        </label>
        <label className="check">
          <input type="checkbox" checked={disagrees} onChange={(event) => setDisagrees(event.target.checked)} data-testid="filter-disagrees" />
          Disagrees with source
        </label>
        <label className="check">
          <input type="checkbox" checked={expiringOn} onChange={(event) => setExpiringOn(event.target.checked)} data-testid="filter-expiring" />
          Expiring within
        </label>
        <input
          type="number"
          min={0}
          max={3650}
          value={expiringDays}
          onChange={(event) => setExpiringDays(event.target.value)}
          aria-label="Expiring within this many days"
          className="days"
        />
        <span className="muted">days</span>
        <button
          type="button"
          className="secondary"
          disabled={noLedger}
          onClick={() => void exportBalances(asOf, 'csv').then(setNotice, (error: Error) => setNotice(error.message))}
        >
          Export CSV
        </button>
      </form>
      {!lowValid ? <p className="field-error">Enter an amount like 10 or 10.50 (no separators).</p> : null}
      {notice !== null ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      <ErrorBanner message={rows.error} />
      {noLedger ? (
        <EmptyState title="No ledger yet" testId="accounts-empty">
          <p>
            <span data-testid="empty-database">{info?.database.path ?? info?.database.name}</span> has no ledger entries yet. Import an Orb ledger export, Orb
            create-entry bodies, Moesif balance transactions or Stripe exports (API objects or dashboard CSV) to see every account’s balances here.
          </p>
          <p>
            <a className="button" href="#/import">
              Import files
            </a>
          </p>
          <p className="hint">
            Or from a terminal: <code>ledgerscope import &lt;file&gt;… --db {info?.database.path ?? info?.database.name ?? '<path>'}</code>
          </p>
        </EmptyState>
      ) : (
        <VirtualTable
          ariaLabel="Accounts"
          testId="accounts-table"
          rowCount={rows.total ?? 0}
          row={rows.row}
          columns={columns}
          height="calc(100vh - 17rem)"
          onRangeChange={rows.ensure}
          onActivate={(row) => navigate({ screen: 'account', account: row })}
          rowClassName={(row) => (!isZeroAmount(row.deficit) ? 'in-deficit' : '')}
          empty={
            rows.ready ? (
              filtered ? (
                <EmptyState title="No accounts match">
                  <p>Nothing matches this search and these filters at this instant. Clear the search or loosen a filter.</p>
                  <button
                    type="button"
                    onClick={() => {
                      setSearch('');
                      setLowBelow('');
                      setInDeficit(false);
                      setExpiringOn(false);
                    }}
                  >
                    Clear search and filters
                  </button>
                </EmptyState>
              ) : (
                <EmptyState title="No accounts at this instant">
                  <p>No account had an entry yet at this as-of instant. Move the as-of date later, or press Now.</p>
                </EmptyState>
              )
            ) : (
              <div className="loading">Loading accounts…</div>
            )
          }
        />
      )}
    </section>
  );
}
