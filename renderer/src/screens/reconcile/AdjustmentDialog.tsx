import { useEffect, useRef, useState } from 'react';
import type { AdjustmentPosted, AdjustmentPreview, AdjustmentProposal, ReconcileItemRow } from '../../../../core/api/types';
import { call } from '../../api/client';
import { errorMessage } from '../../api/hooks';
import { Amount } from '../../components/Amount';
import { ErrorBanner } from '../../components/Feedback';
import { formatCategory, formatInstant, formatKind, fromAsOfInput, isDecimalInput, toAsOfInput } from '../../format';

/*
 * The balancing entry of one item, reviewed and edited before anything is written: every change asks
 * the engine for a fresh balance preview (debounced); only "Confirm and post" writes, once.
 */

const PREVIEW_DELAY_MS = 250;

interface Draft {
  kind: AdjustmentProposal['kind'];
  amount: string;
  expiresAt: string;
  costBasis: string;
  blockId: string;
  description: string;
  idempotencyKey: string;
}

function draftOf(proposal: AdjustmentProposal): Draft {
  return {
    kind: proposal.kind,
    amount: proposal.amount,
    expiresAt: proposal.expires_at === null ? '' : toAsOfInput(proposal.expires_at),
    costBasis: proposal.cost_basis ?? '',
    blockId: proposal.block_id ?? '',
    description: proposal.description,
    idempotencyKey: proposal.idempotency_key,
  };
}

/** The proposal the draft says, or the first field problem to fix (nothing is sent while there is one). */
function proposalOf(base: AdjustmentProposal, draft: Draft): { proposal: AdjustmentProposal } | { field: keyof Draft; problem: string } {
  if (!isDecimalInput(draft.amount)) return { field: 'amount', problem: 'Type an amount greater than zero like 12.50 (the kind gives the direction).' };
  if (/^0*(\.0*)?$/.test(draft.amount.trim())) return { field: 'amount', problem: 'The amount must be greater than zero.' };
  const increment = draft.kind === 'increment';
  let expiresAt: string | null = null;
  if (increment && draft.expiresAt.trim() !== '') {
    expiresAt = fromAsOfInput(draft.expiresAt);
    if (expiresAt === null) return { field: 'expiresAt', problem: 'Type a date (2025-12-31) or a date and time (2025-12-31 18:00), UTC, or leave it empty.' };
  }
  if (increment && draft.costBasis.trim() !== '' && !/^\d+(\.\d+)?$/.test(draft.costBasis.trim())) {
    return { field: 'costBasis', problem: 'Type a price per unit like 0.20, or leave it empty.' };
  }
  const needsBlock = draft.kind === 'void' || draft.kind === 'amendment';
  if (needsBlock && draft.blockId.trim() === '') return { field: 'blockId', problem: `A ${draft.kind} names the block it changes.` };
  if (draft.idempotencyKey.trim() === '') return { field: 'idempotencyKey', problem: 'The transaction id cannot be empty.' };
  return {
    proposal: {
      ...base,
      kind: draft.kind,
      amount: draft.amount.trim(),
      expires_at: expiresAt,
      cost_basis: increment && draft.costBasis.trim() !== '' ? draft.costBasis.trim() : null,
      block_id: needsBlock ? draft.blockId.trim() : null,
      description: draft.description,
      idempotency_key: draft.idempotencyKey.trim(),
    },
  };
}

function PreviewTable({ preview }: { preview: AdjustmentPreview }) {
  const rows: [string, keyof AdjustmentPreview['before']][] = [
    ['Current', 'current'],
    ['Pending', 'pending'],
    ['Available', 'available'],
    ['Deficit', 'deficit'],
    ['Scheduled', 'scheduled'],
  ];
  return (
    <>
      <table className="compact preview-table" data-testid="preview-balances">
        <caption>Balance if posted now ({formatInstant(preview.as_of)})</caption>
        <thead>
          <tr>
            <th scope="col" />
            <th scope="col" className="right">
              Before
            </th>
            <th scope="col" aria-hidden="true" />
            <th scope="col" className="right">
              After
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, key]) => {
            const changed = preview.before[key] !== preview.after[key];
            return (
              <tr key={key} className={changed ? 'changed' : undefined} data-testid={`preview-${key}`}>
                <th scope="row">{label}</th>
                <td className="right" data-testid={`preview-${key}-before`}>
                  <Amount value={preview.before[key]} unit={preview.unit} />
                </td>
                <td aria-hidden="true" className="arrow">
                  →
                </td>
                <td className="right" data-testid={`preview-${key}-after`}>
                  <Amount value={preview.after[key]} unit={preview.unit} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <table className="compact preview-table" data-testid="preview-blocks">
        <caption>Blocks touched</caption>
        {preview.blocks.length === 0 ? (
          <tbody>
            <tr>
              <td className="muted">No block changes: the entry only moves the deficit.</td>
            </tr>
          </tbody>
        ) : (
          <>
            <thead>
              <tr>
                <th scope="col">Block</th>
                <th scope="col" className="right">
                  Before
                </th>
                <th scope="col" aria-hidden="true" />
                <th scope="col" className="right">
                  After
                </th>
                <th scope="col">Status after</th>
              </tr>
            </thead>
            <tbody>
              {preview.blocks.map((block) => (
                <tr key={block.id}>
                  <td>
                    <code>{block.id}</code>
                    {block.before === null ? <span className="badge status-active">new</span> : null}
                  </td>
                  <td className="right">{block.before === null ? <span className="muted">—</span> : <Amount value={block.before.remaining} unit={preview.unit} />}</td>
                  <td aria-hidden="true" className="arrow">
                    →
                  </td>
                  <td className="right">
                    <Amount value={block.after.remaining} unit={preview.unit} />
                  </td>
                  <td>
                    <span className={`badge status-${block.after.status}`}>{block.after.status}</span>
                    {block.after.expires_at === null ? null : <div className="muted small">expires {formatInstant(block.after.expires_at)}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </>
        )}
      </table>
    </>
  );
}

export function AdjustmentDialog({ item, onClose, onPosted }: { item: ReconcileItemRow; onClose(): void; onPosted(result: AdjustmentPosted): void }) {
  const base = item.proposal!;
  const dialog = useRef<HTMLDialogElement>(null);
  const [draft, setDraft] = useState<Draft>(() => draftOf(base));
  const [preview, setPreview] = useState<AdjustmentPreview | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [updating, setUpdating] = useState(false);
  const [posting, setPosting] = useState(false);
  const [postError, setPostError] = useState<string | null>(null);
  const built = proposalOf(base, draft);
  const proposalKey = 'proposal' in built ? JSON.stringify(built.proposal) : null;

  useEffect(() => {
    const element = dialog.current;
    if (element !== null && !element.open) element.showModal();
  }, []);

  useEffect(() => {
    if (!('proposal' in built)) return;
    const proposal = built.proposal;
    let current = true;
    setUpdating(true);
    const timer = setTimeout(() => {
      call('adjustment.preview', { proposal }).then(
        (reply) => {
          if (!current) return;
          setPreview(reply);
          setPreviewError(null);
          setUpdating(false);
        },
        (error: unknown) => {
          if (!current) return;
          setPreviewError(errorMessage(error));
          setUpdating(false);
        },
      );
    }, PREVIEW_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
    // proposalKey stands for the proposal the fields make.
  }, [proposalKey]);

  const set = (field: keyof Draft) => (event: { target: { value: string } }) => setDraft((previous) => ({ ...previous, [field]: event.target.value }));
  const invalid = (field: keyof Draft): boolean => 'field' in built && built.field === field;
  const kinds: AdjustmentProposal['kind'][] = base.provider === 'moesif' ? ['increment', 'decrement'] : ['increment', 'decrement', 'void', 'amendment'];
  const canPost = 'proposal' in built && previewError === null && preview !== null && !updating && !posting;

  const post = (): void => {
    if (!('proposal' in built)) return;
    setPosting(true);
    setPostError(null);
    call('adjustment.post', { proposal: built.proposal, run_id: base.run_id, item_id: base.item_id }).then(
      (result) => {
        setPosting(false);
        onPosted(result);
      },
      (error: unknown) => {
        setPosting(false);
        setPostError(errorMessage(error));
      },
    );
  };

  return (
    <dialog ref={dialog} className="dialog adjustment-dialog" aria-labelledby="adjustment-title" onClose={onClose} data-testid="adjustment-dialog">
      <h2 id="adjustment-title">
        Balancing adjustment <span className="title-meta">{formatCategory(item.category)}</span>
      </h2>
      <p className="small muted">
        Item <code>{item.item_id}</code> of run <code>{base.run_id}</code>. Nothing is written until you confirm.
      </p>
      <div className="adjustment-body">
        <form
          className="adjustment-form"
          // Enter in a field posts nothing: only the confirm button writes.
          onSubmit={(event) => event.preventDefault()}
        >
          <div className="field">
            <span>Account</span>
            <output data-testid="adjustment-account">
              {base.customer_id} · {base.subscription_id ?? 'no subscription'} · {base.unit}
            </output>
          </div>
          <div className="field">
            <span>Posted as</span>
            <output>{base.provider === 'moesif' ? `Moesif ${base.moesif_type ?? 'adjustment'}` : 'Orb ledger entry'}</output>
          </div>
          <label className="field">
            Kind
            <select value={draft.kind} onChange={(event) => setDraft((previous) => ({ ...previous, kind: event.target.value as Draft['kind'] }))} data-testid="adjustment-kind">
              {kinds.map((kind) => (
                <option key={kind} value={kind}>
                  {formatKind(kind)} ({kind === 'increment' || kind === 'amendment' ? 'adds credit' : 'takes credit away'})
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            Amount ({base.unit})
            <input
              value={draft.amount}
              onChange={set('amount')}
              inputMode="decimal"
              autoComplete="off"
              spellCheck={false}
              aria-invalid={invalid('amount')}
              data-testid="adjustment-amount"
              autoFocus
            />
          </label>
          <div className="field">
            <span>Effective</span>
            <output className="small">when posted (the host's clock); the engine places adjustments at posting time</output>
          </div>
          {draft.kind === 'increment' ? (
            <>
              <label className="field">
                Expires (UTC, empty: never)
                <input value={draft.expiresAt} onChange={set('expiresAt')} placeholder="YYYY-MM-DD [HH:MM]" autoComplete="off" aria-invalid={invalid('expiresAt')} data-testid="adjustment-expires" />
              </label>
              <label className="field">
                Cost basis per unit (empty: unknown)
                <input value={draft.costBasis} onChange={set('costBasis')} inputMode="decimal" autoComplete="off" aria-invalid={invalid('costBasis')} data-testid="adjustment-cost-basis" />
              </label>
            </>
          ) : null}
          {draft.kind === 'void' || draft.kind === 'amendment' ? (
            <label className="field">
              Block
              <input value={draft.blockId} onChange={set('blockId')} autoComplete="off" aria-invalid={invalid('blockId')} data-testid="adjustment-block" />
            </label>
          ) : null}
          <label className="field">
            Description
            <input value={draft.description} onChange={set('description')} maxLength={255} autoComplete="off" data-testid="adjustment-description" />
          </label>
          <label className="field">
            Transaction id (idempotency key)
            <input
              value={draft.idempotencyKey}
              onChange={set('idempotencyKey')}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={invalid('idempotencyKey')}
              data-testid="adjustment-key"
              className="mono"
            />
            <span className="small">Generated from the run and item, so posting twice posts once.</span>
          </label>
          {'field' in built ? (
            <p className="field-error small" role="alert" data-testid="adjustment-field-error">
              {built.problem}
            </p>
          ) : null}
        </form>
        <section className="adjustment-preview" aria-labelledby="preview-title" aria-busy={updating} data-testid="adjustment-preview">
          <h3 id="preview-title">
            Balance preview <span className="small muted" role="status">{updating ? 'updating…' : ''}</span>
          </h3>
          <ErrorBanner message={previewError} />
          {preview === null ? previewError === null ? <p className="muted">Computing…</p> : null : <PreviewTable preview={preview} />}
        </section>
      </div>
      <ErrorBanner message={postError} />
      <div className="actions dialog-actions">
        <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
          Cancel (Esc)
        </button>
        <button type="button" onClick={post} disabled={!canPost} data-testid="adjustment-confirm">
          {posting ? 'Posting…' : 'Confirm and post'}
        </button>
      </div>
    </dialog>
  );
}
