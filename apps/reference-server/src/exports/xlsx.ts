/**
 * A small XLSX (Office Open XML spreadsheet) writer: one sheet, a header row,
 * numbers as numbers and text as inline strings, zipped with fflate. Inline
 * strings are never evaluated, so text needs no formula guard and "-5" or
 * "+91 …" stay as they are. The zip entries carry a fixed time, so the same
 * rows always give the same bytes.
 */
import { strToU8, zipSync } from 'fflate';
import type { Cell, CellType, ExportColumn } from './csv.ts';

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const RELS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const DOC_RELS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

/**
 * Midnight 1 January 1980 in the time zone of the moment of the call: zip
 * stores local date fields, so this writes the same fields (the same bytes)
 * whatever the process's time zone, even if it changes while running.
 */
const zipTime = () => new Date(1980, 0, 1, 0, 0, 0);

// Characters XML 1.0 cannot hold at all; they become U+FFFD.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the ones to remove.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/**
 * Text escaped for XML content and attributes.
 *
 * @example
 * xmlText('a<b & "c"'); // 'a&lt;b &amp; &quot;c&quot;'
 */
export function xmlText(value: string): string {
  return value
    .replace(NOT_XML, '\uFFFD')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/**
 * The spreadsheet name of a column: 0 → A, 25 → Z, 26 → AA.
 *
 * @example
 * columnName(27); // 'AB'
 */
export function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  }
  return name;
}

function cellXml(ref: string, value: Cell, type: CellType): string {
  if (value === null) return '';
  if (typeof value === 'number' && (type === 'number' || type === 'money')) {
    return `<c r="${ref}"><v>${value}</v></c>`;
  }
  if (typeof value === 'boolean') return `<c r="${ref}" t="b"><v>${value ? 1 : 0}</v></c>`;
  return `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${xmlText(String(value))}</t></is></c>`;
}

function sheetXml(columns: readonly ExportColumn[], rows: readonly Cell[][]): string {
  const lines = [
    `<row r="1">${columns.map((c, i) => cellXml(`${columnName(i)}1`, c.name, 'text')).join('')}</row>`,
  ];
  rows.forEach((row, r) => {
    const n = r + 2;
    lines.push(
      `<row r="${n}">${columns.map((c, i) => cellXml(`${columnName(i)}${n}`, row[i] ?? null, c.type)).join('')}</row>`,
    );
  });
  return `${HEAD}<worksheet xmlns="${MAIN}"><sheetData>${lines.join('')}</sheetData></worksheet>`;
}

/**
 * A one-sheet workbook of the rows under a header row.
 *
 * @example
 * const bytes = encodeXlsx('payments', [{ name: 'amount', type: 'money' }], [[-500]]);
 */
export function encodeXlsx(
  sheetName: string,
  columns: readonly ExportColumn[],
  rows: readonly Cell[][],
): Uint8Array {
  // Sheet names are at most 31 characters and may not hold []:*?/\.
  const name = xmlText(sheetName.replace(/[[\]:*?/\\]/g, '_').slice(0, 31));
  const files = {
    '[Content_Types].xml': `${HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
    '_rels/.rels': `${HEAD}<Relationships xmlns="${RELS}"><Relationship Id="rId1" Type="${DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    'xl/workbook.xml': `${HEAD}<workbook xmlns="${MAIN}" xmlns:r="${DOC_RELS}"><sheets><sheet name="${name}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': `${HEAD}<Relationships xmlns="${RELS}"><Relationship Id="rId1" Type="${DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    'xl/worksheets/sheet1.xml': sheetXml(columns, rows),
  };
  return zipSync(
    Object.fromEntries(Object.entries(files).map(([path, xml]) => [path, strToU8(xml)])),
    { level: 6, mtime: zipTime() },
  );
}
