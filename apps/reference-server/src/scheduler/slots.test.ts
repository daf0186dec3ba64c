/** Which cron slots are due: the latest on a first start, each missed one after downtime, bounded. */
import { describe, expect, test } from 'vitest';
import { cronPattern, dueSlots } from './slots.ts';

const sixHourly = cronPattern('0 */6 * * *');
const at = (iso: string) => new Date(iso);
const iso = (slots: Date[]) => slots.map((slot) => slot.toISOString());

describe('dueSlots', () => {
  test('a first start runs only the latest due slot, also exactly at its instant', () => {
    expect(iso(dueSlots(sixHourly, null, at('2026-12-07T13:00:00Z'), 4).due)).toEqual([
      '2026-12-07T12:00:00.000Z',
    ]);
    expect(iso(dueSlots(sixHourly, null, at('2026-12-07T12:00:00Z'), 4).due)).toEqual([
      '2026-12-07T12:00:00.000Z',
    ]);
  });

  test('13 hours after the 00:00 slot the 06:00 and 12:00 slots are due, oldest first', () => {
    expect(dueSlots(sixHourly, at('2026-12-07T00:00:00Z'), at('2026-12-07T13:00:30Z'), 4)).toEqual({
      due: [at('2026-12-07T06:00:00Z'), at('2026-12-07T12:00:00Z')],
      skipped: false,
    });
  });

  test('nothing is due before the next slot', () => {
    expect(
      dueSlots(sixHourly, at('2026-12-07T12:00:00Z'), at('2026-12-07T17:59:59Z'), 4).due,
    ).toEqual([]);
  });

  test('catch-up after a long downtime is bounded to the latest slots', () => {
    const { due, skipped } = dueSlots(
      sixHourly,
      at('2026-12-01T00:00:00Z'),
      at('2026-12-07T13:00:00Z'),
      4,
    );
    expect(iso(due)).toEqual([
      '2026-12-06T18:00:00.000Z',
      '2026-12-07T00:00:00.000Z',
      '2026-12-07T06:00:00.000Z',
      '2026-12-07T12:00:00.000Z',
    ]);
    expect(skipped).toBe(true);
  });

  test('a pattern croner cannot read is refused', () => {
    expect(() => cronPattern('every six hours')).toThrow();
  });
});
