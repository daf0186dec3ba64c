import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decodeCursor, encodeCursor } from './pagination.ts';
import { isApiError } from './problem.ts';

describe('cursors', () => {
  test('round-trip for any time and id of their own list', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1970-01-01T00:00:00Z'),
          max: new Date('2200-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.string({ maxLength: 100 }),
        (time, id) => {
          expect(decodeCursor(encodeCursor({ time, id }, 'appointments'), 'appointments')).toEqual({
            time,
            id,
          });
        },
      ),
    );
  });

  test("any other string, or another list's cursor, is invalid_cursor and nothing else", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.base64String(), fc.json()), (value) => {
        try {
          decodeCursor(value, 'patients');
        } catch (error) {
          expect(isApiError(error) && error.code).toBe('invalid_cursor');
        }
      }),
    );
    const foreign = encodeCursor({ time: new Date(0), id: 'x' }, 'visits');
    expect(() => decodeCursor(foreign, 'patients')).toThrow(/cursor/);
  });
});
