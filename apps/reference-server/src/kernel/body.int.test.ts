/**
 * The one body reader, over real HTTP on 127.0.0.1: a 50 MB chunked upload
 * (no Content-Length) to `/webhooks/:provider` and to the API is refused
 * with 413 once the limit is passed, while reading, so the server's memory
 * stays bounded.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { inboundFeature } from '../inbound/feature.ts';

const TOTAL = 50 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x20);
let running: TestServer;

beforeAll(async () => {
  running = await startTestServer({
    tenantCount: 1,
    features: [inboundFeature()],
    env: { INBOUND_VISA_SECRET: `whsec_${Buffer.alloc(32, 7).toString('base64')}` },
  });
});
afterAll(() => running.server.close());

/** Streams up to 50 MB chunked; resolves with the status and the peak RSS growth seen meanwhile. */
function uploadChunked(path: string, token?: string): Promise<{ status: number; growth: number }> {
  const base = new URL(running.server.url);
  const start = process.memoryUsage().rss;
  let peak = start;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        path,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'transfer-encoding': 'chunked',
          ...(token ? { authorization: `Bearer ${token}`, 'idempotency-key': 'big-1' } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, growth: peak - start }));
      },
    );
    // The server may close the socket once it has answered; that ends the upload, not the test.
    req.on('error', (error) => (answered ? undefined : reject(error)));
    let answered = false;
    req.on('response', () => {
      answered = true;
    });
    let sent = 0;
    const pump = () => {
      while (!answered && sent < TOTAL) {
        peak = Math.max(peak, process.memoryUsage().rss);
        sent += CHUNK.byteLength;
        if (!req.write(CHUNK)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

describe('one body reader, limits enforced while streaming', () => {
  test('finding 1 (unauthenticated memory exhaustion on /webhooks/:provider): a 50 MB chunked upload is refused with 413 and bounded memory', async () => {
    const { status, growth } = await uploadChunked('/webhooks/visa');
    expect(status).toBe(413);
    // Buffering the upload would hold 50 MB; the reader stops after the 1 MiB limit.
    expect(growth).toBeLessThan(30 * 1024 * 1024);
  });

  test('the API path stops the same way at BODY_LIMIT_BYTES', async () => {
    const { status, growth } = await uploadChunked('/api/v1/patients', running.tenants[0]?.apiKey);
    expect(status).toBe(413);
    expect(growth).toBeLessThan(30 * 1024 * 1024);
  });
});
