import { useEffect, useState } from 'react';
import type { LiabilityAccount, LiabilityReportView, LiabilityUnitTotal } from '../../../core/api/types';
import { call } from '../api/client';
import { errorMessage, useLoad } from '../api/hooks';
import { Amount } from '../components/Amount';
import { EmptyState, ErrorBanner } from '../components/Feedback';
import { formatAmountBare, formatCount, formatCountOf, formatInstant, formatKind } from '../format';
import { currentParams, replaceParams, routeHref } from '../state/route';
import { ENTRIES_PARAM, signedAmount } from './account/entries-query';
import { deliverExport } from './export';

/*
 * Credit liability (issue 13): the `report liability` roll-forward for a period, per unit: opening,
 * purchased, promotional, consumed, deficit repaid, expired (breakage), voided, refunded, adjusted, closing,
 * in credits and valued at cost basis; a line of an account drills to the entries behind it. Exports the
 * roll-forward CSV and the journal to post from it (account names from Settings).
 */

type LineName = LiabilityReportView['lines'][number];

const LINE_LABELS: Record<LineName, string> = {
  purchased: 'Purchased',
  purchased_cost_unknown: 'Purchased (cost basis unknown)',
  promotional: 'Promotional',
  consumed: 'Consumed',
  deficit_repaid: 'Deficit repaid',
  expired: 'Expired (breakage)',
  voided: 'Voided',
  refunded: 'Refunded',
  adjusted: 'Adjusted',
  scheduled: 'Scheduled (not yet usable)',
};

/** First day of the previous month and of this month (UTC): the month a close is usually about. */
function lastMonth(): { from: string; to: string } {
  const now = new Date();
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
}

function UnitTable({ total }: { total: LiabilityUnitTotal }) {
  const lines = Object.keys(LINE_LABELS) as LineName[];
  return (
    <table className="compact liability-lines" data-testid={`liability-${total.unit}`}>
      <caption>
        {total.unit} · {formatCountOf(total.accounts, 'account')}
      </caption>
      <thead>
        <tr>
          <th scope="col">Line</th>
          <th scope="col" className="right">
            Credits
          </th>
          <th scope="col" className="right">
            Value at cost basis
          </th>
          <th scope="col" className="right">
            Entries
          </th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <th scope="row">Opening balance</th>
          <td className="right">
            <Amount value={total.opening_balance.credits} unit={total.unit} scale={total.scale} />
          </td>
          <td className="right mono">{formatAmountBare(total.opening_balance.value, '')}</td>
          <td />
        </tr>
        {lines.map((line) => (
          <tr key={line} data-line={line}>
            <th scope="row">{LINE_LABELS[line]}</th>
            <td className="right">
              <Amount value={total[line].credits} unit={total.unit} signed scale={total.scale} />
            </td>
            <td className="right mono">{formatAmountBare(total[line].value, '')}</td>
            <td className="right">{formatCount(total[line].entry_count)}</td>
          </tr>
        ))}
        <tr data-line="closing">
          <th scope="row">Closing balance</th>
          <td className="right" data-testid={`closing-${total.unit}`}>
            <Amount value={total.closing_balance.credits} unit={total.unit} scale={total.scale} />
          </td>
          <td className="right mono">{formatAmountBare(total.closing_balance.value, '')}</td>
          <td />
        </tr>
      </tbody>
    </table>
  );
}

/** An account's lines; a line with entries opens the list of them (each links to its account). */
function AccountRow({ account, onDrill }: { account: LiabilityAccount; onDrill(account: LiabilityAccount, line: LineName): void }) {
  const lines: LineName[] = ['purchased', 'promotional', 'consumed', 'expired', 'voided', 'refunded', 'adjusted'];
  return (
    <tr data-customer={account.customer_id}>
      <td>
        <a href={routeHref({ screen: 'account', account: { customer_id: account.customer_id, subscription_id: account.subscription_id, unit: account.unit } })}>
          {account.customer_id}
        </a>
        {account.subscription_id === null ? null : <span className="muted"> / {account.subscription_id}</span>}
      </td>
      <td>{account.unit}</td>
      <td className="right mono">{formatAmountBare(account.opening_balance.credits, account.unit, account.scale)}</td>
      {lines.map((line) => (
        <td key={line} className="right mono">
          {account[line].entry_count === 0 ? (
            <span className="muted">{formatAmountBare(account[line].credits, account.unit, account.scale)}</span>
          ) : (
            <button type="button" className="link-button" onClick={() => onDrill(account, line)} data-testid={`drill-${line}`} aria-label={`${LINE_LABELS[line]} of ${account.customer_id}: ${formatCountOf(account[line].entry_count, 'entry', 'entries')}`}>
              {formatAmountBare(account[line].credits, account.unit, account.scale)}
            </button>
          )}
        </td>
      ))}
      <td className="right mono">{formatAmountBare(account.closing_balance.credits, account.unit, account.scale)}</td>
    </tr>
  );
}

/** Most entries a drill lists (the contract's page); a line with more says how many it leaves out. */
const DRILL_LIMIT = 1000;

/**
 * The entries behind one line of one account: when, what, how much and the balance after, each opening the
 * account screen on that entry (its evidence). Read as of the period's end, where the report read them.
 */
function LineEntries({ account, line, to }: { account: LiabilityAccount; line: LineName; to: string }) {
  const ids = account[line].entry_ids.slice(0, DRILL_LIMIT);
  const ref = { customer_id: account.customer_id, subscription_id: account.subscription_id, unit: account.unit };
  const asOf = new Date(Date.parse(to) - 1).toISOString();
  const entries = useLoad(`${JSON.stringify(ref)}|${line}|${to}|${ids.join(',')}`, () =>
    call('entries.list', { account: ref, ids, as_of: asOf, order: 'asc', offset: 0, limit: DRILL_LIMIT }),
  );
  const total = account[line].entry_count;
  return (
    <div className="liability-drill" data-testid="liability-drill">
      <h4>
        {LINE_LABELS[line]} of {account.customer_id} ({account.unit}): {formatCountOf(total, 'entry', 'entries')}
        {total > ids.length ? <span className="muted small"> (the first {formatCount(ids.length)} listed)</span> : null}
      </h4>
      <ErrorBanner message={entries.error} />
      {entries.data === null ? (
        <p className="muted small">{entries.loading ? 'Loading entries…' : null}</p>
      ) : (
        <div className="table-scroll">
          <table className="compact" data-testid="liability-drill-entries">
            <thead>
              <tr>
                <th scope="col">Time (UTC)</th>
                <th scope="col">Kind</th>
                <th scope="col" className="right">
                  Amount
                </th>
                <th scope="col" className="right">
                  Balance after
                </th>
                <th scope="col">Block</th>
                <th scope="col">Id</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {entries.data.rows.map((row) => (
                <tr key={`${row.source}:${row.id}`}>
                  <td className="mono small">{formatInstant(row.created_at)}</td>
                  <td>{formatKind(row.kind)}</td>
                  <td className="right">
                    <Amount value={signedAmount(row)} unit={account.unit} showUnit={false} scale={account.scale} signed />
                  </td>
                  <td className="right">
                    <Amount value={row.ending_balance} unit={account.unit} showUnit={false} scale={account.scale} />
                  </td>
                  <td className="mono small">{row.block_id ?? '—'}</td>
                  <td className="mono small">
                    <a href={routeHref({ screen: 'account', account: ref }, { [ENTRIES_PARAM.entry]: `${row.source}:${row.id}` })}>{row.id}</a>
                  </td>
                  <td className="small">{row.description ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** The report's address keys: the period shown and the line drilled into, so Back from an entry returns to them. */
const LIABILITY_PARAM = { from: 'from', to: 'to', drill: 'drill' } as const;

/** A drill as the address names it: [line, customer, subscription, unit]. */
function drillParam(drill: { account: LiabilityAccount; line: LineName }): string {
  return JSON.stringify([drill.line, drill.account.customer_id, drill.account.subscription_id, drill.account.unit]);
}

function drillFromParam(text: string | null, view: LiabilityReportView): { account: LiabilityAccount; line: LineName } | null {
  if (text === null) return null;
  try {
    const [line, customer, subscription, unit] = JSON.parse(text) as [LineName, string, string | null, string];
    const account = view.accounts.find((a) => a.customer_id === customer && a.subscription_id === subscription && a.unit === unit);
    return account === undefined || !(line in LINE_LABELS) ? null : { account, line };
  } catch {
    return null; // an address edited by hand: show the report without a drill
  }
}

export function LiabilityScreen() {
  const [linked] = useState(currentParams);
  const initial = lastMonth();
  const [from, setFrom] = useState(linked.get(LIABILITY_PARAM.from) ?? initial.from);
  const [to, setTo] = useState(linked.get(LIABILITY_PARAM.to) ?? initial.to);
  const [view, setView] = useState<LiabilityReportView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [drill, setDrillState] = useState<{ account: LiabilityAccount; line: LineName } | null>(null);
  const setDrill = (next: { account: LiabilityAccount; line: LineName } | null): void => {
    setDrillState(next);
    replaceParams({ [LIABILITY_PARAM.drill]: next === null ? null : drillParam(next) });
  };
  const show = (reopen: string | null = null): void => {
    call('report.liability', { from, to }).then(
      (reply) => {
        setView(reply);
        setError(null);
        replaceParams({ [LIABILITY_PARAM.from]: from, [LIABILITY_PARAM.to]: to });
        setDrill(drillFromParam(reopen, reply));
      },
      (failure: unknown) => setError(errorMessage(failure)),
    );
  };
  // A period in the address (a reload, a shared link, Back from an entry): show it, with its drill.
  useEffect(() => {
    if (linked.get(LIABILITY_PARAM.from) !== null && linked.get(LIABILITY_PARAM.to) !== null) show(linked.get(LIABILITY_PARAM.drill));
    // Once, for the address the screen opened with.
  }, []);
  const exportFile = (what: 'liability' | 'journal', format: 'csv' | 'xlsx' = 'csv'): void => {
    call('report.liabilityExport', { from, to, what, format }).then(
      (result) => setMessage(deliverExport(result, 'text/csv')),
      (failure: unknown) => setError(errorMessage(failure)),
    );
  };
  return (
    <section className="screen" aria-labelledby="liability-title">
      <div className="screen-head">
        <div>
          <h2 id="liability-title">Credit liability</h2>
          <p className="screen-sub">What customers prepaid and have not used yet: the roll-forward of the period, per unit, valued at cost basis.</p>
        </div>
      </div>
      <form
        className="filters"
        onSubmit={(event) => {
          event.preventDefault();
          show();
        }}
      >
        <label className="field">
          <span>From (UTC, included)</span>
          <input value={from} onChange={(event) => setFrom(event.target.value.trim())} data-testid="liability-from" />
        </label>
        <label className="field">
          <span>To (UTC, excluded)</span>
          <input value={to} onChange={(event) => setTo(event.target.value.trim())} data-testid="liability-to" />
        </label>
        <button type="submit" data-testid="liability-show">
          Show
        </button>
        <button type="button" className="secondary" onClick={() => exportFile('liability')} disabled={view === null} data-testid="liability-export">
          Export CSV
        </button>
        <button type="button" className="secondary" onClick={() => exportFile('liability', 'xlsx')} disabled={view === null} data-testid="liability-export-xlsx">
          Export XLSX
        </button>
        <button type="button" className="secondary" onClick={() => exportFile('journal')} disabled={view === null} data-testid="journal-export">
          Export journal CSV
        </button>
      </form>
      <ErrorBanner message={error} />
      {message === null ? null : (
        <p className="success" role="status" data-testid="liability-message">
          {message}
        </p>
      )}
      {view === null ? null : view.totals.length === 0 ? (
        <EmptyState title="Nothing held or moved in this period" testId="liability-empty">
          <p>No account held credit or moved between these dates.</p>
        </EmptyState>
      ) : (
        <>
          <section className="panel liability-totals">
            {view.totals.map((total) => (
              <UnitTable key={total.unit} total={total} />
            ))}
          </section>
          <section className="panel" aria-labelledby="liability-accounts-title">
            <h3 id="liability-accounts-title">Accounts</h3>
            <div className="table-scroll">
              <table className="compact" data-testid="liability-accounts">
                <thead>
                  <tr>
                    <th scope="col">Customer</th>
                    <th scope="col">Unit</th>
                    <th scope="col" className="right">
                      Opening
                    </th>
                    {(['purchased', 'promotional', 'consumed', 'expired', 'voided', 'refunded', 'adjusted'] as LineName[]).map((line) => (
                      <th key={line} scope="col" className="right">
                        {LINE_LABELS[line]}
                      </th>
                    ))}
                    <th scope="col" className="right">
                      Closing
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {view.accounts.map((account) => (
                    <AccountRow key={`${account.customer_id}/${account.subscription_id ?? ''}/${account.unit}`} account={account} onDrill={(a, line) => setDrill({ account: a, line })} />
                  ))}
                </tbody>
              </table>
            </div>
            {drill === null ? null : <LineEntries account={drill.account} line={drill.line} to={view.to} />}
          </section>
        </>
      )}
    </section>
  );
}
