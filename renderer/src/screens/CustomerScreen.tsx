import { useEffect, useState } from 'react';
import type { CustomerTimelineItem, CustomerTimelinePage } from '../../../core/api/types';
import { call } from '../api/client';
import { usePagedRows } from '../api/hooks';
import { Amount } from '../components/Amount';
import { EmptyState, ErrorBanner } from '../components/Feedback';
import { VirtualTable, type Column } from '../components/VirtualTable';
import { formatCount, formatCountOf, formatInstant, formatKind, negateAmount } from '../format';
import { navigate, routeHref } from '../state/route';
import { asOfParam, useApp } from '../state/store';

const DIRECTION: Record<string, 1 | -1 | 0> = { increment: 1, amendment: 1, decrement: -1, void: -1, expiry: -1, expiration_change: 0 };

function accountLabel(item: CustomerTimelineItem): string {
  if (item.account === null) return '—';
  return `${item.account.unit}${item.account.subscription_id === null ? '' : ` · ${item.account.subscription_id}`}`;
}

/** Support's view: one customer's ledger entries and Stripe payments, refunds and disputes on one time axis. */
export function CustomerScreen({ customerId }: { customerId: string | null }) {
  const asOf = useApp((state) => state.asOf);
  const dataVersion = useApp((state) => state.dataVersion);
  const info = useApp((state) => state.info);
  const [draft, setDraft] = useState(customerId ?? '');
  const [head, setHead] = useState<CustomerTimelinePage | null>(null);
  useEffect(() => setDraft(customerId ?? ''), [customerId]);

  const key = JSON.stringify([customerId, asOf, dataVersion]);
  const rows = usePagedRows<CustomerTimelineItem>(
    key,
    async (offset, limit) => {
      const page = await call('customer.timeline', { customer_id: customerId ?? '', ...asOfParam(asOf), offset, limit });
      setHead(page);
      return { total: page.total, rows: page.items };
    },
    200,
    customerId !== null,
  );

  const columns: Column<CustomerTimelineItem>[] = [
    { id: 'at', header: 'Time (UTC)', width: '14.5rem', render: (item) => formatInstant(item.at).replace(' UTC', '') },
    { id: 'account', header: 'Account', width: 'minmax(7rem, 1fr)', render: accountLabel },
    {
      id: 'what',
      header: 'What',
      width: 'minmax(9rem, 1fr)',
      render: (item) =>
        item.type === 'ledger_entry' ? (
          <span className={`kind kind-${item.entry.kind}`}>
            {formatKind(item.entry.kind)}
            {item.entry.status === 'pending' ? ' (pending)' : ''}
          </span>
        ) : (
          formatKind(item.type)
        ),
    },
    {
      id: 'amount',
      header: 'Amount',
      width: '10rem',
      align: 'right',
      render: (item) => {
        if (item.type !== 'ledger_entry') return <Amount value={item.amount} unit={item.currency} />;
        const amount = DIRECTION[item.entry.kind] === -1 ? negateAmount(item.entry.applied_amount) : item.entry.applied_amount;
        return <Amount value={amount} unit={item.account.unit} signed />;
      },
    },
    {
      id: 'balance',
      header: 'Balance after',
      width: '10rem',
      align: 'right',
      render: (item) => (item.balance_after === null || item.account === null ? '—' : <Amount value={item.balance_after} unit={item.account.unit} />),
    },
    { id: 'id', header: 'Id', width: 'minmax(8rem, 1fr)', render: (item) => (item.type === 'ledger_entry' ? (item.entry.generated ? 'engine expiry' : item.entry.id) : item.id) },
    { id: 'description', header: 'Description', width: 'minmax(8rem, 1.5fr)', render: (item) => (item.type === 'ledger_entry' ? item.entry.description : item.description) ?? '' },
  ];

  return (
    <section className="screen" aria-labelledby="customer-title">
      <div className="screen-head">
        <h2 id="customer-title">Customer timeline</h2>
        <p className="screen-sub">“Where did my credits go?” Every entry of every account of one customer and its Stripe payments, refunds and disputes, oldest first, with the balance after each.</p>
      </div>
      <form
        className="filters"
        onSubmit={(event) => {
          event.preventDefault();
          if (draft.trim() !== '') navigate({ screen: 'customer', customerId: draft.trim() });
        }}
      >
        <label className="field grow">
          <span>Customer id</span>
          <input id="customer-input" type="text" value={draft} onChange={(event) => setDraft(event.target.value)} placeholder="cus_…" autoComplete="off" data-testid="customer-input" />
        </label>
        <button type="submit">Show timeline</button>
      </form>
      {customerId === null ? (
        <EmptyState title="Which customer?">
          <p>Type a customer id (as in the ledger: Orb customer id, Moesif company id) and press Enter, or open one from the Accounts screen.</p>
        </EmptyState>
      ) : (
        <>
          <ErrorBanner message={rows.error} />
          {head !== null && rows.error === null ? (
            <dl className="cards accounts-of-customer" aria-label="Accounts of this customer">
              {head.accounts.map((account) => (
                <div key={`${account.subscription_id}-${account.unit}`} className="card">
                  <dt>
                    <a href={routeHref({ screen: 'account', account })}>
                      {account.unit}
                      {account.subscription_id === null ? '' : ` · ${account.subscription_id}`}
                    </a>
                  </dt>
                  <dd>
                    <Amount value={account.available} unit={account.unit} /> <span className="muted small">available</span>
                  </dd>
                </div>
              ))}
            </dl>
          ) : null}
          {info !== null && head !== null && !head.items.some((item) => item.type !== 'ledger_entry') ? (
            <p className="hint small">
              No Stripe payments, refunds or disputes are linked to this customer yet: import Stripe exports or run a Stripe sync. They are linked by
              the same customer id, the Stripe customer's metadata, Orb's external customer id, or a customer mapping.
            </p>
          ) : null}
          <p className="muted small" data-testid="customer-count">
            {rows.total === null ? '' : `${formatCountOf(rows.total, 'item')} · as of ${formatInstant(head?.as_of ?? null)}`}
          </p>
          {rows.error === null ? (
            <VirtualTable
              ariaLabel={`Timeline of ${customerId}`}
              testId="customer-table"
              rowCount={rows.total ?? 0}
              row={rows.row}
              columns={columns}
              height={`min(calc(100vh - 22rem), ${Math.max(3, rows.total ?? 0) * 34 + 2}px)`}
              onRangeChange={rows.ensure}
              onActivate={(item) => item.account !== null && navigate({ screen: 'account', account: item.account })}
              empty={<EmptyState title="Nothing yet at this instant"><p>This customer had no entries at this as-of instant; move it later.</p></EmptyState>}
            />
          ) : null}
        </>
      )}
    </section>
  );
}
