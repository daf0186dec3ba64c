/** Finding 18 in the fake API: the IP allowlist matcher, and keys and OAuth clients refused from other addresses. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { addressAllowed } from './ip-allowlist.ts';
import { useFakeApi } from './test-helpers.ts';

const { api, call } = useFakeApi({ clientAddress: '203.0.113.7' });

describe('finding 18: IP allowlists in the fake API', () => {
  test('addresses and CIDR ranges match like the server', () => {
    expect(addressAllowed(undefined, 'anything')).toBe(true);
    expect(addressAllowed(['127.0.0.1/32'], '127.0.0.1')).toBe(true);
    expect(addressAllowed(['127.0.0.1/32'], '::ffff:127.0.0.1')).toBe(true);
    expect(addressAllowed(['10.0.0.0/8'], '::ffff:127.0.0.1')).toBe(false);
    expect(addressAllowed(['::ffff:127.0.0.0/104'], '127.0.0.9')).toBe(true);
    expect(addressAllowed(['::1/128'], '::ffff:127.0.0.1')).toBe(false);
    expect(addressAllowed(['127.0.0.1/32'], '64:ff9b::7f00:1')).toBe(false);
    expect(addressAllowed(['2001:db8::/32'], '2001:db8:0:1::7')).toBe(true);
    expect(addressAllowed(['2001:db8::/32'], '2001:db9::7')).toBe(false);
    expect(addressAllowed(['::1'], '0:0:0:0:0:0:0:1')).toBe(true);
    expect(addressAllowed(['fe80::/10'], 'fe80::1%eth0')).toBe(true);
    expect(addressAllowed(['0.0.0.0/0'], '203.0.113.7')).toBe(true);
    expect(addressAllowed(['10.0.0.0/8'], 'not-an-address')).toBe(false);
  });

  test('an IPv4 address is in a /n range exactly when its first n bits match', () => {
    const octets = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
    fc.assert(
      fc.property(octets, octets, fc.integer({ min: 0, max: 32 }), (a, b, prefix) => {
        const toInt = (o: number[]) => o.reduce((n, x) => n * 256 + x, 0);
        const same =
          Math.floor(toInt(a) / 2 ** (32 - prefix)) === Math.floor(toInt(b) / 2 ** (32 - prefix));
        expect(addressAllowed([`${a.join('.')}/${prefix}`], b.join('.'))).toBe(same);
        expect(addressAllowed([`${a.join('.')}/${prefix}`], `::ffff:${b.join('.')}`)).toBe(same);
      }),
    );
  });

  test('a key or OAuth client is refused from outside its allowlist (403 ip_not_allowed)', async () => {
    const tenant = api.state.defaultTenant.tenantId;
    const allowed = api.state.createApiKey(tenant, ['read:appointments'], {
      allowedIps: ['203.0.113.0/24'],
    });
    const refused = api.state.createApiKey(tenant, ['read:appointments'], {
      allowedIps: ['10.0.0.0/8'],
    });
    expect((await call('GET', '/api/v1/appointments', { apiKey: allowed })).status).toBe(200);
    const no = await call('GET', '/api/v1/appointments', { apiKey: refused });
    expect([no.status, no.body.code]).toEqual([403, 'ip_not_allowed']);
    expect(no.headers.get('content-type')).toContain('application/problem+json');

    const client = api.state.createOAuthClient(tenant, ['read:appointments'], {
      allowedIps: ['10.0.0.0/8'],
    });
    const tokenRequest = () =>
      call('POST', '/oauth/token', {
        apiKey: null,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: client.clientId,
          client_secret: client.clientSecret,
        }).toString(),
      });
    const token = await tokenRequest();
    expect([token.status, token.body.code]).toEqual([403, 'ip_not_allowed']);
    api.state.clientAddress = '10.1.2.3';
    const issued = await tokenRequest();
    expect(issued.status).toBe(200);
    const jwt = String(issued.body.access_token);
    expect((await call('GET', '/api/v1/appointments', { apiKey: jwt })).status).toBe(200);
    // The client's allowlist is checked on every request made with its token.
    api.state.clientAddress = '::ffff:192.0.2.1';
    const later = await call('GET', '/api/v1/appointments', { apiKey: jwt });
    expect([later.status, later.body.code]).toEqual([403, 'ip_not_allowed']);
    api.state.clientAddress = '203.0.113.7';
  });
});
