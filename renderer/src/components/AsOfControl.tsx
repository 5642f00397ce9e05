import { useEffect, useState } from 'react';
import { focusScreenHeading } from '../focus';
import { formatInstant, fromAsOfInput, toAsOfInput } from '../format';
import { useApp } from '../state/store';

/** The instant every screen answers at (L9). Empty means now; a time without a zone is read as UTC. */
export function AsOfControl() {
  const asOf = useApp((state) => state.asOf);
  const setAsOf = useApp((state) => state.setAsOf);
  const [draft, setDraft] = useState(asOf === null ? '' : toAsOfInput(asOf));
  const [invalid, setInvalid] = useState(false);
  useEffect(() => {
    setDraft(asOf === null ? '' : toAsOfInput(asOf));
    setInvalid(false);
  }, [asOf]);

  const apply = (): void => {
    if (draft.trim() === '') {
      setAsOf(null);
      return;
    }
    const instant = fromAsOfInput(draft);
    setInvalid(instant === null);
    if (instant !== null) setAsOf(instant);
  };

  return (
    <form
      className="as-of"
      onSubmit={(event) => {
        event.preventDefault();
        apply();
      }}
      aria-label="As of"
    >
      <label htmlFor="as-of-input">As of (UTC)</label>
      <input
        id="as-of-input"
        type="text"
        value={draft}
        placeholder="YYYY-MM-DD [HH:MM]"
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={(event) => {
          // Esc leaves the field: the typed text is dropped and focus goes back to the screen.
          if (event.key === 'Escape') {
            event.preventDefault();
            setDraft(asOf === null ? '' : toAsOfInput(asOf));
            setInvalid(false);
            focusScreenHeading();
          }
        }}
        aria-invalid={invalid}
        aria-describedby="as-of-label"
        autoComplete="off"
        spellCheck={false}
        data-testid="as-of-input"
      />
      <button type="submit" className="secondary">
        Apply
      </button>
      <button type="button" className="secondary" onClick={() => setAsOf(null)} disabled={asOf === null} data-testid="as-of-now">
        Now
      </button>
      <span id="as-of-label" className={invalid ? 'as-of-label negative-text' : 'as-of-label'} data-testid="as-of-label">
        {invalid ? 'Type a date (2025-01-31) or a date and time (2025-01-31 18:00), UTC' : asOf === null ? 'showing now' : `showing ${formatInstant(asOf.length === 10 ? `${asOf}T00:00:00.000Z` : asOf)}`}
      </span>
    </form>
  );
}
