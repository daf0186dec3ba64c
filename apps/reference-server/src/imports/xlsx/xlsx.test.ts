/**
 * The XLSX reader: golden files written by the test helper read back as
 * rows, and each zip or XML check refusing its hostile file before any row
 * comes out: encryption, absolute and `..` paths, nested archives, too many
 * entries, a compression ratio over 100:1, an entry larger than declared,
 * a DOCTYPE (billion laughs), and the column and cell limits.
 */
import { strToU8, zipSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { expectRefused } from '../../../test/helpers/refused.ts';
import { sheetXml, writeXlsx } from '../../../test/helpers/xlsx.ts';
import { readXlsxRows } from './sheet-reader.ts';
import { readZipDirectory } from './zip-directory.ts';

const zipLimits = { maxEntries: 64, maxUncompressedBytes: 10_000_000, maxRatio: 100 };
const sheetLimits = { maxColumns: 8, maxCellChars: 50 };
const read = (bytes: Uint8Array) => [...readXlsxRows(bytes, zipLimits, sheetLimits)];

/** Offsets of every central directory header in `zip`. */
function centralHeaders(zip: Uint8Array): number[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const found: number[] = [];
  for (let at = 0; at + 4 <= zip.byteLength; at++) {
    if (view.getUint32(at, true) === 0x02014b50) found.push(at);
  }
  return found;
}

const refusedWith = (bytes: Uint8Array, code: string, detail: RegExp) =>
  expectRefused(() => read(bytes), code, detail);

describe('golden files', () => {
  test('shared strings, numbers, gaps and skipped empty rows read back as rows', () => {
    const bytes = writeXlsx([
      ['Code', 'Service Name', 'Clinic', 'CCY', 'Price'],
      ['CONS', 'Consultation & more', 'IST', 'TRY', '1500.50'],
      ['', '', '', '', ''],
      ['MRI', 'MRI <scan>', '', 'EUR', '90'],
    ]);
    expect(read(bytes)).toEqual([
      { row: 1, cells: ['Code', 'Service Name', 'Clinic', 'CCY', 'Price'] },
      { row: 2, cells: ['CONS', 'Consultation & more', 'IST', 'TRY', '1500.50'] },
      { row: 4, cells: ['MRI', 'MRI <scan>', '', 'EUR', '90'] },
    ]);
  });

  test('inline strings, booleans and rich-text runs', () => {
    const sheet = `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="C1" t="b"><v>1</v></c></row></sheetData></worksheet>`;
    const strings = '<sst><si><r><t>Ri</t></r><r><t>ch</t></r><rPh><t>x</t></rPh></si></sst>';
    const bytes = zipSync({
      'xl/sharedStrings.xml': strToU8(strings),
      'xl/worksheets/sheet1.xml': strToU8(
        sheet.replace('</row>', '</row><row r="2"><c r="A2" t="s"><v>0</v></c></row>'),
      ),
    });
    expect(read(bytes)).toEqual([
      { row: 1, cells: ['Name', '', 'true'] },
      { row: 2, cells: ['Rich'] },
    ]);
  });
});

describe('hostile files are refused before any row', () => {
  test('not a zip', () => {
    refusedWith(strToU8('First Name,Surname\nAda,Er\n'), 'import_unreadable', /not a zip/);
  });

  test('encrypted entries', () => {
    const bytes = writeXlsx([['a']]);
    const at = centralHeaders(bytes)[0]!;
    bytes[at + 8]! |= 0x01;
    refusedWith(bytes, 'import_unreadable', /encrypted/);
  });

  test('absolute and .. paths', () => {
    refusedWith(
      writeXlsx([['a']], { '../evil.xml': strToU8('<x/>') }),
      'import_unreadable',
      /absolute or "\.\."/,
    );
    refusedWith(
      writeXlsx([['a']], { '/etc/evil.xml': strToU8('<x/>') }),
      'import_unreadable',
      /absolute or "\.\."/,
    );
  });

  test('a nested archive', () => {
    const inner = zipSync({ 'a.txt': strToU8('hello') });
    refusedWith(
      writeXlsx([['a']], { 'xl/embeddings/inner.zip': inner }),
      'import_unreadable',
      /nested archive/,
    );
  });

  test('too many entries', () => {
    const extra = Object.fromEntries(
      Array.from({ length: 80 }, (_, i) => [`xl/media/m${i}.xml`, strToU8('<x/>')]),
    );
    refusedWith(writeXlsx([['a']], extra), 'import_unreadable', /entries, more than 64/);
  });

  test('a compression ratio over 100:1 (zip bomb)', () => {
    const bomb = zipSync({ 'xl/worksheets/sheet1.xml': new Uint8Array(5_000_000) });
    refusedWith(bomb, 'import_unreadable', /expands \d+ times, more than 100:1/);
  });

  test('an entry larger than its directory declares', () => {
    const { sheet } = sheetXml(Array.from({ length: 200 }, (_, i) => [`r${i}`, String(i)]));
    const bytes = zipSync({ 'xl/worksheets/sheet1.xml': [strToU8(sheet), { level: 0 }] });
    const at = centralHeaders(bytes)[0]!;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    view.setUint32(at + 24, 100, true);
    refusedWith(bytes, 'import_unreadable', /larger than its declared size/);
  });

  test('a DOCTYPE with entity definitions (billion laughs)', () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>`;
    const bytes = zipSync({ 'xl/worksheets/sheet1.xml': strToU8(laughs) });
    refusedWith(bytes, 'import_unreadable', /DOCTYPE/);
  });

  test('an entity a DTD would declare is not expanded without one either: the sheet is refused', () => {
    const sheet = `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol;&lol;</t></is></c></row></sheetData></worksheet>`;
    const bytes = zipSync({ 'xl/worksheets/sheet1.xml': strToU8(sheet) });
    refusedWith(bytes, 'import_unreadable', /unknown entity/);
  });

  test('more columns, or a longer cell, than the limits', () => {
    refusedWith(
      writeXlsx([Array.from({ length: 9 }, (_, i) => `c${i}`)]),
      'import_too_many_columns',
      /8 columns/,
    );
    refusedWith(writeXlsx([['x'.repeat(51)]]), 'import_cell_too_long', /50 characters/);
  });

  test('the directory is read without inflating anything', () => {
    const entries = readZipDirectory(writeXlsx([['a', 'b']]), zipLimits);
    expect(entries.map((e) => e.name).sort()).toEqual([
      '[Content_Types].xml',
      'xl/sharedStrings.xml',
      'xl/workbook.xml',
      'xl/worksheets/sheet1.xml',
    ]);
  });
});
