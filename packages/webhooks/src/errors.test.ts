import { describe, expect, test } from 'vitest';
import {
  isWebhookVerificationError,
  statusForWebhookError,
  WebhookVerificationError,
  webhookErrorCodes,
} from './errors.ts';
import { readHeader } from './internal/headers.ts';

describe('WebhookVerificationError', () => {
  test('carries a fixed name, the code, the message and the cause', () => {
    const cause = new SyntaxError('Unexpected token');
    const error = new WebhookVerificationError('payload_not_json', 'not JSON', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('WebhookVerificationError');
    expect(error.code).toBe('payload_not_json');
    expect(error.cause).toBe(cause);
  });

  test('the guard matches on name and code, so copies of the package agree', () => {
    const fromAnotherCopy = Object.assign(new Error('x'), {
      name: 'WebhookVerificationError',
      code: 'invalid_signature',
    });
    expect(isWebhookVerificationError(fromAnotherCopy)).toBe(true);
    expect(isWebhookVerificationError(new Error('x'))).toBe(false);
    expect(isWebhookVerificationError({ name: 'WebhookVerificationError', code: 'x' })).toBe(false);
    expect(isWebhookVerificationError(undefined)).toBe(false);
  });

  test('every code maps to a 400, 401, 413 or 500 status', () => {
    const table = Object.fromEntries(
      webhookErrorCodes.map((code) => [code, statusForWebhookError(code)]),
    );
    expect(table).toEqual({
      missing_header: 400,
      invalid_header: 400,
      invalid_timestamp: 400,
      timestamp_too_old: 401,
      timestamp_in_future: 401,
      invalid_signature: 401,
      invalid_secret: 500,
      invalid_payload: 400,
      empty_payload: 400,
      payload_not_json: 400,
      payload_too_large: 413,
      unknown_scheme: 500,
      unsupported_runtime: 500,
    });
  });
});

describe('readHeader', () => {
  test('finds headers in any case in plain objects and Headers', () => {
    expect(readHeader({ 'Content-Type': 'a' }, 'content-type')).toBe('a');
    expect(readHeader(new Headers({ 'Content-Type': 'b' }), 'content-type')).toBe('b');
    expect(readHeader({ 'content-type': undefined }, 'content-type')).toBeUndefined();
    expect(readHeader({}, 'content-type')).toBeUndefined();
  });

  test('joins repeated values like Headers.get does', () => {
    expect(readHeader({ 'x-a': ['1', '2'] }, 'x-a')).toBe('1, 2');
    const headers = new Headers();
    headers.append('x-a', '1');
    headers.append('x-a', '2');
    expect(readHeader(headers, 'x-a')).toBe('1, 2');
  });

  test('ignores inherited properties of plain objects', () => {
    expect(readHeader({}, 'constructor')).toBeUndefined();
    expect(readHeader({}, 'tostring')).toBeUndefined();
  });
});
