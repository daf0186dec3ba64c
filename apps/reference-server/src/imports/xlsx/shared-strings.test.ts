/**
 * The packed shared strings table: strings come back as pushed, across
 * piece boundaries and growth of the offset arrays; out-of-range indexes
 * are undefined; a table over its bound is refused; and a sheet whose
 * shared strings outnumber what its cells could use is refused by the reader.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { writeXlsx } from '../../../test/helpers/xlsx.ts';
import { SharedStrings } from './shared-strings.ts';
import { readXlsxRows } from './sheet-reader.ts';

describe('SharedStrings', () => {
  test('property: every pushed string reads back, in any order of reads and pushes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 40_000, unit: 'grapheme' }), { maxLength: 60 }),
        (texts) => {
          const table = new SharedStrings(1_000);
          texts.forEach((text, i) => {
            table.push(text);
            // Reading the open piece seals it; later pushes go to a new one.
            if (i % 3 === 0) expect(table.get(i)).toBe(text);
          });
          expect(table.size).toBe(texts.length);
          for (const [i, text] of texts.entries()) expect(table.get(i)).toBe(text);
          expect(table.get(texts.length)).toBeUndefined();
          expect(table.get(-1)).toBeUndefined();
          expect(table.get(0.5)).toBeUndefined();
        },
      ),
      { numRuns: 50 },
    );
  });

  test('many short strings (past the first offset arrays) read back', () => {
    const table = new SharedStrings(10_000);
    for (let i = 0; i < 5_000; i++) table.push(`s${i}`);
    expect(table.get(0)).toBe('s0');
    expect(table.get(1_024)).toBe('s1024');
    expect(table.get(4_999)).toBe('s4999');
  });

  test('a table past its bound is refused', () => {
    const table = new SharedStrings(2);
    table.push('a');
    table.push('b');
    expect(() => table.push('c')).toThrow(/more than 2 strings/);
  });

  test('the reader bounds the table by the cells a sheet may have', () => {
    const rows = Array.from({ length: 30 }, (_, i) => [`name${i}`, `other${i}`]);
    const zip = writeXlsx([['a', 'b'], ...rows]);
    const limits = { maxEntries: 64, maxUncompressedBytes: 10_000_000, maxRatio: 100 };
    expect([...readXlsxRows(zip, limits, { maxColumns: 4, maxCellChars: 50 })]).toHaveLength(31);
    expect(() => [
      ...readXlsxRows(zip, limits, { maxColumns: 4, maxCellChars: 50, maxSharedStrings: 10 }),
    ]).toThrow(/shared strings table holds more than 10/);
  });
});
