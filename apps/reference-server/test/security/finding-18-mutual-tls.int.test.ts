/**
 * Issue #10, finding 18 (second half): mutual TLS. The server listens on
 * HTTPS with a client CA bundle; an API key or OAuth client pinned to a
 * client certificate works only over a connection that presented that
 * certificate, verified by the CA. Certificates are made here with the
 * `openssl` command; requests go over real HTTPS with Node's client.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { certificateFingerprint, pinClientCertificate } from '../../src/auth/client-certificate.ts';
import type { ChangeContext } from '../../src/kernel/change.ts';
import { createOAuthClient } from '../../src/tenants/service.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';

const dir = mkdtempSync(join(tmpdir(), 'cb-mtls-'));
const file = (name: string) => join(dir, name);
const pem = (name: string) => readFileSync(file(name), 'utf8');
const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });

/** A key and certificate `name`, signed by the test CA, or self-signed when `selfSigned`. */
function issue(name: string, selfSigned = false): void {
  if (selfSigned) {
    openssl(
      ['req', '-x509', ...ec, '-keyout', file(`${name}.key`), '-out', file(`${name}.pem`)].concat([
        '-subj',
        `/CN=${name}`,
        '-days',
        '2',
      ]),
    );
    return;
  }
  openssl([
    'req',
    ...ec,
    '-keyout',
    file(`${name}.key`),
    '-out',
    file(`${name}.csr`),
    '-subj',
    `/CN=${name}`,
  ]);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
    ].concat(['-set_serial', String(Date.now()), '-out', file(`${name}.pem`), '-days', '2']),
  );
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

let running: TestServer;
let port: number;

function send(
  path: string,
  options: { client?: string; token?: string; method?: string; form?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        ca: pem('server.pem'),
        ...(options.client
          ? { cert: pem(`${options.client}.pem`), key: pem(`${options.client}.key`) }
          : {}),
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(options.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        agent: false,
        timeout: 20_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.form);
  });
}

let change: ChangeContext;
beforeAll(async () => {
  openssl(
    ['req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.pem')].concat([
      '-subj',
      '/CN=Partner CA',
      '-days',
      '2',
    ]),
  );
  openssl(
    ['req', '-x509', ...ec, '-keyout', file('server.key'), '-out', file('server.pem')].concat([
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-days',
      '2',
    ]),
  );
  issue('partner-a');
  issue('partner-b');
  issue('stranger', true);
  running = await startTestServer({
    tenantCount: 1,
    env: { TLS_CERT: pem('server.pem'), TLS_KEY: pem('server.key'), TLS_CLIENT_CA: pem('ca.pem') },
  });
  port = running.server.port;
  change = {
    tenantId: running.tenants[0]?.tenantId ?? '',
    actor: { type: 'operator', id: 'cli' },
    requestId: null,
    now: new Date(),
  };
}, 120_000);
afterAll(async () => {
  await running?.server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function newKey(): Promise<{ id: string; apiKey: string }> {
  const created = await new Promise<Reply>((resolve, reject) => {
    const body = JSON.stringify({ name: 'Partner feed', scopes: ['read:events'] });
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/integration-tokens',
        method: 'POST',
        ca: pem('server.pem'),
        agent: false,
        headers: {
          authorization: `Bearer ${running.tenants[0]?.apiKey}`,
          'content-type': 'application/json',
          'idempotency-key': crypto.randomUUID(),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  expect(created.status).toBe(201);
  return { id: String(created.body.id), apiKey: String(created.body.apiKey) };
}

describe('finding 18: mutual TLS, a client certificate pinned to the credential', () => {
  test('the server speaks HTTPS', () => {
    expect(running.server.url).toMatch(/^https:\/\/127\.0\.0\.1:/);
  });

  test('an API key pinned to a certificate: only with that certificate', async () => {
    const key = await newKey();
    const pinned = await pinClientCertificate(
      running.server.database.db,
      change,
      { kind: 'api_key', id: key.id },
      certificateFingerprint(pem('partner-a.pem')),
    );
    expect(pinned).toBe(true);
    const right = await send('/api/v1/events', { token: key.apiKey, client: 'partner-a' });
    expect(right.status).toBe(200);
    const wrong = await send('/api/v1/events', { token: key.apiKey, client: 'partner-b' });
    expect(wrong).toMatchObject({ status: 403, body: { code: 'client_certificate_mismatch' } });
    const none = await send('/api/v1/events', { token: key.apiKey });
    expect(none).toMatchObject({ status: 403, body: { code: 'client_certificate_required' } });
    // A certificate the CA did not sign is no certificate at all.
    const stranger = await send('/api/v1/events', { token: key.apiKey, client: 'stranger' });
    expect(stranger).toMatchObject({ status: 403, body: { code: 'client_certificate_required' } });
  });

  test('a credential without a pin works with or without a certificate', async () => {
    const key = await newKey();
    expect((await send('/api/v1/events', { token: key.apiKey })).status).toBe(200);
    expect((await send('/api/v1/events', { token: key.apiKey, client: 'partner-b' })).status).toBe(
      200,
    );
  });

  test('an OAuth client pinned to a certificate: at /oauth/token and with its tokens', async () => {
    const db = running.server.database.db;
    const { clientId, clientSecret } = await db
      .transaction()
      .execute((trx) =>
        createOAuthClient(trx, change, { name: 'Partner', scopes: ['read:events'] }),
      );
    await pinClientCertificate(
      db,
      change,
      { kind: 'oauth_client', id: clientId },
      certificateFingerprint(pem('partner-a.pem')),
    );
    const form = `grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}`;
    const refused = await send('/oauth/token', { method: 'POST', form });
    expect(refused).toMatchObject({ status: 403, body: { code: 'client_certificate_required' } });
    const issued = await send('/oauth/token', { method: 'POST', form, client: 'partner-a' });
    expect(issued.status).toBe(200);
    const token = String(issued.body.access_token);
    expect((await send('/api/v1/events', { token, client: 'partner-a' })).status).toBe(200);
    const other = await send('/api/v1/events', { token, client: 'partner-b' });
    expect(other).toMatchObject({ status: 403, body: { code: 'client_certificate_mismatch' } });
  });
});
