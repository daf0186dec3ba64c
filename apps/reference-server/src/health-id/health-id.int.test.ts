/**
 * ABHA linking and consent, end to end over real HTTP on 127.0.0.1: a
 * started server whose ABDM adapter points at the fake gateway served on
 * 127.0.0.1. An operator links a patient's ABHA and asks for consent on
 * `/ops/health-id`; the gateway's callbacks on `/webhooks/abdm` (on-init,
 * then the patient's grant), each carrying the gateway's RS256 bearer token
 * checked against the JWKS the fake publishes, make the consent granted,
 * and only then does the patient's FHIR read succeed. An unsigned,
 * foreign-signed or expired callback is 401 and changes nothing. A
 * revocation, or the consent's expiry on the server's clock, refuses it
 * again with 403 `consent_required`; an unlinked patient is never gated.
 * The FHIR bulk export applies the same rule when it is generated: a linked
 * patient without consent is left out with their encounters (counted in
 * the snapshot's parameters) and is in a new export after the grant, while
 * a closed period's snapshot stays as it was taken.
 * With the gateway down the breaker opens and the request is a manual task
 * on `/ops`.
 */

import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ABDM_API,
  FakeAbdm,
  type ServedFakeProvider,
  serveFakeProvider,
  serverErrors,
} from '@clinicbridge/adapters/testing';
import { newId } from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventFeatures } from '../../test/helpers/features.ts';
import { encounterRow, patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { sendInbound } from '../../test/helpers/inbound.ts';
import { until } from '../../test/helpers/until.ts';
import { consoleFeature } from '../console/feature.ts';
import { deliveryConfig } from '../delivery/config.ts';
import { exportsFeature } from '../exports/feature.ts';
import { fhirFeature } from '../fhir/feature.ts';
import { inboundConfig } from '../inbound/config.ts';
import { manualTasksFeature } from '../manual-tasks/feature.ts';
import { storageFeature } from '../storage/feature.ts';
import { healthIdFeature } from './feature.ts';

const abdm = new FakeAbdm();
// Mutable: the outage test puts failing handlers in front of the fake's own.
const handlers = [...abdm.handlers()];
const PASSWORD = 'correct horse battery staple';
const HOUR = 3_600_000;
let clockOffset = 0;
let served: ServedFakeProvider;
let storageDir = '';
let running: TestServer;
const db = () => running.server.database.db;
const url = () => running.server.url;
const tenantId = () => running.tenants[0]?.tenantId ?? '';

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url()}${path}`, {
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

/** An operator's form post on /ops (signed in, same origin); resolves to status and location. */
async function opsPost(path: string, form: Record<string, string>) {
  const res = await fetch(`${url()}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      authorization: `Basic ${Buffer.from(`ops:${PASSWORD}`).toString('base64')}`,
      origin: url(),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  return { status: res.status, location: res.headers.get('location') ?? '', text };
}

async function opsGet(path: string) {
  const res = await fetch(`${url()}${path}`, {
    headers: { authorization: `Basic ${Buffer.from(`ops:${PASSWORD}`).toString('base64')}` },
  });
  return { status: res.status, text: await res.text() };
}

/** A FHIR read of the patient: status and the error code of a refusal. */
async function fhirRead(patientId: string) {
  const res = await fetch(`${url()}/fhir/R4/Patient/${patientId.replace('_', '-')}`, {
    headers: { authorization: `Bearer ${running.tenants[0]?.apiKey}` },
  });
  const body = (await res.json()) as {
    resourceType: string;
    issue?: { details?: { coding?: { code?: string }[] } }[];
  };
  return {
    status: res.status,
    resourceType: body.resourceType,
    code: body.issue?.[0]?.details?.coding?.[0]?.code,
  };
}

/** Posts a gateway callback with the gateway's token; resolves when the server has processed it. */
async function gatewaySays(message: unknown) {
  const id = crypto.randomUUID();
  const body = JSON.stringify(message);
  const row = await sendInbound(url(), db(), {
    provider: 'abdm',
    id,
    body,
    headers: { authorization: await abdm.authorize(), 'request-id': id },
  });
  expect(row.status, row.reason ?? '').toBe('processed');
  return row;
}

/** Posts a callback with `authorization` (or none); resolves to the status and problem code. */
async function calledWith(authorization: string | undefined, message: unknown) {
  const id = crypto.randomUUID();
  const res = await fetch(`${url()}/webhooks/abdm`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'request-id': id,
      ...(authorization ? { authorization } : {}),
    },
    body: JSON.stringify(message),
  });
  const problem = (await res.json()) as { code?: string; errors?: { code?: string }[] };
  const stored = await db()
    .selectFrom('inbound_webhooks')
    .select('id')
    .where('provider', '=', 'abdm')
    .where('provider_event_id', '=', id)
    .executeTakeFirst();
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    code: problem.code,
    reason: problem.errors?.[0]?.code,
    stored: stored !== undefined,
  };
}

const consentOf = (id: string) =>
  db().selectFrom('health_consents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

async function linkedPatient(abhaAddress: string) {
  const patient = await api<{ id: string }>('POST', '/api/v1/patients', patientBody());
  const linked = await opsPost('/ops/health-id/link', {
    tenantId: tenantId(),
    patientId: patient.id,
    abhaNumber: '91-1234-5678-9012',
    abhaAddress,
    linkToken: 'link-token-from-patient-auth',
  });
  expect([linked.status, linked.location]).toEqual([303, expect.stringContaining('notice=linked')]);
  return patient.id;
}

/** Asks for consent on /ops; resolves to the consent row and the gateway's request. */
async function askConsent(patientId: string, expiresAt: string) {
  const asked = await opsPost('/ops/health-id/consents', {
    tenantId: tenantId(),
    patientId,
    purpose: 'CAREMGT',
    hiTypes: 'OPConsultation,Prescription',
    from: '2026-01-01T00:00:00Z',
    to: '2026-12-31T00:00:00Z',
    expiresAt,
  });
  expect([asked.status, asked.location]).toEqual([
    303,
    expect.stringContaining('notice=requested'),
  ]);
  const row = await db()
    .selectFrom('health_consents')
    .selectAll()
    .where('patient_id', '=', patientId)
    .orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow();
  const request = abdm.consentRequests.find((r) => r.requestId === row.request_id);
  if (!request) throw new Error('the gateway did not receive the consent request');
  return { row, request };
}

/** The whole grant: on-init, then the patient's grant notification. */
async function granted(patientId: string, expiresAt: string) {
  const { row, request } = await askConsent(patientId, expiresAt);
  await gatewaySays({
    consentRequest: { id: request.consentRequestId },
    response: { requestId: request.requestId },
  });
  const notice = abdm.grant(request.requestId);
  const processed = await gatewaySays(notice);
  expect(processed.reason).toBe('consent granted');
  return { id: row.id, artefactId: notice.notification.consentArtefacts[0]?.id ?? '' };
}

beforeAll(async () => {
  storageDir = await mkdtemp(join(tmpdir(), 'cb-health-id-'));
  served = await serveFakeProvider(ABDM_API, handlers);
  const config = {
    ...deliveryConfig.parse({}),
    ...inboundConfig.parse({
      INBOUND_ABDM_JWKS_URL: `${served.url}/api/hiecm/gateway/v3/certs`,
    }),
  };
  running = await startTestServer({
    tenantCount: 1,
    features: [
      ...eventFeatures(config),
      manualTasksFeature,
      fhirFeature,
      healthIdFeature,
      consoleFeature(),
      storageFeature,
      exportsFeature,
    ],
    now: () => new Date(Date.now() + clockOffset),
    env: {
      WEBHOOK_POLL_INTERVAL: '100ms',
      OPS_USER: 'ops',
      OPS_PASSWORD: PASSWORD,
      ABDM_CLIENT_ID: abdm.clientId,
      ABDM_CLIENT_SECRET: abdm.clientSecret,
      ABDM_HIU_ID: 'clinic-hiu',
      ABDM_HIP_ID: 'clinic-hip',
      ABDM_REQUESTER_NAME: 'Dr. Asha Rao',
      ABDM_REQUESTER_REGISTRATION_NO: 'MH-12345',
      ABDM_API_URL: served.url,
      STORAGE_DIR: storageDir,
      STORAGE_SIGNING_SECRET: randomBytes(32).toString('hex'),
    },
  });
}, 60_000);

afterAll(async () => {
  await running?.server.close();
  await served?.close();
  if (storageDir) await rm(storageDir, { recursive: true, force: true });
});

interface ExportJob {
  id: string;
  rowCount: number;
  downloadUrl: string;
  sha256: string;
}

/** A FHIR bulk export of `period`: the job, the FHIR ids in its file and its snapshot's parameters. */
async function fhirBulkExport(period: { from: string; to?: string }) {
  const job = await api<ExportJob>('POST', '/api/v1/exports', {
    kind: 'fhir_bulk',
    format: 'ndjson',
    ...period,
  });
  const res = await fetch(`${url()}${new URL(job.downloadUrl, 'http://x.invalid').pathname}`, {
    headers: { authorization: `Bearer ${running.tenants[0]?.apiKey}` },
  });
  expect(res.status).toBe(200);
  const bytes = new Uint8Array(await res.arrayBuffer());
  expect(createHash('sha256').update(bytes).digest('hex')).toBe(job.sha256);
  const ids = new TextDecoder()
    .decode(bytes)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { id: string }).id);
  const snapshot = await db()
    .selectFrom('export_snapshots')
    .select('parameters')
    .where('id', '=', job.id)
    .executeTakeFirstOrThrow();
  const parameters = (
    typeof snapshot.parameters === 'string' ? JSON.parse(snapshot.parameters) : snapshot.parameters
  ) as Record<string, unknown>;
  return { job, ids, parameters };
}

async function encountersOf(patientId: string, count: number, createdAt: Date) {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const id = newId('enc');
    ids.push(id);
    await db()
      .insertInto('encounters')
      .values(
        encounterRow({
          id,
          tenant_id: tenantId(),
          patient_id: patientId,
          status: 'finished',
          class: 'outpatient',
          visit_number: `V-${id}`,
          point_of_care: 'OPD',
          admitted_at: createdAt,
          discharged_at: createdAt,
        }),
      )
      .execute();
  }
  return ids;
}

// First, while the server's clock is still the real one (later tests move it).
describe('the FHIR bulk export applies the consent rule when it is generated', () => {
  test('a linked patient without consent is left out with their encounters; after the grant a new export has them', async () => {
    const fhir = (id: string) => id.replace('_', '-');
    const linked = await linkedPatient('anika@sbx');
    const unlinked = (await api<{ id: string }>('POST', '/api/v1/patients', patientBody())).id;
    const yesterday = new Date(Date.now() - 24 * HOUR);
    const linkedEncounters = await encountersOf(linked, 2, yesterday);
    const unlinkedEncounters = await encountersOf(unlinked, 1, yesterday);
    const from = new Date(yesterday.getTime() - HOUR).toISOString();
    // Ended a minute ago: a closed period, taken once and never recalculated.
    const closedPeriod = { from, to: new Date(Date.now() - 60_000).toISOString() };

    const closed = await fhirBulkExport(closedPeriod);
    const open = await fhirBulkExport({ from });
    for (const taken of [closed, open]) {
      expect(taken.ids).toContain(fhir(unlinked));
      expect(taken.ids).toContain(fhir(unlinkedEncounters[0] ?? ''));
      for (const id of [linked, ...linkedEncounters]) expect(taken.ids).not.toContain(fhir(id));
      expect(taken.parameters.withheldForConsent).toEqual({ patients: 1, encounters: 2 });
      expect(JSON.stringify(taken.parameters)).not.toContain(linked);
      expect(taken.job.rowCount).toBe(taken.ids.length);
    }

    await granted(linked, '2099-01-01T00:00:00Z');
    const after = await fhirBulkExport({ from });
    for (const id of [linked, unlinked, ...linkedEncounters, ...unlinkedEncounters])
      expect(after.ids).toContain(fhir(id));
    expect(after.parameters.withheldForConsent).toEqual({ patients: 0, encounters: 0 });
    // The closed period's snapshot is the one taken before the grant, byte for byte.
    const again = await fhirBulkExport(closedPeriod);
    expect([again.job.id, again.job.sha256]).toEqual([closed.job.id, closed.job.sha256]);
    expect(again.ids).not.toContain(fhir(linked));
  }, 60_000);
});

describe('the FHIR exchange of an ABHA-linked patient needs their consent', () => {
  let patientId = '';
  let consent = { id: '', artefactId: '' };

  test('an unlinked patient is served; once linked, a read is refused and a search leaves them out', async () => {
    const unlinked = await api<{ id: string }>('POST', '/api/v1/patients', patientBody());
    expect(await fhirRead(unlinked.id)).toMatchObject({ status: 200, resourceType: 'Patient' });

    patientId = await linkedPatient('ayesha@sbx');
    expect(abdm.links.at(-1)?.linkToken).toBe('link-token-from-patient-auth');
    expect(await fhirRead(patientId)).toEqual({
      status: 403,
      resourceType: 'OperationOutcome',
      code: 'consent_required',
    });
    const res = await fetch(`${url()}/fhir/R4/Patient?_id=${patientId.replace('_', '-')}`, {
      headers: { authorization: `Bearer ${running.tenants[0]?.apiKey}` },
    });
    const bundle = (await res.json()) as {
      entry: { search: { mode: string }; resource: { resourceType: string } }[];
    };
    expect(res.status).toBe(200);
    expect(bundle.entry.map((e) => [e.search.mode, e.resource.resourceType])).toEqual([
      ['outcome', 'OperationOutcome'],
    ]);
    // The unlinked patient is still served.
    expect((await fhirRead(unlinked.id)).status).toBe(200);
  }, 60_000);

  test('asked, then granted by the gateway’s callbacks: the read is allowed', async () => {
    const { row, request } = await askConsent(patientId, '2099-01-01T00:00:00Z');
    expect(row).toMatchObject({ status: 'requested', purpose: 'CAREMGT' });
    expect(row.hi_types).toEqual(['OPConsultation', 'Prescription']);
    expect(request.body.consent.patient.id).toBe('ayesha@sbx');
    // Still refused while only requested.
    expect((await fhirRead(patientId)).code).toBe('consent_required');

    await gatewaySays({
      consentRequest: { id: request.consentRequestId },
      response: { requestId: request.requestId },
    });
    const notice = abdm.grant(request.requestId);
    expect((await gatewaySays(notice)).reason).toBe('consent granted');
    consent = { id: row.id, artefactId: notice.notification.consentArtefacts[0]?.id ?? '' };
    expect(await consentOf(row.id)).toMatchObject({
      status: 'granted',
      consent_request_id: request.consentRequestId,
      artefact_id: consent.artefactId,
    });
    expect(await fhirRead(patientId)).toMatchObject({ status: 200, resourceType: 'Patient' });

    const page = await opsGet(`/ops/health-id?tenant=${tenantId()}&patient=${patientId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(row.id);
    expect(page.text).toContain('ayesha@sbx');
    // The ABHA number is kept masked.
    expect(page.text).toContain('XX-XXXX-XXXX-9012');
    expect(page.text).not.toContain('5678');
  }, 60_000);

  test('an unsigned, foreign-signed or expired callback is 401 and changes nothing', async () => {
    const revoke = abdm.revoke(consent.artefactId);
    for (const [authorization, reason] of [
      [undefined, 'missing_token'],
      [await abdm.authorize({ foreignKey: true }), 'invalid_token'],
      [await abdm.authorize({ expiresInSeconds: -600 }), 'expired_token'],
      [await abdm.authorize({ issuer: 'https://elsewhere.example/realm' }), 'invalid_token'],
    ] as const) {
      expect(await calledWith(authorization, revoke)).toEqual({
        status: 401,
        type: 'application/problem+json',
        code: 'webhook_verification_failed',
        reason,
        stored: false,
      });
    }
    expect((await consentOf(consent.id)).status).toBe('granted');
    expect((await fhirRead(patientId)).status).toBe(200);
  }, 60_000);

  test('revoked by the patient: refused again with consent_required', async () => {
    expect((await gatewaySays(abdm.revoke(consent.artefactId))).reason).toBe('consent revoked');
    expect((await consentOf(consent.id)).status).toBe('revoked');
    expect(await fhirRead(patientId)).toEqual({
      status: 403,
      resourceType: 'OperationOutcome',
      code: 'consent_required',
    });
    // A late repeat of the grant does not bring a revoked consent back.
    const again = await gatewaySays({
      notification: {
        consentRequestId: (await consentOf(consent.id)).consent_request_id,
        status: 'GRANTED',
        consentArtefacts: [{ id: consent.artefactId }],
      },
    });
    expect(again.reason).toBe('consent revoked; granted ignored');
    expect((await fhirRead(patientId)).code).toBe('consent_required');
  }, 60_000);

  test('the gateway’s expiry notice refuses the exchange', async () => {
    const other = await linkedPatient('ravi@sbx');
    const grant = await granted(other, new Date(Date.now() + 2 * HOUR).toISOString());
    expect((await fhirRead(other)).status).toBe(200);
    expect((await gatewaySays(abdm.revoke(grant.artefactId, 'EXPIRED'))).reason).toBe(
      'consent expired',
    );
    expect((await consentOf(grant.id)).status).toBe('expired');
    expect((await fhirRead(other)).code).toBe('consent_required');
  }, 60_000);

  test('past its expiry on the server’s clock, a granted consent no longer counts', async () => {
    const other = await linkedPatient('vikram@sbx');
    await granted(other, new Date(Date.now() + 2 * HOUR).toISOString());
    expect((await fhirRead(other)).status).toBe(200);
    // No notice needed: the server's clock passes expiresAt.
    clockOffset += 3 * HOUR;
    expect(await fhirRead(other)).toEqual({
      status: 403,
      resourceType: 'OperationOutcome',
      code: 'consent_required',
    });
  }, 60_000);
});

describe('the gateway down', () => {
  test('the breaker opens and the consent request is a manual task on /ops', async () => {
    const outage = serverErrors({
      method: 'post',
      url: `${ABDM_API}/api/hiecm/consent/*`,
      times: 1_000,
    });
    handlers.unshift(outage.handler);
    const patientId = await linkedPatient('meera@sbx');
    const task = await until(
      async () => {
        const asked = await opsPost('/ops/health-id/consents', {
          tenantId: tenantId(),
          patientId,
          purpose: 'CAREMGT',
          hiTypes: 'OPConsultation',
          from: '2026-01-01T00:00:00Z',
          to: '2026-12-31T00:00:00Z',
          expiresAt: '2099-01-01T00:00:00Z',
        });
        expect([asked.status, asked.location]).toEqual([
          303,
          expect.stringContaining('notice=request_manual'),
        ]);
        return db()
          .selectFrom('manual_tasks')
          .selectAll()
          .where('kind', '=', 'health_id')
          .where('subject_ref', '=', patientId)
          .where('reason', '=', 'circuit_open')
          .executeTakeFirst();
      },
      'the breaker to open',
      60_000,
    );
    expect(task).toMatchObject({ provider: 'abdm', operation: 'consent.request', done_at: null });
    const rows = await db()
      .selectFrom('health_consents')
      .select(['status', 'manual_task_id'])
      .where('patient_id', '=', patientId)
      .execute();
    expect(rows.every((row) => row.status === 'manual' && row.manual_task_id)).toBe(true);
    expect(rows.map((row) => row.manual_task_id)).toContain(task.id);
    // The patient is not gated into a dead end: the operators see the task.
    const tasks = await opsGet('/ops/tasks');
    expect(tasks.status).toBe(200);
    expect(tasks.text).toContain(task.id);
    // The gateway answers again for whatever runs next.
    handlers.splice(handlers.indexOf(outage.handler), 1);
  }, 90_000);
});
