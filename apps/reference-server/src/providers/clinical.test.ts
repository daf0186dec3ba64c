/**
 * The clinical provider group built from configuration: absent without
 * variables; with them, a FHIR client per tenant (token under
 * `fhir:token:{tenant}`), the insurance gateway and the Orthanc archive,
 * each reaching its fake served on 127.0.0.1.
 */
import { InMemoryManualTaskSink, noopMetrics } from '@clinicbridge/adapters';
import {
  FakeFhirServer,
  FakeOrthanc,
  FakeTpa,
  type ServedFakeProvider,
  serveFakeProvider,
} from '@clinicbridge/adapters/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { clinicalConfig, clinicalProviders } from './clinical.ts';
import type { ProviderShared } from './group.ts';

const shared = {
  metrics: noopMetrics,
  audit: () => undefined,
  manualTasks: new InMemoryManualTaskSink(),
  db: undefined,
} as unknown as ProviderShared;
const fhir = new FakeFhirServer({
  baseUrl: 'https://hapi.clinic.test/fhir',
  clients: { cb: { secret: 's' } },
});
const tpa = new FakeTpa();
const orthanc = new FakeOrthanc();
let served: ServedFakeProvider[] = [];
beforeAll(async () => {
  served = [
    await serveFakeProvider('https://hapi.clinic.test', fhir.handlers()),
    await serveFakeProvider('https://tpa.example.test', tpa.handlers()),
    await serveFakeProvider(orthanc.baseUrl, orthanc.handlers()),
  ];
});
afterAll(async () => {
  for (const one of served) await one.close();
});

test('nothing is built without configuration, and the group says what is absent', () => {
  const { built, absent } = clinicalProviders.build(clinicalConfig.parse({}), shared);
  expect(built).toEqual({});
  expect(absent).toEqual(['fhir', 'insurance', 'orthanc']);
});

test('configured providers reach their servers', async () => {
  const [hapi, payer, pacs] = served.map((one) => one.url);
  const config = clinicalConfig.parse({
    FHIR_BASE_URL: `${hapi}/fhir`,
    FHIR_TOKEN_URL: `${hapi}/fhir/auth/token`,
    FHIR_CLIENT_ID: 'cb',
    FHIR_CLIENT_SECRET: 's',
    INSURANCE_FHIR_URL: `${payer}/fhir`,
    ORTHANC_URL: pacs,
    ORTHANC_USERNAME: orthanc.username,
    ORTHANC_PASSWORD: orthanc.password,
  });
  const { built, absent } = clinicalProviders.build(config, shared);
  expect(absent).toEqual([]);
  fhir.seed({ resourceType: 'Patient', id: 'f001' });
  expect((await built.fhir?.forTenant('ten_1').read('Patient', 'f001'))?.id).toBe('f001');
  tpa.enrol('M-1');
  const eligibility = await built.insurance?.checkEligibility({
    requestRef: 'clm_1',
    member: { payerRef: 'p', memberId: 'M-1' },
    patientRef: 'pat_1',
    serviceDate: '2026-12-01',
  });
  expect(eligibility?.status).toBe('eligible');
  orthanc.addStudy({ patientId: 'MRN-1', patientName: 'Doe^Jane' });
  expect(await built.imaging?.listStudies({ patientId: 'MRN-1' })).toHaveLength(1);
});
