import { lazy, Suspense } from 'react';
import type { AccountDetail, AccountRef } from '../../../core/api/types';
import { call } from '../api/client';
import { useLoad } from '../api/hooks';
import { AccountScale, Amount } from '../components/Amount';
import { ErrorBanner, Loading } from '../components/Feedback';
import { formatCountOf, formatInstant } from '../format';
import { routeHref } from '../state/route';
import { asOfParam, useApp } from '../state/store';
import { BlocksTable } from './account/BlocksTable';
import { EntriesSection } from './account/EntriesSection';
import { afterEntriesPainted } from './account/entries-painted';

// recharts is the heaviest part of the page: loaded after the tables, so they paint first.
// The chart's code loads once the entries table has painted (it needs timeline.get, answered later anyway).
const TimelineChart = lazy(() => afterEntriesPainted(1_500).then(() => import('./account/TimelineChart')));

function BalanceCards({ detail }: { detail: AccountDetail }) {
  const { account } = detail;
  const cards: [string, string, string][] = [
    ['Current', account.current, 'Posted balance'],
    ['Pending', account.pending, 'Sum of pending entries'],
    ['Available', account.available, 'Current + pending'],
    ['Deficit', account.deficit, 'Usage no block covered'],
    ['Scheduled', account.scheduled, 'Purchased credit not usable yet (effective later or awaiting payment): not in Current'],
  ];
  return (
    <dl className="cards" data-testid="balance-cards">
      {cards.map(([label, value, hint]) => (
        <div key={label} className="card" title={hint}>
          <dt>{label}</dt>
          <dd data-testid={`balance-${label.toLowerCase()}`}>
            <Amount value={value} unit={account.unit} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** The source states balances the replay does not reach: both numbers, at the first entry where they part. */
function SourceDisagreementNotice({ detail }: { detail: AccountDetail }) {
  const found = detail.source_disagreement ?? null;
  if (found === null) return null;
  const unit = detail.account.unit;
  return (
    <p className="notice-warning" data-testid="source-disagreement">
      Disagrees with source: after entry {found.entry_id} (number {found.ledger_sequence_number}, {formatInstant(found.created_at)}) the source states a balance of{' '}
      <Amount value={found.stated} unit={unit} />, the replay gives <Amount value={found.replayed} unit={unit} />.
      {/* A balance summary (Stripe) is compared after the account's last entry: nothing comes later. */}
      {found.ledger_sequence_number < detail.entry_count ? ' Later entries were not compared.' : null}
    </p>
  );
}

export function AccountScreen({ account }: { account: AccountRef }) {
  const asOf = useApp((state) => state.asOf);
  const dataVersion = useApp((state) => state.dataVersion);
  const key = JSON.stringify([account, asOf, dataVersion]);
  const detail = useLoad(key, () => call('account.get', { account, ...asOfParam(asOf) }));

  // Every amount of the account shows its scale (the most digits among its stated amounts).
  return (
    <AccountScale unit={account.unit} scale={detail.data?.scale ?? 0}>
      <section className="screen" aria-labelledby="account-title">
        <nav className="breadcrumbs" aria-label="Breadcrumbs">
          <a href="#/accounts">Accounts</a> <span aria-hidden="true">/</span>
        </nav>
        <div className="screen-head">
          <h2 id="account-title">
            {account.customer_id}
            <span className="title-meta">
              {account.subscription_id === null ? 'no subscription' : account.subscription_id} · {account.unit}
            </span>
          </h2>
          {detail.data?.customer !== undefined && (detail.data.customer.name !== null || detail.data.customer.email !== null) ? (
            <p className="customer-contact-line" data-testid="account-contact">
              {[detail.data.customer.name, detail.data.customer.email].filter(Boolean).join(' · ')}
            </p>
          ) : null}
          <p className="screen-sub">
            {detail.data !== null
              ? `${formatCountOf(detail.data.entry_count, 'entry', 'entries')} · ${formatCountOf(detail.data.blocks.length, 'block')} · as of ${formatInstant(detail.data.as_of)}`
              : ' '}{' '}
            <a href={routeHref({ screen: 'customer', customerId: account.customer_id })}>Customer timeline</a>
          </p>
        </div>
        <ErrorBanner message={detail.error} />
        {detail.data !== null ? <BalanceCards detail={detail.data} /> : detail.loading ? <Loading label="Loading balances" /> : null}
        {detail.data !== null ? <SourceDisagreementNotice detail={detail.data} /> : null}
        <section className="panel" aria-labelledby="blocks-title">
          <h3 id="blocks-title">Credit blocks</h3>
          {detail.data !== null ? <BlocksTable blocks={detail.data.blocks} unit={account.unit} /> : null}
        </section>
        <section className="panel" aria-labelledby="timeline-title">
          <h3 id="timeline-title">Balance and expiry timeline</h3>
          <Suspense fallback={<Loading label="Loading chart" />}>
            <TimelineChart account={account} />
          </Suspense>
        </section>
        <EntriesSection account={account} />
      </section>
    </AccountScale>
  );
}
