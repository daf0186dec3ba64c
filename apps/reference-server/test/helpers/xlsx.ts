/**
 * A tiny XLSX writer for tests: a workbook with one worksheet, text cells
 * as shared strings and numeric-looking cells as numbers, zipped with
 * fflate. `extra` adds or replaces entries, to build hostile files.
 */
import { strToU8, type Zippable, zipSync } from 'fflate';

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  }
  return name;
}

/**
 * The worksheet XML of `rows` (and the shared strings it refers to).
 *
 * @example
 * const { sheet, strings } = sheetXml([['a', '1']]);
 */
export function sheetXml(rows: readonly (readonly string[])[]): { sheet: string; strings: string } {
  const shared: string[] = [];
  const index = new Map<string, number>();
  const body = rows
    .map((cells, r) => {
      const xml = cells
        .map((cell, c) => {
          if (cell === '') return '';
          const ref = `${columnName(c)}${r + 1}`;
          if (/^-?\d+(\.\d+)?$/.test(cell)) return `<c r="${ref}"><v>${cell}</v></c>`;
          let at = index.get(cell);
          if (at === undefined) {
            at = shared.length;
            shared.push(cell);
            index.set(cell, at);
          }
          return `<c r="${ref}" t="s"><v>${at}</v></c>`;
        })
        .join('');
      return `<row r="${r + 1}">${xml}</row>`;
    })
    .join('');
  const main = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
  return {
    sheet: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="${main}"><sheetData>${body}</sheetData></worksheet>`,
    strings: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="${main}" count="${shared.length}" uniqueCount="${shared.length}">${shared.map((s) => `<si><t xml:space="preserve">${escapeXml(s)}</t></si>`).join('')}</sst>`,
  };
}

/**
 * An XLSX file of `rows`, as bytes.
 *
 * @example
 * const bytes = writeXlsx([['First Name', 'Surname'], ['Ada', 'Er']]);
 */
export function writeXlsx(rows: readonly (readonly string[])[], extra: Zippable = {}): Uint8Array {
  const { sheet, strings } = sheetXml(rows);
  return zipSync({
    '[Content_Types].xml': strToU8(
      '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    ),
    'xl/workbook.xml': strToU8(
      '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="Sheet1" sheetId="1"/></sheets></workbook>',
    ),
    'xl/sharedStrings.xml': strToU8(strings),
    'xl/worksheets/sheet1.xml': strToU8(sheet),
    ...extra,
  });
}

/**
 * Base64 of bytes, as an XLSX import's `content`.
 *
 * @example
 * const content = base64(writeXlsx(rows));
 */
export function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}
