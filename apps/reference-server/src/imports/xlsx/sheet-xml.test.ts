/**
 * The XLSX reader on XML as other writers shape it: namespace prefixes,
 * CDATA, references, line breaks and indentation read back as the same
 * rows; a DOCTYPE in any part, an unknown entity and an over-long tag are
 * refused; long text is bounded by the cell limit, not the tag limit. A
 * property test writes random text every way XML allows and reads it back.
 */
import fc from 'fast-check';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { expectRefused } from '../../../test/helpers/refused.ts';
import { readXlsxRows } from './sheet-reader.ts';

const zipLimits = { maxEntries: 64, maxUncompressedBytes: 10_000_000, maxRatio: 100 };
const sheetLimits = { maxColumns: 8, maxCellChars: 50 };

/** A workbook of the given parts; `level: 0` stores them, so a long part arrives in 16 KiB slices. */
function workbook(parts: Record<string, string>, level: 0 | 6 = 6): Uint8Array {
  return zipSync(
    Object.fromEntries(
      Object.entries(parts).map(([name, xml]) => [name, [strToU8(xml), { level }]]),
    ),
  );
}

const read = (bytes: Uint8Array, limits = sheetLimits) => [
  ...readXlsxRows(bytes, zipLimits, limits),
];

const refusedWith = (bytes: Uint8Array, code: string, detail: RegExp) =>
  expectRefused(() => read(bytes), code, detail);

describe('XML shaped by other writers', () => {
  test('prefixed elements, CDATA, references, CRLF and indentation read as the same rows', () => {
    const strings = [
      '<?xml version="1.0" encoding="UTF-8"?>\r\n',
      '<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2">\r\n',
      '  <x:si><x:t>Fish &amp; chips</x:t></x:si>\r\n',
      "  <x:si><x:t xml:space='preserve'><![CDATA[<b>bold</b>]]> &#x2014; &#233;</x:t></x:si>\r\n",
      '</x:sst>',
    ].join('');
    const sheet = [
      '<?xml version="1.0"?>\r\n<!-- exported -->\r\n',
      '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\r\n',
      '  <x:sheetData>\r\n',
      "    <x:row r = '1'>\r\n      <x:c r='A1' t='s'><x:v>0</x:v></x:c>\r\n",
      '      <x:c r="B1" t="s"><x:v>1</x:v></x:c>\r\n    </x:row>\r\n',
      '    <x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t><![CDATA[a & b]]></x:t></x:is></x:c>',
      '<x:c r="C2"\n\tt="n"><x:v>42</x:v></x:c></x:row>\r\n',
      '  </x:sheetData>\r\n</x:worksheet>\r\n',
    ].join('');
    const bytes = workbook({ 'xl/sharedStrings.xml': strings, 'xl/worksheets/sheet1.xml': sheet });
    expect(read(bytes)).toEqual([
      { row: 1, cells: ['Fish & chips', '<b>bold</b> — é'] },
      { row: 2, cells: ['a & b', '', '42'] },
    ]);
  });

  test('a shared string longer than any cell is kept cut, and refused only when a cell uses it', () => {
    const long = 'y'.repeat(100_000);
    const strings = `<sst><si><t>${long}</t></si><si><t>short</t></si></sst>`;
    const sheet = (index: number) =>
      `<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>${index}</v></c></row></sheetData></worksheet>`;
    const parts = (index: number) => ({
      'xl/sharedStrings.xml': strings,
      'xl/worksheets/sheet1.xml': sheet(index),
    });
    expect(read(workbook(parts(1), 0))).toEqual([{ row: 1, cells: ['short'] }]);
    refusedWith(workbook(parts(0), 0), 'import_cell_too_long', /50 characters/);
  });

  test('an over-long cell across many slices is a cell too long, not unreadable XML', () => {
    const sheet = `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>${'z'.repeat(100_000)}</t></is></c></row></sheetData></worksheet>`;
    refusedWith(
      workbook({ 'xl/worksheets/sheet1.xml': sheet }, 0),
      'import_cell_too_long',
      /Row 1 has a cell longer than 50 characters/,
    );
  });
});

describe('refused XML', () => {
  const sheet = (cell: string) =>
    workbook({
      'xl/worksheets/sheet1.xml': `<worksheet><sheetData><row r="1">${cell}</row></sheetData></worksheet>`,
    });

  test('a DOCTYPE in the shared strings or the styles, with the same message as in the sheet', () => {
    const doctype = '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "b">]><sst/>';
    const ok = '<worksheet><sheetData/></worksheet>';
    for (const part of ['xl/sharedStrings.xml', 'xl/styles.xml', 'xl/workbook.xml']) {
      refusedWith(
        workbook({ [part]: doctype, 'xl/worksheets/sheet1.xml': ok }),
        'import_unreadable',
        /^The XLSX file is refused: its XML declares a DOCTYPE \(entity definitions are not accepted\)\.$/,
      );
    }
  });

  test('an unknown entity, a reference to a forbidden character, a mismatched or unclosed tag', () => {
    const cell = (text: string) => `<c r="A1" t="inlineStr"><is><t>${text}</t></is></c>`;
    refusedWith(sheet(cell('&nbsp;')), 'import_unreadable', /unknown entity/);
    refusedWith(sheet(cell('&#0;')), 'import_unreadable', /character XML does not allow/);
    refusedWith(sheet('<c r="A1"><v>1</c>'), 'import_unreadable', /<\/c> closes <v>/);
    refusedWith(sheet('<c r="A<1"/>'), 'import_unreadable', /"<" in the value of r/);
    refusedWith(
      workbook({ 'xl/worksheets/sheet1.xml': '<worksheet><sheetData><row r="1">' }),
      'import_unreadable',
      /is not closed/,
    );
  });

  test('a tag longer than the limit the cell limit sets', () => {
    // Stored, not deflated: 20,000 repeated characters would compress past the 100:1 ratio.
    const xml = `<worksheet><sheetData><row r="1"><c r="A1" x="${'x'.repeat(20_000)}"/></row></sheetData></worksheet>`;
    refusedWith(
      workbook({ 'xl/worksheets/sheet1.xml': xml }, 0),
      'import_unreadable',
      /longer than 16884 characters/,
    );
  });
});

/** Text as a cell may hold: any character XML allows (CR excepted: a raw CR reads as LF). */
const cellText = fc
  .array(
    fc.oneof(
      fc.constantFrom('<', '>', '&', '"', "'", ']]>', ' ', '\n', '\t', 'é', '😀'),
      fc.string({ maxLength: 4 }),
      fc.integer({ min: 0x20, max: 0xfffd }).filter((c) => c < 0xd800 || c > 0xdfff),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.map((p) => (typeof p === 'number' ? String.fromCodePoint(p) : p)).join(''));

/** `text` as an XLSX writer could write it: escaped by name, by number, or in CDATA. */
function written(text: string, how: number): string {
  if (how === 0 && !text.includes(']]>')) return `<![CDATA[${text}]]>`;
  if (how === 1) return [...text].map((c) => `&#${c.codePointAt(0)};`).join('');
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

describe('property: random text written any way reads back', () => {
  test('shared and inline strings, escaped, referenced or in CDATA, as rows', () => {
    const cell = fc.record({ text: cellText, how: fc.nat(2), inline: fc.boolean() });
    fc.assert(
      fc.property(fc.array(fc.array(cell, { maxLength: 4 }), { maxLength: 6 }), (rows) => {
        const shared: string[] = [];
        const body = rows
          .map((cells, r) => {
            const xml = cells.map(({ text, how, inline }, c) => {
              const ref = `${String.fromCharCode(65 + c)}${r + 1}`;
              if (inline) {
                return `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${written(text, how)}</t></is></c>`;
              }
              shared.push(`<si><t xml:space="preserve">${written(text, how)}</t></si>`);
              return `<c r="${ref}" t="s"><v>${shared.length - 1}</v></c>`;
            });
            return `<row r="${r + 1}">\n${xml.join('\n')}</row>`;
          })
          .join('');
        const bytes = workbook({
          'xl/sharedStrings.xml': `<?xml version="1.0"?>\n<sst>${shared.join('')}</sst>`,
          'xl/worksheets/sheet1.xml': `<?xml version="1.0"?>\n<worksheet><sheetData>${body}</sheetData></worksheet>`,
        });
        const expected = rows
          .map((cells, r) => ({ row: r + 1, cells: cells.map((c) => c.text) }))
          .filter(({ cells }) => cells.some((c) => c.trim() !== ''));
        expect(read(bytes, { maxColumns: 8, maxCellChars: 1_000 })).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});
