import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSender, RESPONSE_SNIPPET_BYTES } from './sender.ts';
import { createTargetGuard, TARGET_NOT_ALLOWED, type TargetGuard } from './ssrf.ts';

let server: Server;
let base: string;
const received: { path: string; headers: IncomingMessage['headers']; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      switch (req.url) {
        case '/ok':
          res.writeHead(200).end('thanks');
          return;
        case '/accepted':
          res.writeHead(204).end();
          return;
        case '/big':
          res.writeHead(200).end('é'.repeat(RESPONSE_SNIPPET_BYTES * 20));
          return;
        case '/redirect':
          res.writeHead(302, { location: `${base}/ok` }).end();
          return;
        case '/gone':
          res.writeHead(410).end('endpoint removed');
          return;
        case '/error':
          res.writeHead(500).end('boom');
          return;
        case '/slow':
          return; // never answers
        default:
          res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  guard = createTargetGuard({ allowlist: [new URL(base).host] });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

/** Allows the test server's host and port (set once it listens). */
let guard: TargetGuard;
const body = JSON.stringify({ id: 'evt_1', type: 'webhook_endpoint.ping' });

describe('sender over real HTTP on 127.0.0.1', () => {
  test('2xx is success and the body and headers arrive intact', async () => {
    const sender = createSender({ guard });
    const result = await sender.send({
      url: `${base}/ok`,
      body,
      headers: { 'webhook-id': 'evt_1' },
    });
    expect(result).toMatchObject({
      ok: true,
      status: 200,
      error: null,
      snippet: 'thanks',
      gone: false,
    });
    const last = received.at(-1);
    expect(last?.body).toBe(body);
    expect(last?.headers['webhook-id']).toBe('evt_1');
    expect(last?.headers['content-type']).toBe('application/json');
    expect((await sender.send({ url: `${base}/accepted`, body, headers: {} })).ok).toBe(true);
    await sender.close();
  });

  test('non-2xx is a failure with the status and snippet kept', async () => {
    const sender = createSender({ guard });
    expect(await sender.send({ url: `${base}/error`, body, headers: {} })).toMatchObject({
      ok: false,
      status: 500,
      error: 'HTTP 500',
      snippet: 'boom',
      gone: false,
    });
    await sender.close();
  });

  test('410 asks for the endpoint to be disabled', async () => {
    const sender = createSender({ guard });
    expect(await sender.send({ url: `${base}/gone`, body, headers: {} })).toMatchObject({
      ok: false,
      status: 410,
      gone: true,
    });
    await sender.close();
  });

  test('redirects are not followed', async () => {
    const sender = createSender({ guard });
    const before = received.length;
    const result = await sender.send({ url: `${base}/redirect`, body, headers: {} });
    expect(result).toMatchObject({
      ok: false,
      status: 302,
      error: 'redirect not followed (HTTP 302)',
    });
    expect(received.slice(before).map((r) => r.path)).toEqual(['/redirect']);
    await sender.close();
  });

  test('only the first 4 KiB of a large body is kept', async () => {
    const sender = createSender({ guard });
    const result = await sender.send({ url: `${base}/big`, body, headers: {} });
    expect(result.ok).toBe(true);
    expect(Buffer.byteLength(result.snippet ?? '')).toBeLessThanOrEqual(RESPONSE_SNIPPET_BYTES + 3);
    expect(result.snippet?.startsWith('éé')).toBe(true);
    await sender.close();
  });

  test('an attempt that gets no answer times out', async () => {
    const sender = createSender({ guard, timeoutMs: 200 });
    const result = await sender.send({ url: `${base}/slow`, body, headers: {} });
    expect(result).toMatchObject({ ok: false, status: null, error: 'timed out after 200 ms' });
    expect(result.latencyMs).toBeGreaterThanOrEqual(150);
    await sender.close();
  });

  test('a closed port is a connection failure, not a throw', async () => {
    const probe = createServer();
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((done) => probe.close(done));
    const sender = createSender({ guard: createTargetGuard({ allowlist: [`127.0.0.1:${port}`] }) });
    expect(
      await sender.send({ url: `http://127.0.0.1:${port}/x`, body, headers: {} }),
    ).toMatchObject({
      ok: false,
      status: null,
      error: 'connection refused',
    });
    await sender.close();
  });

  test('a private target outside the allowlist is refused before any request', async () => {
    const sender = createSender({ guard: createTargetGuard() });
    const before = received.length;
    const result = await sender.send({
      url: `${base.replace('http:', 'https:')}/ok`,
      body,
      headers: {},
    });
    expect(result.ok).toBe(false);
    expect(result.error).toBe(`target refused: ${TARGET_NOT_ALLOWED}`);
    const plain = await sender.send({ url: `${base}/ok`, body, headers: {} });
    expect(plain.error).toBe('target refused: the endpoint URL must use https');
    expect(received.length).toBe(before);
    await sender.close();
  });

  test('a URL is vetted once per sender; refusals and verdicts resting on DNS are not kept', async () => {
    const checked: string[] = [];
    const counting = (inner: TargetGuard): TargetGuard => ({
      check: (url, checkOptions) => {
        checked.push(url);
        return inner.check(url, checkOptions);
      },
      lookupForPort: (port) => inner.lookupForPort(port),
    });
    const sender = createSender({ guard: counting(guard) });
    for (let i = 0; i < 3; i++) {
      expect((await sender.send({ url: `${base}/accepted`, body, headers: {} })).ok).toBe(true);
    }
    expect(checked).toEqual([`${base}/accepted`]);
    const refused = `${base.replace(/:\d+$/, ':1')}/ok`;
    for (let i = 0; i < 2; i++) {
      const result = await sender.send({ url: refused, body, headers: {} });
      expect(result.error).toBe('target refused: the endpoint URL must use https');
    }
    expect(checked.filter((url) => url === refused)).toHaveLength(2);
    await sender.close();

    // Plain http to a name allowed through an address range: the verdict is the DNS answer's.
    checked.length = 0;
    const port = (server.address() as AddressInfo).port;
    const byRange = createTargetGuard({
      allowlist: [`127.0.0.0/8:${port}`],
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    const named = createSender({ guard: counting(byRange) });
    const url = `http://receiver.internal:${port}/accepted`;
    for (let i = 0; i < 2; i++) {
      expect((await named.send({ url, body, headers: {} })).ok).toBe(true);
    }
    expect(checked).toEqual([url, url]);
    await named.close();
  });

  test('a name re-pointed to loopback is refused when the socket opens', async () => {
    const port = (server.address() as AddressInfo).port;
    const rebinding = createTargetGuard({
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    const sender = createSender({ guard: rebinding });
    const before = received.length;
    const result = await sender.send({
      url: `https://partner.example:${port}/ok`,
      body,
      headers: {},
    });
    expect(result.error).toBe(`target refused: ${TARGET_NOT_ALLOWED}`);
    expect(received.length).toBe(before);
    await sender.close();
  });
});
