/** Minor-unit conversion, including a round-trip property. */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { fromMinorUnits, toMinorUnits } from './money.ts';

test('converts between decimal strings and minor units', () => {
  expect(toMinorUnits('1234.5', 'EUR')).toBe(123450);
  expect(toMinorUnits('0.07', 'USD')).toBe(7);
  expect(toMinorUnits('1500', 'JPY')).toBe(1500);
  expect(toMinorUnits('1.234', 'KWD')).toBe(1234);
  expect(fromMinorUnits(7, 'USD')).toBe('0.07');
  expect(fromMinorUnits(1500, 'JPY')).toBe('1500');
  expect(() => toMinorUnits('1.234', 'EUR')).toThrow(RangeError);
  expect(() => toMinorUnits('-1', 'EUR')).toThrow(RangeError);
  expect(() => toMinorUnits('1e3', 'EUR')).toThrow(RangeError);
});

test('round-trips any amount in any exponent', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 ** 40 }),
      fc.constantFrom('EUR', 'JPY', 'KWD', 'TRY', 'INR'),
      (minor, currency) => {
        expect(toMinorUnits(fromMinorUnits(minor, currency), currency)).toBe(minor);
      },
    ),
  );
});
