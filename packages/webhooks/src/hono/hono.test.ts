import { Hono } from 'hono';
import { describe, expect, test } from 'vitest';
import { createHmacScheme } from '../hmac/index.ts';
import { schemes } from '../registry.ts';
import { generateSecret, signSync } from '../standard/index.ts';
import { type WebhookEnv, webhookVerifier } from './index.ts';

type Booked = { type: 'appointment.booked'; data: { id: string } };
const secret = generateSecret();
const payload = JSON.stringify({ type: 'appointment.booked', data: { id: 'apt_1' } });

function app(options: Partial<Parameters<typeof webhookVerifier>[0]> = {}) {
  const hono = new Hono<WebhookEnv<Booked>>();
  hono.post(
    '/hook',
    webhookVerifier<Booked>({ scheme: 'standard', secret, ...options }),
    async (c) => {
      const { event, eventId, rawBody, scheme } = c.get('webhook');
      // Later handlers can still read the body.
      const again = await c.req.text();
      return c.json({
        id: event.data.id,
        eventId,
        bytes: rawBody.byteLength,
        scheme,
        same: again === payload,
      });
    },
  );
  return hono;
}

const post = (hono: Hono<WebhookEnv<Booked>>, body: BodyInit, headers: Record<string, string>) =>
  hono.request('/hook', { method: 'POST', body, headers });

describe('webhookVerifier (Hono)', () => {
  test('hands the verified, typed event to the next handler', async () => {
    const headers = signSync({ id: 'msg_h1', payload, secret });
    const res = await post(app(), payload, headers);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      id: 'apt_1',
      eventId: 'msg_h1',
      bytes: Buffer.byteLength(payload),
      scheme: 'standard',
      same: true,
    });
  });

  test('a bad signature is 401 problem+json with the code', async () => {
    const headers = signSync({ id: 'msg_h2', payload, secret: generateSecret() });
    const res = await post(app(), payload, headers);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 401, code: 'invalid_signature' });
  });

  test('missing headers are 400; a stale timestamp is 401', async () => {
    expect((await post(app(), payload, {})).status).toBe(400);
    const headers = signSync({ id: 'msg_h3', timestamp: 1_600_000_000, payload, secret });
    const res = await post(app(), payload, headers);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'timestamp_too_old' });
  });

  test('the clock and tolerance options apply', async () => {
    const headers = signSync({ id: 'msg_h4', timestamp: 1_600_000_000, payload, secret });
    const res = await post(
      app({ now: () => 1_600_000_100_000, toleranceSeconds: 120 }),
      payload,
      headers,
    );
    expect(res.status).toBe(200);
  });

  test('bodies over maxBodyBytes are 413, declared or not', async () => {
    const headers = signSync({ id: 'msg_h5', payload, secret });
    const small = app({ maxBodyBytes: 10 });
    const res = await post(small, payload, headers);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'payload_too_large' });
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(payload));
        controller.close();
      },
    });
    const streamed = await small.request('/hook', {
      method: 'POST',
      body: stream,
      headers,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  test('a chunked body is refused once past the limit, without reading the rest', async () => {
    const headers = signSync({ id: 'msg_h6', payload, secret });
    const chunk = new Uint8Array(1024).fill(0x20);
    let pulled = 0;
    // Endless: the middleware must stop reading, not buffer until memory runs out.
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(chunk);
      },
    });
    const res = await app({ maxBodyBytes: 8 * 1024 }).request('/hook', {
      method: 'POST',
      body: endless,
      headers,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'payload_too_large' });
    expect(pulled).toBeLessThan(16);
  });

  test('a body an earlier middleware already read is still verified', async () => {
    const hono = new Hono<WebhookEnv<Booked>>();
    hono.use('/hook', async (c, next) => {
      await c.req.text(); // e.g. a logging middleware
      await next();
    });
    hono.post('/hook', webhookVerifier<Booked>({ scheme: 'standard', secret }), (c) =>
      c.json(c.get('webhook').event.data.id),
    );
    const res = await post(hono, payload, signSync({ id: 'msg_h7', payload, secret }));
    expect(res.status).toBe(200);
    expect(await res.json()).toBe('apt_1');
  });

  test('secret can be chosen per request, and other schemes by name', async () => {
    const stripeSecret = `whsec_${'s'.repeat(32)}`;
    const hono = new Hono();
    hono.post(
      '/stripe/:tenant',
      webhookVerifier({
        scheme: 'stripe',
        secret: (c) => (c.req.param('tenant') === 't1' ? stripeSecret : 'other'),
      }),
      (c) => c.json(c.get('webhook').eventId ?? null),
    );
    const body = JSON.stringify({ id: 'evt_1', type: 'charge.succeeded' });
    const headers = schemes.stripe.signSync({ payload: body, secret: stripeSecret });
    const ok = await hono.request('/stripe/t1', { method: 'POST', body, headers });
    expect(await ok.json()).toBe('evt_1');
    const wrongTenant = await hono.request('/stripe/t2', { method: 'POST', body, headers });
    expect(wrongTenant.status).toBe(401);
  });

  test('a scheme object (a provider of your own) works like a registry name', async () => {
    const acme = createHmacScheme({ name: 'acme', header: 'x-acme-signature', prefix: 'sha256=' });
    const acmeSecret = 'acme-signing-secret-of-32-chars!';
    const hono = new Hono();
    hono.post('/acme', webhookVerifier({ scheme: acme, secret: acmeSecret }), (c) =>
      c.json({ scheme: c.get('webhook').scheme, event: c.get('webhook').event }),
    );
    const headers = acme.signSync({ payload, secret: acmeSecret });
    const ok = await hono.request('/acme', { method: 'POST', body: payload, headers });
    expect(await ok.json()).toEqual({ scheme: 'acme', event: JSON.parse(payload) });
    const forged = await hono.request('/acme', {
      method: 'POST',
      body: payload,
      headers: acme.signSync({ payload, secret: 'another-secret-of-32-characters!!' }),
    });
    expect(forged.status).toBe(401);
  });

  test('an unknown scheme name fails when the middleware is built', () => {
    expect(() => webhookVerifier({ scheme: 'nope', secret })).toThrow(
      /No webhook signature scheme/,
    );
  });

  test('errors that are not verification failures reach Hono’s error handler', async () => {
    const hono = new Hono();
    hono.onError((error, c) => c.text(`handled: ${error.message}`, 500));
    hono.post(
      '/hook',
      webhookVerifier({
        scheme: 'standard',
        secret: () => {
          throw new Error('vault unavailable');
        },
      }),
      (c) => c.text('unreachable'),
    );
    const res = await hono.request('/hook', {
      method: 'POST',
      body: payload,
      headers: signSync({ id: 'm', payload, secret }),
    });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('handled: vault unavailable');
  });
});
