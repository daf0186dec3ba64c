/**
 * Documents end to end over real HTTP: a started server with the default
 * filesystem store serving its own presigned links. A patient document is
 * presigned, uploaded to the link, completed, read by staff through a
 * short-lived link and downloaded; a type not accepted or a size past the
 * limit is refused at presign, a body larger than declared at upload, and
 * a file of another type at completion; an expired link is refused; a
 * device registers a reference without bytes; 180 days on, the expiry job
 * deletes the file; every step leaves its audit row.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFilesystemStorage } from '@clinicbridge/adapters/filesystem';
import type { Document } from '@clinicbridge/sdk/contract';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDatabaseKind } from '../../test/helpers/database.ts';
import { startTestServer, type TestServer, tenantClient } from '../../test/helpers/http-server.ts';
import { until } from '../../test/helpers/until.ts';
import { storageFeature } from '../storage/feature.ts';
import { documentsFeature } from './feature.ts';

const secret = randomBytes(32).toString('hex');
let dir = '';
let running: TestServer;
const { call, api } = tenantClient(() => running);
const other = tenantClient(() => running, 1);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cb-documents-'));
  running = await startTestServer({
    tenantCount: 2,
    features: [storageFeature, documentsFeature],
    env: { STORAGE_DIR: dir, STORAGE_SIGNING_SECRET: secret, WEBHOOK_POLL_INTERVAL: '200ms' },
  });
}, 120_000);
afterAll(async () => {
  await running?.server.close();
  await rm(dir, { recursive: true, force: true });
});

interface Link {
  method: 'PUT' | 'GET';
  url: string;
  headers: Record<string, string>;
  expiresAt: string;
}

/** The link as the server's public address serves it (the test server has no PUBLIC_URL). */
const onServer = (url: string) => {
  const link = new URL(url);
  return `${running.server.url}${link.pathname}${link.search}`;
};
const storage = () => running.server.context.providers.storage;
const PDF = new TextEncoder().encode('%PDF-1.7 discharge summary for the case\n');

async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(((await res.json()) as { code: string }).code).toBe(code);
}

const presign = (overrides: Record<string, unknown> = {}) =>
  api<{ document: Document; upload: Link }>('POST', '/api/v1/documents/presign', {
    caseId: 'case_42',
    fileName: 'discharge.pdf',
    contentType: 'application/pdf',
    size: PDF.byteLength,
    ...overrides,
  });
const upload = (link: Link, body: Uint8Array, headers: Record<string, string> = link.headers) =>
  fetch(onServer(link.url), { method: 'PUT', headers, body: Buffer.from(body) });
const auditActions = async (documentId: string) => {
  const rows = await running.server.database.db
    .selectFrom('audit_events')
    .select(['action', 'actor_type', 'metadata'])
    .where('entity_id', '=', documentId)
    .orderBy('occurred_at')
    .execute();
  return rows;
};

describe(`documents over HTTP (${testDatabaseKind})`, () => {
  test('presign → upload → complete → staff link → download, each step audited', async () => {
    const { document, upload: link } = await presign();
    expect(document).toMatchObject({ status: 'pending', source: 'upload', caseId: 'case_42' });
    expect(Date.parse(document.expiresAt) - Date.parse(document.createdAt)).toBe(180 * 86_400_000);
    expect(Date.parse(link.expiresAt) - Date.now()).toBeLessThanOrEqual(900_000);
    expect(Date.parse(link.expiresAt) - Date.now()).toBeGreaterThan(880_000);
    const tenantId = running.tenants[0]?.tenantId;
    expect(new URL(link.url).pathname).toBe(
      `/storage/objects/docs/${tenantId}/case_42/${document.id}-discharge.pdf`,
    );
    expect(link.headers).toEqual({ 'content-type': 'application/pdf' });

    expect((await upload(link, PDF)).status).toBe(200);
    const completed = await api<Document>('POST', `/api/v1/documents/${document.id}/complete`, {});
    expect(completed).toMatchObject({ status: 'available', size: PDF.byteLength });
    expect(completed.sha256).toMatch(/^[0-9a-f]{64}$/);

    const download = await api<Link>('GET', `/api/v1/documents/${document.id}/download-link`);
    expect(download.method).toBe('GET');
    expect(Date.parse(download.expiresAt) - Date.now()).toBeLessThanOrEqual(300_000);
    const res = await fetch(onServer(download.url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="discharge.pdf"');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(PDF);

    const audit = await auditActions(document.id);
    expect(audit.map((r) => r.action)).toEqual([
      'document.upload_link_issued',
      'document.uploaded',
      'document.download_link_issued',
    ]);
    expect(JSON.stringify(audit)).not.toContain('discharge');
    expect((await other.call('GET', `/api/v1/documents/${document.id}`)).status).toBe(404);
  });

  test('a type not accepted and a size past the limit are refused at presign', async () => {
    const wrongType = await call('POST', '/api/v1/documents/presign', {
      caseId: 'case_42',
      fileName: 'run.exe',
      contentType: 'application/x-msdownload',
      size: 10,
    });
    expect(wrongType.status).toBe(415);
    expect(wrongType.body.code).toBe('document_wrong_type');
    const tooLarge = await call('POST', '/api/v1/documents/presign', {
      caseId: 'case_42',
      fileName: 'huge.pdf',
      contentType: 'application/pdf',
      size: 26_214_401,
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.code).toBe('document_too_large');
  });

  test('the link holds the declared size and type: a larger body or another type is refused', async () => {
    const { document, upload: link } = await presign({ size: 16 });
    const big = new Uint8Array(17);
    await expectProblem(await upload(link, big), 413, 'body_too_large');
    await expectProblem(
      await upload(link, new Uint8Array(8), { 'content-type': 'text/html' }),
      403,
      'link_invalid',
    );
    const early = await call('POST', `/api/v1/documents/${document.id}/complete`, {});
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('invalid_state_transition');
    const noFile = await call('GET', `/api/v1/documents/${document.id}/download-link`);
    expect(noFile.status).toBe(409);
  });

  test('completion checks the stored file again: another type is deleted and refused', async () => {
    const { document } = await presign();
    const key = `docs/${running.tenants[0]?.tenantId}/case_42/${document.id}-discharge.pdf`;
    // A file put in the store by other means than the link (no type limit there).
    await storage().put(key, PDF, { contentType: 'image/png' });
    const res = await call('POST', `/api/v1/documents/${document.id}/complete`, {});
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('document_wrong_type');
    expect(await storage().head(key)).toBeUndefined();
  });

  test('an expired link is refused', async () => {
    const { document, upload: link } = await presign();
    expect((await upload(link, PDF)).status).toBe(200);
    await api('POST', `/api/v1/documents/${document.id}/complete`, {});
    const key = decodeURIComponent(new URL(link.url).pathname.replace('/storage/objects/', ''));
    const signedEarlier = createFilesystemStorage({
      root: dir,
      baseUrl: running.server.url,
      signingSecret: secret,
      now: () => new Date(Date.now() - 20 * 60_000),
    });
    const stale = await signedEarlier.presignGet(key, { expiresInSeconds: 300 });
    await expectProblem(await fetch(onServer(stale.url)), 403, 'link_expired');
    const staleUpload = await signedEarlier.presignPut(key, { contentType: 'application/pdf' });
    await expectProblem(
      await fetch(onServer(staleUpload.url), {
        method: 'PUT',
        headers: staleUpload.headers,
        body: Buffer.from(PDF),
      }),
      403,
      'link_expired',
    );
  });

  test('a device registers a reference and metadata only; it has no file to download', async () => {
    const reference = await api<Document>('POST', '/api/v1/documents/references', {
      caseId: 'case_42',
      fileName: 'ct-chest',
      reference: '1.2.840.113619.2.55.3.1',
      contentType: 'application/dicom',
      metadata: { modality: 'CT', bodyPart: 'CHEST' },
    });
    expect(reference).toMatchObject({
      status: 'reference',
      source: 'device',
      size: 0,
      metadata: { modality: 'CT', bodyPart: 'CHEST' },
    });
    const bytes = await call('POST', '/api/v1/documents/references', {
      caseId: 'case_42',
      fileName: 'ct-chest',
      reference: '1.2.3',
      contentType: 'application/dicom',
      data: 'AAAA',
    });
    expect(bytes.status).toBe(400);
    expect((await call('GET', `/api/v1/documents/${reference.id}/download-link`)).status).toBe(409);
    expect((await auditActions(reference.id)).map((r) => r.action)).toEqual([
      'document.reference_registered',
    ]);
  });

  test('180 days on, the expiry job deletes the file and marks the document expired', async () => {
    const { document, upload: link } = await presign();
    expect((await upload(link, PDF)).status).toBe(200);
    await api('POST', `/api/v1/documents/${document.id}/complete`, {});
    const key = `docs/${running.tenants[0]?.tenantId}/case_42/${document.id}-discharge.pdf`;
    expect(await storage().head(key)).toBeDefined();
    // Move the document 181 days into the past, as if that time had gone by.
    const day = 86_400_000;
    await sql`update documents set created_at = created_at - ${sql.lit(`${181} days`)}::interval,
      expires_at = expires_at - ${sql.lit(`${181} days`)}::interval where id = ${document.id}`.execute(
      running.server.database.db,
    );
    running.server.context.wake();
    const expired = await until(async () => {
      const read = await api<Document>('GET', `/api/v1/documents/${document.id}`);
      return read.status === 'expired' ? read : undefined;
    }, 'the document to expire');
    expect(Date.parse(expired.expiresAt)).toBeLessThan(Date.now() - day + 1);
    expect(await storage().head(key)).toBeUndefined();
    const audit = await auditActions(document.id);
    expect(audit.at(-1)).toMatchObject({ action: 'document.expired', actor_type: 'system' });
    expect((await call('GET', `/api/v1/documents/${document.id}/download-link`)).status).toBe(409);
  });
});
