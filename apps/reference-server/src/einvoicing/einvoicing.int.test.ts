/**
 * e-Fatura end to end over real HTTP on 127.0.0.1: a started server whose
 * e-invoicing adapter points at the fake integrator served on 127.0.0.1.
 * An invoice queued through the API (`POST /api/v1/invoices/{id}/e-invoice`)
 * is submitted under its ETTN; the integrator's signed
 * status webhook (approved) moves it, `efatura.status.update` reaches a
 * partner's endpoint, and the PDF is kept at `invoices/{ettn}.pdf` under a
 * ten-year retention the database enforces. A rejection carries its code
 * and keeps no PDF; a replayed webhook is processed once; while the
 * integrator is down queued invoices become manual tasks (and, once the
 * breaker is open, without calling it); a server with no integrator leaves
 * a manual task.
 */
import { createHash } from 'node:crypto';
import {
  EFATURA_API,
  FakeEFatura,
  fakeInvoicePdf,
  type ServedFakeProvider,
  serveFakeProvider,
} from '@clinicbridge/adapters/testing';
import type { EInvoice, EventEnvelope } from '@clinicbridge/sdk/contract';
import { generateSecret, getScheme } from '@clinicbridge/webhooks';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Receiver, startReceiver } from '../../test/delivery/receiver.ts';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { eventFeatures } from '../../test/helpers/features.ts';
import { patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { until } from '../../test/helpers/until.ts';
import { deliveryConfig } from '../delivery/config.ts';
import { inboundConfig } from '../inbound/config.ts';
import { manualTasksFeature } from '../manual-tasks/feature.ts';
import { storageFeature } from '../storage/feature.ts';
import { eInvoicingFeature } from './feature.ts';

const integrator = new FakeEFatura('efatura-key');
const inboundSecret = generateSecret();
let served: ServedFakeProvider;
let receiver: Receiver;
let database: TestDatabase;
let running: TestServer;
/** The server's database (with its key ring). */
const db = () => running.server.database.db;

function apiOf(server: () => TestServer) {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${server().server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${server().tenants[0]?.apiKey}`,
        'content-type': 'application/json',
        ...(method === 'GET' ? {} : { 'idempotency-key': crypto.randomUUID() }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };
}
const api = apiOf(() => running);

const tenantOf = (server: TestServer) => server.tenants[0]?.tenantId ?? '';

/** Queues the invoice through the API. */
const queueEInvoice = (server: TestServer, invoiceId: string, buyerTaxId = '12345678901') =>
  apiOf(() => server)<EInvoice>('POST', `/api/v1/invoices/${invoiceId}/e-invoice`, {
    buyerTaxId,
  });

async function issueInvoice(server: TestServer): Promise<string> {
  const call = apiOf(() => server);
  const patient = await call<{ id: string }>('POST', '/api/v1/patients', patientBody());
  const invoice = await call<{ id: string }>('POST', '/api/v1/invoices', {
    patientId: patient.id,
    currency: 'TRY',
    lines: [
      {
        description: 'Dental implant',
        quantity: 1,
        unitPrice: { amount: 1_250_000, currency: 'TRY' },
        taxRateBps: 1000,
      },
    ],
  });
  return invoice.id;
}

async function postWebhook(id: string, data: Record<string, unknown>): Promise<number> {
  const body = JSON.stringify({
    type: 'efatura.status.update',
    tenantId: tenantOf(running),
    entityType: 'e_invoice',
    entityId: data.ettn,
    data,
  });
  const headers = getScheme('standard').signSync({ id, payload: body, secret: inboundSecret });
  const res = await fetch(`${running.server.url}/webhooks/efatura`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body,
  });
  await res.body?.cancel();
  return res.status;
}

const eInvoiceRow = (invoiceId: string) =>
  db()
    .selectFrom('e_invoices')
    .selectAll()
    .where('invoice_id', '=', invoiceId)
    .executeTakeFirstOrThrow();

async function queuedWithIntegrator(invoiceId: string) {
  const queued = await queueEInvoice(running, invoiceId);
  expect(queued).toMatchObject({ invoiceId, status: 'pending', pdfKey: null });
  await until(
    async () => ((await eInvoiceRow(invoiceId)).status === 'queued' ? true : undefined),
    `invoice ${invoiceId} to be queued`,
  );
  return queued;
}

beforeAll(async () => {
  served = await serveFakeProvider(EFATURA_API, integrator.handlers());
  receiver = await startReceiver();
  database = await openTestDatabase();
  const config = {
    ...deliveryConfig.parse({
      WEBHOOK_TARGET_ALLOWLIST: new URL(receiver.url).host,
      WEBHOOK_TIMEOUT_MS: '2000',
    }),
    ...inboundConfig.parse({ INBOUND_EFATURA_SECRET: inboundSecret }),
  };
  running = await startTestServer({
    tenantCount: 1,
    database,
    features: [...eventFeatures(config), manualTasksFeature, storageFeature, eInvoicingFeature],
    env: {
      WEBHOOK_POLL_INTERVAL: '50ms',
      EFATURA_API_KEY: 'efatura-key',
      EFATURA_API_URL: served.url,
    },
  });
  const endpoint = await api<{ secret: string }>('POST', '/api/v1/webhook-endpoints', {
    url: `${receiver.url}/efatura`,
    eventTypes: ['efatura.status.update'],
  });
  receiver.secrets.set('/efatura', [endpoint.secret]);
}, 60_000);

afterAll(async () => {
  await running?.server.close();
  await database?.close();
  await receiver?.close();
  await served?.close();
});

describe('with the integrator', () => {
  test('queued under its ETTN once; approved by webhook: event delivered, PDF kept under a ten-year retention', async () => {
    const invoiceId = await issueInvoice(running);
    const queued = await queuedWithIntegrator(invoiceId);
    const again = await queueEInvoice(running, invoiceId);
    expect({ id: again.id, ettn: again.ettn, status: again.status }).toEqual({
      id: queued.id,
      ettn: queued.ettn,
      status: 'queued',
    });
    // The API never returns the buyer's tax number.
    expect(JSON.stringify(again)).not.toContain('12345678901');
    expect(queued.ettn).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(integrator.invoices.get(queued.ettn)?.body).toMatchObject({
      reference: invoiceId,
      currency: 'TRY',
      buyer: { tax_id: '12345678901' },
      lines: [{ name: 'Dental implant', quantity: 1, unit_price: 1_250_000, vat_rate: 10 }],
    });
    // The buyer's TCKN is kept encrypted.
    expect(JSON.stringify(await eInvoiceRow(invoiceId))).not.toContain('12345678901');

    integrator.decide(queued.ettn, 'approved');
    expect(
      await postWebhook('msg_efatura_approved', { ettn: queued.ettn, status: 'approved' }),
    ).toBe(202);
    const key = `invoices/${queued.ettn}.pdf`;
    const kept = await until(async () => {
      const row = await eInvoiceRow(invoiceId);
      return row.pdf_key ? row : undefined;
    }, 'the PDF to be kept');
    expect(kept).toMatchObject({ status: 'approved', pdf_key: key, reason_code: null });
    expect(await api<EInvoice>('GET', `/api/v1/invoices/${invoiceId}/e-invoice`)).toMatchObject({
      id: queued.id,
      ettn: queued.ettn,
      status: 'approved',
      pdfKey: key,
      reasonCode: null,
    });
    const object = await db()
      .selectFrom('storage_objects')
      .selectAll()
      .where('key', '=', key)
      .executeTakeFirstOrThrow();
    expect(object).toMatchObject({
      purpose: 'e_invoice',
      content_type: 'application/pdf',
      sha256: createHash('sha256').update(fakeInvoicePdf(queued.ettn)).digest('hex'),
    });
    const years = (object.retain_until!.getTime() - object.created_at.getTime()) / 31_556_952_000;
    expect(years).toBeGreaterThan(9.99);
    expect(years).toBeLessThan(10.01);
    // Deletion before the end of retention is refused by the database itself.
    await expect(sql`delete from storage_objects where key = ${key}`.execute(db())).rejects.toThrow(
      /retained until/,
    );
    await expect(
      sql`update storage_objects set retain_until = now() where key = ${key}`.execute(db()),
    ).rejects.toThrow(/retention can only be extended/);

    const delivered = await until(async () => {
      const hits = receiver.received.filter(
        (r) => r.path === '/efatura' && r.body.includes(queued.ettn),
      );
      return hits.length > 0 ? hits : undefined;
    }, 'the partner to receive efatura.status.update');
    expect(delivered[0]?.verified).toBe(true);
    const envelope = JSON.parse(delivered[0]?.body ?? '{}') as EventEnvelope;
    expect(envelope.type).toBe('efatura.status.update');
    expect(envelope.data).toEqual({
      ettn: queued.ettn,
      invoiceId,
      status: 'approved',
      reasonCode: null,
    });
  });

  test('rejected: the reason code, no PDF; a replayed webhook is processed once', async () => {
    const invoiceId = await issueInvoice(running);
    const queued = await queuedWithIntegrator(invoiceId);
    integrator.decide(queued.ettn, 'rejected', 'GIB_1163');
    const data = { ettn: queued.ettn, status: 'rejected', reasonCode: 'GIB_1163' };
    expect(await postWebhook('msg_efatura_rejected', data)).toBe(202);
    // The same delivery again (acknowledged as a duplicate), and the integrator's second webhook about the same answer.
    expect(await postWebhook('msg_efatura_rejected', data)).toBe(200);
    expect(await postWebhook('msg_efatura_rejected_again', data)).toBe(202);
    await until(async () => {
      const rows = await db()
        .selectFrom('inbound_webhooks')
        .select('status')
        .where('provider', '=', 'efatura')
        .where('provider_event_id', 'in', ['msg_efatura_rejected', 'msg_efatura_rejected_again'])
        .execute();
      return rows.length === 2 && rows.every((r) => r.status === 'processed') ? true : undefined;
    }, 'both webhooks to be processed');
    expect(await eInvoiceRow(invoiceId)).toMatchObject({
      status: 'rejected',
      reason_code: 'GIB_1163',
      pdf_key: null,
    });
    const events = await api<{ data: EventEnvelope[] }>(
      'GET',
      `/api/v1/events?entityId=${queued.id}`,
    );
    expect(events.data.map((e) => [e.type, e.data])).toEqual([
      [
        'efatura.status.update',
        { ettn: queued.ettn, invoiceId, status: 'rejected', reasonCode: 'GIB_1163' },
      ],
    ]);
    const stored = await db()
      .selectFrom('storage_objects')
      .select('key')
      .where('key', '=', `invoices/${queued.ettn}.pdf`)
      .execute();
    expect(stored).toEqual([]);
  });

  test('a webhook about an ETTN this server never queued fails permanently', async () => {
    expect(
      await postWebhook('msg_efatura_unknown', {
        ettn: '0b6f6a52-1f3e-4e8a-a1c4-7d2e9f10b3a4',
        status: 'approved',
      }),
    ).toBe(202);
    const row = await until(async () => {
      const found = await db()
        .selectFrom('inbound_webhooks')
        .select(['status', 'reason'])
        .where('provider_event_id', '=', 'msg_efatura_unknown')
        .executeTakeFirst();
      return found?.status === 'failed' ? found : undefined;
    }, 'the webhook to fail');
    expect(row.reason).toMatch(/ETTN this server did not queue/);
  });
});

describe('while the integrator is down', () => {
  test('queued invoices become manual tasks; once the breaker is open, without calling it', async () => {
    integrator.outage();
    try {
      const manualOf = (invoiceId: string) =>
        until(async () => {
          const row = await eInvoiceRow(invoiceId);
          return row.status === 'manual' ? row : undefined;
        }, `e-invoice of ${invoiceId} to become manual`);
      const first = await issueInvoice(running);
      await queueEInvoice(running, first);
      expect((await manualOf(first)).last_error).toBe('integrator_unavailable');
      const second = await issueInvoice(running);
      await queueEInvoice(running, second);
      await manualOf(second);
      const third = await issueInvoice(running);
      const before = integrator.requests.length;
      await queueEInvoice(running, third);
      await manualOf(third);
      expect(integrator.requests.length).toBe(before);
      const tasks = await db()
        .selectFrom('manual_tasks')
        .select(['kind', 'operation', 'subject_ref', 'reason'])
        .where('subject_ref', 'in', [first, third])
        .execute();
      expect(tasks).toContainEqual({
        kind: 'einvoicing',
        operation: 'einvoicing.submit',
        subject_ref: third,
        reason: 'circuit_open',
      });
      expect(tasks.map((t) => t.subject_ref)).toContain(first);
    } finally {
      integrator.restore();
    }
  });
});

describe('without an integrator', () => {
  test('a queued invoice becomes a manual task on /ops', async () => {
    const bare = await startTestServer({
      tenantCount: 1,
      features: [manualTasksFeature, storageFeature, eInvoicingFeature],
      env: { WEBHOOK_POLL_INTERVAL: '50ms' },
    });
    try {
      const invoiceId = await issueInvoice(bare);
      const db = bare.server.database.db;
      await queueEInvoice(bare, invoiceId, '1234567890');
      const row = await until(async () => {
        const found = await db
          .selectFrom('e_invoices')
          .selectAll()
          .where('invoice_id', '=', invoiceId)
          .executeTakeFirstOrThrow();
        return found.status === 'manual' ? found : undefined;
      }, 'the e-invoice to become manual');
      expect(row.last_error).toBe('einvoicing_provider_not_configured');
      const viewed = await apiOf(() => bare)<EInvoice>(
        'GET',
        `/api/v1/invoices/${invoiceId}/e-invoice`,
      );
      expect(viewed).toMatchObject({
        status: 'manual',
        lastError: 'einvoicing_provider_not_configured',
      });
      const task = await db
        .selectFrom('manual_tasks')
        .selectAll()
        .where('subject_ref', '=', invoiceId)
        .executeTakeFirstOrThrow();
      expect(task).toMatchObject({
        kind: 'einvoicing',
        reason: 'einvoicing_provider_not_configured',
      });
      expect(JSON.stringify(task)).not.toContain('1234567890');
    } finally {
      await bare.server.close();
    }
  });
});
