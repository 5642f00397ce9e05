import { toCanonical } from '../../core/money/decimal.js';
import { describe, expect, it } from 'vitest';
import { parseImportFile } from '../../core/sources/parse.js';
import { fixture, jsonl, plain, problemLines } from './helpers.js';

const CUSTOMER = '4khy3nwzktxv7';
const BASE = { source: 'orb', customerId: CUSTOMER, subscriptionId: null, unit: 'credits', status: 'posted' };
const UNSET = {
  blockId: null, effectiveAt: null, expiresAt: null, costBasis: null, priority: null,
  targetExpiresAt: null, sourceExpiresAt: null, voidReason: null, description: null,
};

/** A valid body with some fields replaced. */
function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'ent_x', customer_id: CUSTOMER, created_at: '2022-11-01T00:00:00Z', entry_type: 'decrement', amount: 1, ...overrides };
}

describe('Orb create-entry bodies', () => {
  const result = parseImportFile('bodies.jsonl', fixture('orb-bodies/entries.jsonl'));

  it('detects orb-bodies from entry_type and customer_id, and reads the file without problems', () => {
    expect(result.format).toBe('orb-bodies');
    expect(problemLines(result)).toEqual([]);
  });

  it('maps each entry type to its canonical entry; bodies without currency take the one currency the file states (usd), and the summary says so', () => {
    expect(result.notes).toEqual(['bodies.jsonl: 6 bodies state no currency; read in USD, the only currency the file states (give --unit to choose another)']);
    const generatedId = result.entries[5]!.entry.sourceId;
    expect(result.entries.map((parsed) => plain(parsed.entry))).toEqual([
      { ...BASE, ...UNSET, unit: 'USD', sourceId: 'ent_inc_1', kind: 'increment', amount: '100', at: '2022-11-01T00:00:00.000Z', ordinal: 0, blockId: 'blk_a', effectiveAt: '2022-11-01T00:00:00.000Z', expiresAt: '2022-12-28T00:00:00.000Z', costBasis: '0.2', priority: 1, description: 'Prepaid purchase' },
      // A decrement may carry a negative amount: its magnitude is burned.
      { ...BASE, ...UNSET, unit: 'USD', sourceId: 'ent_dec_1', kind: 'decrement', amount: '10.5', at: '2022-11-02T00:00:00.000Z', ordinal: 1, description: 'Usage' },
      // Without block_id, the expiration change names its block by expiry_date.
      { ...BASE, ...UNSET, unit: 'USD', sourceId: 'ent_exp_1', kind: 'expiration_change', amount: '10', at: '2022-11-03T00:00:00.000Z', ordinal: 2, sourceExpiresAt: '2022-12-28T00:00:00.000Z', targetExpiresAt: '2023-12-28T00:00:00.000Z' },
      { ...BASE, ...UNSET, unit: 'USD', sourceId: 'ent_void_1', kind: 'void', status: 'pending', amount: '5', at: '2022-11-04T00:00:00.000Z', ordinal: 3, blockId: 'blk_a', voidReason: 'refund' },
      { ...BASE, ...UNSET, unit: 'USD', sourceId: 'ent_amend_1', kind: 'amendment', amount: '2', at: '2022-11-05T00:00:00.000Z', ordinal: 4, blockId: 'blk_a' },
      // Without id and block_id: a generated id, which is also the block's id.
      { ...BASE, ...UNSET, unit: 'USD', sourceId: generatedId, kind: 'increment', amount: '50', at: '2022-11-06T00:00:00.000Z', ordinal: 5, blockId: generatedId },
      // An explicit null target: the moved credit never expires.
      { ...BASE, ...UNSET, unit: 'USD', sourceId: 'ent_exp_2', kind: 'expiration_change', amount: '1', at: '2022-11-07T00:00:00.000Z', ordinal: 6, blockId: 'blk_a' },
    ]);
  });

  it('keeps the line as evidence and metadata as given', () => {
    expect(result.entries[0]?.raw).toBe(fixture('orb-bodies/entries.jsonl').split('\n')[0]);
    expect(result.entries[0]?.metadata).toEqual({ invoice: 'in_1' });
    expect(result.entries[2]?.origin).toEqual({ file: 'bodies.jsonl', line: 4, pointer: null }); // after a blank line
  });

  describe('the unit of bodies that state no currency', () => {
    const units = (text: string, unit?: string) => {
      const result = parseImportFile('bodies.jsonl', text, { source: 'orb-bodies', ...(unit === undefined ? {} : { unit }) });
      return { units: result.entries.map((e) => e.entry.unit), problems: problemLines(result), notes: result.notes ?? [] };
    };

    it('no body states a currency: credits, or --unit where given', () => {
      expect(units(jsonl(body({ id: 'a' }), body({ id: 'b' })))).toEqual({ units: ['credits', 'credits'], problems: [], notes: [] });
      expect(units(jsonl(body({ id: 'a' }), body({ id: 'b', currency: 'EUR' })), 'usd').units).toEqual(['USD', 'EUR']);
    });

    it('bodies mixing one stated currency with unstated ones: the unstated take it, and the summary says so', () => {
      expect(units(jsonl(body({ id: 'a', currency: 'USD' }), body({ id: 'b' }), body({ id: 'c' })))).toEqual({
        units: ['USD', 'USD', 'USD'],
        problems: [],
        notes: ['bodies.jsonl: 2 bodies state no currency; read in USD, the only currency the file states (give --unit to choose another)'],
      });
    });

    it('bodies stating several currencies beside unstated ones need --unit', () => {
      const text = jsonl(body({ id: 'a', currency: 'USD' }), body({ id: 'b', currency: 'EUR' }), body({ id: 'c' }));
      expect(units(text).problems).toEqual(['bodies.jsonl: -: the bodies state the currencies EUR, USD and 1 body states none: give --unit to say which unit those are in']);
      expect(units(text, 'EUR')).toEqual({ units: ['USD', 'EUR', 'EUR'], problems: [], notes: [] });
    });
  });

  it('L5 a body without id gets a deterministic id from its content; identical bodies get distinct ids', () => {
    const text = jsonl(body({ id: undefined }), body({ id: undefined }), body({ id: undefined, amount: 2 }));
    const first = parseImportFile('a.jsonl', text).entries.map((e) => e.entry.sourceId);
    const again = parseImportFile('b.jsonl', text).entries.map((e) => e.entry.sourceId);
    expect(again).toEqual(first);
    expect(first[0]).toMatch(/^orb-body:[0-9a-f]{24}$/);
    expect(first[1]).toBe(`${first[0]}:2`);
    expect(new Set(first).size).toBe(3);
  });

  it('entry_status and status: committed and posted are posted, pending is pending', () => {
    const text = jsonl(body({ entry_status: 'committed' }), body({ status: 'posted' }), body({ entry_status: 'pending' }), body());
    expect(parseImportFile('s.jsonl', text).entries.map((e) => e.entry.status)).toEqual(['posted', 'posted', 'pending', 'posted']);
  });

  describe('bad input names file, line and field', () => {
    it.each([
      ['a void without block_id', { entry_type: 'void', amount: 5 }, 'block_id: required for a void (it names the block to void)'],
      ['an amendment without block_id', { entry_type: 'amendment', amount: 5, block_id: null }, 'block_id: required for an amendment (it names the block to return credit to)'],
      ['an expiration_change naming no block', { entry_type: 'expiration_change', target_expiry_date: '2023-01-01' }, 'block_id: an expiration_change needs block_id or expiry_date to name the block it changes'],
      ['an expiration_change without target_expiry_date', { entry_type: 'expiration_change', block_id: 'blk_a' }, 'target_expiry_date: required field is missing (null if the credit should never expire)'],
      ['an increment with a negative amount', { entry_type: 'increment', amount: -5 }, 'amount: must be greater than zero for an increment, found -5'],
      ['a decrement of zero', { amount: '0.00' }, 'amount: must not be zero, found "0.00"'],
      ['an unknown entry_type', { entry_type: 'credit' }, 'entry_type: expected one of "increment", "decrement", "expiration_change", "void", "amendment", found "credit"'],
      ['a missing customer_id', { customer_id: undefined }, 'customer_id: required field is missing'],
      ['amount "12,50"', { amount: '12,50' }, 'amount: expected a decimal number like "12.50" (no exponent, no thousands separator), found "12,50"'],
      ['amount "1e3" as a string', { amount: '1e3' }, 'amount: expected a decimal number like "12.50" (no exponent, no thousands separator), found "1e3"'],
      ['a zoneless created_at', { created_at: '2022-11-01 10:00' }, 'created_at: a date-time needs a zone ("Z" or an offset like "+02:00"), found "2022-11-01 10:00"'],
      ['an unknown entry_status', { entry_status: 'void' }, 'entry_status: expected one of "committed", "posted", "pending", found "void"'],
      ['a fractional priority', { entry_type: 'increment', priority: 1.5 }, 'priority: expected an integer, found 1.5'],
      ['a negative cost basis', { entry_type: 'increment', per_unit_cost_basis: '-0.5' }, 'per_unit_cost_basis: must not be negative, found "-0.5"'],
      ['an increment expiring when it becomes effective', { entry_type: 'increment', effective_date: '2022-12-01', expiry_date: '2022-12-01' }, 'expiry_date: must be after effective_date (the block would never be usable), found "2022-12-01"'],
    ])('%s', (_name, overrides, expected) => {
      const result = parseImportFile('bodies.jsonl', jsonl(body({ id: 'ok' }), body(overrides)), { source: 'orb-bodies' });
      expect(problemLines(result)).toEqual([`bodies.jsonl:2: ${expected}`]);
      expect(result.entries.map((e) => e.entry.sourceId)).toEqual(['ok']);
    });

    it('amount 1e3 as a JSON number is valid JSON, read exactly from its literal', () => {
      const text = jsonl('{"customer_id":"c","created_at":"2022-11-01T00:00:00Z","entry_type":"increment","amount":1e3}');
      const result = parseImportFile('bodies.jsonl', text);
      expect(problemLines(result)).toEqual([]);
      expect(toCanonical(result.entries[0]!.entry.amount)).toBe('1000');
    });

    it('bodies are JSON Lines only: a JSON array is refused with a clear message', () => {
      const text = JSON.stringify([body(), body()], null, 2);
      expect(problemLines(parseImportFile('bodies.json', text))).toEqual([
        'bodies.json: -: Orb create-entry bodies are read from JSON Lines (one body per line); this file is not JSON Lines',
      ]);
    });
  });
});
