/** The visa partner adapter against the fake: conformance, wire shape, outage switch, error mapping. */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { InMemoryManualTaskSink } from '../core/manual-tasks.ts';
import { rejection } from '../ports/__fixtures__/rejection.ts';
import { describeVisaServiceConformance } from '../ports/__fixtures__/visa-service.case.ts';
import { FakeVisaPartner, VISA_PARTNER_API } from '../testing/visa.ts';
import { createVisaPartnerService, mapVisaPartnerError, visaReasonCode } from './index.ts';

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 2 }, breaker: { consecutiveFailures: 3 } };

const build = (fake: FakeVisaPartner, apiKey = fake.apiKey) => {
  const sink = new InMemoryManualTaskSink();
  const visas = createVisaPartnerService({ apiKey, sink, policies: fast });
  return { visas, sink };
};

describeVisaServiceConformance({
  name: 'visa-partner',
  apiUrl: `${VISA_PARTNER_API}/v1/*`,
  setup() {
    const fake = new FakeVisaPartner();
    const { visas, sink } = build(fake);
    return {
      visas,
      handlers: fake.handlers(),
      sink,
      decide: (ref, outcome) =>
        fake.script(
          ref,
          outcome === 'granted'
            ? { status: 'APPROVED' }
            : { status: 'REFUSED', refusalCodes: ['PASSPORT_EXPIRING'] },
        ),
      applicationCount: () => fake.applications.size,
      requests: () => fake.requests,
    };
  },
});

describe('visa partner specifics', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  const application = {
    applicationRef: 'visa_1',
    patientRef: 'pat_1',
    caseRef: 'case_1',
    destination: 'TR',
    nationality: 'GB',
    visaType: 'medical_attendant' as const,
    arrivalDate: '2027-03-01',
    departureDate: '2027-03-20',
    documents: [{ kind: 'photo' as const, contentType: 'image/jpeg' as const, data: '/9j/4A==' }],
  };

  test('the application goes as references, codes, dates and documents', async () => {
    const fake = new FakeVisaPartner();
    server.use(...fake.handlers());
    await build(fake).visas.submit(application);
    expect(fake.byReference('visa_1')?.body).toEqual({
      reference: 'visa_1',
      applicant_reference: 'pat_1',
      case_reference: 'case_1',
      destination_country: 'TR',
      nationality: 'GB',
      visa_category: 'MEDICAL_ATTENDANT',
      arrival_date: '2027-03-01',
      departure_date: '2027-03-20',
      documents: [{ type: 'PHOTO', mime_type: 'image/jpeg', content_base64: '/9j/4A==' }],
    });
  });

  test('a scripted decision waits for the given number of reads', async () => {
    const fake = new FakeVisaPartner();
    server.use(...fake.handlers());
    const { visas } = build(fake);
    fake.script('visa_1', { status: 'APPROVED', afterReads: 2 });
    const result = await visas.submit(application);
    if (result.status !== 'submitted') throw new Error('expected a submission');
    expect((await visas.status(result)).state).toBe('in_review');
    expect((await visas.status(result)).state).toBe('in_review');
    expect((await visas.status(result)).state).toBe('granted');
  });

  test("the fake's outage switch sends submissions to a manual task until restored", async () => {
    const fake = new FakeVisaPartner();
    server.use(...fake.handlers());
    const sink = new InMemoryManualTaskSink();
    const visas = createVisaPartnerService({
      apiKey: fake.apiKey,
      sink,
      policies: { retry: { baseDelayMs: 1, maxDelayMs: 2, maxRetries: 1 } },
    });
    fake.outage();
    expect((await visas.submit(application)).status).toBe('manual');
    expect(sink.tasks[0]).toMatchObject({ kind: 'visa', reason: 'provider_unavailable' });
    fake.restore();
    expect((await visas.submit(application)).status).toBe('submitted');
  });

  test('a wrong API key is auth_failed, not a manual task', async () => {
    const fake = new FakeVisaPartner();
    server.use(...fake.handlers());
    const { visas, sink } = build(fake, 'wrong');
    expect((await rejection(visas.submit(application))).code).toBe('auth_failed');
    expect(sink.tasks).toHaveLength(0);
  });

  test('maps partner errors and refusal codes', () => {
    const reply = (status: number, body: unknown) => ({ status, body, headers: new Headers() });
    expect(mapVisaPartnerError(reply(409, { error: { code: 'ALREADY_DECIDED' } }))).toEqual({
      code: 'conflict',
      providerCode: 'ALREADY_DECIDED',
    });
    expect(mapVisaPartnerError(reply(422, { error: { code: 'VALIDATION_ERROR' } }))?.code).toBe(
      'invalid_request',
    );
    expect(mapVisaPartnerError(reply(503, {}))).toEqual({ providerCode: 'http_503' });
    expect(mapVisaPartnerError(reply(201, {}))).toBeUndefined();
    expect(visaReasonCode('DOC_MISSING')).toBe('missing_document');
    expect(visaReasonCode('SOMETHING_NEW')).toBe('other');
  });
});
