/**
 * The portable path: with node:crypto and Buffer hidden, as in a browser or an
 * edge runtime, the async API runs on Web Crypto and gives the same results.
 */
import { describe, expect, test, vi } from 'vitest';

vi.mock('./internal/runtime.ts', () => ({ nodeCrypto: undefined, NodeBuffer: undefined }));

const { standardSignVectors, githubVector, stripeVector } = await import(
  './__fixtures__/vectors.ts'
);
const { generateSecret, schemes, sign, signSync, verify, verifySync } = await import('./index.ts');
const { requestFingerprint, requestFingerprintSync } = await import('./idempotency/index.ts');

describe('without node:crypto', () => {
  test.each(standardSignVectors)('$name: sign and verify reproduce the vector', async (v) => {
    const headers = await sign({
      id: v.msg_id,
      timestamp: v.timestamp,
      payload: v.payload,
      secret: v.secret,
    });
    expect(headers['webhook-signature']).toBe(v.expected_signature);
    expect(await verify(v.payload, headers, v.secret, { now: () => v.timestamp * 1000 })).toEqual(
      JSON.parse(v.payload),
    );
  });

  test('rejects a wrong signature and accepts rotation lists', async () => {
    const [a, b] = [generateSecret(), generateSecret()];
    expect(generateSecret()).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const headers = await sign({
      id: 'msg_w',
      payload: new Uint8Array([123, 125]),
      secret: [a, b],
    });
    expect(await verify('{}', headers, b)).toEqual({});
    await expect(verify('{} ', headers, a)).rejects.toMatchObject({ code: 'invalid_signature' });
  });

  test('the other schemes verify their vectors', async () => {
    const hub = { 'x-hub-signature-256': githubVector['X-Hub-Signature-256'] };
    await expect(
      schemes.github.verify(githubVector.payload, hub, githubVector.secret, { parse: false }),
    ).resolves.toBe(githubVector.payload);
    const signed = await schemes.stripe.sign({
      payload: stripeVector.payload,
      secret: stripeVector.secret,
      timestamp: stripeVector.timestamp,
    });
    expect(signed['stripe-signature']).toBe(stripeVector['Stripe-Signature']);
    const sha512 = (await import('./hmac/index.ts')).createHmacScheme({
      algorithm: 'sha512',
      encoding: 'base64',
    });
    const s512 = await sha512.sign({ payload: 'x', secret: 'k'.repeat(24) });
    await expect(sha512.verify('x', s512, 'k'.repeat(24), { parse: false })).resolves.toBe('x');
  });

  test('request fingerprints match the native ones', async () => {
    // sha256("POST\n/v1/x\n" + sha256hex('{"a":2,"b":1}')), computed independently with node:crypto.
    const input = { method: 'POST', path: '/v1/x', body: '{"b":1,"a":2}' };
    const fingerprint = await requestFingerprint(input);
    expect(fingerprint).toBe('c53febc24b5bcb18d856550b1a3f24dbd5bd2ef5c1a22bacc77ded44841d3005');
    expect(await requestFingerprint({ ...input, body: { a: 2, b: 1 } })).toBe(fingerprint);
    expect(() => requestFingerprintSync(input)).toThrow(/node:crypto/);
  });

  test('a malformed base64 secret is invalid_secret on the portable decoder too', async () => {
    const headers = { 'webhook-id': 'm', 'webhook-timestamp': '1', 'webhook-signature': 'v1,x' };
    for (const secret of ['whsec_a', 'whsec_ab!d', 'whsec_abcde']) {
      await expect(verify('{}', headers, secret)).rejects.toMatchObject({ code: 'invalid_secret' });
    }
  });

  test('without Web Crypto either, the async API says what is missing', async () => {
    vi.stubGlobal('crypto', { getRandomValues: crypto.getRandomValues.bind(crypto) });
    try {
      const secret = `whsec_${'A'.repeat(32)}`;
      await expect(sign({ id: 'm', payload: '{}', secret })).rejects.toMatchObject({
        code: 'unsupported_runtime',
        message: expect.stringMatching(/Web Crypto/),
      });
    } finally {
      vi.unstubAllGlobals();
    }
  });

  test('the synchronous API says it needs node:crypto', () => {
    const secret = generateSecret();
    expect(() => signSync({ id: 'm', payload: '{}', secret })).toThrow(
      expect.objectContaining({ code: 'unsupported_runtime' }),
    );
    expect(() =>
      verifySync(
        '{}',
        {
          'webhook-id': 'm',
          'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
          'webhook-signature': 'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=',
        },
        secret,
      ),
    ).toThrow(expect.objectContaining({ code: 'unsupported_runtime' }));
  });
});
