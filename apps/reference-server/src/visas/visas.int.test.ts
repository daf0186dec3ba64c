/**
 * Visas end to end over real HTTP on 127.0.0.1: a started server whose visa
 * adapter points at the fake partner served on 127.0.0.1. An application
 * is submitted with its documents, polled to granted (or rejected with
 * reason codes and the exception playbook's tasks), with `visa.*` events free of documents and names; a
 * cancellation reaches the partner; while the partner is down the
 * application becomes a manual task (and, once the breaker is open, without
 * calling it); a server with no visa provider hands every application to
 * the operators.
 */
import {
  FakeVisaPartner,
  type ServedFakeProvider,
  serveFakeProvider,
  VISA_PARTNER_API,
} from '@clinicbridge/adapters/testing';
import type { EventEnvelope, VisaApplication } from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { visasFeature } from './feature.ts';

const partner = new FakeVisaPartner('visa-key');
let served: ServedFakeProvider;
let running: TestServer;
let bare: TestServer;

function client(server: () => TestServer) {
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
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
  const until = async <T>(probe: () => Promise<T | undefined>, what: string): Promise<T> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const inStatus = (id: string, status: VisaApplication['status']) =>
    until(async () => {
      const application = await api<VisaApplication>('GET', `/api/v1/visa-applications/${id}`);
      return application.status === status ? application : undefined;
    }, `application ${id} to be ${status}`);
  const apply = async (caseRef: string) => {
    const patient = await api<{ id: string }>('POST', '/api/v1/patients', patientBody());
    return api<VisaApplication>('POST', '/api/v1/visa-applications', {
      patientId: patient.id,
      caseRef,
      destination: 'TR',
      nationality: 'GB',
      visaType: 'medical',
      arrivalDate: '2027-03-01',
      documents: [{ kind: 'passport', contentType: 'application/pdf', data: PASSPORT }],
    });
  };
  return { api, until, inStatus, apply };
}

const PASSPORT = Buffer.from('%PDF-1.4 passport of the patient').toString('base64');

beforeAll(async () => {
  served = await serveFakeProvider(VISA_PARTNER_API, partner.handlers());
  running = await startTestServer({
    tenantCount: 1,
    features: [visasFeature],
    env: {
      VISAS_POLL_INTERVAL: '100ms',
      VISA_API_KEY: 'visa-key',
      VISA_API_URL: served.url,
    },
  });
  bare = await startTestServer({ tenantCount: 1, features: [visasFeature] });
});

afterAll(async () => {
  await running?.server.close();
  await bare?.server.close();
  await served?.close();
});

describe('with the visa partner', () => {
  const { api, inStatus, apply } = client(() => running);

  test('submitted with its documents, polled to granted; events carry ids, codes and states only', async () => {
    const created = await apply('case_granted');
    expect(created).toMatchObject({ status: 'pending', documents: [{ kind: 'passport' }] });
    partner.script(created.id, { status: 'APPROVED', afterReads: 1 });
    const granted = await inStatus(created.id, 'granted');
    expect(granted.medicalReference).toMatch(/^MED-/);
    expect(granted.visaNumber).toEqual(expect.any(String));
    const sent = partner.byReference(created.id)?.body as {
      documents: { content_base64: string }[];
    };
    expect(sent.documents[0]?.content_base64).toBe(PASSPORT);

    const events = await api<{ data: EventEnvelope[] }>(
      'GET',
      `/api/v1/events?entityId=${created.id}`,
    );
    // Newest first.
    expect(events.data.map((e) => e.type)).toEqual([
      'visa.granted',
      'visa.status_changed',
      'visa.submitted',
    ]);
    expect(events.data[0]?.data).toEqual({
      applicationId: created.id,
      caseId: 'case_granted',
      patientId: created.patientId,
      country: 'TR',
      status: 'granted',
      previousStatus: 'in_review',
      reasonCodes: [],
    });
    const text = JSON.stringify(events.data);
    expect(text).not.toContain(PASSPORT);
    expect(text).not.toContain(granted.visaNumber ?? 'none');
  });

  test('rejected with the reason codes in the platform vocabulary', async () => {
    const created = await apply('case_rejected');
    partner.script(created.id, {
      status: 'REFUSED',
      refusalCodes: ['DOC_MISSING', 'FUNDS_INSUFFICIENT'],
    });
    const rejected = await inStatus(created.id, 'rejected');
    expect(rejected.reasonCodes).toEqual(['missing_document', 'insufficient_funds']);
    const events = await api<{ data: EventEnvelope[] }>(
      'GET',
      `/api/v1/events?entityId=${created.id}&type=visa.rejected`,
    );
    expect(events.data[0]?.data).toMatchObject({
      status: 'rejected',
      reasonCodes: ['missing_document', 'insufficient_funds'],
    });
    // The exception playbook: correct and resubmit, alternative route, refund.
    const tasks = await running.server.database.db
      .selectFrom('manual_tasks')
      .select('operation')
      .where('subject_ref', '=', created.id)
      .orderBy('operation')
      .execute();
    expect(tasks.map((t) => t.operation)).toEqual([
      'visa.alternative_route',
      'visa.correct_and_resubmit',
      'visa.refund',
    ]);
  });

  test('a cancellation reaches the partner', async () => {
    const created = await apply('case_cancelled');
    partner.script(created.id, { status: 'APPROVED', afterReads: 10_000 });
    await inStatus(created.id, 'in_review');
    const cancelled = await api<VisaApplication>(
      'POST',
      `/api/v1/visa-applications/${created.id}/cancel`,
      {},
    );
    expect(cancelled.status).toBe('cancelled');
    await client(() => running).until(
      async () => (partner.byReference(created.id)?.status === 'WITHDRAWN' ? true : undefined),
      'the partner to withdraw the application',
    );
  });

  test('while the partner is down applications become manual tasks, the breaker stops the calls', async () => {
    partner.outage();
    try {
      const first = await apply('case_outage_1');
      expect((await inStatus(first.id, 'manual')).status).toBe('manual');
      const second = await apply('case_outage_2');
      await inStatus(second.id, 'manual');
      const third = await apply('case_outage_3');
      const before = partner.requests.length;
      await inStatus(third.id, 'manual');
      expect(partner.requests.length).toBe(before);
      const tasks = await running.server.database.db
        .selectFrom('manual_tasks')
        .select(['kind', 'operation', 'subject_ref', 'reason'])
        .where('subject_ref', 'in', [first.id, third.id])
        .execute();
      expect(tasks).toContainEqual({
        kind: 'visa',
        operation: 'visa.submit',
        subject_ref: third.id,
        reason: 'circuit_open',
      });
      expect(tasks.map((t) => t.subject_ref)).toContain(first.id);
      const events = await api<{ data: EventEnvelope[] }>(
        'GET',
        `/api/v1/events?entityId=${third.id}`,
      );
      expect(events.data.map((e) => [e.type, e.data.status])).toEqual([
        ['visa.status_changed', 'manual'],
      ]);
    } finally {
      partner.restore();
    }
  });
});

describe('without a visa provider', () => {
  const { inStatus, apply } = client(() => bare);

  test('every application is handed to the operators', async () => {
    const created = await apply('case_no_provider');
    const manual = await inStatus(created.id, 'manual');
    expect(manual.lastError).toBe('visa_provider_not_configured');
    const tasks = await bare.server.database.db
      .selectFrom('manual_tasks')
      .select(['kind', 'provider', 'reason'])
      .where('subject_ref', '=', created.id)
      .execute();
    expect(tasks).toEqual([
      { kind: 'visa', provider: 'none', reason: 'visa_provider_not_configured' },
    ]);
  });
});
