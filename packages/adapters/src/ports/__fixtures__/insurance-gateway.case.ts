/**
 * The conformance suite every `InsuranceGateway` must pass against its fake
 * payer: eligibility (in force, lapsed, unknown), pre-authorisation, one
 * claim per claim id however often it is submitted, the document bundle
 * delivered intact, the lifecycle submit → denied (reason codes) →
 * resubmit → approved → settled with its remittance advice, stale
 * resubmissions refused, transient outages retried, invalid input refused
 * before any call.
 */
import type { RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { InjectedFailure } from '../../testing/failures.ts';
import type { ClaimSubmission, InsuranceGateway } from '../insurance.ts';
import { rejection } from './rejection.ts';

export interface InsuranceHarness {
  name: string;
  setup(): {
    gateway: InsuranceGateway;
    handlers: RequestHandler[];
    enrol(memberId: string, active?: boolean): void;
    deny(claimRef: string, reasons: string[]): void;
    queue(claimRef: string): void;
    settle(claimRef: string): string;
    claimCount(claimRef: string): number;
    /** The supporting documents the payer holds for a claim: title, size and SHA-1 (base64). */
    documents(claimRef: string): { title: string; size: number; hash: string }[];
    outage(kind: 'eligibility' | 'submit' | 'status', times: number): InjectedFailure;
    requests(): number;
  };
}

const PDF = Buffer.from('%PDF-1.4 itemised invoice inv_1').toString('base64');

export function describeInsuranceGatewayConformance(harness: InsuranceHarness): void {
  describe(`InsuranceGateway conformance: ${harness.name}`, () => {
    const server = setupServer();
    beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
    afterEach(() => server.resetHandlers());
    afterAll(() => server.close());
    const start = () => {
      const env = harness.setup();
      server.use(...env.handlers);
      env.enrol('M-100');
      return env;
    };
    const claim = (
      claimRef: string,
      overrides: Partial<ClaimSubmission> = {},
    ): ClaimSubmission => ({
      claimRef,
      member: { payerRef: 'payer_star', memberId: 'M-100' },
      patientRef: 'pat_1',
      diagnoses: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'K08.1' }],
      items: [
        {
          service: { system: 'https://clinic.example/services', code: 'IMPLANT' },
          quantity: 2,
          unitPrice: { amountMinor: 100_050, currency: 'EUR' },
        },
        {
          service: { system: 'https://clinic.example/services', code: 'XRAY' },
          quantity: 1,
          unitPrice: { amountMinor: 333, currency: 'EUR' },
        },
      ],
      documents: [
        { kind: 'invoice', contentType: 'application/pdf', title: 'inv_1.pdf', data: PDF },
      ],
      ...overrides,
    });

    test('eligibility: in force, lapsed and unknown members, one request per reference', async () => {
      const env = start();
      env.enrol('M-lapsed', false);
      const ask = (memberId: string, requestRef = `clm_${memberId}`) =>
        env.gateway.checkEligibility({
          requestRef,
          member: { payerRef: 'payer_star', memberId },
          patientRef: 'pat_1',
          serviceDate: '2026-12-10',
        });
      expect(await ask('M-100')).toEqual({ status: 'eligible', reasons: [] });
      expect(await ask('M-100')).toEqual({ status: 'eligible', reasons: [] });
      expect((await ask('M-lapsed')).reasons.map((r) => r.code)).toEqual(['27']);
      expect(await ask('M-nobody')).toMatchObject({
        status: 'ineligible',
        reasons: [{ code: '31' }],
      });
    });

    test('pre-authorisation approves with a reference and the granted amount', async () => {
      const env = start();
      const result = await env.gateway.requestPreAuthorization(claim('clm_pre'));
      expect(result.status).toBe('approved');
      expect(result.authorizationRef).toMatch(/\S/);
      expect(result.approved).toEqual({ amountMinor: 200_433, currency: 'EUR' });
    });

    test('a claim is filed once per claim id, with its document bundle intact', async () => {
      const env = start();
      const first = await env.gateway.submitClaim(claim('clm_once'));
      const again = await env.gateway.submitClaim(claim('clm_once'));
      expect(again).toEqual(first);
      expect(env.claimCount('clm_once')).toBe(1);
      const bytes = Buffer.from(PDF, 'base64');
      const { createHash } = await import('node:crypto');
      expect(env.documents('clm_once')).toEqual([
        {
          title: 'inv_1.pdf',
          size: bytes.byteLength,
          hash: createHash('sha1').update(bytes).digest('base64'),
        },
      ]);
    });

    test('submit → denied with reasons → resubmit → approved → settled, with remittance advice', async () => {
      const env = start();
      env.deny('clm_life', ['16', '197']);
      const submitted = await env.gateway.submitClaim(claim('clm_life'));
      const denied = await env.gateway.getClaimStatus(submitted);
      expect(denied).toMatchObject({ status: 'denied', version: submitted.version });
      expect(denied.reasons.map((r) => r.code)).toEqual(['16', '197']);

      const fixed = claim('clm_life', { preAuthorizationRef: 'PA-7' });
      const resubmitted = await env.gateway.resubmitClaim({ ...submitted, claim: fixed });
      expect(resubmitted.providerClaimId).toBe(submitted.providerClaimId);
      expect(resubmitted.version).not.toBe(submitted.version);
      expect(await env.gateway.getClaimStatus(resubmitted)).toMatchObject({
        status: 'approved',
        approved: { amountMinor: 200_433, currency: 'EUR' },
      });
      const stale = await rejection(env.gateway.resubmitClaim({ ...submitted, claim: fixed }));
      expect(stale.code).toBe('conflict');

      const remittanceRef = env.settle('clm_life');
      const settled = await env.gateway.getClaimStatus(resubmitted);
      expect(settled).toMatchObject({
        status: 'settled',
        paid: { amountMinor: 200_433, currency: 'EUR' },
        remittanceRef,
      });
      const advice = await env.gateway.getRemittanceAdvice({ remittanceRef });
      expect(advice.total).toEqual({ amountMinor: 200_433, currency: 'EUR' });
      expect(advice.lines).toEqual([
        {
          claimRef: 'clm_life',
          providerClaimId: submitted.providerClaimId,
          paid: { amountMinor: 200_433, currency: 'EUR' },
        },
      ]);
      expect(env.claimCount('clm_life')).toBe(1);
    });

    test('a queued adjudication is pending', async () => {
      const env = start();
      env.queue('clm_slow');
      const submitted = await env.gateway.submitClaim(claim('clm_slow'));
      expect((await env.gateway.getClaimStatus(submitted)).status).toBe('pending');
    });

    test('outages are retried: a submission is still filed once, a status read still answers', async () => {
      const env = start();
      server.use(env.outage('submit', 2).handler);
      const submitted = await env.gateway.submitClaim(claim('clm_flaky'));
      expect(env.claimCount('clm_flaky')).toBe(1);
      server.use(env.outage('status', 2).handler);
      expect((await env.gateway.getClaimStatus(submitted)).status).toBe('approved');
      server.use(env.outage('eligibility', 1).handler);
      const eligible = await env.gateway.checkEligibility({
        requestRef: 'clm_flaky',
        member: { payerRef: 'payer_star', memberId: 'M-100' },
        patientRef: 'pat_1',
        serviceDate: '2026-12-10',
      });
      expect(eligible.status).toBe('eligible');
    });

    test('invalid input is refused before any call', async () => {
      const env = start();
      const before = env.requests();
      const withName = { ...claim('clm_bad'), patientName: 'Ayşe Yılmaz' } as ClaimSubmission;
      expect((await rejection(env.gateway.submitClaim(withName))).code).toBe('invalid_request');
      const mixed = claim('clm_bad');
      const [first] = mixed.items;
      if (first) first.unitPrice = { amountMinor: 1, currency: 'USD' };
      expect((await rejection(env.gateway.submitClaim(mixed))).fields).toContain('items');
      expect(env.requests()).toBe(before);
    });
  });
}
