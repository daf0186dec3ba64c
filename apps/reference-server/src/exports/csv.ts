/**
 * CSV and NDJSON encoding of export rows. CSV follows RFC 4180 (CRLF, quotes
 * doubled) and is formula-injection safe for text cells only: a text cell
 * starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading
 * `'`, so a spreadsheet shows it instead of evaluating it, while numbers
 * ("-5") and phone numbers ("+91 …") are typed columns and stay intact.
 */

/**
 * How a column is written; only `text` cells are guarded against formulas.
 *
 * @example
 * const type: CellType = 'number';
 */
export type CellType =
  | 'text'
  | 'number'
  /** Integer minor units of the row's `currency` column. */
  | 'money'
  | 'phone'
  | 'timestamp'
  /** `YYYY-MM-DD` or `YYYY-MM`. */
  | 'date'
  | 'id'
  | 'boolean';

/**
 * One column of an export.
 *
 * @example
 * const column: ExportColumn = { name: 'amount', type: 'number' };
 */
export interface ExportColumn {
  name: string;
  type: CellType;
}

/**
 * A cell value as read from the database.
 *
 * @example
 * const cell: Cell = 1200;
 */
export type Cell = string | number | boolean | null;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/**
 * One CSV cell.
 *
 * @example
 * csvCell('=1+1', 'text'); // "'=1+1"
 * csvCell(-5, 'number');   // '-5'
 */
export function csvCell(value: Cell, type: CellType): string {
  if (value === null) return '';
  let text = String(value);
  if (type === 'text' && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * A whole CSV file: header, then one CRLF-terminated line per row.
 *
 * @example
 * encodeCsv([{ name: 'id', type: 'id' }], [['apt_1']]); // 'id\r\napt_1\r\n'
 */
export function encodeCsv(columns: readonly ExportColumn[], rows: readonly Cell[][]): string {
  const lines = [columns.map((c) => csvCell(c.name, 'text')).join(',')];
  for (const row of rows)
    lines.push(columns.map((c, i) => csvCell(row[i] ?? null, c.type)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * NDJSON: one object per row, keys in column order.
 *
 * @example
 * encodeNdjson([{ name: 'id', type: 'id' }], [['apt_1']]); // '{"id":"apt_1"}\n'
 */
export function encodeNdjson(columns: readonly ExportColumn[], rows: readonly Cell[][]): string {
  return rows
    .map(
      (row) =>
        `${JSON.stringify(Object.fromEntries(columns.map((c, i) => [c.name, row[i] ?? null])))}\n`,
    )
    .join('');
}
