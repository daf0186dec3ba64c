/**
 * Dates in XLSX cells: workbooks generated with styles.xml (built-in
 * formats 14–22 and custom codes) and both date systems read back as ISO
 * 8601 text, the 1900 leap-year bug included; plain numbers stay numbers.
 */
import { describe, expect, test } from 'vitest';
import { writeStyledXlsx, type XlsxCell } from '../../../test/helpers/xlsx.ts';
import { dateFormatKind, serialToIso } from './date-cells.ts';
import { readXlsxRows } from './sheet-reader.ts';

const zipLimits = { maxEntries: 64, maxUncompressedBytes: 10_000_000, maxRatio: 100 };
const sheetLimits = { maxColumns: 16, maxCellChars: 100 };
const cellsOf = (bytes: Uint8Array) =>
  [...readXlsxRows(bytes, zipLimits, sheetLimits)].map((r) => r.cells);

describe('number formats', () => {
  test('built-in ids 14–22 are dates and times; others are numbers', () => {
    expect([14, 15, 16, 17].map((id) => dateFormatKind(id))).toEqual([
      'date',
      'date',
      'date',
      'date',
    ]);
    expect([18, 19, 20, 21].map((id) => dateFormatKind(id))).toEqual([
      'time',
      'time',
      'time',
      'time',
    ]);
    expect(dateFormatKind(22)).toBe('datetime');
    expect([0, 1, 2, 4, 9, 10, 13, 23, 49].map((id) => dateFormatKind(id))).toEqual(
      Array(9).fill(null),
    );
  });

  test('custom codes: tokens outside quotes, escapes and brackets decide', () => {
    expect(dateFormatKind(164, 'dd/mm/yyyy')).toBe('date');
    expect(dateFormatKind(164, 'mmm yyyy')).toBe('date');
    expect(dateFormatKind(164, '[$-409]d-mmm-yy;@')).toBe('date');
    expect(dateFormatKind(164, 'yyyy-mm-dd hh:mm:ss')).toBe('datetime');
    expect(dateFormatKind(164, 'h:mm AM/PM')).toBe('time');
    expect(dateFormatKind(164, '#,##0.00')).toBeNull();
    expect(dateFormatKind(164, '0.00" days"')).toBeNull();
    expect(dateFormatKind(164, '[Red]0.00\\d')).toBeNull();
    expect(dateFormatKind(164, 'General')).toBeNull();
  });
});

describe('serials', () => {
  test('the 1900 system, with its 29 February 1900 that never was', () => {
    expect(serialToIso(1, 'date', false)).toBe('1900-01-01');
    expect(serialToIso(59, 'date', false)).toBe('1900-02-28');
    expect(serialToIso(60, 'date', false)).toBeNull();
    expect(serialToIso(61, 'date', false)).toBe('1900-03-01');
    expect(serialToIso(25_569, 'date', false)).toBe('1970-01-01');
    expect(serialToIso(46_026, 'date', false)).toBe('2026-01-04');
    expect(serialToIso(2_958_465, 'date', false)).toBe('9999-12-31');
  });

  test('the 1904 system counts from 1904-01-01', () => {
    expect(serialToIso(0, 'date', true)).toBe('1904-01-01');
    expect(serialToIso(44_564, 'date', true)).toBe('2026-01-04');
  });

  test('times round to the second; a date cell with a time keeps it', () => {
    expect(serialToIso(46_026.375, 'datetime', false)).toBe('2026-01-04T09:00:00Z');
    // 09:29:59.9999 as a spreadsheet float is 09:30:00.
    expect(serialToIso(46_026 + (9.5 * 3600 - 0.0001) / 86_400, 'datetime', false)).toBe(
      '2026-01-04T09:30:00Z',
    );
    expect(serialToIso(46_026.5, 'date', false)).toBe('2026-01-04T12:00:00Z');
    expect(serialToIso(0.75, 'time', false)).toBe('18:00:00');
  });

  test('what is no date stays null', () => {
    for (const serial of [-1, Number.NaN, Number.POSITIVE_INFINITY, 3_000_000]) {
      expect(serialToIso(serial, 'date', false)).toBeNull();
    }
  });
});

describe('generated workbooks', () => {
  // Styles in cellXfs order: 0 General, 1 built-in 14, 2 built-in 22, 3 custom date-time, 4 custom number, 5 built-in 20.
  const formats = [0, 14, 22, 'dd/mm/yyyy hh:mm', '#,##0.00', 20];
  const at = (number: number, style: number): XlsxCell => ({ number, style });

  test('date-formatted cells read as ISO dates; numbers and text as they were (1900 system)', () => {
    const bytes = writeStyledXlsx(
      [
        ['Date', 'Start', 'Custom', 'Amount', 'Plain', 'Time', 'Text'],
        [
          at(46_026, 1),
          at(46_026.375, 2),
          at(46_026.5625, 3),
          at(1500.5, 4),
          at(46_026, 0),
          at(0.375, 5),
          '2026-01-04',
        ],
        [at(60, 1), at(61, 1), '', '', '', '', ''],
      ],
      { formats },
    );
    expect(cellsOf(bytes)).toEqual([
      ['Date', 'Start', 'Custom', 'Amount', 'Plain', 'Time', 'Text'],
      [
        '2026-01-04',
        '2026-01-04T09:00:00Z',
        '2026-01-04T13:30:00Z',
        '1500.5',
        '46026',
        '09:00:00',
        '2026-01-04',
      ],
      // 29 Feb 1900 does not exist: the number stays, for validation to refuse.
      ['60', '1900-03-01'],
    ]);
  });

  test('the same dates in a 1904 workbook', () => {
    const bytes = writeStyledXlsx(
      [
        ['Date', 'Start'],
        [at(44_564, 1), at(44_564.375, 2)],
        [at(0, 1), at(1, 1)],
      ],
      { formats, date1904: true },
    );
    expect(cellsOf(bytes).slice(1)).toEqual([
      ['2026-01-04', '2026-01-04T09:00:00Z'],
      ['1904-01-01', '1904-01-02'],
    ]);
  });
});
