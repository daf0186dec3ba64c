/**
 * The storage feature over real HTTP: the filesystem store's presigned
 * links served by a started server (upload, download, expired, altered,
 * unsigned, oversize), and retention kept by the database on PGlite and
 * PostgreSQL alike.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFilesystemStorage } from '@clinicbridge/adapters/filesystem';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDatabaseKind } from '../../test/helpers/database.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { isApiError } from '../kernel/problem.ts';
import { storageFeature } from './feature.ts';
import { keepObject, removeObject } from './service.ts';

const secret = randomBytes(32).toString('hex');
let dir = '';
let running: TestServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cb-storage-'));
  running = await startTestServer({
    tenantCount: 1,
    features: [storageFeature],
    env: { STORAGE_DIR: dir, STORAGE_SIGNING_SECRET: secret },
  });
});
afterAll(async () => {
  await running?.server.close();
  await rm(dir, { recursive: true, force: true });
});

const storage = () => running.server.context.providers.storage;
/** The link as the server's public address would serve it (the test server has no PUBLIC_URL). */
const onServer = (url: string) => {
  const link = new URL(url);
  return `${running.server.url}${link.pathname}${link.search}`;
};
const tenantId = () => running.tenants[0]?.tenantId ?? '';

async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(((await res.json()) as { code: string }).code).toBe(code);
}

describe(`object storage served by the server (${testDatabaseKind})`, () => {
  test('the filesystem store is the default, under STORAGE_DIR', () => {
    expect(storage().kind).toBe('filesystem');
  });

  test('a presigned PUT uploads over HTTP and a presigned GET downloads', async () => {
    const put = await storage().presignPut('uploads/ten/leads.csv', {
      contentType: 'text/csv',
      maxBytes: 1_000,
    });
    const uploaded = await fetch(onServer(put.url), {
      method: 'PUT',
      headers: put.headers,
      body: 'phone,email\n+905551110001,a@example.test\n',
    });
    expect(uploaded.status).toBe(200);
    expect((await storage().head('uploads/ten/leads.csv'))?.size).toBe(41);
    const get = await storage().presignGet('uploads/ten/leads.csv', { downloadName: 'leads.csv' });
    const downloaded = await fetch(onServer(get.url));
    expect(downloaded.status).toBe(200);
    expect(downloaded.headers.get('content-disposition')).toBe('attachment; filename="leads.csv"');
    expect(downloaded.headers.get('cache-control')).toBe('private, no-store');
    expect(await downloaded.text()).toBe('phone,email\n+905551110001,a@example.test\n');
  });

  test('an expired link is link_expired; an altered or unsigned one is link_invalid', async () => {
    await storage().put('reports/r.csv', new TextEncoder().encode('a\n'));
    const past = createFilesystemStorage({
      root: dir,
      baseUrl: running.server.url,
      signingSecret: secret,
      now: () => new Date(Date.now() - 2 * 3_600_000),
    });
    const expired = await past.presignGet('reports/r.csv');
    await expectProblem(await fetch(onServer(expired.url)), 403, 'link_expired');
    const good = new URL(onServer((await storage().presignGet('reports/r.csv')).url));
    good.searchParams.set('expires', String(Number(good.searchParams.get('expires')) + 3_600));
    await expectProblem(await fetch(good), 403, 'link_invalid');
    await expectProblem(
      await fetch(`${running.server.url}/storage/objects/reports/r.csv`),
      403,
      'link_invalid',
    );
  });

  test('an upload past the link limit, sent chunked, is 413 and stores nothing', async () => {
    const put = await storage().presignPut('uploads/ten/big.bin', { maxBytes: 64 * 1024 });
    const chunk = new Uint8Array(16 * 1024);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 64; i += 1) controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await fetch(onServer(put.url), {
      method: 'PUT',
      body,
      duplex: 'half',
    } as RequestInit);
    await expectProblem(res, 413, 'body_too_large');
    expect(await storage().head('uploads/ten/big.bin')).toBeUndefined();
  });

  test('a retained object cannot be deleted, by the service or by SQL', async () => {
    const { db } = running.server.database;
    const now = new Date();
    const retainUntil = new Date(now.getTime() + 10 * 365 * 86_400_000);
    const row = await keepObject(db, storage(), {
      tenantId: tenantId(),
      key: 'invoices/ettn-0001.pdf',
      purpose: 'e_invoice',
      body: new TextEncoder().encode('%PDF-1.7 test'),
      contentType: 'application/pdf',
      retainUntil,
      now,
    });
    expect(row.size).toBe(13);
    const refused = await removeObject(db, storage(), tenantId(), row.key, now).catch((e) => e);
    expect(isApiError(refused) && refused.code).toBe('conflict');
    await expect(
      sql`delete from storage_objects where key = ${row.key}`.execute(db),
    ).rejects.toMatchObject({ code: '55000' });
    await expect(
      sql`update storage_objects set retain_until = ${now} where key = ${row.key}`.execute(db),
    ).rejects.toMatchObject({ code: '55000' });
    await expect(sql`truncate storage_objects`.execute(db)).rejects.toMatchObject({
      code: '55000',
    });
    expect(await storage().head(row.key)).toBeDefined();
  });

  test('an object without retention is removed with its bytes', async () => {
    const { db } = running.server.database;
    const now = new Date();
    await keepObject(db, storage(), {
      tenantId: tenantId(),
      key: 'exports/exp_tmp.csv',
      purpose: 'export',
      body: new TextEncoder().encode('x\n'),
      now,
    });
    await removeObject(db, storage(), tenantId(), 'exports/exp_tmp.csv', now);
    expect(await storage().head('exports/exp_tmp.csv')).toBeUndefined();
    const again = await removeObject(db, storage(), tenantId(), 'exports/exp_tmp.csv', now).catch(
      (e) => e,
    );
    expect(isApiError(again) && again.code).toBe('not_found');
  });
});
