/** CSV encoding of exports: RFC 4180 quoting, formula guard on text cells only. */
import { describe, expect, test } from 'vitest';
import { csvCell, encodeCsv, encodeNdjson } from './csv.ts';

describe('csv cells', () => {
  test('text cells that a spreadsheet would evaluate get a leading quote', () => {
    expect(csvCell('=HYPERLINK("http://x","y")', 'text')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('+cmd', 'text')).toBe("'+cmd");
    expect(csvCell('-5', 'text')).toBe("'-5");
    expect(csvCell('@SUM(A1)', 'text')).toBe("'@SUM(A1)");
    expect(csvCell('\tx', 'text')).toBe("'\tx");
  });

  test('numbers and phone numbers stay intact', () => {
    expect(csvCell(-5, 'number')).toBe('-5');
    expect(csvCell('-5', 'number')).toBe('-5');
    expect(csvCell('+91 98765 43210', 'phone')).toBe('+91 98765 43210');
    expect(csvCell('+905551112233', 'phone')).toBe('+905551112233');
  });

  test('quotes, commas and line breaks are quoted; null is empty', () => {
    expect(csvCell('a,b', 'text')).toBe('"a,b"');
    expect(csvCell('say "hi"', 'text')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines', 'text')).toBe('"two\nlines"');
    expect(csvCell(null, 'text')).toBe('');
  });

  test('files: header, CRLF lines; NDJSON keeps types', () => {
    const columns = [
      { name: 'service', type: 'text' as const },
      { name: 'amount', type: 'number' as const },
    ];
    expect(
      encodeCsv(columns, [
        ['=1+1', -500],
        ['Crown', 1200],
      ]),
    ).toBe("service,amount\r\n'=1+1,-500\r\nCrown,1200\r\n");
    expect(encodeNdjson(columns, [['=1+1', -500]])).toBe('{"service":"=1+1","amount":-500}\n');
  });
});
