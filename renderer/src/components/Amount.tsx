import { createContext, useContext, type ReactNode } from 'react';
import { amountParts, shortMagnitude } from '../format';

/** The account a screen shows, with its scale: amounts in its unit inside are padded to that many digits. */
const ScaleContext = createContext<{ unit: string; scale: number } | null>(null);

/** Wraps an account's screen so every Amount in its unit shows the account's scale (format.ts amountParts). */
export function AccountScale({ unit, scale, children }: { unit: string; scale: number; children: ReactNode }) {
  return <ScaleContext.Provider value={{ unit, scale }}>{children}</ScaleContext.Provider>;
}

/** The scale for amounts in `unit` here: the surrounding account's, else 0 (the unit's own digits). */
export function useAmountScale(unit: string): number {
  const context = useContext(ScaleContext);
  return context !== null && context.unit === unit ? context.scale : 0;
}

/**
 * An amount as the ledger holds it: every digit, its unit, and a negative one unmistakable (a true
 * minus sign, colour, and "negative" for screen readers).
 */
export function Amount({ value, unit, showUnit = true, signed = false, scale }: { value: string; unit: string; showUnit?: boolean; signed?: boolean; scale?: number | undefined }) {
  // `scale`: the row's account's, where a list shows many accounts; else the surrounding account's.
  const surrounding = useAmountScale(unit);
  const parts = amountParts(value, unit, scale ?? surrounding);
  const sign = parts.negative ? '−' : signed && !/^[+-]?0*(\.0*)?$/.test(value) ? '+' : '';
  // Very large amounts (a unit error, a pasted id) are shortened so the layout holds; the title has every digit.
  const short = shortMagnitude(value);
  return (
    <span
      className={`amount${parts.negative ? ' negative' : ''}${short === null ? '' : ' shortened'}`}
      title={`${sign}${parts.magnitude} ${unit}`}
      aria-label={`${parts.negative ? 'negative ' : ''}${parts.magnitude} ${unit}`}
      data-full={short === null ? undefined : `${sign}${parts.magnitude}`}
    >
      {sign}
      {short ?? parts.magnitude}
      {showUnit ? <span className="unit"> {unit}</span> : null}
    </span>
  );
}
