/**
 * Exports on S3, over real HTTP: a started server configured with an
 * S3-compatible store (s3rver on 127.0.0.1 behind a gateway that verifies
 * every SigV4 signature and expiry, see
 * packages/adapters/src/s3/__fixtures__/local-s3.ts) keeps each snapshot's
 * bytes there, encrypted at rest, reads them back for the API download,
 * and hands out 15-minute presigned links; unsigned, forged and expired
 * requests to the store are refused.
 */
import { createHash } from 'node:crypto';
import { createS3Storage } from '@clinicbridge/adapters/s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type LocalS3,
  startLocalS3,
} from '../../../../packages/adapters/src/s3/__fixtures__/local-s3.ts';
import { testDatabaseKind } from '../../test/helpers/database.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { storageFeature } from '../storage/feature.ts';
import { exportsFeature } from './feature.ts';

const s3 = {
  bucket: 'clinic-exports',
  accessKeyId: 'S3RVER',
  secretAccessKey: 'S3RVER',
  region: 'eu-central-1',
};
let local: LocalS3;
let running: TestServer;
let token = '';

beforeAll(async () => {
  local = await startLocalS3(s3);
  running = await startTestServer({
    tenantCount: 1,
    features: [storageFeature, exportsFeature],
    env: {
      S3_BUCKET: s3.bucket,
      S3_REGION: s3.region,
      S3_ENDPOINT: local.endpoint,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
    },
  });
  token = running.tenants[0]?.apiKey ?? '';
}, 60_000);

afterAll(async () => {
  await running?.server.close();
  await local?.close();
});

const api = (path: string, method = 'GET', body?: unknown) =>
  fetch(`${running.server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

describe(`exports kept on S3 (${testDatabaseKind})`, () => {
  test('a snapshot is written to the bucket encrypted, downloaded through the API and by a presigned link', async () => {
    expect(running.server.context.providers.storage.kind).toBe('s3');
    const created = await api('/api/v1/exports', 'POST', {
      kind: 'revenue_daily',
      format: 'pdf',
      to: '2026-01-01T00:00:00.000Z',
    });
    expect(created.status, await created.clone().text()).toBe(202);
    const job = (await created.json()) as { id: string; sha256: string };

    const put = local.seen.find(
      (r) => r.method === 'PUT' && r.path.startsWith(`/${s3.bucket}/exports/`),
    );
    expect(put?.refused).toBeUndefined();
    expect(put?.path.endsWith(`/${job.id}.pdf`)).toBe(true);
    expect(put?.headers['x-amz-server-side-encryption']).toBe('AES256');

    const downloaded = await api(`/api/v1/exports/${job.id}/download`);
    expect(downloaded.status).toBe(200);
    const bytes = Buffer.from(await downloaded.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(job.sha256);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');

    const link = (await (await api(`/api/v1/exports/${job.id}/link`, 'POST')).json()) as {
      url: string;
    };
    const url = new URL(link.url);
    expect(url.origin).toBe(local.endpoint);
    expect(url.pathname).toBe(`/${s3.bucket}${put?.path.slice(s3.bucket.length + 1)}`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    const viaLink = await fetch(url);
    expect(viaLink.status).toBe(200);
    expect(Buffer.from(await viaLink.arrayBuffer()).equals(bytes)).toBe(true);
  });

  test('unsigned, forged and expired requests to the bucket are refused', async () => {
    const key = (local.seen.find((r) => r.method === 'PUT')?.path ?? '').slice(
      s3.bucket.length + 2,
    );
    expect(key).toMatch(/^exports\//);
    const unsigned = await fetch(`${local.endpoint}/${s3.bucket}/${key}`);
    expect(unsigned.status).toBe(403);
    const options = {
      endpoint: local.endpoint,
      region: s3.region,
      bucket: s3.bucket,
      accessKeyId: s3.accessKeyId,
      forcePathStyle: true,
    };
    const forged = createS3Storage({ ...options, secretAccessKey: 'guessed' });
    expect((await fetch((await forged.presignGet(key)).url)).status).toBe(403);
    const past = createS3Storage({
      ...options,
      secretAccessKey: s3.secretAccessKey,
      now: () => new Date(Date.now() - 16 * 60_000),
    });
    expect((await fetch((await past.presignGet(key)).url)).status).toBe(403);
    expect(local.seen.map((r) => r.refused).filter(Boolean)).toEqual([
      'unsigned',
      'signature',
      'expired',
    ]);
  });
});
