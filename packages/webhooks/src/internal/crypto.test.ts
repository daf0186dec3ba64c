/** The signature comparison: correct for any input, and without an early exit. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { constantTimeEqual } from './crypto.ts';

/** A string stand-in that counts how many characters the comparison reads. */
function counted(text: string, reads: { count: number }): string {
  return {
    length: text.length,
    charCodeAt(index: number) {
      reads.count++;
      return text.charCodeAt(index);
    },
  } as unknown as string;
}

describe('constantTimeEqual', () => {
  test('agrees with === for any two strings', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(constantTimeEqual(a, b)).toBe(a === b);
        expect(constantTimeEqual(a, a)).toBe(true);
      }),
    );
  });

  test('reads every character whatever position differs first', () => {
    const expected = 'Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=';
    for (const position of [0, 1, 20, expected.length - 1]) {
      const received = `${expected.slice(0, position)}#${expected.slice(position + 1)}`;
      const reads = { count: 0 };
      expect(constantTimeEqual(counted(received, reads), counted(expected, reads))).toBe(false);
      expect(reads.count).toBe(2 * expected.length);
    }
  });
});
