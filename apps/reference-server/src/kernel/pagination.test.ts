import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decodeCursor, encodeCursor } from './pagination.ts';
import { isApiError } from './problem.ts';

describe('cursors', () => {
  test('round-trip for any time and row id of their own list', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1970-01-01T00:00:00Z'),
          max: new Date('2200-01-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.oneof(
          fc.stringMatching(/^(apt|pat|whep|dlv)_[0-9a-z]{26}$/),
          fc.integer({ min: 1, max: 2 ** 40 }).map(String),
        ),
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
    const foreign = encodeCursor(
      { time: new Date(0), id: 'vis_abcdefghijklmnopqrstuvwxyz' },
      'visits',
    );
    expect(() => decodeCursor(foreign, 'patients')).toThrow(/cursor/);
  });

  test('finding 10: extreme or forged positions are invalid_cursor, never passed on to a query', () => {
    const id = 'pat_abcdefghijklmnopqrstuvwxyz';
    const forge = (time: unknown, rowId: unknown = id) =>
      Buffer.from(JSON.stringify(['patients', time, rowId])).toString('base64url');
    for (const value of [
      forge('0000-01-01T00:00:00.000Z'),
      forge('1899-12-31T23:59:59.999Z'),
      forge('2201-01-01T00:00:00.000Z'),
      forge('+275760-09-13T00:00:00.000Z'),
      forge('-271821-04-20T00:00:00.000Z'),
      forge('2026-02-30T00:00:00.000Z'),
      forge('2026-01-01'),
      forge('1'),
      forge('2026-01-01T00:00:00.000Z', 'pat_\u0000'),
      forge('2026-01-01T00:00:00.000Z', "pat_' or 1=1 --"),
      forge('2026-01-01T00:00:00.000Z', 'x'.repeat(5000)),
      forge('2026-01-01T00:00:00.000Z', 12),
      'A'.repeat(512),
    ]) {
      expect(() => decodeCursor(value, 'patients'), value).toThrow(/cursor/);
    }
    expect(decodeCursor(forge('2026-01-01T00:00:00.000Z'), 'patients')?.id).toBe(id);
  });
});
