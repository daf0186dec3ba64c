/**
 * Claims end to end over real HTTP on 127.0.0.1: a started server whose
 * insurance adapter points at the fake TPA served on 127.0.0.1. A claim
 * goes submit → denied (reason codes) → resubmit → approved → settled (with
 * its remittance advice); its history is exactly those events, in order,
 * free of clinical and member data; re-delivery to a local receiver sends
 * exactly those events. An ineligible member falls back to self-pay with a
 * claim-ready itemised invoice that validates as an R4 Claim.
 */
import {
  FakeTpa,
  type ServedFakeProvider,
  serveFakeProvider,
  TPA_API,
} from '@clinicbridge/adapters/testing';
import type { Claim, EventEnvelope } from '@clinicbridge/sdk/contract';
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Receiver, startReceiver } from '../../test/delivery/receiver.ts';
import { testDatabaseKind } from '../../test/helpers/database.ts';
import { eventFeatures } from '../../test/helpers/features.ts';
import { fhirIssues } from '../../test/helpers/fhir-validation.ts';
import { patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { until } from '../../test/helpers/until.ts';
import { deliveryConfig } from '../delivery/config.ts';
import { inboundConfig } from '../inbound/config.ts';
import { claimsFeature } from './feature.ts';

const tpa = new FakeTpa({ clients: { clinic: { secret: 'tpa-secret' } } });
let served: ServedFakeProvider;
/** The handlers the served fake answers with; a test may put a failure in front. */
const tpaHandlers = tpa.handlers();
let receiver: Receiver;
let running: TestServer;
let url: string;

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${running.tenants[0]?.apiKey}`,
      'content-type': 'application/json',
      ...(method === 'GET' ? {} : { 'idempotency-key': crypto.randomUUID() }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

const claimIn = (id: string, status: Claim['status']) =>
  until(async () => {
    const claim = await api<Claim>('GET', `/api/v1/claims/${id}`);
    return claim.status === status && claim.pendingAction === null ? claim : undefined;
  }, `claim ${id} to be ${status}`);

async function invoiceClaim(memberId: string): Promise<Claim> {
  const patient = await api<{ id: string }>('POST', '/api/v1/patients', patientBody());
  const invoice = await api<{ id: string }>('POST', '/api/v1/invoices', {
    patientId: patient.id,
    currency: 'EUR',
    lines: [
      { description: 'Implant', quantity: 2, unitPrice: { amount: 100_050, currency: 'EUR' } },
      {
        description: 'X-ray',
        quantity: 1,
        unitPrice: { amount: 333, currency: 'EUR' },
        taxRateBps: 1800,
      },
    ],
  });
  return api<Claim>('POST', '/api/v1/claims', {
    invoiceId: invoice.id,
    payer: { payerRef: 'payer_star', memberId },
    diagnoses: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'K08.1' }],
    documents: [
      {
        kind: 'invoice',
        contentType: 'application/pdf',
        title: 'invoice.pdf',
        data: Buffer.from('%PDF-1.4 invoice').toString('base64'),
      },
    ],
  });
}

beforeAll(async () => {
  served = await serveFakeProvider(new URL(TPA_API).origin, tpaHandlers);
  receiver = await startReceiver();
  const config = {
    ...deliveryConfig.parse({
      WEBHOOK_TARGET_ALLOWLIST: new URL(receiver.url).host,
      WEBHOOK_TIMEOUT_MS: '2000',
    }),
    ...inboundConfig.parse({}),
  };
  running = await startTestServer({
    tenantCount: 1,
    features: [...eventFeatures(config), claimsFeature],
    env: {
      WEBHOOK_POLL_INTERVAL: '50ms',
      CLAIMS_POLL_INTERVAL: '100ms',
      INSURANCE_FHIR_URL: `${served.url}/fhir`,
      INSURANCE_TOKEN_URL: `${served.url}/fhir/auth/token`,
      INSURANCE_CLIENT_ID: 'clinic',
      INSURANCE_CLIENT_SECRET: 'tpa-secret',
      INSURANCE_PROVIDER_REF: 'clinic_42',
    },
  });
  url = running.server.url;
  tpa.enrol('M-100');
});
afterAll(async () => {
  await running?.server.close();
  await receiver?.close();
  await served?.close();
});

describe(`claims with a TPA over HTTP (${testDatabaseKind})`, () => {
  test('submit → denied → resubmit → approved → settled; the history is complete and re-delivered in full', async () => {
    const created = await invoiceClaim('M-100');
    expect(created).toMatchObject({
      status: 'draft',
      amount: { amount: 200_493, currency: 'EUR' },
    });
    tpa.decide(created.id, { kind: 'deny', reasons: ['16', '197'] }, { kind: 'approve' });

    const queued = await api<Claim>('POST', `/api/v1/claims/${created.id}/submit`, {});
    expect(queued).toMatchObject({ status: 'draft', pendingAction: 'submit' });
    const denied = await claimIn(created.id, 'denied');
    expect(denied.reasonCodes.map((r) => r.code)).toEqual(['16', '197']);
    expect(denied.eligibility).toBe('eligible');

    await api('POST', `/api/v1/claims/${created.id}/resubmit`, {
      diagnoses: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'K08.109' }],
    });
    const approved = await claimIn(created.id, 'approved');
    expect(approved).toMatchObject({
      resubmissions: 1,
      approvedAmount: { amount: 200_493, currency: 'EUR' },
    });

    const remittanceRef = tpa.settle(created.id);
    const settled = await claimIn(created.id, 'settled');
    expect(settled).toMatchObject({
      paidAmount: { amount: 200_493, currency: 'EUR' },
      remittanceRef,
    });
    // One claim at the payer, in two versions; its items add up to the invoice total with tax.
    expect(tpa.claimCount(created.id)).toBe(1);
    expect(tpa.claim(created.id)).toMatchObject({
      meta: { versionId: '2' },
      total: { value: 2004.93, currency: 'EUR' },
      diagnosis: [{ diagnosisCodeableConcept: { coding: [{ code: 'K08.109' }] } }],
    });

    const history = await api<{ data: EventEnvelope[] }>(
      'GET',
      `/api/v1/claims/${created.id}/events`,
    );
    expect(history.data.map((e) => e.type)).toEqual([
      'claim.created',
      'claim.submitted',
      'claim.denied',
      'claim.resubmitted',
      'claim.approved',
      'claim.settled',
    ]);
    expect(history.data.map((e) => e.data.status)).toEqual([
      'draft',
      'submitted',
      'denied',
      'submitted',
      'approved',
      'settled',
    ]);
    expect(history.data[2]?.data.reasonCodes).toEqual(['16', '197']);
    expect(history.data[3]?.data.resubmission).toBe(1);
    expect(history.data[5]?.data).toMatchObject({ paidAmount: { amount: 200_493 }, remittanceRef });
    expect(JSON.stringify(history)).not.toMatch(/M-100|K08|invoice\.pdf|Yılmaz/);

    // A dispute: an endpoint that never subscribed to claims gets exactly the claim's history.
    receiver.respond = () => 200;
    const endpoint = await api<{ id: string; secret: string }>(
      'POST',
      '/api/v1/webhook-endpoints',
      {
        url: `${receiver.url}/dispute`,
        eventTypes: ['webhook_endpoint.ping'],
      },
    );
    receiver.secrets.set('/dispute', [endpoint.secret]);
    const redelivered = await api<{ scheduled: number; eventIds: string[] }>(
      'POST',
      `/api/v1/claims/${created.id}/redeliver`,
      { endpointId: endpoint.id },
    );
    expect(redelivered).toEqual({ scheduled: 6, eventIds: history.data.map((e) => e.id) });
    const db = running.server.database.db;
    await until(async () => {
      const rows = await db
        .selectFrom('deliveries')
        .select('status')
        .where('endpoint_id', '=', endpoint.id)
        .execute();
      return rows.length === 6 && rows.every((r) => r.status === 'succeeded') ? rows : undefined;
    }, 'the six re-deliveries to succeed');
    const arrived = receiver.received.filter((r) => r.path === '/dispute');
    expect(arrived.every((r) => r.verified)).toBe(true);
    // Delivery is at least once: an attempt that timed out on a loaded machine may arrive twice.
    const arrivedIds = new Set(arrived.map((r) => (JSON.parse(r.body) as { id: string }).id));
    expect([...arrivedIds].sort()).toEqual([...redelivered.eventIds].sort());
  });

  test('an ineligible member falls back to self-pay with a claim-ready itemised invoice', async () => {
    const created = await invoiceClaim('M-unknown');
    await api('POST', `/api/v1/claims/${created.id}/submit`, {});
    const selfPay = await claimIn(created.id, 'self_pay');
    expect(selfPay).toMatchObject({ eligibility: 'ineligible', reasonCodes: [{ code: '31' }] });
    expect(tpa.claimCount(created.id)).toBe(0);
    const fhir = await api<{ content: string }>(
      'GET',
      `/api/v1/claims/${created.id}/itemised-invoice`,
    );
    const resource = JSON.parse(fhir.content) as Resource;
    expect(fhirIssues(resource)).toEqual([]);
    expect(resource).toMatchObject({
      resourceType: 'Claim',
      total: { value: 2004.93, currency: 'EUR' },
    });
    const csv = await api<{ content: string }>(
      'GET',
      `/api/v1/claims/${created.id}/itemised-invoice?format=csv`,
    );
    expect(csv.content.split('\r\n')).toHaveLength(5);
    const events = await api<{ data: EventEnvelope[] }>(
      'GET',
      `/api/v1/claims/${created.id}/events`,
    );
    expect(events.data.map((e) => e.type)).toEqual(['claim.created', 'claim.self_pay']);
    expect(events.data[1]?.data.reasonCodes).toEqual(['31']);
  });

  test('a payer outage is retried until the claim is filed, once', async () => {
    const created = await invoiceClaim('M-100');
    const outage = tpa.outage('submit', 6);
    tpaHandlers.unshift(outage.handler);
    await api('POST', `/api/v1/claims/${created.id}/submit`, {});
    await until(async () => {
      const claim = await api<Claim>('GET', `/api/v1/claims/${created.id}`);
      return claim.lastError === 'provider_unavailable' ? claim : undefined;
    }, 'the outage to show as lastError');
    const approved = await claimIn(created.id, 'approved');
    expect(approved.lastError).toBeNull();
    expect(outage.hits).toBe(6);
    expect(tpa.claimCount(created.id)).toBe(1);
  });
});
