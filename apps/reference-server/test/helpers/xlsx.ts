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
 * A cell of a generated sheet: text (numeric-looking text is written as a
 * number), or a number with the index of its cell style (`cellXfs`).
 *
 * @example
 * const cell: XlsxCell = { number: 46027.375, style: 2 };
 */
export type XlsxCell = string | { number: number; style: number };

/**
 * The worksheet XML of `rows` (and the shared strings it refers to).
 *
 * @example
 * const { sheet, strings } = sheetXml([['a', '1']]);
 */
export function sheetXml(rows: readonly (readonly XlsxCell[])[]): {
  sheet: string;
  strings: string;
} {
  const shared: string[] = [];
  const index = new Map<string, number>();
  const body = rows
    .map((cells, r) => {
      const xml = cells
        .map((cell, c) => {
          if (cell === '') return '';
          const ref = `${columnName(c)}${r + 1}`;
          if (typeof cell !== 'string') {
            return `<c r="${ref}" s="${cell.style}"><v>${cell.number}</v></c>`;
          }
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

/**
 * A complete workbook as a spreadsheet program writes it (content types,
 * relationships, workbook with its date system, styles with built-in and
 * custom number formats, shared strings, one sheet), as bytes. `formats`
 * are the cell styles in `cellXfs` order: a built-in format id, or a custom
 * format code (given ids from 164, as spreadsheet programs do).
 *
 * @example
 * const bytes = writeStyledXlsx([['Start'], [{ number: 46027.375, style: 1 }]], { formats: [0, 'yyyy-mm-dd hh:mm'] });
 */
export function writeStyledXlsx(
  rows: readonly (readonly XlsxCell[])[],
  options: { formats: readonly (number | string)[]; date1904?: boolean },
): Uint8Array {
  const { sheet, strings } = sheetXml(rows);
  const main = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
  const rel = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const custom: string[] = [];
  const xfs = options.formats.map((format) => {
    let id = format;
    if (typeof format === 'string') {
      id = 164 + custom.length;
      custom.push(`<numFmt numFmtId="${id}" formatCode="${escapeXml(format)}"/>`);
    }
    return `<xf numFmtId="${id}" fontId="0" fillId="0" borderId="0" xfId="0"${id === 0 ? '' : ' applyNumberFormat="1"'}/>`;
  });
  const styles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="${main}">${custom.length > 0 ? `<numFmts count="${custom.length}">${custom.join('')}</numFmts>` : ''}<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="22" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="${xfs.length}">${xfs.join('')}</cellXfs></styleSheet>`;
  const pkg = 'http://schemas.openxmlformats.org/package/2006';
  const type = 'application/vnd.openxmlformats-officedocument.spreadsheetml';
  return zipSync({
    '[Content_Types].xml': strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="${pkg}/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="${type}.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="${type}.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="${type}.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="${type}.sharedStrings+xml"/></Types>`,
    ),
    '_rels/.rels': strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="${pkg}/relationships"><Relationship Id="rId1" Type="${rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ),
    'xl/_rels/workbook.xml.rels': strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="${pkg}/relationships"><Relationship Id="rId1" Type="${rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${rel}/styles" Target="styles.xml"/><Relationship Id="rId3" Type="${rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
    ),
    'xl/workbook.xml': strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="${main}" xmlns:r="${rel}"><workbookPr${options.date1904 ? ' date1904="1"' : ''}/><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ),
    'xl/styles.xml': strToU8(styles),
    'xl/sharedStrings.xml': strToU8(strings),
    'xl/worksheets/sheet1.xml': strToU8(sheet),
  });
}
