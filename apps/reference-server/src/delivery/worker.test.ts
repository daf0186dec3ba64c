/**
 * The delivery worker's guard against a lease too short for one attempt
 * (every claim would be released unsent, silently); the worker's sending is
 * covered against real receivers by delivery-flow and delivery-chaos.
 */
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../config/index.ts';
import { assertLeaseCoversAttempt } from './worker.ts';

describe('lease versus attempt timeout', () => {
  test('a lease longer than the timeout plus the margin is accepted', () => {
    expect(() => assertLeaseCoversAttempt(60_000, 15_000)).not.toThrow();
    expect(() => assertLeaseCoversAttempt(3_001, 1_000)).not.toThrow();
  });

  test('a lease that cannot cover one attempt is a ConfigError naming both variables', () => {
    for (const [lease, timeout] of [
      [2_000, 1_000],
      [3_000, 1_000],
      [15_000, 15_000],
    ] as const) {
      let caught: unknown;
      try {
        assertLeaseCoversAttempt(lease, timeout);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).issues[0]).toMatch(/^WEBHOOK_LEASE: .*WEBHOOK_TIMEOUT_MS/);
    }
  });
});
