/**
 * Security regression of the `/ops` CSRF check (issue #10, finding 14):
 * behind a TLS-terminating reverse proxy the browser's `Origin: https://…`
 * never matched the `http://…` origin the server saw, so every operator form
 * post failed. `PUBLIC_URL` now names the origin browsers use, and only with
 * `TRUST_PROXY` are `X-Forwarded-Proto` / `X-Forwarded-Host` honoured.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.ts';
import { consoleFeature } from '../../src/console/feature.ts';
import { isSameOrigin, type OriginPolicy } from '../../src/console/same-origin.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';

const PUBLIC = 'https://ops.clinic.example';
const INTERNAL = 'http://127.0.0.1:8080/ops/alerts/alr_1/resolve';
const forwarded = (proto: string, host: string) =>
  new Headers({ 'x-forwarded-proto': proto, 'x-forwarded-host': host });

describe('finding 14: same-origin check behind a TLS reverse proxy', () => {
  describe('at the check level', () => {
    const none: OriginPolicy = { trustProxy: false };
    const publicUrl: OriginPolicy = { publicUrl: `${PUBLIC}/`, trustProxy: false };
    const proxy: OriginPolicy = { trustProxy: true };

    test('the https origin of PUBLIC_URL is accepted where the server sees http', () => {
      expect(isSameOrigin(PUBLIC, INTERNAL, new Headers(), none)).toBe(false);
      expect(isSameOrigin(PUBLIC, INTERNAL, new Headers(), publicUrl)).toBe(true);
      // The origin the request reached directly stays accepted.
      expect(isSameOrigin('http://127.0.0.1:8080', INTERNAL, new Headers(), publicUrl)).toBe(true);
    });

    test('other origins are refused, whatever is configured', () => {
      for (const policy of [none, publicUrl, proxy]) {
        expect(isSameOrigin('https://evil.example', INTERNAL, new Headers(), policy)).toBe(false);
        expect(isSameOrigin(undefined, INTERNAL, new Headers(), policy)).toBe(false);
        expect(isSameOrigin('null', INTERNAL, new Headers(), policy)).toBe(false);
        expect(isSameOrigin('http://ops.clinic.example', INTERNAL, new Headers(), policy)).toBe(
          false,
        );
      }
    });

    test('X-Forwarded-Proto/Host count only with TRUST_PROXY', () => {
      const headers = forwarded('https', 'ops.clinic.example');
      expect(isSameOrigin(PUBLIC, INTERNAL, headers, none)).toBe(false);
      expect(isSameOrigin(PUBLIC, INTERNAL, headers, proxy)).toBe(true);
      // A proxy that appends: the first value is the client-facing one.
      const chained = forwarded('https, http', 'ops.clinic.example, 10.0.0.5:8080');
      expect(isSameOrigin(PUBLIC, INTERNAL, chained, proxy)).toBe(true);
      // A non-default port is kept, a default one dropped.
      expect(
        isSameOrigin(
          'https://ops.clinic.example:8443',
          INTERNAL,
          forwarded('https', 'ops.clinic.example:8443'),
          proxy,
        ),
      ).toBe(true);
      expect(
        isSameOrigin(PUBLIC, INTERNAL, forwarded('https', 'ops.clinic.example:443'), proxy),
      ).toBe(true);
      // Anything but a host or a known scheme is ignored.
      expect(
        isSameOrigin(
          'https://evil.example',
          INTERNAL,
          forwarded('https', 'evil.example/@x'),
          proxy,
        ),
      ).toBe(false);
      expect(isSameOrigin('javascript://x', INTERNAL, forwarded('javascript', 'x'), proxy)).toBe(
        false,
      );
    });

    test('TRUST_PROXY is a boolean, off by default', () => {
      expect(loadConfig({}).TRUST_PROXY).toBe(false);
      expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
      expect(() => loadConfig({ TRUST_PROXY: 'sometimes' })).toThrow(ConfigError);
    });
  });

  describe('through the server', () => {
    const PASSWORD = 'correct horse battery staple';
    const authorization = `Basic ${Buffer.from(`ops:${PASSWORD}`).toString('base64')}`;
    let withPublicUrl: TestServer;
    let behindProxy: TestServer;

    beforeAll(async () => {
      withPublicUrl = await startTestServer({
        tenantCount: 1,
        env: { PUBLIC_URL: PUBLIC, OPS_PASSWORD: PASSWORD },
        features: [consoleFeature()],
      });
      behindProxy = await startTestServer({
        tenantCount: 1,
        env: { TRUST_PROXY: 'true', OPS_PASSWORD: PASSWORD },
        features: [consoleFeature()],
      });
    }, 90_000);
    afterAll(async () => {
      await withPublicUrl?.server.close();
      await behindProxy?.server.close();
    });

    const post = (running: TestServer, headers: Record<string, string>) =>
      fetch(`${running.server.url}/ops/alerts/alr_nosuchalert0001/resolve`, {
        method: 'POST',
        redirect: 'manual',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: '',
      });

    test('with PUBLIC_URL, a form post from the https page is accepted', async () => {
      const res = await post(withPublicUrl, { origin: PUBLIC });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/ops?notice=unchanged');
    });

    test('without TRUST_PROXY, forwarded headers do not make a foreign origin the server', async () => {
      const res = await post(withPublicUrl, {
        origin: 'https://evil.example',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'evil.example',
      });
      expect(res.status).toBe(403);
    });

    test('with TRUST_PROXY, the origin the proxy reports is accepted, and only that one', async () => {
      const accepted = await post(behindProxy, {
        origin: PUBLIC,
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'ops.clinic.example',
      });
      expect(accepted.status).toBe(303);
      const refused = await post(behindProxy, {
        origin: 'https://evil.example',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'ops.clinic.example',
      });
      expect(refused.status).toBe(403);
      const unproxied = await post(behindProxy, { origin: PUBLIC });
      expect(unproxied.status).toBe(403);
    });
  });
});
