/**
 * Security regressions of the webhook SSRF guard (issue #10), at endpoint
 * creation through the API and at delivery through the real sender:
 * finding 11 (IPv4-translated and local-use NAT64 encodings got through) and
 * finding 12 (refusals told the tenant what internal names resolve to).
 */
import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deliveryConfig } from '../../src/delivery/config.ts';
import { deliveryFeature } from '../../src/delivery/feature.ts';
import { createSender } from '../../src/delivery/sender.ts';
import {
  createTargetGuard,
  type ResolveHost,
  TARGET_NOT_ALLOWED,
} from '../../src/delivery/ssrf.ts';
import { webhookEndpointsFeature } from '../../src/webhook-endpoints/feature.ts';
import { type Receiver, startReceiver } from '../delivery/receiver.ts';
import { call, startTestApp, type TestApp } from '../helpers/app.ts';

/** The encodings of finding 11, then those refused before it. */
const NEW_ENCODINGS = [
  '::ffff:0:7f00:1', // IPv4-translated 127.0.0.1 (::ffff:0:0:0/96)
  '::ffff:0:a00:1', // IPv4-translated 10.0.0.1
  '::ffff:0:a9fe:a9fe', // IPv4-translated 169.254.169.254
  '64:ff9b:1::7f00:1', // local-use NAT64 (64:ff9b:1::/48), 127.0.0.1 in the last 32 bits
  '64:ff9b:1:7f00:1::', // local-use NAT64, 127.0.0.1 after a /48 prefix
  '64:ff9b:1::808:808', // local-use NAT64 is not globally reachable, whatever it embeds
];
const PREVIOUS_ENCODINGS = [
  '127.0.0.1',
  '10.0.0.1',
  '172.16.0.1',
  '192.168.1.1',
  '169.254.169.254',
  '100.64.0.1',
  '0.0.0.0',
  '192.0.0.1',
  '198.18.0.1',
  '224.0.0.1',
  '255.255.255.255',
  '::1',
  '::',
  '::ffff:7f00:1',
  '::ffff:a00:1',
  '64:ff9b::7f00:1',
  '::7f00:1',
  '2002:7f00:1::',
  '2001::1',
  '2001:db8::1',
  'fe80::1',
  'fc00::1',
  'fd12:3456::1',
  'ff02::1',
  '100::1',
];
const ENCODINGS = [...NEW_ENCODINGS, ...PREVIOUS_ENCODINGS];
const host = (address: string) => (address.includes(':') ? `[${address}]` : address);

const dns: Record<string, LookupAddress[]> = {
  vm: [{ address: '127.0.0.1', family: 4 }],
  ...Object.fromEntries(
    ENCODINGS.map((address, i) => [
      `target${i}.example`,
      [{ address, family: address.includes(':') ? 6 : 4 }],
    ]),
  ),
};
const resolve: ResolveHost = async (name) => {
  const found = dns[name];
  if (!found)
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  return found;
};

let t: TestApp;
let token: string;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  const config = deliveryConfig.parse({});
  t = await startTestApp({
    tenantCount: 1,
    deps: {
      features: [
        webhookEndpointsFeature({ allowlist: [], resolve }),
        deliveryFeature({ config, resolve }),
      ],
    },
  });
  token = t.tenants[0]?.apiKey as string;
});
afterAll(async () => {
  await receiver.close();
  await t.close();
});

async function createEndpoint(url: string) {
  const res = await call(t.app, 'POST', '/api/v1/webhook-endpoints', {
    token,
    body: { url, eventTypes: ['*'] },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('finding 11: every special-purpose encoding is refused', () => {
  test.each(ENCODINGS)('at creation: %s as a literal and behind a name', async (address) => {
    const literal = await createEndpoint(`https://${host(address)}/hooks`);
    expect(literal.status).toBe(400);
    expect(literal.body).toMatchObject({
      errors: [{ path: 'body.url', code: 'target_not_allowed' }],
    });
    const name = `target${ENCODINGS.indexOf(address)}.example`;
    const named = await createEndpoint(`https://${name}/hooks`);
    expect(named.status).toBe(400);
    expect(named.body).toMatchObject({
      errors: [{ path: 'body.url', code: 'target_not_allowed' }],
    });
  });

  test.each(ENCODINGS)('at delivery: %s as a literal and behind a name', async (address) => {
    const port = new URL(receiver.url).port;
    const sender = createSender({ guard: createTargetGuard({ resolve }), timeoutMs: 2_000 });
    const before = receiver.received.length;
    const name = `target${ENCODINGS.indexOf(address)}.example`;
    for (const url of [`https://${host(address)}:${port}/`, `https://${name}:${port}/`]) {
      const result = await sender.send({ url, body: '{}', headers: {} });
      expect(result).toMatchObject({ ok: false, status: null });
      expect(result.error).toBe(`target refused: ${TARGET_NOT_ALLOWED}`);
    }
    expect(receiver.received.length).toBe(before);
    await sender.close();
  });

  test('public addresses, also inside IPv4-mapped, IPv4-translated and NAT64 forms, pass', async () => {
    const guard = createTargetGuard({ resolve });
    for (const address of [
      '93.184.216.34',
      '2606:4700::1111',
      '::ffff:808:808',
      '::ffff:0:808:808',
      '64:ff9b::808:808',
    ]) {
      await expect(guard.check(`https://${host(address)}/hooks`)).resolves.toBeDefined();
    }
  });
});

describe('finding 12: a refusal does not reveal internal DNS', () => {
  test('a name resolving to loopback and one that does not resolve are refused alike', async () => {
    const internal = await createEndpoint('https://vm/hooks');
    const missing = await createEndpoint('https://no-such-host.internal/hooks');
    expect(internal.status).toBe(400);
    expect(missing.status).toBe(400);
    const errorsOf = (body: Record<string, unknown>) => body.errors;
    expect(errorsOf(internal.body)).toEqual(errorsOf(missing.body));
    expect(errorsOf(internal.body)).toEqual([
      { path: 'body.url', message: TARGET_NOT_ALLOWED, code: 'target_not_allowed' },
    ]);
    const text = JSON.stringify(internal.body);
    expect(text).not.toContain('127.0.0.1');
    expect(text).not.toMatch(/\bvm\b/);
    expect(text).not.toMatch(/resolves to \d|resolves to \[?[0-9a-f]*:/);
  });

  test('plain http gets the same answer for an internal name and a public one', async () => {
    const internal = await createEndpoint('http://vm/hooks');
    const missing = await createEndpoint('http://no-such-host.internal/hooks');
    expect(internal.body.errors).toEqual(missing.body.errors);
    expect(internal.body).toMatchObject({ errors: [{ code: 'https_required' }] });
  });

  test('a delivery refused at connect time names neither the host nor the address', async () => {
    const port = new URL(receiver.url).port;
    const sender = createSender({ guard: createTargetGuard({ resolve }), timeoutMs: 2_000 });
    const result = await sender.send({ url: `https://vm:${port}/`, body: '{}', headers: {} });
    expect(result.error).toBe(`target refused: ${TARGET_NOT_ALLOWED}`);
    expect(result.error).not.toContain('127.0.0.1');
    await sender.close();
  });
});
