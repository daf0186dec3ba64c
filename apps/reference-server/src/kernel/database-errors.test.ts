import { describe, expect, test } from 'vitest';
import { toApiError } from './problem.ts';

const withCode = (code: string) =>
  Object.assign(new Error('relation "secret_table" violates …'), { code });

describe('database failures', () => {
  test('an unreachable or overloaded database is 503 with Retry-After', () => {
    for (const code of ['ECONNREFUSED', '08006', '53300', '57P01']) {
      const error = toApiError(withCode(code));
      expect([error.code, error.status, error.extras.headers?.['Retry-After']]).toEqual([
        'service_unavailable',
        503,
        '5',
      ]);
    }
  });

  test('deadlocks, serialization failures and uniqueness races are 409 conflict', () => {
    for (const code of ['40001', '40P01', '23505'])
      expect(toApiError(withCode(code)).code).toBe('conflict');
  });

  test('anything else is a bare internal_error that never repeats the message', () => {
    const error = toApiError(withCode('42P01'));
    expect(error.code).toBe('internal_error');
    expect(error.detail).not.toContain('secret_table');
  });
});

describe('values the database cannot hold', () => {
  test('finding 8: NUL characters (22021, 22P05) and out-of-range dates or numbers are 400 validation_failed', () => {
    for (const code of ['22021', '22P05', '22008', '22007', '22003', '22001']) {
      const error = toApiError(withCode(code));
      expect([error.code, error.status]).toEqual(['validation_failed', 400]);
      expect(error.detail).not.toContain('secret_table');
    }
  });
});
