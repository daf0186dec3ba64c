/**
 * The S3 adapter against a local S3-compatible server (s3rver) on
 * 127.0.0.1, behind a gateway that checks every request's SigV4 signature
 * and expiry with an independent implementation (aws4fetch) — s3rver
 * itself accepts unsigned requests, so without the gateway an unsigned or
 * expired link would pass.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from '@20minutes/s3rver';
import { AwsV4Signer } from 'aws4fetch';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeObjectStorageConformance } from '../ports/__fixtures__/object-storage.case.ts';
import { createS3Storage } from './index.ts';

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const region = 'us-east-1';
let offset = 0;
const now = () => new Date(Date.now() + offset * 1000);
let directory = '';
let s3: { close(): Promise<void> } | undefined;
let gateway: Server | undefined;
let endpoint = '';
const seen: { method: string; path: string; refused?: string }[] = [];

/** Recomputes the request's signature with aws4fetch; returns why it is refused, if it is. */
async function refusal(
  method: string,
  url: URL,
  headers: Record<string, string>,
): Promise<string | undefined> {
  const query = url.searchParams;
  if (query.has('X-Amz-Signature')) {
    const date = query.get('X-Amz-Date') ?? '';
    const expires = Number(query.get('X-Amz-Expires'));
    const signedAt = Date.parse(
      `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`,
    );
    if (!(signedAt + expires * 1000 > now().getTime())) return 'expired';
    const unsigned = new URL(url);
    for (const name of [
      'X-Amz-Signature',
      'X-Amz-Algorithm',
      'X-Amz-Credential',
      'X-Amz-Date',
      'X-Amz-SignedHeaders',
    ]) {
      unsigned.searchParams.delete(name);
    }
    const names = (query.get('X-Amz-SignedHeaders') ?? '').split(';').filter((n) => n !== 'host');
    const signer = new AwsV4Signer({
      ...credentials,
      region,
      service: 's3',
      method,
      url: unsigned.toString(),
      signQuery: true,
      allHeaders: true,
      datetime: date,
      headers: Object.fromEntries(names.map((n) => [n, headers[n] ?? ''])),
    });
    const expected = (await signer.sign()).url.searchParams.get('X-Amz-Signature');
    return expected === query.get('X-Amz-Signature') ? undefined : 'signature';
  }
  const authorization = headers.authorization;
  if (!authorization) return 'unsigned';
  const names = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  const signer = new AwsV4Signer({
    ...credentials,
    region,
    service: 's3',
    method,
    url: url.toString(),
    allHeaders: true,
    datetime: headers['x-amz-date'] ?? '',
    headers: Object.fromEntries(
      names.filter((n) => n !== 'host').map((n) => [n, headers[n] ?? '']),
    ),
  });
  const expected = (await signer.sign()).headers.get('authorization');
  return expected === authorization ? undefined : 'signature';
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'cb-s3rver-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: 'clinic-files' }],
  });
  const address = (await server.run()) as AddressInfo;
  s3 = server;
  const upstream = `http://127.0.0.1:${address.port}`;
  gateway = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', endpoint);
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, String(v)]),
      );
      const why = await refusal(req.method ?? 'GET', url, headers);
      seen.push({ method: req.method ?? '', path: url.pathname, ...(why ? { refused: why } : {}) });
      if (why) {
        res
          .writeHead(403, { 'content-type': 'application/xml' })
          .end(`<Error><Code>${why}</Code></Error>`);
        return;
      }
      // Forwarded as signed (same Host), so s3rver checks the signature too.
      const upstreamRequest = request(
        `${upstream}${url.pathname}${url.search}`,
        { method: req.method ?? 'GET', headers: req.headers },
        (upstreamResponse) => {
          res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
          upstreamResponse.pipe(res);
        },
      );
      upstreamRequest.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => gateway?.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => gateway?.close(resolve));
  await s3?.close();
  await rm(directory, { recursive: true, force: true });
});

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
  expect(seen.filter((r) => r.refused === 'signature').length).toBeGreaterThan(0);
});

test('writes carry server-side encryption and the SHA-256 as metadata', async () => {
  const client = storage();
  const stored = await client.put('sse/a.txt', new TextEncoder().encode('encrypted at rest'));
  const head = await client.head('sse/a.txt');
  expect(head?.sha256).toBe(stored.sha256);
  const link = await client.presignPut('sse/b.txt');
  expect(link.headers['x-amz-server-side-encryption']).toBe('AES256');
});
