/// <reference path="../s3rver.d.ts" />
/**
 * A local S3-compatible server for tests: s3rver on 127.0.0.1 behind a
 * gateway that checks every request's SigV4 signature and expiry with an
 * independent implementation (aws4fetch). s3rver itself accepts unsigned
 * requests, so without the gateway an unsigned or expired link would pass.
 * Used by the adapter's tests and by the server's exports-on-S3 test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from '@20minutes/s3rver';
import { AwsV4Signer } from 'aws4fetch';

/** One request the gateway saw, and why it refused it if it did. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  refused?: string;
}

/** A running local S3. */
export interface LocalS3 {
  /** `http://127.0.0.1:<port>` of the checking gateway (use path-style URLs). */
  endpoint: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** Recomputes the request's signature with aws4fetch; returns why it is refused, if it is. */
async function refusal(
  credentials: { accessKeyId: string; secretAccessKey: string; region: string },
  now: () => Date,
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

/**
 * Starts s3rver with `bucket` and the checking gateway in front of it.
 *
 * @example
 * const s3 = await startLocalS3({ bucket: 'clinic-files', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1' });
 * // createS3Storage({ endpoint: s3.endpoint, forcePathStyle: true, … })
 * await s3.close();
 */
export async function startLocalS3(options: {
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** The gateway's clock for link expiry (default the real one). */
  now?: () => Date;
}): Promise<LocalS3> {
  const now = options.now ?? (() => new Date());
  const directory = await mkdtemp(join(tmpdir(), 'cb-s3rver-'));
  const s3 = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: options.bucket }],
  });
  const upstream = `http://127.0.0.1:${((await s3.run()) as AddressInfo).port}`;
  const seen: SeenRequest[] = [];
  let endpoint = '';
  const gateway = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', endpoint);
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, String(v)]),
      );
      const why = await refusal(options, now, req.method ?? 'GET', url, headers);
      seen.push({
        method: req.method ?? '',
        path: url.pathname,
        headers,
        ...(why ? { refused: why } : {}),
      });
      if (why) {
        res
          .writeHead(403, { 'content-type': 'application/xml' })
          .end(`<Error><Code>${why}</Code></Error>`);
        return;
      }
      // Forwarded as signed (same Host).
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
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  return {
    endpoint,
    seen,
    async close() {
      await new Promise((resolve) => gateway.close(resolve));
      await s3.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
