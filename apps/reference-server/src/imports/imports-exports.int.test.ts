/**
 * Imports and exports over real HTTP against a started server on 127.0.0.1:
 * a CSV dry run then its apply, the job read back, an export snapshot
 * downloaded with its hash, and an over-limit body streamed without a
 * Content-Length refused before it is read whole.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { exportsFeature } from '../exports/feature.ts';
import { storageFeature } from '../storage/feature.ts';
import { importsFeature } from './feature.ts';

let running: TestServer;
let base: string;
let key: string;

beforeAll(async () => {
  running = await startTestServer({
    tenantCount: 1,
    env: { STORAGE_DIR: mkdtempSync(join(tmpdir(), 'imports-http-')) },
    features: [storageFeature, importsFeature, exportsFeature],
  });
  base = running.server.url;
  key = running.tenants[0]?.apiKey ?? '';
}, 90_000);
afterAll(() => running?.server.close());

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'idempotency-key': crypto.randomUUID(),
    },
    body: JSON.stringify(body),
  });
}

test('a CSV dry run, then the apply, then the job read back', async () => {
  const content =
    'First Name,Surname,E-mail,MRN\r\nAda,Er,ada@example.com,HTTP-1\r\nCan,Er,can@,HTTP-2\r\n';
  const preview = await post('/api/v1/imports', {
    kind: 'patients',
    format: 'csv',
    content,
    dryRun: true,
  });
  expect(preview.status).toBe(202);
  const dry = (await preview.json()) as {
    errors: unknown[];
    importedRows: number;
    dryRun: boolean;
  };
  expect(dry).toMatchObject({ dryRun: true, importedRows: 1 });
  expect(dry.errors).toEqual([
    {
      row: 3,
      column: 'email',
      value: 'c***',
      message: 'Invalid email address',
      code: 'invalid_format',
    },
  ]);
  const applied = await post('/api/v1/imports', { kind: 'patients', format: 'csv', content });
  const job = (await applied.json()) as { id: string; errors: unknown[] };
  expect(job.errors).toEqual(dry.errors);
  const got = await fetch(`${base}/api/v1/imports/${job.id}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  expect(await got.json()).toEqual(job);
  const patients = await fetch(`${base}/api/v1/patients?externalRef=HTTP-1`, {
    headers: { authorization: `Bearer ${key}` },
  });
  expect(((await patients.json()) as { data: unknown[] }).data).toHaveLength(1);
});

test('an export snapshot is downloaded with its hash, and the download is audited', async () => {
  const res = await post('/api/v1/exports', {
    kind: 'audit_events',
    format: 'csv',
    from: '2020-01-01T00:00:00.000Z',
    to: '2020-02-01T00:00:00.000Z',
  });
  expect(res.status).toBe(202);
  const job = (await res.json()) as { id: string; downloadUrl: string; sha256: string };
  const file = await fetch(new URL(job.downloadUrl, base), {
    headers: { authorization: `Bearer ${key}` },
  });
  expect(file.status).toBe(200);
  const bytes = new Uint8Array(await file.arrayBuffer());
  expect(createHash('sha256').update(bytes).digest('hex')).toBe(job.sha256);
  const audit = await running.server.database.db
    .selectFrom('audit_events')
    .select('action')
    .where('entity_id', '=', job.id)
    .execute();
  expect(audit.map((a) => a.action).sort()).toEqual(['export.created', 'export.downloaded']);
});

test('an over-limit body streamed without Content-Length is refused with 413', async () => {
  const countJobs = async () =>
    (await running.server.database.db.selectFrom('import_jobs').select('id').execute()).length;
  const before = await countJobs();
  let sent = 0;
  const chunk = new TextEncoder().encode(' '.repeat(64 * 1024));
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      sent += 1;
      if (sent > 200) controller.close();
      else controller.enqueue(chunk);
    },
  });
  const res = await fetch(`${base}/api/v1/imports`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'idempotency-key': crypto.randomUUID(),
    },
    body,
    duplex: 'half',
  } as RequestInit).catch((error: unknown) => error);
  // The server answers 413 and stops reading; a client may instead see the
  // connection closed under its upload. Either way nothing was applied.
  if (res instanceof Response) {
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'body_too_large' });
  }
  expect(await countJobs()).toBe(before);
});
