/**
 * XLSX cells (never evaluated, the same bytes in any time zone), the PDF
 * font's coverage and money format, and the formats' content types.
 */
import { createRequire } from 'node:module';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { contentTypeOf } from './formats.ts';
import { encodePdf, formatMoney, pdfFontPath } from './pdf.ts';
import { columnName, encodeXlsx, xmlText } from './xlsx.ts';

/** The part of fontkit (pdfkit's font engine; it ships no types) the test reads. */
interface Font {
  hasGlyphForCodePoint(codePoint: number): boolean;
}
const fontkit = createRequire(import.meta.url)('fontkit') as { openSync(path: string): Font };

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

  test('XLSX: text is an inline string (never a formula), amounts are numbers', () => {
    const bytes = encodeXlsx(
      'payments',
      [
        { name: 'reference', type: 'text' },
        { name: 'amount', type: 'money' },
        { name: 'phone', type: 'phone' },
      ],
      [['=HYPERLINK("http://x")', -5, '+91 98765 43210']],
    );
    const sheet = strFromU8(unzipSync(bytes)['xl/worksheets/sheet1.xml'] ?? new Uint8Array());
    expect(sheet).toContain(
      '<c r="A2" t="inlineStr"><is><t xml:space="preserve">=HYPERLINK(&quot;http://x&quot;)</t></is></c>',
    );
    expect(sheet).toContain('<c r="B2"><v>-5</v></c>');
    expect(sheet).toContain('<t xml:space="preserve">+91 98765 43210</t>');
    expect(sheet).not.toContain('<f>');
  });

  test('XLSX and PDF bytes do not depend on the time zone of the process', async () => {
    const columns = [
      { name: 'currency', type: 'text' as const },
      { name: 'amount', type: 'money' as const },
    ];
    const rows = [['INR', 123_450]];
    const encode = async () =>
      Buffer.concat([
        encodeXlsx('x', columns, rows),
        await encodePdf({ title: 'Ş', period: 'p', footer: 'f' }, columns, rows),
      ]);
    const zone = process.env.TZ;
    try {
      process.env.TZ = 'UTC';
      const utc = await encode();
      process.env.TZ = 'Asia/Kolkata';
      expect((await encode()).equals(utc)).toBe(true);
      process.env.TZ = 'America/Los_Angeles';
      expect((await encode()).equals(utc)).toBe(true);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  test('the embedded PDF font has Turkish letters and the rupee, lira and euro signs', () => {
    const font = fontkit.openSync(pdfFontPath());
    for (const char of ['Ş', 'ş', 'ı', 'İ', 'ğ', '₹', '₺', '€']) {
      expect(font.hasGlyphForCodePoint(char.codePointAt(0) ?? 0), char).toBe(true);
    }
  });

  test('content types', () => {
    expect(contentTypeOf('xlsx')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(contentTypeOf('pdf')).toBe('application/pdf');
  });
});
