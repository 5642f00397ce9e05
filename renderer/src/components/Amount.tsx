import { amountParts, shortMagnitude } from '../format';

/**
 * An amount as the ledger holds it: every digit, its unit, and a negative one unmistakable (a true
 * minus sign, colour, and "negative" for screen readers).
 */
export function Amount({ value, unit, showUnit = true, signed = false }: { value: string; unit: string; showUnit?: boolean; signed?: boolean }) {
  const parts = amountParts(value, unit);
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
