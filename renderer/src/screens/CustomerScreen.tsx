import { useEffect, useState } from 'react';
import type { AccountRef, CustomerMoneyItem, CustomerTimelineItem, CustomerTimelinePage } from '../../../core/api/types';
import { call } from '../api/client';
import { usePagedRows } from '../api/hooks';
import { Amount } from '../components/Amount';
import { EmptyState, ErrorBanner } from '../components/Feedback';
import { VirtualTable, type Column } from '../components/VirtualTable';
import { formatCountOf, formatInstant, formatKind, negateAmount } from '../format';
import { currentParams, navigate, replaceParams, routeHref } from '../state/route';
import { asOfParam, useApp } from '../state/store';
import { CustomerSearch } from './customer/CustomerSearch';
import { MONEY_STATUS, stripeWord } from './customer/money-status';
import { PaymentEvidencePanel, ReconciliationLink } from './customer/PaymentEvidencePanel';

/** This screen's address key besides the customer in its path: the payment, refund or dispute whose Stripe objects are open. */
const PAYMENT_PARAM = 'payment';

const DIRECTION: Record<string, 1 | -1 | 0> = { increment: 1, amendment: 1, decrement: -1, void: -1, expiry: -1, expiration_change: 0 };

function accountLabel(item: CustomerTimelineItem): string {
  if (item.account === null) return '—';
  return `${item.account.unit}${item.account.subscription_id === null ? '' : ` · ${item.account.subscription_id}`}`;
}

function StatusCell({ item }: { item: CustomerTimelineItem }) {
  if (item.type === 'ledger_entry') {
    return item.entry.status === 'pending' ? <span className="badge money-warn">Pending</span> : <span className="muted">Posted</span>;
  }
  const label = MONEY_STATUS[item.money_status];
  const word = stripeWord(item.status, item.money_status);
  return (
    <span className={`badge money-${label.tone}`} title={`Stripe status: ${item.status}`} data-testid="money-status">
      {label.text}
      {word === null ? null : <span className="stripe-word"> ({word})</span>}
    </span>
  );
}

/** Each account's scale, from the page's accounts (the same as its account screen's). */
type ScaleOf = (account: AccountRef) => number | undefined;

function accountKey(account: AccountRef): string {
  return JSON.stringify([account.customer_id, account.subscription_id, account.unit]);
}

function AmountCell({ item, scaleOf }: { item: CustomerTimelineItem; scaleOf: ScaleOf }) {
  if (item.type === 'ledger_entry') {
    const amount = DIRECTION[item.entry.kind] === -1 ? negateAmount(item.entry.applied_amount) : item.entry.applied_amount;
    return <Amount value={amount} unit={item.account.unit} signed scale={scaleOf(item.account)} />;
  }
  // A payment that did not succeed is shown struck through: it is not money received.
  if (MONEY_STATUS[item.money_status].notReceived && item.type === 'payment') {
    return (
      <span className="not-received" title="Not money received: this payment did not succeed (or has not yet)">
        <Amount value={item.signed_amount} unit={item.currency} signed />
      </span>
    );
  }
  return <Amount value={item.signed_amount} unit={item.currency} signed />;
}

/** Support's view: one customer's ledger entries and Stripe payments, refunds and disputes on one time axis. */
export function CustomerScreen({ customerId }: { customerId: string | null }) {
  const asOf = useApp((state) => state.asOf);
  const dataVersion = useApp((state) => state.dataVersion);
  const info = useApp((state) => state.info);
  const [head, setHead] = useState<CustomerTimelinePage | null>(null);
  const [selected, setSelected] = useState<CustomerMoneyItem | null>(null);
  // The opened payment, refund or dispute is in the address (`?payment=<id>`): reload and a shared link reopen it.
  const [wanted, setWanted] = useState<string | null>(() => currentParams().get(PAYMENT_PARAM));
  useEffect(() => {
    if (wanted === null) replaceParams({ [PAYMENT_PARAM]: selected?.id ?? null });
  }, [selected, wanted]);

  const key = JSON.stringify([customerId, asOf, dataVersion]);
  const rows = usePagedRows<CustomerTimelineItem>(
    key,
    async (offset, limit) => {
      const page = await call('customer.timeline', { customer_id: customerId ?? '', ...asOfParam(asOf), offset, limit });
      // A link or a typed URL may name the customer by email, Stripe id or payment id: show the ledger customer's own URL.
      if (page.customer_id !== customerId) {
        const payment = currentParams().get(PAYMENT_PARAM);
        window.location.replace(routeHref({ screen: 'customer', customerId: page.customer_id }, payment === null ? {} : { [PAYMENT_PARAM]: payment }));
      }
      setHead(page);
      return { total: page.total, rows: page.items };
    },
    200,
    customerId !== null,
  );

  // Reopens the item the address names once its row has loaded.
  useEffect(() => {
    if (wanted === null || !rows.ready) return;
    for (let index = 0; index < (rows.total ?? 0); index++) {
      const item = rows.row(index);
      if (item === undefined) return;
      if (item.type !== 'ledger_entry' && item.id === wanted) {
        setSelected(item);
        setWanted(null);
        return;
      }
    }
    setWanted(null);
  });

  const scales = new Map((head?.accounts ?? []).map((account) => [accountKey(account), account.scale]));
  const scaleOf: ScaleOf = (account) => scales.get(accountKey(account));

  const columns: Column<CustomerTimelineItem>[] = [
    { id: 'at', header: 'Time (UTC)', width: '13.5rem', render: (item) => formatInstant(item.at).replace(' UTC', '') },
    { id: 'account', header: 'Account', width: 'minmax(4rem, 0.5fr)', render: accountLabel },
    {
      id: 'what',
      header: 'What',
      width: 'minmax(6rem, 0.7fr)',
      render: (item) => (item.type === 'ledger_entry' ? <span className={`kind kind-${item.entry.kind}`}>{formatKind(item.entry.kind)}</span> : formatKind(item.type)),
    },
    { id: 'status', header: 'Status', width: 'minmax(18rem, 2fr)', render: (item) => <StatusCell item={item} /> },
    { id: 'amount', header: 'Amount', width: '9rem', align: 'right', render: (item) => <AmountCell item={item} scaleOf={scaleOf} /> },
    {
      id: 'balance',
      header: 'Balance after',
      width: '8.5rem',
      align: 'right',
      render: (item) => (item.balance_after === null || item.account === null ? '—' : <Amount value={item.balance_after} unit={item.account.unit} scale={scaleOf(item.account)} />),
    },
    {
      id: 'reconciliation',
      header: 'Reconciliation',
      width: 'minmax(12rem, 1.8fr)',
      render: (item) => (item.type === 'ledger_entry' ? <span className="muted">{item.entry.description ?? ''}</span> : <ReconciliationLink value={item.reconciliation} />),
    },
    { id: 'id', header: 'Id', width: 'minmax(6.5rem, 0.9fr)', render: (item) => (item.type === 'ledger_entry' ? (item.entry.generated ? 'engine expiry' : item.entry.id) : item.id) },
  ];

  const contact = head !== null && head.customer_id === customerId ? head.customer : null;
  return (
    <section className="screen" aria-labelledby="customer-title">
      <div className="screen-head">
        <h2 id="customer-title">Customer timeline</h2>
        <p className="screen-sub">“Where did my credits go?” Every entry of every account of one customer and its Stripe payments, refunds and disputes, oldest first, with the balance after each.</p>
      </div>
      <CustomerSearch initial={customerId ?? ''} />
      {customerId === null ? (
        <EmptyState title="Which customer?">
          <p>
            Type a ledger customer id (Orb customer id, Moesif company id), a Stripe customer id, a name or an email, or paste a payment, charge or
            invoice id, and pick the customer; or open one from the Accounts screen.
          </p>
        </EmptyState>
      ) : (
        <>
          <ErrorBanner message={rows.error} />
          {head !== null && rows.error === null ? (
            <>
              <div className="customer-who" data-testid="customer-who">
                <h3>
                  {contact?.name ?? head.customer_id}
                  {contact?.name == null ? null : <span className="title-meta">{head.customer_id}</span>}
                </h3>
                <p className="small muted">
                  {[contact?.email ?? null, contact === null || contact.stripe_customer_ids.length === 0 ? null : `Stripe ${contact.stripe_customer_ids.join(', ')}`]
                    .filter((part) => part !== null)
                    .join(' · ') || 'No name or email stated by any source.'}
                </p>
              </div>
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
                      <Amount value={account.available} unit={account.unit} scale={account.scale} /> <span className="muted small">available</span>
                    </dd>
                  </div>
                ))}
                {head.money_received.map((received) => (
                  <div key={received.currency} className="card" title="Succeeded payments less refunds and lost disputes; failed, processing and canceled payments are not counted">
                    <dt>Money received ({received.currency})</dt>
                    <dd data-testid={`money-received-${received.currency}`}>
                      <Amount value={received.amount} unit={received.currency} />
                    </dd>
                  </div>
                ))}
              </dl>
            </>
          ) : null}
          {info !== null && head !== null && !head.items.some((item) => item.type !== 'ledger_entry') && head.money_received.length === 0 ? (
            <p className="hint small">
              No Stripe payments, refunds or disputes are linked to this customer yet: import Stripe exports or run a Stripe sync. They are linked by
              the same customer id, the Stripe customer's metadata, Orb's external customer id, or a customer mapping.
            </p>
          ) : null}
          <p className="muted small" data-testid="customer-count">
            {rows.total === null ? '' : `${formatCountOf(rows.total, 'item')} · as of ${formatInstant(head?.as_of ?? null)}`}
          </p>
          {rows.error === null ? (
            <div className="customer-table-and-evidence">
              <VirtualTable
                ariaLabel={`Timeline of ${customerId} (Enter on a payment, refund or dispute shows its Stripe objects)`}
                testId="customer-table"
                rowCount={rows.total ?? 0}
                row={rows.row}
                columns={columns}
                height={`min(calc(100vh - 24rem), ${Math.max(3, rows.total ?? 0) * 34 + 2}px)`}
                onRangeChange={rows.ensure}
                onActivate={(item) => {
                  setWanted(null);
                  if (item.type !== 'ledger_entry') setSelected(item);
                  else navigate({ screen: 'account', account: item.account });
                }}
                rowClassName={(item) => (item.type !== 'ledger_entry' && MONEY_STATUS[item.money_status].notReceived ? 'not-received-row' : '')}
                empty={<EmptyState title="Nothing yet at this instant"><p>This customer had no entries at this as-of instant; move it later.</p></EmptyState>}
              />
              {selected === null ? null : (
                <PaymentEvidencePanel
                  item={selected}
                  onClose={() => {
                    setSelected(null);
                    document.querySelector<HTMLElement>('[data-testid="customer-table"] [role="grid"]')?.focus();
                  }}
                />
              )}
            </div>
          ) : null}
          <p className="hint small">Enter or double-click opens a payment, refund or dispute’s Stripe objects; on a ledger entry, its account.</p>
        </>
      )}
    </section>
  );
}
