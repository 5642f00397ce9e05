import { useEffect, useId, useState } from 'react';
import type { CustomerSearchResult, CustomerSuggestion } from '../../../../core/api/types';
import { call } from '../../api/client';
import { errorMessage } from '../../api/hooks';
import { navigate } from '../../state/route';

function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

const MATCHED_BY: Record<CustomerSuggestion['matched_by'], string> = {
  ledger_id: 'ledger id',
  stripe_customer: 'Stripe customer',
  email: 'email',
  name: 'name',
  payment: 'Stripe payment',
};

/**
 * One box for any way support names a customer: ledger id, Stripe customer id, name, email, or a payment,
 * charge or invoice id. Suggestions as you type (a listbox: arrows move, Enter opens); Enter on the text
 * itself opens the customer it names exactly.
 */
export function CustomerSearch({ initial }: { initial: string }) {
  const [text, setText] = useState(initial);
  const [result, setResult] = useState<CustomerSearchResult | null>(null);
  const [active, setActive] = useState(-1);
  const [open, setOpen] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const listId = useId();
  const debounced = useDebounced(text, 120);
  useEffect(() => setText(initial), [initial]);

  useEffect(() => {
    let current = true;
    if (debounced.trim() === '') {
      setResult(null);
      return;
    }
    call('customers.search', { query: debounced, limit: 8 }).then(
      (reply) => {
        if (!current) return;
        setResult(reply);
        setActive(-1);
      },
      (failure: unknown) => current && setProblem(errorMessage(failure)),
    );
    return () => {
      current = false;
    };
  }, [debounced]);

  const suggestions = result !== null && result.query === debounced ? result.suggestions : [];
  const choose = (customerId: string): void => {
    setOpen(false);
    setProblem(null);
    navigate({ screen: 'customer', customerId });
  };
  const submit = async (): Promise<void> => {
    const query = text.trim();
    if (query === '') return;
    const picked = active >= 0 ? suggestions[active] : undefined;
    if (picked !== undefined) return choose(picked.customer_id);
    try {
      const reply = await call('customers.search', { query, limit: 8 });
      if (reply.exact !== null) return choose(reply.exact.customer_id);
      if (reply.suggestions.length === 1) return choose(reply.suggestions[0]!.customer_id);
      setResult(reply);
      setOpen(reply.suggestions.length > 0);
      setProblem(reply.problem ?? 'Several customers match: choose one below.');
    } catch (failure) {
      setProblem(errorMessage(failure));
    }
  };

  const expanded = open && suggestions.length > 0;
  return (
    <form
      className="filters customer-search"
      role="search"
      aria-label="Find a customer"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <div className="field grow combo">
        <label htmlFor="customer-input">Customer</label>
        <input
          id="customer-input"
          type="text"
          role="combobox"
          aria-expanded={expanded}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={expanded && active >= 0 ? `${listId}-${active}` : undefined}
          aria-describedby={problem === null ? undefined : `${listId}-problem`}
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            setOpen(true);
            setProblem(null);
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => setTimeout(() => setOpen(false), 150)}
          onKeyDown={(event) => {
            if (event.key === 'ArrowDown' && suggestions.length > 0) {
              event.preventDefault();
              setOpen(true);
              setActive((index) => Math.min(suggestions.length - 1, index + 1));
            } else if (event.key === 'ArrowUp' && suggestions.length > 0) {
              event.preventDefault();
              setActive((index) => Math.max(-1, index - 1));
            } else if (event.key === 'Escape' && expanded) {
              event.preventDefault();
              event.stopPropagation();
              setOpen(false);
            }
          }}
          placeholder="Ledger id, Stripe customer id, name, email, or a payment, charge or invoice id"
          autoComplete="off"
          spellCheck={false}
          data-testid="customer-input"
        />
        <ul id={listId} role="listbox" aria-label="Matching customers" className="suggestions" hidden={!expanded} data-testid="customer-suggestions">
          {suggestions.map((suggestion, index) => (
            <li
              key={suggestion.customer_id}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === active}
              className={index === active ? 'active' : ''}
              onMouseDown={(event) => {
                event.preventDefault();
                choose(suggestion.customer_id);
              }}
            >
              <span className="suggestion-main">
                {suggestion.name ?? suggestion.customer_id}
                {suggestion.email === null ? null : <span className="muted"> · {suggestion.email}</span>}
              </span>
              <span className="suggestion-meta muted small">
                {suggestion.name === null ? '' : `${suggestion.customer_id} · `}
                {MATCHED_BY[suggestion.matched_by]} {suggestion.matched_text}
              </span>
            </li>
          ))}
        </ul>
      </div>
      <button type="submit">Show timeline</button>
      {problem === null ? null : (
        <p id={`${listId}-problem`} className="field-problem" role="alert" data-testid="customer-search-problem">
          {problem}
        </p>
      )}
    </form>
  );
}
