/**
 * `/fhir/R4` over real HTTP on 127.0.0.1: every resource and Bundle it
 * serves validates against the R4 structure definitions (`@medplum/core`),
 * names and contacts only with `read:patients:pii`, searches by identifier,
 * patient and date, `_count` paging that the adapters' own FHIR client
 * follows through `Bundle.link[next]`, tenant isolation, the API's scopes,
 * and OperationOutcome errors (also valid R4).
 */
import { createFhirClient } from '@clinicbridge/adapters/fhir';
import type {
  Appointment,
  Bundle,
  Encounter,
  OperationOutcome,
  Patient,
  Resource,
} from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { testDatabaseKind } from '../../test/helpers/database.ts';
import { fhirIssues } from '../../test/helpers/fhir-validation.ts';
import { appointmentBody, patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { dischargeEncounter, openEncounter, transferEncounter } from '../encounters/service.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { fhirFeature } from './feature.ts';

let running: TestServer;
let url: string;
let patientId: string;
const appointmentIds: string[] = [];

const tenant = (i = 0) => {
  const t = running.tenants[i];
  if (!t) throw new Error('no tenant');
  return t;
};

async function api<T>(path: string, body?: unknown, key = tenant().apiKey): Promise<T> {
  const res = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      ...(body === undefined ? {} : { 'idempotency-key': crypto.randomUUID() }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(res.status, path).toBeLessThan(300);
  return (await res.json()) as T;
}

async function fhir<T extends Resource>(path: string, key = tenant().apiKey) {
  const res = await fetch(`${url}/fhir/R4${path}`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.headers.get('content-type')).toBe('application/fhir+json');
  const body = (await res.json()) as T;
  expect(fhirIssues(body), path).toEqual([]);
  return { status: res.status, body, headers: res.headers };
}

const keyWith = async (scopes: string[]) =>
  (
    await api<{ apiKey: string }>('/api/v1/integration-tokens', {
      name: scopes.join(' '),
      scopes,
      approval: { approver: 'test', reason: 'a test credential' },
    })
  ).apiKey;

beforeAll(async () => {
  running = await startTestServer({ tenantCount: 2, features: [fhirFeature] });
  url = running.server.url;
  patientId = (
    await api<{ id: string }>('/api/v1/patients', patientBody({ externalRef: 'MRN-42' }))
  ).id;
  for (let day = 1; day <= 5; day++) {
    const body = appointmentBody(patientId, {
      startsAt: `2026-12-0${day}T09:00:00.000Z`,
      endsAt: `2026-12-0${day}T09:30:00.000Z`,
      clinicianRef: 'dr-7',
      location: 'Room 3',
    });
    appointmentIds.push((await api<{ id: string }>('/api/v1/appointments', body)).id);
  }
  await api(`/api/v1/appointments/${appointmentIds[4]}/cancel`, { reason: 'Patient asked' });
  // Encounters come from the hospital's ADT feed; here straight through their service.
  const change: ChangeContext = {
    tenantId: tenant().tenantId,
    actor: { type: 'system', id: 'test' },
    requestId: null,
    now: new Date('2026-12-01T10:00:00Z'),
  };
  const place = (bed: string) => ({
    pointOfCare: 'W4',
    room: '402',
    bed,
    facility: 'CITYHOSP',
    building: null,
    floor: null,
  });
  const details = {
    class: 'inpatient' as const,
    hospitalService: 'MED',
    departmentRef: null,
    attendingProviderCode: 'D123',
    attendingClinicianRef: null,
  };
  await running.server.database.db.transaction().execute(async (trx) => {
    const admitted = await openEncounter(trx, change, {
      patientId,
      status: 'in_progress',
      visitNumber: 'V0001',
      visitAuthority: 'CITYHOSP',
      place: place('A'),
      details,
      admittedAt: new Date('2026-12-01T04:30:00Z'),
    });
    const moved = await transferEncounter(trx, change, admitted, {
      place: place('B'),
      details,
      at: new Date('2026-12-02T08:00:00Z'),
    });
    await dischargeEncounter(trx, change, moved, {
      at: new Date('2026-12-04T11:00:00Z'),
      disposition: '01',
      invoiceId: null,
    });
    await openEncounter(trx, change, {
      patientId,
      status: 'in_progress',
      visitNumber: 'V0002',
      visitAuthority: 'CITYHOSP',
      place: null,
      details: { ...details, class: 'recurring' },
      admittedAt: new Date('2026-12-20T09:00:00Z'),
    });
  });
});
afterAll(() => running?.server.close());

describe(`FHIR R4 endpoints (${testDatabaseKind})`, () => {
  test('a Patient read validates and carries the PII only with read:patients:pii', async () => {
    const fhirId = patientId.replace('_', '-');
    const full = await fhir<Patient>(`/Patient/${fhirId}`);
    expect(full.status).toBe(200);
    expect(full.body).toMatchObject({
      id: fhirId,
      name: [{ family: 'Yılmaz', given: ['Ada'] }],
      birthDate: '1980-02-29',
      identifier: expect.arrayContaining([expect.objectContaining({ value: patientId })]),
    });
    const minimal = await fhir<Patient>(`/Patient/${patientId}`, await keyWith(['read:patients']));
    expect(minimal.body.id).toBe(fhirId);
    expect(JSON.stringify(minimal.body)).not.toMatch(/Yılmaz|Ada|1980|ada@example|\+90/);
  });

  test('Patient search by identifier; Appointment search by patient, date and status; all valid', async () => {
    const byRef = await fhir<Bundle>('/Patient?identifier=MRN-42');
    expect(byRef.body.entry?.map((e) => e.resource?.id)).toEqual([patientId.replace('_', '-')]);
    const system = 'https://clinicbridge.dev/fhir/sid/patient-id';
    const byId = await fhir<Bundle>(
      `/Patient?identifier=${encodeURIComponent(`${system}|${patientId}`)}`,
    );
    expect(byId.body.entry).toHaveLength(1);
    expect((await fhir<Bundle>('/Patient?identifier=nobody')).body.entry).toEqual([]);

    const patient = `Patient/${patientId.replace('_', '-')}`;
    const window = await fhir<Bundle>(
      `/Appointment?patient=${patient}&date=ge2026-12-02&date=lt2026-12-04`,
    );
    const starts = window.body.entry?.map((e) => (e.resource as Appointment).start);
    expect(starts).toEqual(['2026-12-02T09:00:00.000Z', '2026-12-03T09:00:00.000Z']);
    const day = await fhir<Bundle>('/Appointment?date=2026-12-05');
    expect(day.body.entry?.map((e) => (e.resource as Appointment).status)).toEqual(['cancelled']);
    const cancelled = await fhir<Bundle>('/Appointment?status=cancelled');
    expect(
      (cancelled.body.entry?.[0]?.resource as Appointment | undefined)?.cancelationReason?.text,
    ).toBe('Patient asked');
    const read = await fhir<Appointment>(`/Appointment/${appointmentIds[0]?.replace('_', '-')}`);
    expect(read.body.participant?.[0]?.actor?.reference).toBe(patient);
  });

  test('_count pages carry Bundle.link[next], which the adapters FHIR client follows to the end', async () => {
    const first = await fhir<Bundle>('/Appointment?_count=2');
    expect(first.body.entry).toHaveLength(2);
    expect(first.body.link?.find((l) => l.relation === 'next')?.url).toMatch(/_cursor=/);
    const { clientId, clientSecret } = tenant();
    const client = createFhirClient({
      baseUrl: `${url}/fhir/R4`,
      auth: {
        kind: 'client_credentials',
        tokenUrl: `${url}/oauth/token`,
        clientId,
        clientSecret,
        credentialsIn: 'body',
        scope: 'read:appointments read:patients',
      },
    });
    const all = await client.search('Appointment', { _count: 2 });
    expect(all).toMatchObject({ pages: 3, truncated: false });
    expect(all.resources.map((a) => a.identifier?.[0]?.value)).toEqual(appointmentIds);
    for (const resource of all.resources) expect(fhirIssues(resource)).toEqual([]);
  });

  test('Encounters from the ADT feed validate: status, class, period, locations, attending; search by patient, date, identifier', async () => {
    const patient = `Patient/${patientId.replace('_', '-')}`;
    const all = await fhir<Bundle>(`/Encounter?patient=${patient}`);
    const encounters = (all.body.entry ?? []).map((e) => e.resource as Encounter);
    expect(encounters).toHaveLength(2);
    const finished = encounters.find((e) => e.status === 'finished');
    const ongoing = encounters.find((e) => e.status !== 'finished');
    expect(finished).toMatchObject({
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
      period: { start: '2026-12-01T04:30:00.000Z', end: '2026-12-04T11:00:00.000Z' },
      location: [
        { location: { display: 'CITYHOSP / W4 / 402 / A' }, status: 'completed' },
        { location: { display: 'CITYHOSP / W4 / 402 / B' }, status: 'completed' },
      ],
      participant: [{ individual: { identifier: { value: 'D123' } } }],
      hospitalization: { dischargeDisposition: { coding: [{ code: '01' }] } },
    });
    expect(ongoing).toMatchObject({ status: 'in-progress', class: { code: 'R' } });
    const read = await fhir<Encounter>(`/Encounter/${finished?.id}`);
    expect(read.body).toEqual(finished);
    const december = await fhir<Bundle>('/Encounter?date=ge2026-12-10&status=in-progress');
    expect(december.body.entry?.map((e) => e.resource?.id)).toEqual([ongoing?.id]);
    const byVisit = await fhir<Bundle>('/Encounter?identifier=V0001');
    expect(byVisit.body.entry?.map((e) => e.resource?.id)).toEqual([finished?.id]);
  });

  test('another tenant sees nothing of this one', async () => {
    const other = tenant(1).apiKey;
    const read = await fhir<OperationOutcome>(`/Patient/${patientId.replace('_', '-')}`, other);
    expect(read.status).toBe(404);
    expect(read.body.issue?.[0]?.code).toBe('not-found');
    expect((await fhir<Bundle>('/Appointment', other)).body.entry).toEqual([]);
  });

  test('errors are OperationOutcomes: no credential, missing scope, bad search, writes, unknown types', async () => {
    const none = await fetch(`${url}/fhir/R4/Patient`);
    expect(none.status).toBe(401);
    expect(fhirIssues((await none.json()) as Resource)).toEqual([]);
    const scoped = await fhir<OperationOutcome>('/Appointment', await keyWith(['read:patients']));
    expect([scoped.status, scoped.body.issue?.[0]?.code]).toEqual([403, 'forbidden']);
    for (const [path, status, code] of [
      ['/Patient?name=Ada', 400, 'invalid'],
      ['/Appointment?date=tomorrow', 400, 'invalid'],
      ['/Appointment?_count=0', 400, 'invalid'],
      ['/Appointment?_cursor=forged', 400, 'invalid'],
      ['/Observation', 404, 'not-found'],
    ] as const) {
      const res = await fhir<OperationOutcome>(path);
      expect([res.status, res.body.issue?.[0]?.code], path).toEqual([status, code]);
    }
    const post = await fetch(`${url}/fhir/R4/Patient`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tenant().apiKey}`,
        'content-type': 'application/fhir+json',
      },
      body: JSON.stringify({ resourceType: 'Patient' }),
    });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET']);
  });

  test('metadata is a valid CapabilityStatement listing the served types', async () => {
    const res = await fetch(`${url}/fhir/R4/metadata`);
    const body = (await res.json()) as Resource & { rest?: { resource?: { type: string }[] }[] };
    expect(fhirIssues(body)).toEqual([]);
    expect(body.rest?.[0]?.resource?.map((r) => r.type)).toEqual([
      'Patient',
      'Appointment',
      'Encounter',
    ]);
  });
});
