/**
 * Security regression of `WEBHOOK_TARGET_ALLOWLIST` (issue #10, finding 13):
 * an exception names a host and its ports, so allowing a receiver on
 * 127.0.0.1 no longer opens every other service on that host (PostgreSQL on
 * 5432 was accepted). Checked at configuration, at endpoint creation through
 * the API, and at delivery when the socket opens.
 */

import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.ts';
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

const resolve: ResolveHost = async (name) => {
  if (name === 'receiver.internal') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
};

async function refusal(url: string, allowlist: string[]): Promise<string | undefined> {
  try {
    await createTargetGuard({ allowlist, resolve }).check(url);
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('finding 13: the allowlist is per host and port', () => {
  test('127.0.0.1:5432 is refused when only another port of 127.0.0.1 is allowed', async () => {
    const allowlist = ['127.0.0.1:8080'];
    expect(await refusal('http://127.0.0.1:8080/hooks', allowlist)).toBeUndefined();
    expect(await refusal('http://127.0.0.1:5432/', allowlist)).toBe('https_required');
    expect(await refusal('https://127.0.0.1:5432/', allowlist)).toBe('target_not_allowed');
    expect(await refusal('http://127.0.0.1/', allowlist)).toBe('https_required');
    expect(await refusal('https://127.0.0.1/', allowlist)).toBe('target_not_allowed');
  });

  test('an explicit port range allows its ports and no others', async () => {
    const allowlist = ['127.0.0.1:8000-8999', 'receiver.internal:9000'];
    expect(await refusal('http://127.0.0.1:8000/', allowlist)).toBeUndefined();
    expect(await refusal('http://127.0.0.1:8999/', allowlist)).toBeUndefined();
    expect(await refusal('https://127.0.0.1:9000/', allowlist)).toBe('target_not_allowed');
    expect(await refusal('https://127.0.0.1:5432/', allowlist)).toBe('target_not_allowed');
    expect(await refusal('http://receiver.internal:9000/', allowlist)).toBeUndefined();
    expect(await refusal('https://receiver.internal:5432/', allowlist)).toBe('target_not_allowed');
  });

  test('a bare host is refused when the configuration is parsed, with a way to fix it', () => {
    for (const value of ['127.0.0.1', 'localhost', '127.0.0.1:8080,10.0.0.0/8']) {
      let issues: string[] = [];
      try {
        loadConfig({ WEBHOOK_TARGET_ALLOWLIST: value }, [deliveryConfig]);
      } catch (error) {
        if (error instanceof ConfigError) issues = error.issues;
      }
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatch(
        /^WEBHOOK_TARGET_ALLOWLIST: entry \d of \d: the entry names no port; write host:port/,
      );
    }
    expect(
      loadConfig({ WEBHOOK_TARGET_ALLOWLIST: '127.0.0.1:8080, [::1]:8000-8999' }, [deliveryConfig])
        .WEBHOOK_TARGET_ALLOWLIST,
    ).toEqual(['127.0.0.1:8080', '[::1]:8000-8999']);
  });

  describe('through the API and the sender', () => {
    let t: TestApp;
    let receiver: Receiver;
    let database: Server;
    let databasePort: number;
    let connections = 0;

    beforeAll(async () => {
      receiver = await startReceiver();
      // Stands in for PostgreSQL on the same host: it must never see a connection.
      database = createServer((socket) => {
        connections += 1;
        socket.destroy();
      });
      await new Promise<void>((done) => database.listen(0, '127.0.0.1', done));
      databasePort = (database.address() as AddressInfo).port;
      const allowlist = [new URL(receiver.url).host];
      t = await startTestApp({
        tenantCount: 1,
        deps: {
          features: [
            webhookEndpointsFeature({ allowlist, resolve }),
            deliveryFeature({
              config: deliveryConfig.parse({ WEBHOOK_TARGET_ALLOWLIST: allowlist.join(',') }),
              resolve,
            }),
          ],
        },
      });
    });
    afterAll(async () => {
      await receiver.close();
      await new Promise((done) => database.close(done));
      await t.close();
    });

    test('creating an endpoint on another port of the allowed host is refused', async () => {
      const create = (url: string) =>
        call(t.app, 'POST', '/api/v1/webhook-endpoints', {
          token: t.tenants[0]?.apiKey,
          body: { url, eventTypes: ['*'] },
        });
      expect((await create(`${receiver.url}/hooks`)).status).toBe(201);
      const refused = await create(`http://127.0.0.1:${databasePort}/`);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ errors: [{ code: 'https_required' }] });
      const overHttps = await create(`https://127.0.0.1:${databasePort}/`);
      expect(await overHttps.json()).toMatchObject({ errors: [{ code: 'target_not_allowed' }] });
    });

    test('at delivery, an allowed name is refused on any other port when the socket opens', async () => {
      const receiverPort = new URL(receiver.url).port;
      const guard = createTargetGuard({
        allowlist: [`receiver.internal:${receiverPort}`],
        resolve,
      });
      const sender = createSender({ guard, timeoutMs: 2_000 });
      const before = receiver.received.length;
      const delivered = await sender.send({
        url: `http://receiver.internal:${receiverPort}/hooks`,
        body: '{}',
        headers: {},
      });
      expect(delivered.status).not.toBeNull();
      expect(receiver.received.length).toBe(before + 1);
      for (const scheme of ['http', 'https']) {
        const refused = await sender.send({
          url: `${scheme}://receiver.internal:${databasePort}/`,
          body: '{}',
          headers: {},
        });
        expect(refused).toMatchObject({ ok: false, status: null });
        expect(refused.error).toMatch(/^target refused: /);
      }
      const refused = await sender.send({
        url: `https://receiver.internal:${databasePort}/`,
        body: '{}',
        headers: {},
      });
      expect(refused.error).toBe(`target refused: ${TARGET_NOT_ALLOWED}`);
      expect(connections).toBe(0);
      await sender.close();
    });
  });
});
