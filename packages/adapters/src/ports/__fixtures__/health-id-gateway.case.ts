/**
 * The conformance suite every `HealthIdGateway` adapter must pass, run by
 * each adapter's test against its fake gateway: acknowledged requests,
 * consent lifecycle (grant, revoke, expiry) through `isConsentActive`,
 * validation before any call, and the manual fallback.
 */
import type { RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { InMemoryManualTaskSink } from '../../core/manual-tasks.ts';
import { serverErrors } from '../../testing/failures.ts';
import {
  type ConsentArtefact,
  type ConsentRequestInput,
  type HealthIdGateway,
  isConsentActive,
} from '../health-id.ts';
import { rejection } from './rejection.ts';

export interface HealthIdHarness {
  name: string;
  apiUrl: string | RegExp;
  setup(): {
    gateway: HealthIdGateway;
    handlers: RequestHandler[];
    sink: InMemoryManualTaskSink;
    /** The patient grants the request; the artefact as the clinic then holds it. */
    grant(requestId: string): Promise<ConsentArtefact>;
    /** The patient revokes; the artefact after the notice. */
    revoke(artefact: ConsentArtefact): ConsentArtefact;
    /** Distinct requests the gateway recorded (token requests excluded). */
    recorded(): number;
    requests(): string[];
  };
}

const consentInput: ConsentRequestInput = {
  patientRef: 'pat_1',
  abhaAddress: 'ayesha@sbx',
  purpose: 'CAREMGT',
  hiTypes: ['Prescription', 'DiagnosticReport'],
  from: '2025-01-01T00:00:00.000Z',
  to: '2026-12-01T00:00:00.000Z',
  expiresAt: '2027-01-01T00:00:00.000Z',
};

export function describeHealthIdGatewayConformance(harness: HealthIdHarness): void {
  describe(`HealthIdGateway conformance: ${harness.name}`, () => {
    const server = setupServer();
    beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
    afterEach(() => server.resetHandlers());
    afterAll(() => server.close());
    const start = () => {
      const env = harness.setup();
      server.use(...env.handlers);
      return env;
    };

    test('consent: requested, granted, active only for its purpose, types and period, then revoked', async () => {
      const env = start();
      const ack = await env.gateway.requestConsent(consentInput);
      if (ack.status !== 'accepted') throw new Error('expected an acknowledgement');
      const artefact = await env.grant(ack.requestId);
      const during = new Date('2026-12-02T10:00:00Z');
      expect(isConsentActive(artefact, 'CAREMGT', ['Prescription'], during)).toBe(true);
      expect(
        isConsentActive(artefact, 'CAREMGT', ['Prescription', 'DiagnosticReport'], during),
      ).toBe(true);
      expect(isConsentActive(artefact, 'PUBHLTH', ['Prescription'], during)).toBe(false);
      expect(isConsentActive(artefact, 'CAREMGT', ['DischargeSummary'], during)).toBe(false);
      expect(isConsentActive(artefact, 'CAREMGT', [], during)).toBe(false);
      expect(
        isConsentActive(artefact, 'CAREMGT', ['Prescription'], new Date('2027-01-01T00:00:00Z')),
      ).toBe(false);
      const revoked = env.revoke(artefact);
      expect(isConsentActive(revoked, 'CAREMGT', ['Prescription'], during)).toBe(false);
    });

    test('linking an ABHA is acknowledged', async () => {
      const env = start();
      const ack = await env.gateway.linkAbha({
        patientRef: 'pat_1',
        abhaNumber: '91-1234-5678-9012',
        abhaAddress: 'ayesha@sbx',
        linkToken: 'link-token-1',
        careContexts: ['visit_1', 'visit_2'],
      });
      expect(ack.status).toBe('accepted');
      expect(env.recorded()).toBe(1);
    });

    test('invalid input is invalid_request before any call', async () => {
      const env = start();
      const badAbha = await rejection(
        env.gateway.linkAbha({
          patientRef: 'pat_1',
          abhaNumber: '1234',
          abhaAddress: 'ayesha@sbx',
          linkToken: 't',
          careContexts: ['visit_1'],
        }),
      );
      const badType = await rejection(
        env.gateway.requestConsent({ ...consentInput, hiTypes: ['Genome' as 'Prescription'] }),
      );
      expect([badAbha.code, badType.code]).toEqual(['invalid_request', 'invalid_request']);
      expect(env.requests()).toHaveLength(0);
    });

    test('a 5xx burst is retried as one request', async () => {
      const env = start();
      server.use(serverErrors({ method: 'post', url: harness.apiUrl, times: 2 }).handler);
      expect((await env.gateway.requestConsent(consentInput)).status).toBe('accepted');
      expect(env.recorded()).toBe(1);
    });

    test('an unavailable gateway becomes a manual task; an open circuit never calls it', async () => {
      const env = start();
      server.use(serverErrors({ method: 'post', url: harness.apiUrl, times: 1000 }).handler);
      expect((await env.gateway.requestConsent(consentInput)).status).toBe('manual');
      const before = env.requests().length;
      const open = await env.gateway.requestConsent(consentInput);
      expect(open.status).toBe('manual');
      expect(env.requests().length).toBe(before);
      expect(env.sink.tasks.at(-1)).toMatchObject({
        kind: 'health_id',
        reason: 'circuit_open',
        subjectRef: 'pat_1',
      });
      expect(JSON.stringify(env.sink.tasks)).not.toContain('ayesha@sbx');
    });
  });
}
