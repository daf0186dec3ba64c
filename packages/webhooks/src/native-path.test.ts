/**
 * Where node:crypto exists, the async API must run on it, not on Web Crypto:
 * awaited Web Crypto HMAC is several times slower on small bodies (see
 * docs/benchmarks.md). Every Web Crypto entry point is watched while the
 * async functions of each scheme run.
 */
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { requestFingerprint } from './idempotency/index.ts';
import { generateSecret, schemes, sign, verify, verifySignature } from './index.ts';

const subtle = globalThis.crypto.subtle;
const watched = ['importKey', 'sign', 'verify', 'digest'] as const;

beforeEach(() => {
  for (const name of watched) vi.spyOn(subtle, name);
});
afterEach(() => {
  vi.restoreAllMocks();
});

test('the async API of every scheme never touches crypto.subtle in Node', async () => {
  const payload = '{"type":"ping"}';
  const secret = generateSecret();
  const headers = await sign({ id: 'msg_native', payload, secret });
  expect(await verify(payload, headers, secret)).toEqual({ type: 'ping' });
  expect((await verifySignature(payload, headers, secret)).id).toBe('msg_native');
  await expect(verify(`${payload} `, headers, secret)).rejects.toMatchObject({
    code: 'invalid_signature',
  });

  for (const name of ['stripe', 'meta', 'github', 'hmac'] as const) {
    const scheme = schemes[name];
    const key = `secret_${'k'.repeat(32)}`;
    const signed = await scheme.sign({ payload, secret: key });
    expect(await scheme.verify(payload, signed, key)).toEqual({ type: 'ping' });
  }
  expect(await requestFingerprint({ method: 'POST', path: '/v1/x', body: payload })).toMatch(
    /^[0-9a-f]{64}$/,
  );

  for (const name of watched) expect(subtle[name]).not.toHaveBeenCalled();
});
