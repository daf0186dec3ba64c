/** Typed errors: every contract error code mapped by kind, status fallbacks, and name-based guards. */
import { describe, expect, it } from 'vitest';
import { errorCodes } from '../../contract/errors.ts';
import { AbortError, ClinicBridgeError, NotFoundError } from './errors.ts';
import { errorFromResponse } from './from-response.ts';
import {
  isAbortError,
  isClinicBridgeError,
  isIdempotencyError,
  isNotFoundError,
  isRateLimitError,
  isTimeoutError,
} from './guards.ts';

function fromCode(code: keyof typeof errorCodes) {
  const status = errorCodes[code];
  return errorFromResponse({
    status,
    body: { type: 't', title: 'Title', status, code, requestId: 'req_x', detail: 'What happened' },
    requestId: 'req_header',
    operationId: 'appointments.get',
    retryAfter: code === 'rate_limited' ? 5 : undefined,
  });
}

describe('errors', () => {
  it('maps every contract error code to a typed error by kind', () => {
    const expected: Record<string, string> = {
      400: 'ValidationError',
      401: 'AuthenticationError',
      403: 'PermissionError',
      404: 'NotFoundError',
      405: 'ClinicBridgeError',
      409: 'ConflictError',
      410: 'NotFoundError',
      413: 'ClinicBridgeError',
      415: 'ClinicBridgeError',
      422: 'ValidationError',
      429: 'RateLimitError',
      500: 'ServerError',
      501: 'ServerError',
      503: 'ServerError',
    };
    for (const code of Object.keys(errorCodes) as (keyof typeof errorCodes)[]) {
      const error = fromCode(code);
      const idempotency =
        code === 'idempotency_in_flight' ||
        code === 'idempotency_key_reused' ||
        code === 'idempotency_key_credential_mismatch';
      expect(error.name, code).toBe(idempotency ? 'IdempotencyError' : expected[errorCodes[code]]);
      expect(error.code).toBe(code);
      expect(error.status).toBe(errorCodes[code]);
      expect(error.requestId).toBe('req_x');
      expect(isClinicBridgeError(error)).toBe(true);
    }
    const limited = fromCode('rate_limited');
    expect(isRateLimitError(limited) && limited.retryAfter).toBe(5);
  });

  it('falls back to the status when the body is not problem+json', () => {
    const error = errorFromResponse({
      status: 502,
      body: '<html>Bad gateway</html>',
      requestId: 'req_gw',
      operationId: 'appointments.list',
      retryAfter: undefined,
    });
    expect(error.name).toBe('ServerError');
    expect(error.code).toBe('internal_error');
    expect(error.requestId).toBe('req_gw');
    expect(error.problem).toBeUndefined();
  });

  it('guards match on name, so errors from another copy of the package are recognised', () => {
    // Another copy of the package marks its errors with the same registered symbol.
    const foreign = Object.assign(new Error('x'), {
      name: 'NotFoundError',
      code: 'not_found',
      [Symbol.for('@clinicbridge/sdk/error')]: true,
    });
    expect(isNotFoundError(foreign)).toBe(true);
    expect(isClinicBridgeError(foreign)).toBe(true);
    expect(isNotFoundError(new Error('x'))).toBe(false);
    const own = new NotFoundError('m', { code: 'not_found' });
    expect(own).toBeInstanceOf(ClinicBridgeError);
    expect(own.name).toBe('NotFoundError');
  });

  it('native DOMExceptions and the webhooks package errors are not ClinicBridge errors', async () => {
    const { IdempotencyError } = await import('@clinicbridge/webhooks/idempotency');
    const abort = new DOMException('The operation was aborted.', 'AbortError');
    const timeout = new DOMException('The operation timed out.', 'TimeoutError');
    expect('code' in abort).toBe(true);
    expect(isAbortError(abort)).toBe(false);
    expect(isTimeoutError(timeout)).toBe(false);
    expect(isClinicBridgeError(abort)).toBe(false);
    const foreign = new IdempotencyError('invalid_body', 'A BigInt cannot be serialised as JSON.');
    expect(isIdempotencyError(foreign)).toBe(false);
    expect(isClinicBridgeError(foreign)).toBe(false);
    expect(isAbortError(new AbortError('stopped', { code: 'aborted' }))).toBe(true);
  });
});
