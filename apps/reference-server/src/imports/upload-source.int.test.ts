/**
 * Presigned upload as an import source, over real HTTP against started
 * servers: the partner asks for an upload link, PUTs the file straight to
 * the store (S3-compatible — s3rver behind a SigV4-checking gateway — or
 * the filesystem store's own links), then starts the import from the
 * object key. Unsigned and expired uploads are refused by the store; keys
 * of other tenants, missing objects and files over IMPORT_MAX_BYTES by the
 * import.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createS3Storage } from '@clinicbridge/adapters/s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type LocalS3,
  startLocalS3,
} from '../../../../packages/adapters/src/s3/__fixtures__/local-s3.ts';
import { testDatabaseKind } from '../../test/helpers/database.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { storageFeature } from '../storage/feature.ts';
import { importsFeature } from './feature.ts';

interface UploadLink {
  objectKey: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  expiresAt: string;
  maxBytes: number;
}

const s3 = {
  bucket: 'clinic-imports',
  accessKeyId: 'S3RVER',
  secretAccessKey: 'S3RVER',
  region: 'us-east-1',
};
const csv = 'First Name,Surname,MRN\nAda,Er,UP-1\nCan,Er,UP-2\n';
let local: LocalS3;
let onS3: TestServer;
let onDisk: TestServer;
let dir = '';

beforeAll(async () => {
  local = await startLocalS3(s3);
  dir = await mkdtemp(join(tmpdir(), 'cb-uploads-'));
  const limits = { IMPORT_MAX_BYTES: '2048' };
  [onS3, onDisk] = await Promise.all([
    startTestServer({
      tenantCount: 2,
      features: [storageFeature, importsFeature],
      env: {
        ...limits,
        S3_BUCKET: s3.bucket,
        S3_ENDPOINT: local.endpoint,
        S3_ACCESS_KEY_ID: s3.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        S3_FORCE_PATH_STYLE: 'true',
      },
    }),
    startTestServer({
      tenantCount: 1,
      features: [storageFeature, importsFeature],
      env: { ...limits, STORAGE_DIR: dir },
    }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([onS3?.server.close(), onDisk?.server.close()]);
  await local?.close();
  await rm(dir, { recursive: true, force: true });
});

const call = (running: TestServer, path: string, body?: unknown, tenant = 0) =>
  fetch(`${running.server.url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${running.tenants[tenant]?.apiKey ?? ''}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

async function uploadLink(running: TestServer, tenant = 0): Promise<UploadLink> {
  const res = await call(running, '/api/v1/imports/uploads', undefined, tenant);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as UploadLink;
}

const put = (url: string, link: UploadLink, body: string) =>
  fetch(url, { method: 'PUT', headers: link.headers, body });

async function problemCode(res: Response): Promise<string> {
  return ((await res.json()) as { code: string }).code;
}

describe(`imports from a presigned upload (${testDatabaseKind})`, () => {
  test('S3: upload with the 15-minute link, then import from the object key', async () => {
    const link = await uploadLink(onS3);
    expect(link.objectKey).toMatch(new RegExp(`^imports/${onS3.tenants[0]?.tenantId}/`));
    expect(new URL(link.url).searchParams.get('X-Amz-Expires')).toBe('900');
    expect(link.headers['x-amz-server-side-encryption']).toBe('AES256');
    expect(Date.parse(link.expiresAt) - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    expect((await put(link.url, link, csv)).status).toBe(200);

    const job = await call(onS3, '/api/v1/imports', {
      kind: 'patients',
      format: 'csv',
      objectKey: link.objectKey,
    });
    expect(job.status, await job.clone().text()).toBe(202);
    expect(await job.json()).toMatchObject({ status: 'completed', importedRows: 2, failedRows: 0 });
  });

  test('S3: unsigned and expired uploads are refused by the store', async () => {
    const link = await uploadLink(onS3);
    const url = new URL(link.url);
    const unsigned = await fetch(`${url.origin}${url.pathname}`, { method: 'PUT', body: csv });
    expect(unsigned.status).toBe(403);
    const past = createS3Storage({
      endpoint: local.endpoint,
      ...s3,
      forcePathStyle: true,
      now: () => new Date(Date.now() - 16 * 60_000),
    });
    const expired = await past.presignPut(link.objectKey, { expiresInSeconds: 900 });
    expect((await put(expired.url, { ...link, headers: expired.headers }, csv)).status).toBe(403);
    // Nothing was stored, so the import finds no file.
    const job = await call(onS3, '/api/v1/imports', {
      kind: 'patients',
      format: 'csv',
      objectKey: link.objectKey,
    });
    expect(job.status).toBe(404);
  });

  test('another tenant’s key, both sources at once, and a file over the limit are refused', async () => {
    const theirs = await uploadLink(onS3, 1);
    expect((await put(theirs.url, theirs, csv)).status).toBe(200);
    const stolen = await call(onS3, '/api/v1/imports', {
      kind: 'patients',
      format: 'csv',
      objectKey: theirs.objectKey,
    });
    expect(stolen.status).toBe(404);

    const both = await call(onS3, '/api/v1/imports', {
      kind: 'patients',
      format: 'csv',
      content: csv,
      objectKey: theirs.objectKey,
    });
    expect(both.status).toBe(400);

    // An S3 presigned PUT cannot cap the size; the import checks it before reading.
    const big = await uploadLink(onS3);
    const rows = Array.from({ length: 200 }, (_, i) => `Name${i},Family${i},BIG-${i}`).join('\n');
    expect((await put(big.url, big, `First Name,Surname,MRN\n${rows}\n`)).status).toBe(200);
    const tooLarge = await call(onS3, '/api/v1/imports', {
      kind: 'patients',
      format: 'csv',
      objectKey: big.objectKey,
    });
    expect(tooLarge.status).toBe(413);
    expect(await problemCode(tooLarge)).toBe('import_too_large');
  });

  test('filesystem store: the link is served by the server and caps the upload', async () => {
    const link = await uploadLink(onDisk);
    expect(link.maxBytes).toBe(2048);
    const onServer = (url: string) => {
      const u = new URL(url);
      return `${onDisk.server.url}${u.pathname}${u.search}`;
    };
    expect((await put(onServer(link.url), link, csv)).status).toBe(200);
    const job = await call(onDisk, '/api/v1/imports', {
      kind: 'patients',
      format: 'csv',
      objectKey: link.objectKey,
      dryRun: true,
    });
    expect(job.status, await job.clone().text()).toBe(202);
    expect(await job.json()).toMatchObject({ dryRun: true, importedRows: 2 });

    const big = await uploadLink(onDisk);
    const oversize = await put(onServer(big.url), big, 'x'.repeat(4096));
    expect(oversize.status).toBe(413);
    const altered = new URL(onServer(link.url));
    altered.pathname = `${altered.pathname}x`;
    const refused = await put(altered.toString(), link, csv);
    expect(refused.status).toBe(403);
    expect(await problemCode(refused)).toBe('link_invalid');
  });
});
