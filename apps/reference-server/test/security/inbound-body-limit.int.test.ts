/**
 * Security suite, finding 1 of issue #10: an unauthenticated, chunked
 * upload (no Content-Length) to `/webhooks/:provider` on a real server on
 * 127.0.0.1. The body reader must stop at `INBOUND_BODY_LIMIT_BYTES` while
 * streaming: the answer is 413 problem+json long before the client has sent
 * everything, and the server's memory does not grow with the upload.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inboundFeature } from '../../src/inbound/feature.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';

const LIMIT = 64 * 1024;
const TOTAL = 200 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x20);
let running: TestServer;

beforeAll(async () => {
  running = await startTestServer({
    tenantCount: 0,
    features: [inboundFeature()],
    env: {
      INBOUND_BODY_LIMIT_BYTES: String(LIMIT),
      INBOUND_PAYMENTS_SECRET: `whsec_${'s'.repeat(32)}`,
    },
  });
});
afterAll(() => running.server.close());

interface UploadOutcome {
  status: number;
  contentType: string | undefined;
  body: string;
  sent: number;
  rssGrowth: number;
}

/** Streams up to TOTAL bytes chunked, honouring backpressure, until the server answers. */
function uploadChunked(path: string): Promise<UploadOutcome> {
  const base = new URL(running.server.url);
  const start = process.memoryUsage().rss;
  let peak = start;
  let sent = 0;
  let answered = false;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      },
      (res) => {
        answered = true;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (part: string) => {
          body += part;
        });
        res.on('end', () => {
          req.destroy();
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'],
            body,
            sent,
            rssGrowth: peak - start,
          });
        });
      },
    );
    // The server may close the socket once it has answered; that ends the upload, not the test.
    req.on('error', (error) => (answered ? undefined : reject(error)));
    const pump = () => {
      while (!answered && sent < TOTAL) {
        peak = Math.max(peak, process.memoryUsage().rss);
        sent += CHUNK.byteLength;
        if (!req.write(CHUNK)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describe('security: inbound webhook bodies are bounded while streaming', () => {
  test('finding 1: a 200 MB chunked upload to /webhooks/:provider is cut off with 413 problem+json after the limit', async () => {
    const outcome = await uploadChunked('/webhooks/payments');
    expect(outcome.status).toBe(413);
    expect(outcome.contentType).toBe('application/problem+json');
    expect(JSON.parse(outcome.body)).toMatchObject({ code: 'body_too_large', status: 413 });
    // The server answered while the upload was still running: it never waited for
    // (or buffered) the whole body. Socket buffers on both sides account for a few MB.
    expect(outcome.sent).toBeLessThan(TOTAL / 4);
    // Buffering would hold the upload in this process (client and server share it).
    expect(outcome.rssGrowth).toBeLessThan(40 * 1024 * 1024);
  });

  test('finding 1: an unknown provider is refused before any body is read', async () => {
    const outcome = await uploadChunked('/webhooks/nope');
    expect(outcome.status).toBe(404);
    expect(outcome.sent).toBeLessThan(TOTAL / 4);
  });
});
