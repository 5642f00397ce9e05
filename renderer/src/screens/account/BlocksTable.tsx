import type { BlockDetail } from '../../../../core/api/types';
import { Amount } from '../../components/Amount';
import { EmptyState } from '../../components/Feedback';
import { VirtualTable, type Column } from '../../components/VirtualTable';
import { formatDate, formatInstant, isZeroAmount, remainingPercent } from '../../format';

const STATUS_LABEL: Record<string, string> = {
  active: 'Active',
  scheduled: 'Scheduled',
  depleted: 'Depleted',
  expired: 'Expired',
  voided: 'Voided',
  pending_payment: 'Pending payment',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status-${status}`}>{STATUS_LABEL[status] ?? status}</span>;
}

/** What is left of a block: a bar (width from the decimal strings, see format.ts) and the amount. */
function Remaining({ block }: { block: BlockDetail }) {
  const percent = remainingPercent(block.remaining, block.initial);
  return (
    <span className="remaining">
      <span className="bar" role="img" aria-label={`${percent}% left`}>
        <span className={`bar-fill status-${block.status}`} style={{ width: `${percent}%` }} />
      </span>
      <Amount value={block.remaining} unit={block.unit} showUnit={false} />
    </span>
  );
}

export function BlocksTable({ blocks, unit }: { blocks: BlockDetail[]; unit: string }) {
  const amount = (pick: (b: BlockDetail) => string) => (block: BlockDetail) =>
    isZeroAmount(pick(block)) ? <span className="muted">0</span> : <Amount value={pick(block)} unit={block.unit} showUnit={false} />;
  const columns: Column<BlockDetail>[] = [
    { id: 'id', header: 'Block', width: 'minmax(7rem, 1fr)', render: (b) => <span title={b.id}>{b.id}</span> },
    { id: 'status', header: 'Status', width: '7.5rem', render: (b) => <StatusBadge status={b.status} /> },
    { id: 'initial', header: `Initial (${unit})`, width: '8.5rem', align: 'right', render: amount((b) => b.initial) },
    { id: 'remaining', header: 'Remaining', width: '11rem', align: 'right', render: (b) => <Remaining block={b} /> },
    { id: 'consumed', header: 'Consumed', width: '6.5rem', align: 'right', render: amount((b) => b.consumed) },
    { id: 'expired', header: 'Expired', width: '6rem', align: 'right', render: amount((b) => b.expired) },
    { id: 'voided', header: 'Voided', width: '5.5rem', align: 'right', render: amount((b) => b.voided) },
    { id: 'effective', header: 'Effective', width: '7.5rem', render: (b) => <span title={formatInstant(b.effective_at)}>{formatDate(b.effective_at)}</span> },
    { id: 'expires', header: 'Expires', width: '7.5rem', render: (b) => (b.expires_at === null ? <span className="muted">never</span> : <span title={formatInstant(b.expires_at)}>{formatDate(b.expires_at)}</span>) },
    { id: 'cost', header: 'Cost basis', width: '7rem', align: 'right', render: (b) => (b.cost_basis === null ? <span className="muted">—</span> : <span className="amount">{b.cost_basis}</span>) },
  ];
  return (
    <VirtualTable
      ariaLabel="Credit blocks"
      testId="blocks-table"
      rowCount={blocks.length}
      row={(index) => blocks[index]}
      columns={columns}
      height={`${Math.min(12, Math.max(blocks.length, 2)) * 34 + 2}px`}
      empty={
        <EmptyState title="No credit blocks">
          <p>This account had no increment at this instant. Import its purchases or grants, or move the as-of date later.</p>
        </EmptyState>
      }
    />
  );
}
