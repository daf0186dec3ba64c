/**
 * Database failures a caller can act on, turned into stable API errors:
 * an unreachable or overloaded database is 503 (retry later), a deadlock or
 * serialization failure and a uniqueness race are 409 (retry the request), and
 * so is a change a database rule refuses (`55000`: retention, immutability).
 * A value the database cannot hold (a NUL character, an out-of-range date or
 * number, an over-long string) is 400: validation refuses these first, and
 * this mapping keeps any path it misses a client error rather than a 500.
 * Everything else stays an internal error. Only SQLSTATE and socket error
 * codes are read: no message, table or SQL ever reaches the caller.
 */
import type { ErrorCode } from '@clinicbridge/sdk/contract';

/** What an actionable database failure becomes: a code, a detail and response headers. */
export interface DatabaseFailure {
  code: ErrorCode;
  detail: string;
  retryAfter?: number;
}

// SQLSTATEs of class 22 (data exception) that only a value sent by the caller can cause.
const UNSTORABLE_VALUE = new Set([
  '22021', // character_not_in_repertoire: a NUL byte in text
  '22P05', // untranslatable_character: \u0000 in jsonb
  '22008', // datetime_field_overflow: year 0, out-of-range timestamps
  '22007', // invalid_datetime_format
  '22009', // invalid_time_zone_displacement_value
  '22003', // numeric_value_out_of_range
  '22001', // string_data_right_truncation
]);

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * How to answer a database failure, or undefined when it is not one the caller can act on.
 *
 * @example
 * classifyDatabaseFailure(Object.assign(new Error(), { code: 'ECONNREFUSED' })); // { code: 'service_unavailable', … }
 */
export function classifyDatabaseFailure(error: unknown): DatabaseFailure | undefined {
  const code = codeOf(error);
  if (code === undefined) return undefined;
  if (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    code.startsWith('08') || // connection exception
    code === '53300' || // too many connections
    code === '57P01' || // admin shutdown
    code === '57P03' // cannot connect now
  ) {
    return {
      code: 'service_unavailable',
      detail: 'The database is unavailable; retry shortly.',
      retryAfter: 5,
    };
  }
  if (code === '40001' || code === '40P01' || code === '23505') {
    return { code: 'conflict', detail: 'The request collided with a concurrent change; retry it.' };
  }
  if (UNSTORABLE_VALUE.has(code)) {
    return {
      code: 'validation_failed',
      detail:
        'A value in the request cannot be stored: remove NUL characters (U+0000) and keep dates, numbers and lengths within the documented bounds.',
    };
  }
  if (code === '55000') {
    // A rule the database keeps (retention, immutability) refused the change.
    return { code: 'conflict', detail: 'The record cannot be changed or removed in its state.' };
  }
  return undefined;
}
