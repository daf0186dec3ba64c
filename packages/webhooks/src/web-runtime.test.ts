/**
 * The package promises to run in browsers and edge runtimes on Web Crypto
 * alone. This test bundles the runtime-neutral entry points for the browser
 * platform (where esbuild refuses any Node built-in) and runs the bundle in a
 * sandbox holding only web-standard globals — no `process`, `Buffer` or
 * `require` — then signs and verifies through it, against the published
 * vectors and against the reference libraries running in Node.
 */
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import type { Hono } from 'hono';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import { beforeAll, describe, expect, test } from 'vitest';
import { githubVector, standardSignVectors, stripeVector } from './__fixtures__/vectors.ts';
import type * as HonoMiddleware from './hono/index.ts';
import type * as Idempotency from './idempotency/index.ts';
import { requestFingerprintSync } from './idempotency/index.ts';
import type * as Root from './index.ts';
import type * as Meta from './meta/index.ts';
import type * as Stripeish from './stripe/index.ts';

type Bundle = typeof Root & {
  Hono: typeof Hono;
  hono: typeof HonoMiddleware;
  idempotency: typeof Idempotency;
  meta: typeof Meta;
  stripe: typeof Stripeish;
};

const webGlobals = [
  'Request',
  'Response',
  'Headers',
  'URL',
  'URLSearchParams',
  'ReadableStream',
  'TextEncoder',
  'TextDecoder',
  'crypto',
  'atob',
  'btoa',
  'queueMicrotask',
  'console',
] as const;

let web: Bundle;
let sandbox: Record<string, unknown>;

beforeAll(async () => {
  const src = fileURLToPath(new URL('.', import.meta.url));
  const result = await build({
    stdin: {
      contents: [
        "export * from './index.ts';",
        "export * as idempotency from './idempotency/index.ts';",
        "export { Hono } from 'hono';",
        "export * as hono from './hono/index.ts';",
        "export * as meta from './meta/index.ts';",
        "export * as stripe from './stripe/index.ts';",
      ].join('\n'),
      resolveDir: src,
      loader: 'ts',
    },
    tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)),
    bundle: true,
    format: 'iife',
    globalName: 'ClinicBridgeWebhooks',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  sandbox = {};
  for (const name of webGlobals) sandbox[name] = (globalThis as Record<string, unknown>)[name];
  web = runInNewContext(`${result.outputFiles[0]!.text};ClinicBridgeWebhooks`, sandbox) as Bundle;
});

describe('bundled for the browser, with only web-standard globals', () => {
  test('the sandbox has no Node globals', () => {
    expect(runInNewContext('typeof process + typeof Buffer + typeof require', sandbox)).toBe(
      'undefinedundefinedundefined',
    );
  });

  test.each(standardSignVectors)('$name: signs and verifies the published vector', async (v) => {
    const headers = await web.sign({
      id: v.msg_id,
      timestamp: v.timestamp,
      payload: v.payload,
      secret: v.secret,
    });
    expect(headers['webhook-signature']).toBe(v.expected_signature);
    const event = await web.verify(v.payload, headers, v.secret, {
      now: () => v.timestamp * 1000,
    });
    expect(JSON.stringify(event)).toBe(JSON.stringify(JSON.parse(v.payload)));
  });

  test('standardwebhooks and svix in Node verify what it signs; it verifies what they sign', async () => {
    const secret = web.generateSecret();
    const payload = '{"type":"appointment.booked","data":{"note":"café ✓"}}';
    const headers = await web.sign({ id: 'msg_web', payload, secret: [secret] });
    expect(() => new StandardWebhook(secret).verify(payload, headers)).not.toThrow();
    expect(() => new SvixWebhook(secret).verify(payload, headers)).not.toThrow();

    const signed = new SvixWebhook(secret).sign('msg_svix', new Date(), payload);
    const fromSvix = {
      'webhook-id': 'msg_svix',
      'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      'webhook-signature': signed,
    };
    expect(await web.verify(payload, fromSvix, secret, { parse: false })).toBe(payload);
    await expect(web.verify(`${payload} `, fromSvix, secret)).rejects.toMatchObject({
      name: 'WebhookVerificationError',
      code: 'invalid_signature',
    });
  });

  test('verifies a body that is not valid UTF-8 over its exact bytes', async () => {
    const secret = web.generateSecret();
    const body = new Uint8Array([0x7b, 0x7d, 0xff, 0x00]);
    const headers = await web.sign({ id: 'msg_bin', payload: body, secret });
    expect(await web.verify(body, headers, secret, { parse: false })).toBe(body);
    await expect(web.verify(body, headers, secret)).rejects.toMatchObject({
      code: 'payload_not_json',
    });
  });

  test('Stripe: stripe-node verifies what it signs; GitHub: the published vector verifies', async () => {
    const body = JSON.stringify({ id: 'evt_web', object: 'event' });
    const secret = stripeVector.secret;
    const signed = await web.stripe.stripeScheme.sign({ payload: body, secret });
    const stripe = new Stripe('sk_test_clinicbridge');
    expect(stripe.webhooks.constructEvent(body, signed['stripe-signature']!, secret)).toEqual(
      JSON.parse(body),
    );
    const hub = { 'x-hub-signature-256': githubVector['X-Hub-Signature-256'] };
    await expect(
      web.meta.githubScheme.verify(githubVector.payload, hub, githubVector.secret, {
        parse: false,
      }),
    ).resolves.toBe(githubVector.payload);
  });

  test('request fingerprints equal the ones computed with node:crypto', async () => {
    const input = { method: 'POST', path: '/v1/payments', body: '{"b":[1,2],"a":"é"}' };
    expect(await web.idempotency.requestFingerprint(input)).toBe(requestFingerprintSync(input));
  });

  test('the Hono middleware verifies and rejects, as on an edge runtime', async () => {
    const secret = web.generateSecret();
    const app = new web.Hono<HonoMiddleware.WebhookEnv<{ type: string }>>();
    app.post('/hook', web.hono.webhookVerifier({ scheme: 'standard', secret }), async (c) =>
      c.json({ type: c.get('webhook').event.type, again: await c.req.text() }),
    );
    const payload = '{"type":"appointment.booked"}';
    const headers = await web.sign({ id: 'msg_edge', payload, secret });
    const ok = await app.request('/hook', { method: 'POST', body: payload, headers });
    expect(await ok.json()).toEqual({ type: 'appointment.booked', again: payload });
    const forged = await app.request('/hook', {
      method: 'POST',
      body: payload,
      headers: await web.sign({ id: 'msg_edge', payload, secret: web.generateSecret() }),
    });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ code: 'invalid_signature' });
  });

  test('the synchronous API reports unsupported_runtime', () => {
    const secret = web.generateSecret();
    expect(() => web.signSync({ id: 'm', payload: '{}', secret })).toThrow(
      expect.objectContaining({ code: 'unsupported_runtime' }),
    );
  });
});
