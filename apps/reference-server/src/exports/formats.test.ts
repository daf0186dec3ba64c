/** XLSX cell naming and escaping, money in PDFs, and the formats' content types. */
import { describe, expect, test } from 'vitest';
import { contentTypeOf } from './formats.ts';
import { formatMoney } from './pdf.ts';
import { columnName, xmlText } from './xlsx.ts';

describe('export formats', () => {
  test('spreadsheet column names run A…Z, AA…', () => {
    expect([0, 25, 26, 27, 701, 702].map(columnName)).toEqual(['A', 'Z', 'AA', 'AB', 'ZZ', 'AAA']);
  });

  test('XML text is escaped and characters XML cannot hold are replaced', () => {
    expect(xmlText('<a href="x">&</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
    expect(xmlText('bell\u0007tab\tok')).toBe('bell\uFFFDtab\tok');
  });

  test('money in PDFs: symbol, separators and the currency’s decimals', () => {
    expect(formatMoney(123_450, 'INR')).toBe('₹1,234.50');
    expect(formatMoney(-500, 'EUR')).toBe('-€5.00');
    expect(formatMoney(5, 'EUR')).toBe('€0.05');
    expect(formatMoney(1_000_000, 'JPY')).toBe('¥1,000,000');
    expect(formatMoney(1_234_567, 'KWD')).toBe('KWD 1,234.567');
    expect(formatMoney(99_900, 'TRY')).toBe('₺999.00');
  });

  test('content types', () => {
    expect(contentTypeOf('xlsx')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(contentTypeOf('pdf')).toBe('application/pdf');
  });
});
