/**
 * @clinicbridge/adapters/insurance — the `InsuranceGateway` port over a
 * payer's or TPA's FHIR R4 financial API (as national exchanges and Da
 * Vinci-style payer APIs expose it): eligibility is a
 * `CoverageEligibilityRequest` answered by a `CoverageEligibilityResponse`;
 * pre-authorisation and claims are `Claim`s (use `preauthorization` /
 * `claim`) answered by `ClaimResponse`s; a payment is a
 * `PaymentReconciliation` (the remittance advice). Submissions are
 * conditional creates on the claim's ClinicBridge id, so a retry or a
 * repeat never files a second claim; a resubmission is an update guarded by
 * `If-Match` on the version last submitted.
 */
import type {
  Claim,
  ClaimResponse,
  CoverageEligibilityResponse,
  PaymentReconciliation,
} from '@medplum/fhirtypes';
import { ProviderError } from '../core/errors.ts';
import { createFhirClient, type FhirClientOptions } from '../fhir/client.ts';
import type { FhirClient } from '../ports/fhir.ts';
import {
  ClaimSubmissionSchema,
  EligibilityInputSchema,
  type InsuranceGateway,
} from '../ports/insurance.ts';
import { parseInput } from '../ports/validate.ts';
import {
  benefitOf,
  fromFhirMoney,
  INSURANCE_SYSTEMS,
  isDenied,
  reasonsOf,
  toClaimResource,
  toEligibilityRequest,
} from './resources.ts';

export { INSURANCE_SYSTEMS, toClaimResource, toFhirMoney } from './resources.ts';

/**
 * Settings of {@link createFhirInsuranceGateway}: the payer's FHIR server
 * and how the clinic identifies itself to it.
 *
 * @example
 * const options: FhirInsuranceOptions = { baseUrl: 'https://tpa.example/fhir', providerRef: 'clinic_42', auth };
 */
export interface FhirInsuranceOptions extends FhirClientOptions {
  /** The clinic's id at the payer (its provider or hospital id). */
  providerRef: string;
  /** Clock of `created` stamps. */
  clock?: () => Date;
}

const PROVIDER = 'insurance';

/**
 * Creates the gateway.
 *
 * @example
 * const tpa = createFhirInsuranceGateway({ baseUrl: process.env.TPA_FHIR_URL!, providerRef: 'clinic_42', auth: { kind: 'client_credentials', tokenUrl, clientId, clientSecret } });
 * const { status } = await tpa.checkEligibility({ requestRef: 'clm_1', member: { payerRef: 'star', memberId: 'M-1' }, patientRef: 'pat_1', serviceDate: '2026-12-10' });
 */
export function createFhirInsuranceGateway(options: FhirInsuranceOptions): InsuranceGateway {
  const { providerRef, clock = () => new Date(), ...clientOptions } = options;
  const fhir: FhirClient = createFhirClient({ provider: PROVIDER, ...clientOptions });
  const fail = (operation: string, message: string, code: 'not_found' | 'provider_unavailable') =>
    new ProviderError({ code, provider: fhir.provider, operation, message });

  async function latestResponse(claimId: string): Promise<ClaimResponse | undefined> {
    const { resources } = await fhir.search(
      'ClaimResponse',
      { request: `Claim/${claimId}`, _sort: '-_lastUpdated', _count: 1 },
      { maxPages: 1 },
    );
    return resources[0];
  }

  return {
    provider: fhir.provider,

    async checkEligibility(raw) {
      const input = parseInput(EligibilityInputSchema, raw, fhir.provider, 'insurance.eligibility');
      const { resource } = await fhir.create(toEligibilityRequest(input, providerRef, clock()), {
        ifNoneExist: { identifier: `${INSURANCE_SYSTEMS.eligibility}|${input.requestRef}` },
      });
      const { resources } = await fhir.search(
        'CoverageEligibilityResponse',
        { request: `CoverageEligibilityRequest/${resource.id}` },
        { maxPages: 1 },
      );
      const answer = resources.at(-1) as CoverageEligibilityResponse | undefined;
      if (!answer || answer.outcome === 'queued') return { status: 'pending', reasons: [] };
      const inforce = answer.insurance?.some((i) => i.inforce === true) ?? false;
      const errors = reasonsOf((answer.error ?? []).map((e) => e.code));
      return inforce && errors.length === 0 && answer.outcome !== 'error'
        ? { status: 'eligible', reasons: [] }
        : { status: 'ineligible', reasons: errors };
    },

    async requestPreAuthorization(raw) {
      const claim = parseInput(ClaimSubmissionSchema, raw, fhir.provider, 'insurance.preauthorize');
      const { resource } = await fhir.create(
        toClaimResource(claim, 'preauthorization', providerRef, clock()),
        {
          ifNoneExist: { identifier: `${INSURANCE_SYSTEMS.claim}|${claim.claimRef}-preauth` },
        },
      );
      const response = await latestResponse(resource.id ?? '');
      if (!response || response.outcome === 'queued') return { status: 'pending', reasons: [] };
      if (isDenied(response)) {
        return { status: 'denied', reasons: reasonsOf((response.error ?? []).map((e) => e.code)) };
      }
      return {
        status: 'approved',
        ...(response.preAuthRef ? { authorizationRef: response.preAuthRef } : {}),
        approved: benefitOf(response),
        reasons: [],
      };
    },

    async submitClaim(raw) {
      const claim = parseInput(ClaimSubmissionSchema, raw, fhir.provider, 'insurance.submit');
      const { resource } = await fhir.create(
        toClaimResource(claim, 'claim', providerRef, clock()),
        {
          ifNoneExist: { identifier: `${INSURANCE_SYSTEMS.claim}|${claim.claimRef}` },
        },
      );
      return { providerClaimId: resource.id ?? '', version: resource.meta?.versionId ?? '1' };
    },

    async getClaimStatus({ providerClaimId }) {
      const claim = await fhir.read('Claim', providerClaimId);
      const version = claim.meta?.versionId ?? '1';
      const response = await latestResponse(providerClaimId);
      const about = response?.request?.reference?.match(/\/_history\/([^/]+)$/)?.[1];
      // An answer to an earlier version (before a resubmission) says nothing about this one.
      if (
        !response ||
        response.outcome === 'queued' ||
        (about !== undefined && about !== version)
      ) {
        return { status: 'pending', version, reasons: [] };
      }
      const reasons = reasonsOf([
        ...(response.error ?? []).map((e) => e.code),
        ...(response.item ?? []).flatMap((i) => i.adjudication.map((a) => a.reason)),
      ]);
      if (isDenied(response)) return { status: 'denied', version, reasons };
      const approved = benefitOf(response);
      const paid = fromFhirMoney(response.payment?.amount);
      if (paid) {
        return {
          status: 'settled',
          version,
          approved,
          paid,
          reasons,
          remittanceRef: response.payment?.identifier?.value,
        };
      }
      return { status: 'approved', version, approved, reasons };
    },

    async resubmitClaim({ providerClaimId, version, claim: raw }) {
      const claim = parseInput(ClaimSubmissionSchema, raw, fhir.provider, 'insurance.resubmit');
      const current = await fhir.read('Claim', providerClaimId);
      const wanted = current.identifier?.find((i) => i.system === INSURANCE_SYSTEMS.claim)?.value;
      if (wanted !== claim.claimRef) {
        throw fail(
          'insurance.resubmit',
          'The payer holds another claim under this id.',
          'not_found',
        );
      }
      const next: Claim & { id: string } = {
        ...toClaimResource(claim, 'claim', providerRef, clock()),
        id: providerClaimId,
      };
      const updated = await fhir.update(next, { ifMatch: version });
      return { providerClaimId, version: updated.meta?.versionId ?? version };
    },

    async getRemittanceAdvice({ remittanceRef }) {
      const { resources } = await fhir.search(
        'PaymentReconciliation',
        { identifier: `${INSURANCE_SYSTEMS.remittance}|${remittanceRef}` },
        { maxPages: 1 },
      );
      const advice = resources[0] as PaymentReconciliation | undefined;
      const total = fromFhirMoney(advice?.paymentAmount);
      if (!advice || !total) {
        throw fail('insurance.remittance', 'The payer has no such remittance advice.', 'not_found');
      }
      return {
        remittanceRef,
        paidAt: advice.paymentDate,
        total,
        lines: (advice.detail ?? []).flatMap((detail) => {
          const paid = fromFhirMoney(detail.amount);
          const providerClaimId = detail.request?.reference?.match(/^Claim\/([^/]+)/)?.[1];
          if (!paid || !providerClaimId) return [];
          return [{ claimRef: detail.identifier?.value, providerClaimId, paid }];
        }),
      };
    },
  };
}
