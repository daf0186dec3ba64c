import { describe, expect, test } from 'vitest';
import { convoyVectors } from '../__fixtures__/vectors.ts';
import { createHmacScheme } from './index.ts';

// Convoy's "simple" mode signs the raw body alone: the generic HMAC shape.
const simple = convoyVectors.filter((v) => !v.advanced);

describe('generic HMAC scheme', () => {
  test.each(simple)('convoy vector $name', async (v) => {
    const scheme = createHmacScheme({
      header: 'x-convoy-signature',
      algorithm: v.hash === 'SHA512' ? 'sha512' : 'sha256',
    });
    const verifying = scheme.verify(v.payload, { 'X-Convoy-Signature': v.header }, v.secret);
    if (v.valid) await expect(verifying).resolves.toEqual(JSON.parse(v.payload));
    else await expect(verifying).rejects.toMatchObject({ code: 'invalid_signature' });
  });

  test('signs in the configured encoding with the configured prefix and header', () => {
    const secret = 'a-generic-secret-of-32-characters';
    const hex = createHmacScheme({ header: 'X-Sig', prefix: 'sha256=' }).signSync({
      payload: '{}',
      secret,
    });
    expect(hex).toEqual({ 'x-sig': expect.stringMatching(/^sha256=[0-9a-f]{64}$/) });
    const b64 = createHmacScheme({ encoding: 'base64', algorithm: 'sha512' }).signSync({
      payload: '{}',
      secret,
    });
    expect(b64['x-signature']).toMatch(/^[A-Za-z0-9+/]{86}==$/);
  });

  test('verification accepts hex or base64 whatever the signing encoding', async () => {
    const secret = 'a-generic-secret-of-32-characters';
    const hexScheme = createHmacScheme();
    const b64Scheme = createHmacScheme({ encoding: 'base64' });
    const signed = b64Scheme.signSync({ payload: '{"a":1}', secret });
    expect(await hexScheme.verify('{"a":1}', signed, secret)).toEqual({ a: 1 });
  });

  test('a signature of the wrong length or alphabet is invalid_signature', async () => {
    const scheme = createHmacScheme();
    for (const value of ['abcd', 'z'.repeat(64), '']) {
      const headers = { 'x-signature': value };
      await expect(scheme.verify('{}', headers, 'secret')).rejects.toMatchObject({
        code: value === '' ? 'missing_header' : 'invalid_signature',
      });
    }
  });

  test('refuses unknown algorithms and encodings when built', () => {
    expect(() => createHmacScheme({ algorithm: 'md5' as 'sha256' })).toThrow(RangeError);
    expect(() => createHmacScheme({ encoding: 'base32' as 'hex' })).toThrow(/encoding/);
  });

  test('eventIdHeader names the delivery id header', () => {
    const scheme = createHmacScheme({ name: 'acme', eventIdHeader: 'X-Acme-Delivery' });
    expect(scheme.name).toBe('acme');
    expect(scheme.eventId({ 'x-acme-delivery': 'del_1' }, {})).toBe('del_1');
  });
});
