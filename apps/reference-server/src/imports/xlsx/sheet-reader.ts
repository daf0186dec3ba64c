/**
 * A small XLSX reader: the zip's directory is checked first
 * (zip-directory.ts), then the shared strings are read and the first
 * worksheet is streamed through the XML tokenizer (xml-tokens.ts) row by
 * row, each row checked against the column and cell limits as it is
 * produced. A DOCTYPE (and so any entity definition: billion laughs) is
 * refused, and only the five predefined entities and character references
 * are known. Numbers in cells whose style has a date or
 * time format (styles.xml) come out as ISO 8601 text (date-cells.ts), in
 * the workbook's date system (workbook.xml `date1904`).
 */
import { ApiError } from '../../kernel/problem.ts';
import { type DateFormatKind, dateFormatKind, serialToIso } from './date-cells.ts';
import { inflateEntry } from './inflate-entry.ts';
import { SharedStrings } from './shared-strings.ts';
import { tokenLimit, type XmlHandler, XmlTokenizer } from './xml-tokens.ts';
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

/** Bytes of XML decoded to text at a time. */
const DECODE_BYTES = 16 * 1024;

/**
 * Runs the XML of one entry through the tokenizer, yielding what `drain`
 * gathered after each inflated slice (the handler collects into closure state).
 */
function* parseEntry<T>(
  zip: Uint8Array,
  entry: ZipEntry,
  limits: SheetLimits,
  handler: XmlHandler,
  drain: () => T[],
): Generator<T> {
  const tokens = new XmlTokenizer(handler, tokenLimit(limits.maxCellChars));
  const decoder = new TextDecoder('utf-8');
  for (const chunk of inflateEntry(zip, entry)) {
    // An inflated slice can be hundreds of kilobytes; decoded in 16 KiB pieces, the strings stay
    // in V8's young generation, freed by the next scavenge instead of the next full collection.
    for (let at = 0; at < chunk.byteLength; at += DECODE_BYTES) {
      tokens.write(decoder.decode(chunk.subarray(at, at + DECODE_BYTES), { stream: true }));
    }
    yield* drain();
  }
  tokens.write(decoder.decode());
  tokens.end();
  yield* drain();
}

/** Drives `parseEntry` over an entry whose handler collects into closure state. */
function parseWhole(
  zip: Uint8Array,
  entry: ZipEntry,
  limits: SheetLimits,
  handler: XmlHandler,
): void {
  for (const _ of parseEntry(zip, entry, limits, handler, () => [])) {
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
  parseWhole(zip, entry, limits, {
    open(name) {
      if (name === 'si') current = '';
      else if (name === 't') inText = true;
      else if (name === 'rPh') inPhonetic = true;
    },
    close(name) {
      if (name === 'si') {
        strings.push(current ?? '');
        current = undefined;
      } else if (name === 't') inText = false;
      else if (name === 'rPh') inPhonetic = false;
    },
    text(text) {
      if (inText && !inPhonetic && current !== undefined) {
        // Longer than any cell may be: kept cut, and refused if a cell uses it.
        if (current.length <= limits.maxCellChars) current += text;
      }
    },
  });
  return strings;
}

/** True when the workbook counts dates from 1904 (`<workbookPr date1904="1"/>`). */
function readDate1904(zip: Uint8Array, entry: ZipEntry | undefined, limits: SheetLimits): boolean {
  if (!entry) return false;
  let date1904 = false;
  parseWhole(zip, entry, limits, {
    open(name, attributes) {
      if (name !== 'workbookPr') return;
      const flag = attributes.get('date1904');
      date1904 = flag === '1' || flag === 'true';
    },
  });
  return date1904;
}

/** Most cell formats read from styles.xml (a spreadsheet allows 64,000). */
const MAX_CELL_FORMATS = 65_536;

/** What each cell style (`s` attribute, an index into `cellXfs`) shows: a date, a time, both or a number. */
function readDateStyles(
  zip: Uint8Array,
  entry: ZipEntry | undefined,
  limits: SheetLimits,
): DateFormatKind[] {
  if (!entry) return [];
  const codes = new Map<number, string>();
  const styles: DateFormatKind[] = [];
  let inCellXfs = false;
  parseWhole(zip, entry, limits, {
    open(name, attributes) {
      const id = Number(attributes.get('numFmtId'));
      if (name === 'numFmt' && Number.isInteger(id)) {
        codes.set(id, (attributes.get('formatCode') ?? '').slice(0, 255));
      } else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs) {
        if (styles.length >= MAX_CELL_FORMATS) {
          throw unreadable(`its styles define more than ${MAX_CELL_FORMATS} cell formats`);
        }
        styles.push(Number.isInteger(id) ? dateFormatKind(id, codes.get(id)) : null);
      }
    },
    close(name) {
      if (name === 'cellXfs') inCellXfs = false;
    },
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
  const date1904 = readDate1904(zip, byName.get('xl/workbook.xml'), limits);
  const dateStyles = readDateStyles(zip, byName.get('xl/styles.xml'), limits);

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
  const handler: XmlHandler = {
    open(name, attributes) {
      if (name === 'row') {
        const r = Number(attributes.get('r'));
        rowNumber = Number.isInteger(r) && r > rowNumber ? r : rowNumber + 1;
        cells = [];
      } else if (name === 'c' && cells) {
        const reference = attributes.get('r') ?? '';
        cellColumn = reference ? columnIndex(reference) : cells.length;
        if (cellColumn < 0 || cellColumn >= limits.maxColumns) {
          throw new ApiError(
            'import_too_many_columns',
            `Imports are limited to ${limits.maxColumns} columns; remove the extra columns.`,
          );
        }
        cellType = attributes.get('t') ?? 'n';
        cellDate = dateStyles[Number(attributes.get('s') ?? 0)] ?? null;
        value = undefined;
      } else if ((name === 'v' || name === 't') && cells) {
        capturing = true;
        value ??= '';
      }
    },
    text(text) {
      if (!capturing || value === undefined) return;
      value += text;
      if (value.length > limits.maxCellChars) throw tooLong();
    },
    close(name) {
      if (name === 'v' || name === 't') capturing = false;
      else if (name === 'c' && cells) {
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
      } else if (name === 'row' && cells) {
        if (cells.some((c) => c.trim() !== '')) ready.push({ row: rowNumber, cells });
        cells = undefined;
      }
    },
  };
  const drain = () => ready.splice(0, ready.length);
  yield* parseEntry(zip, sheet, limits, handler, drain);
}
