/**
 * A small XLSX reader: the zip's directory is checked first
 * (zip-directory.ts), then the shared strings are read and the first
 * worksheet is streamed through a SAX parser row by row, each row checked
 * against the column and cell limits as it is produced. A DOCTYPE (and so
 * any entity definition: billion laughs) is refused; saxes itself expands
 * no entity a DTD would declare. Numbers in cells whose style has a date or
 * time format (styles.xml) come out as ISO 8601 text (date-cells.ts), in
 * the workbook's date system (workbook.xml `date1904`).
 */
import { SaxesParser } from 'saxes';
import { ApiError } from '../../kernel/problem.ts';
import { type DateFormatKind, dateFormatKind, serialToIso } from './date-cells.ts';
import { inflateEntry } from './inflate-entry.ts';
import { SharedStrings } from './shared-strings.ts';
import { readZipDirectory, type ZipEntry, type ZipLimits } from './zip-directory.ts';

/**
 * Limits on the sheet's content.
 *
 * @example
 * const limits: SheetLimits = { maxColumns: 32, maxCellChars: 1000 };
 */
export interface SheetLimits {
  maxColumns: number;
  maxCellChars: number;
  /** Most entries in the shared strings table (default: no more than 1,048,576 rows of `maxColumns` cells). */
  maxSharedStrings?: number;
}

/**
 * One row of the sheet: its 1-based number as a spreadsheet shows it, and its cells (gaps are `''`).
 *
 * @example
 * const row: SheetRow = { row: 1, cells: ['First Name', 'Surname'] };
 */
export interface SheetRow {
  row: number;
  cells: string[];
}

function unreadable(detail: string): ApiError {
  return new ApiError('import_unreadable', `The XLSX file is refused: ${detail}.`);
}

/** Runs the XML of one entry through a parser that refuses DOCTYPEs, yielding what `collect` gathered after each slice. */
function* parseEntry<T>(
  zip: Uint8Array,
  entry: ZipEntry,
  setup: (parser: SaxesParser) => void,
  drain: () => T[],
): Generator<T> {
  const parser = new SaxesParser();
  let failure: Error | undefined;
  parser.on('doctype', () => {
    failure = unreadable('its XML declares a DOCTYPE (entity definitions are not accepted)');
  });
  parser.on('error', (error) => {
    failure ??= unreadable(`its XML is malformed (${error.message.split(':')[0]?.slice(0, 60)})`);
  });
  setup(parser);
  const decoder = new TextDecoder('utf-8');
  for (const chunk of inflateEntry(zip, entry)) {
    parser.write(decoder.decode(chunk, { stream: true }));
    if (failure) throw failure;
    yield* drain();
  }
  parser.close();
  if (failure) throw failure;
  yield* drain();
}

/** Drives `parseEntry` over an entry whose handlers collect into closure state. */
function parseWhole(zip: Uint8Array, entry: ZipEntry, setup: (parser: SaxesParser) => void): void {
  for (const _ of parseEntry(zip, entry, setup, () => [])) {
    // parseEntry yields nothing here; the loop drives it.
  }
}

/** Column letters of a cell reference (`AB12`) as a 0-based index. */
function columnIndex(reference: string): number {
  let index = 0;
  for (const char of reference) {
    const code = char.charCodeAt(0);
    if (code < 65 || code > 90) break;
    index = index * 26 + (code - 64);
  }
  return index - 1;
}

function readSharedStrings(
  zip: Uint8Array,
  entry: ZipEntry | undefined,
  limits: SheetLimits,
): SharedStrings {
  const strings = new SharedStrings(limits.maxSharedStrings ?? 1_048_576 * limits.maxColumns);
  if (!entry) return strings;
  let current: string | undefined;
  let inText = false;
  let inPhonetic = false;
  const setup = (parser: SaxesParser) => {
    parser.on('opentag', (tag) => {
      if (tag.name === 'si') current = '';
      else if (tag.name === 't') inText = true;
      else if (tag.name === 'rPh') inPhonetic = true;
    });
    parser.on('closetag', (tag) => {
      if (tag.name === 'si') {
        strings.push(current ?? '');
        current = undefined;
      } else if (tag.name === 't') inText = false;
      else if (tag.name === 'rPh') inPhonetic = false;
    });
    parser.on('text', (text) => {
      if (inText && !inPhonetic && current !== undefined) {
        // Longer than any cell may be: kept cut, and refused if a cell uses it.
        if (current.length <= limits.maxCellChars) current += text;
      }
    });
  };
  parseWhole(zip, entry, setup);
  return strings;
}

/** True when the workbook counts dates from 1904 (`<workbookPr date1904="1"/>`). */
function readDate1904(zip: Uint8Array, entry: ZipEntry | undefined): boolean {
  if (!entry) return false;
  let date1904 = false;
  parseWhole(zip, entry, (parser) => {
    parser.on('opentag', (tag) => {
      if (tag.name !== 'workbookPr') return;
      const flag = tag.attributes.date1904;
      date1904 = flag === '1' || flag === 'true';
    });
  });
  return date1904;
}

/** Most cell formats read from styles.xml (a spreadsheet allows 64,000). */
const MAX_CELL_FORMATS = 65_536;

/** What each cell style (`s` attribute, an index into `cellXfs`) shows: a date, a time, both or a number. */
function readDateStyles(zip: Uint8Array, entry: ZipEntry | undefined): DateFormatKind[] {
  if (!entry) return [];
  const codes = new Map<number, string>();
  const styles: DateFormatKind[] = [];
  let inCellXfs = false;
  parseWhole(zip, entry, (parser) => {
    parser.on('opentag', (tag) => {
      const id = Number(tag.attributes.numFmtId);
      if (tag.name === 'numFmt' && Number.isInteger(id)) {
        codes.set(id, String(tag.attributes.formatCode ?? '').slice(0, 255));
      } else if (tag.name === 'cellXfs') inCellXfs = true;
      else if (tag.name === 'xf' && inCellXfs) {
        if (styles.length >= MAX_CELL_FORMATS) {
          throw unreadable(`its styles define more than ${MAX_CELL_FORMATS} cell formats`);
        }
        styles.push(Number.isInteger(id) ? dateFormatKind(id, codes.get(id)) : null);
      }
    });
    parser.on('closetag', (tag) => {
      if (tag.name === 'cellXfs') inCellXfs = false;
    });
  });
  return styles;
}

/**
 * The rows of the first worksheet of `zip`, header first, after the zip checks.
 *
 * @example
 * for (const { row, cells } of readXlsxRows(bytes, zipLimits, sheetLimits)) console.log(row, cells);
 */
export function* readXlsxRows(
  zip: Uint8Array,
  zipLimits: ZipLimits,
  limits: SheetLimits,
): Generator<SheetRow> {
  const entries = readZipDirectory(zip, zipLimits);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const sheet =
    byName.get('xl/worksheets/sheet1.xml') ??
    entries.find((e) => /^xl\/worksheets\/sheet\d+\.xml$/.test(e.name));
  if (!sheet) throw unreadable('it has no worksheet (is it an XLSX workbook?)');
  const shared = readSharedStrings(zip, byName.get('xl/sharedStrings.xml'), limits);
  const date1904 = readDate1904(zip, byName.get('xl/workbook.xml'));
  const dateStyles = readDateStyles(zip, byName.get('xl/styles.xml'));

  const ready: SheetRow[] = [];
  let rowNumber = 0;
  let cells: string[] | undefined;
  let cellType = 'n';
  let cellDate: DateFormatKind = null;
  let cellColumn = 0;
  let value: string | undefined;
  let capturing = false;
  const tooLong = () =>
    new ApiError(
      'import_cell_too_long',
      `Row ${rowNumber} has a cell longer than ${limits.maxCellChars} characters; cells are limited to that length.`,
    );
  const setup = (parser: SaxesParser) => {
    parser.on('opentag', (tag) => {
      if (tag.name === 'row') {
        const r = Number(tag.attributes.r);
        rowNumber = Number.isInteger(r) && r > rowNumber ? r : rowNumber + 1;
        cells = [];
      } else if (tag.name === 'c' && cells) {
        const reference = typeof tag.attributes.r === 'string' ? tag.attributes.r : '';
        cellColumn = reference ? columnIndex(reference) : cells.length;
        if (cellColumn < 0 || cellColumn >= limits.maxColumns) {
          throw new ApiError(
            'import_too_many_columns',
            `Imports are limited to ${limits.maxColumns} columns; remove the extra columns.`,
          );
        }
        cellType = typeof tag.attributes.t === 'string' ? tag.attributes.t : 'n';
        cellDate = dateStyles[Number(tag.attributes.s ?? 0)] ?? null;
        value = undefined;
      } else if ((tag.name === 'v' || tag.name === 't') && cells) {
        capturing = true;
        value ??= '';
      }
    });
    parser.on('text', (text) => {
      if (!capturing || value === undefined) return;
      value += text;
      if (value.length > limits.maxCellChars) throw tooLong();
    });
    parser.on('closetag', (tag) => {
      if (tag.name === 'v' || tag.name === 't') capturing = false;
      else if (tag.name === 'c' && cells) {
        let text = value ?? '';
        if (cellType === 's') {
          const found = shared.get(Number(text));
          if (found === undefined)
            throw unreadable(`row ${rowNumber} refers to a missing shared string`);
          text = found;
        } else if (cellType === 'b') text = text === '1' ? 'true' : 'false';
        else if (cellType === 'n' && cellDate !== null && text.trim() !== '') {
          // A serial that is no date (29 Feb 1900, negative) stays a number, for the row's validation to refuse.
          text = serialToIso(Number(text), cellDate, date1904) ?? text;
        }
        if (text.length > limits.maxCellChars) throw tooLong();
        while (cells.length < cellColumn) cells.push('');
        cells[cellColumn] = text;
      } else if (tag.name === 'row' && cells) {
        if (cells.some((c) => c.trim() !== '')) ready.push({ row: rowNumber, cells });
        cells = undefined;
      }
    });
  };
  const drain = () => ready.splice(0, ready.length);
  yield* parseEntry(zip, sheet, setup, drain);
}
