/**
 * Export snapshots over the API: bytes kept in the object store with their
 * SHA-256, determinism, a closed period returned unchanged after later
 * payments, open periods taken afresh, downloads checked against the hash,
 * and an audit row for every generation and download.
 */
import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { call, json, startTestApp, type TestApp } from '../../test/helpers/app.ts';
import { invoiceBody, patientBody } from '../../test/helpers/fixtures.ts';
import { loadConfig } from '../config/index.ts';
import { storageFeature } from '../storage/feature.ts';
import { exportsFeature } from './feature.ts';
import { EXPORT_GENERATOR_VERSION } from './service.ts';

interface Job {
  id: string;
  kind: string;
  status: string;
  rowCount: number;
  downloadUrl: string;
  sha256: string;
  from: string | null;
  to: string | null;
}

let t: TestApp;
let token: string;
let clock = new Date('2026-11-10T10:00:00.000Z');
let invoiceId: string;
let paymentId: string;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'exports-'));
  t = await startTestApp({
    tenantCount: 2,
    deps: {
      config: loadConfig({ LOG_LEVEL: 'silent', STORAGE_DIR: dir }),
      features: [storageFeature, exportsFeature],
      now: () => clock,
    },
  });
  token = t.tenants[0]?.apiKey ?? '';
  const patient = await json<{ id: string }>(
    await call(t.app, 'POST', '/api/v1/patients', { token, body: patientBody() }),
  );
  const invoice = await json<{ id: string }>(
    await call(t.app, 'POST', '/api/v1/invoices', {
      token,
      body: invoiceBody(patient.id, {
        lines: [
          {
            description: '=HYPERLINK("http://evil")',
            quantity: 1,
            unitPrice: { amount: 5000, currency: 'EUR' },
          },
        ],
      }),
    }),
  );
  invoiceId = invoice.id;
  const payment = await call(t.app, 'POST', '/api/v1/payments', {
    token,
    body: {
      invoiceId,
      amount: { amount: 2000, currency: 'EUR' },
      method: 'cash',
      source: 'manual',
      externalRef: '-5 till',
    },
  });
  expect(payment.status, await payment.clone().text()).toBe(201);
  paymentId = (await json<{ id: string }>(payment)).id;
  const refund = await call(t.app, 'POST', '/api/v1/refunds', {
    token,
    body: { paymentId, amount: { amount: 500, currency: 'EUR' }, reason: '+overcharge' },
  });
  expect(refund.status, await refund.clone().text()).toBe(201);
  clock = new Date('2026-12-02T08:00:00.000Z');
}, 60_000);
afterAll(() => t?.close());

const november = { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' };

async function exportOf(body: Record<string, unknown>): Promise<Job> {
  const res = await call(t.app, 'POST', '/api/v1/exports', { token, body });
  expect(res.status, await res.clone().text()).toBe(202);
  return json<Job>(res);
}

async function download(job: Job, as = token): Promise<Response> {
  return call(t.app, 'GET', new URL(job.downloadUrl, 'http://api.invalid').pathname, { token: as });
}

describe('export snapshots', () => {
  test('payments of a closed month: refunds negative, text cells guarded, numbers intact', async () => {
    const job = await exportOf({ kind: 'payments', format: 'csv', ...november });
    expect(job).toMatchObject({ status: 'completed', rowCount: 2, ...november });
    const res = await download(job);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const text = await res.text();
    const lines = text.split('\r\n');
    expect(lines[0]).toBe(
      'type,id,paymentId,invoiceId,amount,currency,method,status,reference,createdAt',
    );
    expect(lines[1]).toContain(`,${invoiceId},2000,EUR,cash,`);
    expect(lines[1]).toContain(",'-5 till,");
    expect(lines[2]).toMatch(/^refund,ref_\w+,/);
    expect(lines[2]).toContain(',-500,EUR,,');
    expect(lines[2]).toContain(",'+overcharge,");
    expect(createHash('sha256').update(text).digest('hex')).toBe(job.sha256);
    expect(res.headers.get('etag')).toBe(`"${job.sha256}"`);
  });

  test('a closed period is never recalculated: same snapshot, same bytes, after a later payment', async () => {
    const first = await exportOf({ kind: 'invoices', format: 'csv', ...november });
    const before = await (await download(first)).text();
    const later = await call(t.app, 'POST', '/api/v1/payments', {
      token,
      body: {
        invoiceId,
        amount: { amount: 1000, currency: 'EUR' },
        method: 'card',
        source: 'manual',
      },
    });
    expect(later.status).toBe(201);
    const again = await exportOf({ kind: 'invoices', format: 'csv', ...november });
    expect(again.id).toBe(first.id);
    expect(again.sha256).toBe(first.sha256);
    expect(await (await download(again)).text()).toBe(before);
    // The live data did move: a fresh, open-ended export shows the later payment.
    const open = await exportOf({ kind: 'invoices', format: 'csv', from: november.from });
    expect(open.id).not.toBe(first.id);
    expect(open.sha256).not.toBe(first.sha256);
  });

  test('the same rows always give the same bytes (determinism across generations)', async () => {
    const a = await exportOf({ kind: 'appointments', format: 'ndjson', from: november.from });
    const b = await exportOf({ kind: 'appointments', format: 'ndjson', from: november.from });
    expect(a.id).not.toBe(b.id);
    expect(a.sha256).toBe(b.sha256);
    const [ta, tb] = [await (await download(a)).text(), await (await download(b)).text()];
    expect(ta).toBe(tb);
  });

  test('each snapshot records its generator version, parameters and period; the row is immutable', async () => {
    const job = await exportOf({ kind: 'audit_events', format: 'csv', ...november });
    const row = await t.database.db
      .selectFrom('export_snapshots')
      .selectAll()
      .where('id', '=', job.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      generator_version: EXPORT_GENERATOR_VERSION,
      closed: true,
      sha256: job.sha256,
    });
    expect(row.parameters).toEqual({ kind: 'audit_events', format: 'csv', ...november });
    await expect(
      t.database.db
        .updateTable('export_snapshots')
        .set({ sha256: 'x' })
        .where('id', '=', job.id)
        .execute(),
    ).rejects.toThrow(/immutable/);
    await expect(
      t.database.db.deleteFrom('export_snapshots').where('id', '=', job.id).execute(),
    ).rejects.toThrow(/immutable/);
  });

  test('generation and every download are audited with who and when', async () => {
    const job = await exportOf({ kind: 'appointments', format: 'csv', ...november });
    await download(job);
    await download(job);
    const audit = await t.database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('entity_id', '=', job.id)
      .orderBy('occurred_at')
      .orderBy('action')
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual([
      'export.created',
      'export.downloaded',
      'export.downloaded',
    ]);
    for (const a of audit) {
      expect(a.actor_type).toBe('api_key');
      expect(a.occurred_at.toISOString()).toBe(clock.toISOString());
    }
  });

  test('downloads need read:exports and stay within the tenant', async () => {
    const job = await exportOf({ kind: 'payments', format: 'csv', ...november });
    expect((await download(job, t.tenants[1]?.apiKey)).status).toBe(404);
    expect(
      (await call(t.app, 'GET', new URL(job.downloadUrl, 'http://api.invalid').pathname)).status,
    ).toBe(401);
    const listed = await json<{ data: Job[] }>(
      await call(t.app, 'GET', '/api/v1/exports?limit=100', { token }),
    );
    expect(listed.data.map((j) => j.id)).toContain(job.id);
    expect(await json(await call(t.app, 'GET', `/api/v1/exports/${job.id}`, { token }))).toEqual(
      job,
    );
  });

  test('a period whose end is before its start is refused', async () => {
    const res = await call(t.app, 'POST', '/api/v1/exports', {
      token,
      body: { kind: 'payments', format: 'csv', from: november.to, to: november.from },
    });
    expect(res.status).toBe(400);
  });
});
