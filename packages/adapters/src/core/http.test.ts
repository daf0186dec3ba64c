/** Retry-After parsing (both forms) and body reading. */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { parseRetryAfter, readBody } from './http.ts';

test('Retry-After in seconds or as an HTTP date', () => {
  expect(parseRetryAfter('2')).toBe(2000);
  expect(parseRetryAfter('0.5')).toBe(500);
  const now = Date.parse('2026-11-22T07:00:00Z');
  expect(parseRetryAfter('Sun, 22 Nov 2026 07:00:30 GMT', now)).toBe(30_000);
  expect(parseRetryAfter('Sun, 22 Nov 2026 06:59:00 GMT', now)).toBe(0);
  expect(parseRetryAfter(null)).toBeUndefined();
  expect(parseRetryAfter('soon')).toBeUndefined();
});

test('any delta-seconds value round-trips to milliseconds', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 10_000_000 }), (seconds) => {
      expect(parseRetryAfter(String(seconds))).toBe(seconds * 1000);
    }),
  );
});

test('never throws and never goes negative on arbitrary header values', () => {
  fc.assert(
    fc.property(fc.string(), (value) => {
      const parsed = parseRetryAfter(value, 0);
      expect(parsed === undefined || parsed >= 0).toBe(true);
    }),
  );
});

test('reads JSON, text and empty bodies', async () => {
  expect(await readBody(new Response('{"a":1}'))).toEqual({ a: 1 });
  expect(await readBody(new Response('Bad Gateway'))).toBe('Bad Gateway');
  expect(await readBody(new Response(null, { status: 202 }))).toBeUndefined();
});
