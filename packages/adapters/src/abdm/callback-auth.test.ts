/** The ABDM callback verifier against the fake gateway's JWKS: what it accepts, what it refuses and why, its key cache. */
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { ABDM_API, ABDM_CALLBACK_ISSUER, FakeAbdm } from '../testing/abdm.ts';
import { serverErrors } from '../testing/failures.ts';
import {
  type AbdmCallbackAuthReason,
  createAbdmCallbackVerifier,
  isAbdmCallbackAuthError,
} from './callback-auth.ts';

const CERTS = `${ABDM_API}/api/hiecm/gateway/v3/certs`;
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const start = (audience?: string) => {
  const abdm = new FakeAbdm();
  server.use(...abdm.handlers());
  const verifier = createAbdmCallbackVerifier({
    jwksUrl: CERTS,
    issuer: ABDM_CALLBACK_ISSUER,
    ...(audience ? { audience } : {}),
  });
  return { abdm, verifier };
};

const reason = async (promise: Promise<unknown>): Promise<AbdmCallbackAuthReason> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAbdmCallbackAuthError(error)) throw new Error(`expected a refusal, got ${String(error)}`);
  expect(error.message).not.toMatch(/eyJ/);
  return error.reason;
};

test("a callback signed with the gateway's published key is accepted; the keys are fetched once", async () => {
  const { abdm, verifier } = start(new FakeAbdm().clientId);
  const claims = await verifier.verify(await abdm.authorize());
  expect(claims).toMatchObject({ iss: ABDM_CALLBACK_ISSUER, clientId: 'gateway' });
  await verifier.verify(await abdm.authorize());
  expect(abdm.certsRequests).toBe(1);
});

test('missing, foreign-signed, expired, wrong-issuer and wrong-audience tokens are refused with their reason', async () => {
  const { abdm, verifier } = start();
  expect(await reason(verifier.verify(null))).toBe('missing_token');
  expect(await reason(verifier.verify('Basic abc'))).toBe('missing_token');
  expect(await reason(verifier.verify('Bearer not-a-jwt'))).toBe('invalid_token');
  expect(await reason(verifier.verify(await abdm.authorize({ foreignKey: true })))).toBe(
    'invalid_token',
  );
  expect(await reason(verifier.verify(await abdm.authorize({ expiresInSeconds: -120 })))).toBe(
    'expired_token',
  );
  expect(
    await reason(verifier.verify(await abdm.authorize({ issuer: 'https://evil.example/realm' }))),
  ).toBe('invalid_token');
  const strict = createAbdmCallbackVerifier({
    jwksUrl: CERTS,
    issuer: ABDM_CALLBACK_ISSUER,
    audience: 'another-client',
  });
  expect(await reason(strict.verify(await abdm.authorize()))).toBe('invalid_token');
});

test('a token expired by less than the clock tolerance still passes', async () => {
  const { abdm, verifier } = start();
  await expect(
    verifier.verify(await abdm.authorize({ expiresInSeconds: -10 })),
  ).resolves.toBeTruthy();
});

test('keys the gateway cannot serve, or serves oversized, are keys_unavailable', async () => {
  const { abdm, verifier } = start();
  server.use(serverErrors({ method: 'get', url: CERTS, times: 1 }).handler);
  expect(await reason(verifier.verify(await abdm.authorize()))).toBe('keys_unavailable');
  await expect(verifier.verify(await abdm.authorize())).resolves.toBeTruthy();
  const big = createAbdmCallbackVerifier({
    jwksUrl: `${ABDM_API}/big-certs`,
    issuer: ABDM_CALLBACK_ISSUER,
  });
  server.use(
    http.get(`${ABDM_API}/big-certs`, () =>
      HttpResponse.json({ keys: [{ kty: 'oct', k: 'x'.repeat(70_000) }] }),
    ),
  );
  expect(await reason(big.verify(await abdm.authorize()))).toBe('keys_unavailable');
});
