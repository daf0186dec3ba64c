/** CSV encoding and parsing used by the fake API's imports and exports. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseCsv, toCsv } from './csv.ts';

describe('csv', () => {
  test('toCsv then parseCsv gives back every non-empty field', () => {
    const field = fc.string({ minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(fc.array(fc.tuple(field, field), { minLength: 1, maxLength: 10 }), (pairs) => {
        const records = pairs.map(([a, b]) => ({ a, b }));
        const [header, ...rows] = parseCsv(toCsv(records));
        expect(header).toEqual(['a', 'b']);
        expect(rows).toEqual(pairs.map(([a, b]) => [a, b]));
      }),
    );
  });

  test('quotes, doubled quotes, CRLF and embedded newlines', () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi"""\n"multi\nline",z\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['multi\nline', 'z'],
    ]);
  });

  test('an unterminated quote is an error, not a silently merged row', () => {
    expect(() => parseCsv('a\n"open')).toThrow(SyntaxError);
  });
});
