import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  breakerText,
  deliveryStatusText,
  describeAttemptError,
  displayUrl,
  exactTime,
  relativeTime,
} from './format.ts';

const NOW = new Date('2026-11-22T10:00:00.000Z');
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1_000).toISOString();

describe('relativeTime', () => {
  test.each([
    [10, 'just now'],
    [-10, 'just now'],
    [60, '1 min ago'],
    [3 * 60, '3 min ago'],
    [59 * 60, '59 min ago'],
    [2 * 3_600, '2 hours ago'],
    [3_600, '1 hour ago'],
    [86_400, '1 day ago'],
    [3 * 86_400, '3 days ago'],
    [14 * 86_400, '2 weeks ago'],
    [400 * 86_400, '1 year ago'],
    [-5 * 60, 'in 5 min'],
    [-2 * 86_400, 'in 2 days'],
  ])('%i s before now reads "%s"', (seconds, text) => {
    expect(relativeTime(ago(seconds), NOW)).toBe(text);
  });

  test('a time that does not parse is shown as it is', () => {
    expect(relativeTime('not a time', NOW)).toBe('not a time');
  });

  test('any time reads as "just now", "N unit(s) ago" or "in N unit(s)"', () => {
    fc.assert(
      fc.property(fc.integer({ min: -20 * 365 * 86_400, max: 20 * 365 * 86_400 }), (s) => {
        expect(relativeTime(ago(s), NOW)).toMatch(
          /^(just now|\d+ (min|hours?|days?|weeks?|months?|years?) ago|in \d+ (min|hours?|days?|weeks?|months?|years?))$/,
        );
      }),
    );
  });
});

test('exactTime is UTC to the second', () => {
  expect(exactTime('2026-11-22T08:00:05.123Z')).toBe('2026-11-22 08:00:05 UTC');
  expect(exactTime('nope')).toBe('nope');
});

describe('describeAttemptError', () => {
  test('a refused answer names its status once, with its meaning', () => {
    expect(describeAttemptError(410, 'HTTP 410')).toBe(
      'Answered 410 Gone: the receiver says this endpoint is gone for good.',
    );
    expect(describeAttemptError(503, 'HTTP 503')).toBe(
      'Answered 503 Service Unavailable: it is unavailable for now.',
    );
    expect(describeAttemptError(418, null)).toBe("Answered 418 I'm a Teapot.");
    expect(describeAttemptError(599, 'HTTP 599')).toBe('Answered 599.');
  });

  test('network failures read as sentences', () => {
    expect(describeAttemptError(null, 'connection refused')).toBe(
      'Could not connect: nothing is listening at that address.',
    );
    expect(describeAttemptError(null, 'timed out after 15000 ms')).toBe(
      'No answer within 15000 ms: the endpoint is too slow or down.',
    );
    expect(describeAttemptError(301, 'redirect not followed (HTTP 301)')).toBe(
      'The endpoint answered with a redirect (301), which is not followed: update its URL.',
    );
    expect(describeAttemptError(null, 'network error (EPIPE)')).toBe(
      'Could not reach the endpoint: network error (EPIPE).',
    );
  });

  test('a success has no error text', () => {
    expect(describeAttemptError(200, null)).toBeNull();
    expect(describeAttemptError(null, null)).toBeNull();
  });

  test('no combination says "HTTP n · HTTP n"', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), (status) => {
        const text = describeAttemptError(status, `HTTP ${status}`) ?? '';
        expect(text.split(String(status)).length - 1).toBe(1);
      }),
    );
  });
});

test('displayUrl drops user, password, query and fragment', () => {
  expect(displayUrl('https://u:pw@hooks.example.com/in?token=abc#x')).toBe(
    'https://hooks.example.com/in',
  );
  expect(displayUrl('https://hooks.example.com/')).toBe('https://hooks.example.com');
  expect(displayUrl('::')).toBe('an address that does not parse');
  expect(displayUrl(`https://a.example/${'x'.repeat(300)}`)).toHaveLength(121);
});

test('statuses and breaker states in words', () => {
  expect(deliveryStatusText('dead')).toBe('gave up (dead letter)');
  expect(deliveryStatusText('odd')).toBe('odd');
  expect(breakerText('open')).toContain('calls refused');
  expect(breakerText('half_open')).toContain('half-open');
});
