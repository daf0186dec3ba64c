/** Redaction applied to everything hooks receive: credential headers and secret body fields. */
import { describe, expect, it } from 'vitest';
import { redactBody, redactHeaders } from './redact.ts';

describe('redaction for hooks', () => {
  it('replaces credential headers whatever their case, and keeps the rest', () => {
    const headers = new Headers({
      Authorization: 'Bearer cb_live_x',
      'Proxy-Authorization': 'Basic eA==',
      Cookie: 'session=abc',
      'X-Api-Key': 'k',
      'api-key': 'k',
      'idempotency-key': 'order-42',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    expect(redactHeaders(headers)).toEqual({
      authorization: '[redacted]',
      'proxy-authorization': '[redacted]',
      cookie: '[redacted]',
      'x-api-key': '[redacted]',
      'api-key': '[redacted]',
      'idempotency-key': 'order-42',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
  });

  it('replaces secret fields in camelCase and snake_case, at any depth', () => {
    const body = {
      id: 'tok_1',
      apiKey: 'cb_live_1',
      nested: [{ client_secret: 's1', clientSecret: 's2', webhookSecret: 'whsec_1' }],
      token: { accessToken: 'at', access_token: 'at', refreshToken: 'rt', password: 'p' },
      keyPrefix: 'cb_live_ab',
      secretRotatedAt: '2026-11-22T08:00:00Z',
    };
    expect(redactBody(body)).toEqual({
      id: 'tok_1',
      apiKey: '[redacted]',
      nested: [
        { client_secret: '[redacted]', clientSecret: '[redacted]', webhookSecret: '[redacted]' },
      ],
      token: {
        accessToken: '[redacted]',
        access_token: '[redacted]',
        refreshToken: '[redacted]',
        password: '[redacted]',
      },
      keyPrefix: 'cb_live_ab',
      secretRotatedAt: '2026-11-22T08:00:00Z',
    });
    expect(body.apiKey).toBe('cb_live_1');
  });
});
