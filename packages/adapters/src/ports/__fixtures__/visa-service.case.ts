/**
 * The conformance suite every `VisaService` adapter must pass, run by each
 * adapter's test against its fake partner: submission with an
 * acknowledgement, idempotent resubmission, scripted decisions with reason
 * codes, invitation letters, cancellation, validation before any call,
 * retries of a 5xx burst, and the manual task once the partner is down.
 */
import type { RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { InMemoryManualTaskSink } from '../../core/manual-tasks.ts';
import { serverErrors } from '../../testing/failures.ts';
import type { VisaApplication, VisaService } from '../visa.ts';
import { rejection } from './rejection.ts';

export interface VisaServiceHarness {
  name: string;
  apiUrl: string | RegExp;
  setup(): {
    visas: VisaService;
    handlers: RequestHandler[];
    sink: InMemoryManualTaskSink;
    /** Makes the partner grant (or refuse, with a partner reason code meaning `invalid_passport`) at the next status read. */
    decide(applicationRef: string, outcome: 'granted' | 'rejected'): void;
    /** How many applications the partner holds. */
    applicationCount(): number;
    requests(): string[];
  };
}

export function describeVisaServiceConformance(harness: VisaServiceHarness): void {
  describe(`VisaService conformance: ${harness.name}`, () => {
    const server = setupServer();
    beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
    afterEach(() => server.resetHandlers());
    afterAll(() => server.close());
    const start = () => {
      const env = harness.setup();
      server.use(...env.handlers);
      return env;
    };
    const application = (overrides: Partial<VisaApplication> = {}): VisaApplication => ({
      applicationRef: 'visa_1',
      patientRef: 'pat_1',
      caseRef: 'case_1',
      destination: 'TR',
      nationality: 'GB',
      visaType: 'medical',
      arrivalDate: '2027-03-01',
      documents: [{ kind: 'passport', contentType: 'application/pdf', data: 'JVBERi0xLjQK' }],
      ...overrides,
    });
    const submitted = async (visas: VisaService, overrides: Partial<VisaApplication> = {}) => {
      const result = await visas.submit(application(overrides));
      if (result.status !== 'submitted') throw new Error('expected a submission');
      return result;
    };

    test('a submission is acknowledged with an id and a medical reference; a repeat is the same application', async () => {
      const env = start();
      const first = await submitted(env.visas);
      expect(first.state).toBe('submitted');
      expect(first.medicalReference).toEqual(expect.any(String));
      expect(await env.visas.submit(application())).toEqual(first);
      expect(env.applicationCount()).toBe(1);
    });

    test('the partner decides: granted with a visa number, rejected with reason codes', async () => {
      const env = start();
      const granted = await submitted(env.visas);
      env.decide('visa_1', 'granted');
      const status = await env.visas.status(granted);
      expect(status).toMatchObject({ state: 'granted', reasonCodes: [] });
      expect(status.visaNumber).toEqual(expect.any(String));
      const refused = await submitted(env.visas, { applicationRef: 'visa_2' });
      env.decide('visa_2', 'rejected');
      expect(await env.visas.status(refused)).toMatchObject({
        state: 'rejected',
        reasonCodes: ['invalid_passport'],
        visaNumber: null,
      });
    });

    test('an invitation letter comes back as a PDF', async () => {
      const env = start();
      const result = await submitted(env.visas);
      const letter = await env.visas.requestInvitationLetter({
        providerApplicationId: result.providerApplicationId,
        clinicRef: 'clinic_1',
      });
      expect(letter.contentType).toBe('application/pdf');
      expect(Buffer.from(letter.data, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
    });

    test('cancellation withdraws an open application; a decided one is a conflict', async () => {
      const env = start();
      const open = await submitted(env.visas);
      expect((await env.visas.cancel(open)).state).toBe('cancelled');
      const decided = await submitted(env.visas, { applicationRef: 'visa_2' });
      env.decide('visa_2', 'granted');
      await env.visas.status(decided);
      expect((await rejection(env.visas.cancel(decided))).code).toBe('conflict');
    });

    test('unknown applications are not_found', async () => {
      const env = start();
      expect(
        (await rejection(env.visas.status({ providerApplicationId: 'va_unknown' }))).code,
      ).toBe('not_found');
    });

    test('invalid input is invalid_request before any call, naming fields, never values', async () => {
      const env = start();
      const withName = { ...application(), patientName: 'Ayşe Yılmaz' } as VisaApplication;
      const error = await rejection(env.visas.submit(withName));
      expect(error.code).toBe('invalid_request');
      expect(error.message).not.toContain('Ayşe');
      const badCountry = await rejection(env.visas.submit(application({ destination: 'Turkey' })));
      expect(badCountry.fields).toEqual(['destination']);
      expect(env.requests()).toHaveLength(0);
    });

    test('a 5xx burst is retried into one application', async () => {
      const env = start();
      server.use(serverErrors({ method: 'post', url: harness.apiUrl, times: 2 }).handler);
      expect((await env.visas.submit(application())).status).toBe('submitted');
      expect(env.applicationCount()).toBe(1);
    });

    test('a partner that stays down leaves a manual task; once the breaker is open no call is made', async () => {
      const env = start();
      server.use(serverErrors({ method: 'post', url: harness.apiUrl, times: 1000 }).handler);
      expect((await env.visas.submit(application())).status).toBe('manual');
      const before = env.requests().length;
      const again = await env.visas.submit(application({ applicationRef: 'visa_2' }));
      expect(again.status).toBe('manual');
      expect(env.requests().length).toBe(before);
      expect(env.sink.tasks.at(-1)).toMatchObject({
        kind: 'visa',
        reason: 'circuit_open',
        subjectRef: 'visa_2',
        operation: 'visa.submit',
      });
      expect(JSON.stringify(env.sink.tasks)).not.toContain('JVBERi0');
    });
  });
}
