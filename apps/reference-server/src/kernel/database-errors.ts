/**
 * Database failures a caller can act on, turned into stable API errors:
 * an unreachable or overloaded database is 503 (retry later), a deadlock or
 * serialization failure and a uniqueness race are 409 (retry the request), and
 * so is a change a database rule refuses (`55000`: retention, immutability).
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
  if (code === '55000') {
    // A rule the database keeps (retention, immutability) refused the change.
    return { code: 'conflict', detail: 'The record cannot be changed or removed in its state.' };
  }
  return undefined;
}
