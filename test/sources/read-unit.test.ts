import { describe, expect, it } from 'vitest';
import { readUnit } from '../../core/sources/fields.js';
import { RecordScope } from '../../core/sources/problems.js';
import type { ImportProblem } from '../../core/sources/types.js';

describe('readUnit', () => {
  it('normalises every record alike and reports every bad unit, whatever the record before it stated', () => {
    const problems: ImportProblem[] = [];
    const scope = new RecordScope('f.jsonl', problems);
    const read = (currency: unknown, line: number) => {
      scope.moveTo(line, null);
      return readUnit(scope, { currency }, 'currency', 'USD');
    };
    expect([read('usd', 1), read('usd', 2), read(' ', 3), read(' ', 4), read('credits', 5), read('eur', 6), read(undefined, 7), read('credits', 8)]).toEqual([
      'USD', 'USD', '', '', 'credits', 'EUR', 'USD', 'credits',
    ]);
    expect(problems.map((p) => `${p.line} ${p.field}: ${p.message}`)).toEqual([
      '3 currency: expected a currency code or unit name, found " "',
      '4 currency: expected a currency code or unit name, found " "',
    ]);
  });
});
