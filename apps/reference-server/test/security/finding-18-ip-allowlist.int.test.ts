/**
 * Issue #10, finding 18: network controls per credential. An API key or an
 * OAuth client may carry an IP allowlist; every request it authenticates
 * must come from an allowed address — the socket's, or with `TRUST_PROXY`
 * the left-most `X-Forwarded-For` entry — or gets 403 problem+json
 * `ip_not_allowed`. Run over real servers on 127.0.0.1 (and one on `::`, so
 * the socket reports the IPv4-mapped `::ffff:127.0.0.1`).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { addressAllowed, invalidAllowlistEntries } from '../../src/auth/ip-allowlist.ts';
import { displayPrefix } from '../../src/auth/secrets.ts';
import { fhirFeature } from '../../src/fhir/feature.ts';
import { forwardedClient } from '../../src/http/client-address.ts';
import { createOAuthClient } from '../../src/tenants/service.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';

interface Reply {
  status: number;
  type: string | null;
  body: Record<string, unknown>;
}

async function send(url: string, init: RequestInit = {}): Promise<Reply> {
  const res = await fetch(url, init);
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** Creates a `read:events` token through the API with the tenant's admin key. */
async function createToken(running: TestServer, allowedIps?: string[]): Promise<Reply> {
  return send(`${running.server.url}/api/v1/integration-tokens`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${running.tenants[0]?.apiKey}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      name: 'Hospital feed',
      scopes: ['read:events'],
      ...(allowedIps ? { allowedIps } : {}),
    }),
  });
}

async function keyFor(running: TestServer, allowedIps: string[]): Promise<string> {
  const created = await createToken(running, allowedIps);
  expect(created.status).toBe(201);
  expect(created.body.allowedIps).toEqual(allowedIps);
  return String(created.body.apiKey);
}

const listEvents = (
  running: TestServer,
  credential: string,
  headers: Record<string, string> = {},
) =>
  send(`${running.server.url}/api/v1/events`, {
    headers: { authorization: `Bearer ${credential}`, ...headers },
  });

function expectRefused(reply: Reply): void {
  expect(reply.status).toBe(403);
  expect(reply.type).toContain('application/problem+json');
  expect(reply.body.code).toBe('ip_not_allowed');
  expect(reply.body.title).toBe('Address not allowed for this credential');
}

function tokenRequest(running: TestServer, clientId: string, clientSecret: string) {
  return send(`${running.server.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    }).toString(),
  });
}

async function newClient(running: TestServer, allowedIps: string[]) {
  const tenantId = running.tenants[0]?.tenantId ?? '';
  return createOAuthClient(
    running.server.database.db,
    { tenantId, actor: { type: 'operator', id: 'cli' }, requestId: null, now: new Date() },
    { name: 'Partner', scopes: ['read:events'], allowedIps },
  );
}

describe('finding 18: IP allowlist on API keys, direct connections', () => {
  let running: TestServer;
  beforeAll(async () => {
    running = await startTestServer({ tenantCount: 1 });
  });
  afterAll(() => running.server.close());

  test('finding 18: a key allowed 127.0.0.1/32 works from 127.0.0.1 (200)', async () => {
    const key = await keyFor(running, ['127.0.0.1/32']);
    expect((await listEvents(running, key)).status).toBe(200);
  });

  test('finding 18: a key allowed only 10.0.0.0/8 is refused from 127.0.0.1 (403 ip_not_allowed)', async () => {
    const key = await keyFor(running, ['10.0.0.0/8']);
    expectRefused(await listEvents(running, key));
    // A refused request is not a use of the key.
    const row = await running.server.database.db
      .selectFrom('api_keys')
      .select(['last_used_at'])
      .where('key_prefix', '=', displayPrefix(key))
      .executeTakeFirst();
    expect(row?.last_used_at).toBeNull();
  });

  test('finding 18: an unknown or revoked key is 401 invalid_token whatever the address', async () => {
    const unknown = await listEvents(running, `cbk_${'x'.repeat(43)}`);
    expect([unknown.status, unknown.body.code]).toEqual([401, 'invalid_token']);
  });

  test('finding 18: without TRUST_PROXY, X-Forwarded-For is ignored', async () => {
    const proxied = await keyFor(running, ['203.0.113.0/24']);
    expectRefused(await listEvents(running, proxied, { 'x-forwarded-for': '203.0.113.7' }));
    const local = await keyFor(running, ['127.0.0.1']);
    const spoofed = await listEvents(running, local, { 'x-forwarded-for': '198.51.100.9' });
    expect(spoofed.status).toBe(200);
  });

  test('finding 18: a key without an allowlist works from anywhere, as before', async () => {
    const created = await createToken(running);
    expect(created.status).toBe(201);
    expect(created.body).not.toHaveProperty('allowedIps');
    expect((await listEvents(running, String(created.body.apiKey))).status).toBe(200);
  });

  test('finding 18: the server reads entries as strictly as the contract', () => {
    expect(
      invalidAllowlistEntries([
        '10.0.0.0/8',
        '::1',
        '2001:db8::/32',
        '10.0.0.0/08',
        '0x7f.1',
        '1/8',
      ]),
    ).toEqual(['10.0.0.0/08', '0x7f.1', '1/8']);
  });

  test('finding 18: the allowlist is bounded and validated (400)', async () => {
    const tooMany = Array.from({ length: 51 }, (_, i) => `10.0.${i}.0/24`);
    for (const allowedIps of [tooMany, [], ['intranet'], ['10.0.0.0/33'], ['10.0.0.1:443']]) {
      const reply = await createToken(running, allowedIps);
      expect(reply.status, JSON.stringify(allowedIps).slice(0, 40)).toBe(400);
      expect(reply.body.code).toBe('validation_failed');
    }
    expect((await createToken(running, Array(50).fill('2001:db8::/32'))).status).toBe(201);
  });

  test('finding 18: an OAuth client is checked at /oauth/token and on every JWT request', async () => {
    const refusedClient = await newClient(running, ['10.0.0.0/8']);
    const wrongSecret = await tokenRequest(running, refusedClient.clientId, 'cbcs_wrong');
    expect([wrongSecret.status, wrongSecret.body.error]).toEqual([401, 'invalid_client']);
    expectRefused(await tokenRequest(running, refusedClient.clientId, refusedClient.clientSecret));

    const client = await newClient(running, ['127.0.0.1/32']);
    const issued = await tokenRequest(running, client.clientId, client.clientSecret);
    expect(issued.status).toBe(200);
    const jwt = String(issued.body.access_token);
    expect((await listEvents(running, jwt)).status).toBe(200);
    // The allowlist is read from the client on every request, not from the JWT.
    await sql`update oauth_clients set allowed_ips = ${JSON.stringify(['10.0.0.0/8'])}::jsonb where id = ${client.clientId}`.execute(
      running.server.database.db,
    );
    expectRefused(await listEvents(running, jwt));
  });
});

describe('finding 18: IPv4-mapped IPv6 remote addresses', () => {
  test('finding 18: ::ffff:127.0.0.1 matches IPv4 entries, not others', () => {
    expect(addressAllowed(['127.0.0.1/32'], '::ffff:127.0.0.1')).toBe(true);
    expect(addressAllowed(['10.0.0.0/8'], '::ffff:127.0.0.1')).toBe(false);
    expect(addressAllowed(['::ffff:127.0.0.0/104'], '127.0.0.1')).toBe(true);
    expect(addressAllowed(['::1/128'], '::ffff:127.0.0.1')).toBe(false);
    // NAT64 and IPv4-translated forms are other hosts, not the IPv4 address.
    expect(addressAllowed(['127.0.0.1/32'], '64:ff9b::7f00:1')).toBe(false);
    expect(addressAllowed(['127.0.0.1/32'], undefined)).toBe(false);
    // Only standard text forms are addresses (ipaddr.js alone would read these as 127.0.0.1).
    expect(addressAllowed(['127.0.0.1/32'], '2130706433')).toBe(false);
    expect(addressAllowed(['127.0.0.1/32'], '0x7f.0.0.1')).toBe(false);
    expect(addressAllowed(['fe80::/10'], 'fe80::1%eth0')).toBe(true);
    expect(addressAllowed(null, undefined)).toBe(true);
  });

  describe('over a dual-stack server on ::', () => {
    let running: TestServer | undefined;
    beforeAll(async () => {
      // Skip when the host has no IPv6 (the socket could not bind `::`).
      const probe = createServer();
      const dualStack = await new Promise<boolean>((resolve) => {
        probe.once('error', () => resolve(false));
        probe.listen(0, '::', () => resolve(true));
      });
      if (dualStack) {
        // What a dual-stack socket reports for an IPv4 peer: the reason for this case.
        probe.on('request', (req, res) => res.end(req.socket.remoteAddress));
        const { port } = probe.address() as AddressInfo;
        expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('::ffff:127.0.0.1');
        await new Promise((resolve) => probe.close(resolve));
        running = await startTestServer({ tenantCount: 1, env: { HOST: '::' } });
      }
    });
    afterAll(() => running?.server.close());

    test('finding 18: a key allowed 127.0.0.1/32 works over IPv4 to ::, refused for 10.0.0.0/8', async (context) => {
      if (!running) return context.skip();
      expect(running.server.url).toContain('127.0.0.1');
      expect((await listEvents(running, await keyFor(running, ['127.0.0.1/32']))).status).toBe(200);
      expectRefused(await listEvents(running, await keyFor(running, ['10.0.0.0/8'])));
    });
  });
});

describe('finding 18: TRUST_PROXY takes the left-most X-Forwarded-For entry', () => {
  let running: TestServer;
  beforeAll(async () => {
    running = await startTestServer({
      tenantCount: 1,
      env: { TRUST_PROXY: 'true' },
      features: [fhirFeature],
    });
  });
  afterAll(() => running.server.close());

  test('finding 18: the forwarded client is checked, not the proxy', async () => {
    const key = await keyFor(running, ['203.0.113.0/24']);
    const ok = await listEvents(running, key, { 'x-forwarded-for': '203.0.113.7, 127.0.0.1' });
    expect(ok.status).toBe(200);
    // The left-most entry decides, wherever an allowed address appears later.
    expectRefused(
      await listEvents(running, key, { 'x-forwarded-for': '198.51.100.9, 203.0.113.7' }),
    );
    // No header: the socket's address (127.0.0.1) is checked.
    expectRefused(await listEvents(running, key));
    // An entry that is not an address is allowed by no list.
    expectRefused(await listEvents(running, key, { 'x-forwarded-for': 'unknown' }));
  });

  test('finding 18: with TRUST_PROXY, a local key is refused for a forwarded outside client', async () => {
    const key = await keyFor(running, ['127.0.0.1/32']);
    expectRefused(await listEvents(running, key, { 'x-forwarded-for': '198.51.100.9' }));
    expect((await listEvents(running, key)).status).toBe(200);
  });

  test('finding 18: routes outside the contract (/fhir/R4) check the forwarded client too', async () => {
    const created = await send(`${running.server.url}/api/v1/integration-tokens`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${running.tenants[0]?.apiKey}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        name: 'FHIR reader',
        scopes: ['read:patients'],
        allowedIps: ['203.0.113.0/24'],
      }),
    });
    expect(created.status).toBe(201);
    const read = (forwardedFor: string) =>
      fetch(`${running.server.url}/fhir/R4/Patient`, {
        headers: {
          authorization: `Bearer ${created.body.apiKey}`,
          'x-forwarded-for': forwardedFor,
        },
      });
    expect((await read('203.0.113.7')).status).toBe(200);
    expect((await read('198.51.100.9')).status).toBe(403);
  });

  test('finding 18: the same applies at /oauth/token', async () => {
    const client = await newClient(running, ['2001:db8::/32']);
    expectRefused(await tokenRequest(running, client.clientId, client.clientSecret));
    const res = await fetch(`${running.server.url}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-for': '[2001:db8::7]:51000',
      },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: client.clientId,
        client_secret: client.clientSecret,
      }).toString(),
    });
    expect(res.status).toBe(200);
  });

  test('finding 18: forwarded entries are read as addresses', () => {
    expect(forwardedClient(' 203.0.113.7 , 10.0.0.1')).toBe('203.0.113.7');
    expect(forwardedClient('203.0.113.7:8080')).toBe('203.0.113.7');
    expect(forwardedClient('[2001:db8::1]:443')).toBe('2001:db8::1');
    expect(forwardedClient('2001:db8::1')).toBe('2001:db8::1');
    expect(forwardedClient('')).toBeUndefined();
  });
});
