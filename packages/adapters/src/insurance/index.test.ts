/** The FHIR insurance gateway against the fake TPA: conformance and the claim's FHIR shape. */
import type { Claim } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { describeInsuranceGatewayConformance } from '../ports/__fixtures__/insurance-gateway.case.ts';
import { FakeTpa } from '../testing/tpa.ts';
import { createFhirInsuranceGateway, toClaimResource } from './index.ts';

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 2 }, breaker: { consecutiveFailures: 50 } };

describeInsuranceGatewayConformance({
  name: 'fhir insurance (fake TPA)',
  setup() {
    const tpa = new FakeTpa({ clients: { clinic: { secret: 'tpa-secret' } } });
    const gateway = createFhirInsuranceGateway({
      baseUrl: tpa.baseUrl,
      providerRef: 'clinic_42',
      auth: {
        kind: 'client_credentials',
        tokenUrl: tpa.fhir.tokenUrl,
        clientId: 'clinic',
        clientSecret: 'tpa-secret',
      },
      policies: fast,
    });
    return {
      gateway,
      handlers: tpa.handlers(),
      enrol: (memberId, active) => tpa.enrol(memberId, active),
      deny: (claimRef, reasons) => tpa.decide(claimRef, { kind: 'deny', reasons }),
      queue: (claimRef) => tpa.decide(claimRef, { kind: 'queue' }),
      settle: (claimRef) => tpa.settle(claimRef),
      claimCount: (claimRef) => tpa.claimCount(claimRef),
      documents: (claimRef) =>
        (tpa.claim(claimRef)?.supportingInfo ?? []).map((info) => ({
          title: info.valueAttachment?.title ?? '',
          size: info.valueAttachment?.size ?? 0,
          hash: info.valueAttachment?.hash ?? '',
        })),
      outage: (kind, times) => tpa.outage(kind, times),
      requests: () => tpa.fhir.requests.length,
    };
  },
});

describe('insurance specifics', () => {
  test('a claim is an R4 institutional Claim with decimal money in its currency exponent', () => {
    const claim: Claim = toClaimResource(
      {
        claimRef: 'clm_1',
        member: { payerRef: 'payer_1', memberId: 'M-1' },
        patientRef: 'pat_1',
        diagnoses: [],
        items: [
          {
            service: { system: 'https://c.example/s', code: 'A' },
            quantity: 3,
            unitPrice: { amountMinor: 1_005, currency: 'JPY' },
          },
        ],
        documents: [],
      },
      'claim',
      'clinic_1',
      new Date('2026-12-01T00:00:00Z'),
    );
    expect(claim).toMatchObject({
      use: 'claim',
      identifier: [{ value: 'clm_1' }],
      item: [
        { unitPrice: { value: 1005, currency: 'JPY' }, net: { value: 3015, currency: 'JPY' } },
      ],
      total: { value: 3015, currency: 'JPY' },
    });
  });
});
