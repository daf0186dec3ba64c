/**
 * Dates in XLSX cells. A spreadsheet stores a date as a number of days (a
 * "serial") and says it is a date only through the cell's number format:
 * the built-in formats 14–22 or a custom format code with day, month, year,
 * hour or second tokens. This module classifies formats and turns serials
 * into ISO 8601 text, in either date system: 1900 (serial 1 is 1900-01-01,
 * and serial 60 is the 29 February 1900 that never was, kept from Lotus
 * 1-2-3) and 1904 (serial 0 is 1904-01-01, older Mac workbooks).
 * A spreadsheet time has no zone: date-times are read as UTC.
 */

/**
 * What a number format shows: a date, a time of day, both, or neither (a plain number).
 *
 * @example
 * const kind: DateFormatKind = 'date';
 */
export type DateFormatKind = 'date' | 'time' | 'datetime' | null;

/** Built-in format ids that are dates or times (ECMA-376 Part 1, 18.8.30). */
const builtIn: Readonly<Record<number, DateFormatKind>> = {
  14: 'date',
  15: 'date',
  16: 'date',
  17: 'date',
  18: 'time',
  19: 'time',
  20: 'time',
  21: 'time',
  22: 'datetime',
};

/**
 * What the format `id` (with its custom `code`, when the workbook defines one) shows.
 *
 * @example
 * dateFormatKind(14); // 'date'
 * dateFormatKind(164, 'dd/mm/yyyy hh:mm'); // 'datetime'
 * dateFormatKind(164, '#,##0.00'); // null
 */
export function dateFormatKind(id: number, code?: string): DateFormatKind {
  if (code === undefined) return builtIn[id] ?? null;
  // The first section only (positive numbers); quoted text, escapes, fills and [colours] say nothing.
  const tokens = (code.split(';')[0] ?? '')
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '')
    .replace(/[_*]./g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/AM\/PM|A\/P/gi, '')
    .toLowerCase();
  const date = /[dy]/.test(tokens) || (/m/.test(tokens) && !/[hs]/.test(tokens));
  const time = /[hs]/.test(tokens);
  if (date && time) return 'datetime';
  if (date) return 'date';
  if (time) return 'time';
  return null;
}

const DAY_MS = 86_400_000;
/** The largest serial a spreadsheet shows as a date (9999-12-31). */
const MAX_SERIAL = 2_958_465;

/**
 * A serial as ISO 8601 text shaped by `kind`: `YYYY-MM-DD` for a date,
 * `HH:MM:SS` for a time, `YYYY-MM-DDTHH:MM:SSZ` for a date-time (also for a
 * date cell holding a time of day). Null for what is no date: a negative or
 * huge serial, not a number, or the 1900 system's serial 60 (29 Feb 1900).
 * Times are rounded to the second, as spreadsheets show them.
 *
 * @example
 * serialToIso(46026, 'date', false); // '2026-01-04'
 * serialToIso(46026.375, 'datetime', false); // '2026-01-04T09:00:00Z'
 * serialToIso(0, 'date', true); // '1904-01-01'
 */
export function serialToIso(
  serial: number,
  kind: Exclude<DateFormatKind, null>,
  date1904: boolean,
): string | null {
  if (!Number.isFinite(serial) || serial < 0 || serial > MAX_SERIAL + 1) return null;
  const seconds = Math.round(serial * 86_400);
  const days = Math.floor(seconds / 86_400);
  const clock = new Date((seconds % 86_400) * 1000).toISOString().slice(11, 19);
  if (kind === 'time') return clock;
  let epoch: number;
  if (date1904) epoch = Date.UTC(1904, 0, 1);
  else if (days === 60 || days === 0) return null;
  // Serials 1–59 count from 1900-01-01; from 61 on, one more day was counted than there was.
  else epoch = days < 60 ? Date.UTC(1899, 11, 31) : Date.UTC(1899, 11, 30);
  const iso = new Date(epoch + days * DAY_MS).toISOString().slice(0, 10);
  if (kind === 'date' && seconds % 86_400 === 0) return iso;
  return `${iso}T${clock}Z`;
}
