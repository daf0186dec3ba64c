/**
 * The S3 adapter against a local S3-compatible server (s3rver) on
 * 127.0.0.1, behind a gateway that checks every request's SigV4 signature
 * and expiry with an independent implementation (aws4fetch) — s3rver
 * itself accepts unsigned requests, so without the gateway an unsigned or
 * expired link would pass (see __fixtures__/local-s3.ts).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeObjectStorageConformance } from '../ports/__fixtures__/object-storage.case.ts';
import { type LocalS3, startLocalS3 } from './__fixtures__/local-s3.ts';
import { createS3Storage } from './index.ts';

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const region = 'us-east-1';
let offset = 0;
const now = () => new Date(Date.now() + offset * 1000);
let local: LocalS3;
let endpoint = '';

beforeAll(async () => {
  local = await startLocalS3({ bucket: 'clinic-files', ...credentials, region, now });
  endpoint = local.endpoint;
});

afterAll(() => local?.close());

const storage = () =>
  createS3Storage({
    endpoint,
    region,
    bucket: 'clinic-files',
    ...credentials,
    forcePathStyle: true,
    now,
  });

describeObjectStorageConformance({
  name: 's3 (s3rver behind a SigV4-checking gateway)',
  setup: async () => ({
    storage: storage(),
    send: (link, body) =>
      fetch(link.url, {
        method: link.method,
        headers: link.headers,
        ...(body ? { body: Buffer.from(body) } : {}),
      }),
    advance: (seconds) => {
      offset += seconds;
    },
  }),
});

test('unsigned requests and links signed with another secret are refused', async () => {
  const plain = await fetch(`${endpoint}/clinic-files/conformance/upload.csv`);
  expect(plain.status).toBe(403);
  const forged = createS3Storage({
    endpoint,
    region,
    bucket: 'clinic-files',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'not-the-secret',
    forcePathStyle: true,
  });
  const link = await forged.presignGet('conformance/upload.csv');
  expect((await fetch(link.url)).status).toBe(403);
  expect(local.seen.filter((r) => r.refused === 'signature').length).toBeGreaterThan(0);
});

test('writes carry server-side encryption and the SHA-256 as metadata', async () => {
  const client = storage();
  const stored = await client.put('sse/a.txt', new TextEncoder().encode('encrypted at rest'));
  const head = await client.head('sse/a.txt');
  expect(head?.sha256).toBe(stored.sha256);
  const put = local.seen.find((r) => r.method === 'PUT' && r.path === '/clinic-files/sse/a.txt');
  expect(put?.headers['x-amz-server-side-encryption']).toBe('AES256');
  const link = await client.presignPut('sse/b.txt');
  expect(link.headers['x-amz-server-side-encryption']).toBe('AES256');
});

test('an upload link signs its exact size, type and encryption: another size or type is refused', async () => {
  const client = storage();
  const link = await client.presignPut('docs/ten_1/case_1/scan.pdf', {
    contentType: 'application/pdf',
    contentLength: 10,
  });
  const url = new URL(link.url);
  expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe(
    'content-length;content-type;host;x-amz-server-side-encryption',
  );
  expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
  expect(link.headers).toEqual({
    'content-type': 'application/pdf',
    'content-length': '10',
    'x-amz-server-side-encryption': 'AES256',
  });
  // fetch sends the body's own Content-Length, as a browser does.
  const { 'content-length': _, ...headers } = link.headers;
  const send = (body: string, type = 'application/pdf') =>
    fetch(link.url, {
      method: 'PUT',
      headers: { ...headers, 'content-type': type },
      body: Buffer.from(body),
    });
  expect((await send('0123456789A')).status).toBe(403);
  expect((await send('0123456789', 'text/html')).status).toBe(403);
  expect(await client.head('docs/ten_1/case_1/scan.pdf')).toBeUndefined();
  expect((await send('0123456789')).status).toBe(200);
  expect((await client.head('docs/ten_1/case_1/scan.pdf'))?.size).toBe(10);
});
