/**
 * ClinicBridge claims as FHIR R4 financial resources, and back: the
 * `Claim` (use `claim` or `preauthorization`) with items, diagnoses and the
 * document bundle as `supportingInfo` attachments (with size and SHA-1
 * hash, as FHIR's Attachment defines them); the `CoverageEligibilityRequest`;
 * and the reading of `ClaimResponse`, `CoverageEligibilityResponse` and
 * `PaymentReconciliation`. Amounts cross as decimals in the currency's
 * exponent, never as floats computed here.
 */
import { createHash } from 'node:crypto';
import type {
  Claim,
  ClaimResponse,
  CodeableConcept,
  CoverageEligibilityRequest,
  Money as FhirMoney,
} from '@medplum/fhirtypes';
import { fromMinorUnits, toMinorUnits } from '../core/money.ts';
import type { Money } from '../ports/common.ts';
import type { ClaimSubmission, EligibilityInput, ReasonCode } from '../ports/insurance.ts';

/**
 * Identifier systems of ClinicBridge references in payer resources.
 *
 * @example
 * `${INSURANCE_SYSTEMS.claim}|clm_1` // the If-None-Exist criteria of a submission
 */
export const INSURANCE_SYSTEMS = {
  claim: 'https://clinicbridge.dev/fhir/sid/claim-id',
  eligibility: 'https://clinicbridge.dev/fhir/sid/eligibility-request-id',
  patient: 'https://clinicbridge.dev/fhir/sid/patient-id',
  payer: 'https://clinicbridge.dev/fhir/sid/payer-id',
  member: 'https://clinicbridge.dev/fhir/sid/member-id',
  provider: 'https://clinicbridge.dev/fhir/sid/provider-id',
  remittance: 'https://clinicbridge.dev/fhir/sid/remittance-id',
} as const;

const CATEGORY = 'http://terminology.hl7.org/CodeSystem/claiminformationcategory';

/**
 * Money as FHIR sends it (decimal value in the currency's exponent).
 *
 * @example
 * toFhirMoney({ amountMinor: 13557, currency: 'USD' }); // { value: 135.57, currency: 'USD' }
 */
export function toFhirMoney(money: Money): FhirMoney {
  return {
    value: Number(fromMinorUnits(money.amountMinor, money.currency)),
    currency: money.currency as NonNullable<FhirMoney['currency']>,
  };
}

/**
 * FHIR money in minor units, or undefined when absent or without a currency.
 *
 * @example
 * fromFhirMoney({ value: 135.57, currency: 'USD' }); // { amountMinor: 13557, currency: 'USD' }
 */
export function fromFhirMoney(money: FhirMoney | undefined): Money | undefined {
  if (money?.value === undefined || !money.currency) return undefined;
  return {
    amountMinor: toMinorUnits(String(money.value), money.currency),
    currency: money.currency,
  };
}

/**
 * The codes of CodeableConcepts, as reason codes.
 *
 * @example
 * reasonsOf([{ coding: [{ system: 'https://x12.org/…', code: '197' }] }]); // [{ code: '197', system: '…' }]
 */
export function reasonsOf(concepts: readonly (CodeableConcept | undefined)[]): ReasonCode[] {
  const out: ReasonCode[] = [];
  for (const concept of concepts) {
    for (const coding of concept?.coding ?? []) {
      if (coding.code)
        out.push({
          code: coding.code.slice(0, 32),
          ...(coding.system ? { system: coding.system } : {}),
        });
    }
  }
  return out.slice(0, 20);
}

const ref = (system: string, value: string) => ({ identifier: { system, value } });

/**
 * The eligibility question as a CoverageEligibilityRequest.
 *
 * @example
 * const resource = toEligibilityRequest(input, providerRef, new Date());
 */
export function toEligibilityRequest(
  input: EligibilityInput,
  providerRef: string,
  now: Date,
): CoverageEligibilityRequest {
  return {
    resourceType: 'CoverageEligibilityRequest',
    identifier: [{ system: INSURANCE_SYSTEMS.eligibility, value: input.requestRef }],
    status: 'active',
    purpose: ['validation'],
    patient: ref(INSURANCE_SYSTEMS.patient, input.patientRef),
    servicedDate: input.serviceDate,
    created: now.toISOString(),
    provider: ref(INSURANCE_SYSTEMS.provider, providerRef),
    insurer: ref(INSURANCE_SYSTEMS.payer, input.member.payerRef),
    insurance: [{ focal: true, coverage: ref(INSURANCE_SYSTEMS.member, input.member.memberId) }],
  };
}

/**
 * A claim (or pre-authorisation request) as a FHIR Claim.
 *
 * @example
 * const resource = toClaimResource(submission, 'claim', providerRef, new Date());
 */
export function toClaimResource(
  claim: ClaimSubmission,
  use: 'claim' | 'preauthorization',
  providerRef: string,
  now: Date,
): Claim {
  const currency = claim.items[0]?.unitPrice.currency ?? 'USD';
  const net = claim.items.map((item) => item.quantity * item.unitPrice.amountMinor);
  return {
    resourceType: 'Claim',
    identifier: [
      {
        system: INSURANCE_SYSTEMS.claim,
        value: use === 'claim' ? claim.claimRef : `${claim.claimRef}-preauth`,
      },
    ],
    status: 'active',
    type: {
      coding: [
        { system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'institutional' },
      ],
    },
    use,
    patient: ref(INSURANCE_SYSTEMS.patient, claim.patientRef),
    created: now.toISOString(),
    insurer: ref(INSURANCE_SYSTEMS.payer, claim.member.payerRef),
    provider: ref(INSURANCE_SYSTEMS.provider, providerRef),
    priority: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/processpriority', code: 'normal' }],
    },
    insurance: [
      {
        sequence: 1,
        focal: true,
        coverage: ref(INSURANCE_SYSTEMS.member, claim.member.memberId),
        ...(claim.preAuthorizationRef ? { preAuthRef: [claim.preAuthorizationRef] } : {}),
      },
    ],
    ...(claim.diagnoses.length > 0
      ? {
          diagnosis: claim.diagnoses.map((coding, i) => ({
            sequence: i + 1,
            diagnosisCodeableConcept: { coding: [coding] },
          })),
        }
      : {}),
    ...(claim.documents.length > 0
      ? {
          supportingInfo: claim.documents.map((document, i) => {
            const bytes = Buffer.from(document.data, 'base64');
            return {
              sequence: i + 1,
              category: { coding: [{ system: CATEGORY, code: 'attachment' }], text: document.kind },
              valueAttachment: {
                contentType: document.contentType,
                title: document.title,
                data: document.data,
                size: bytes.byteLength,
                hash: createHash('sha1').update(bytes).digest('base64'),
              },
            };
          }),
        }
      : {}),
    item: claim.items.map((item, i) => ({
      sequence: i + 1,
      productOrService: { coding: [item.service] },
      quantity: { value: item.quantity },
      unitPrice: toFhirMoney(item.unitPrice),
      net: toFhirMoney({ amountMinor: net[i] ?? 0, currency }),
    })),
    total: toFhirMoney({ amountMinor: net.reduce((a, b) => a + b, 0), currency }),
  };
}

/**
 * The amount a ClaimResponse grants (its `benefit` total).
 *
 * @example
 * benefitOf(response); // { amountMinor: 200000, currency: 'EUR' }
 */
export function benefitOf(response: ClaimResponse): Money | undefined {
  const total = response.total?.find((t) => t.category.coding?.some((c) => c.code === 'benefit'));
  return fromFhirMoney(total?.amount);
}

/**
 * Whether a ClaimResponse denies: complete with errors, or disposition and no benefit.
 *
 * @example
 * if (isDenied(response)) showReasons(reasonsOf(response.error?.map((e) => e.code) ?? []));
 */
export function isDenied(response: ClaimResponse): boolean {
  return (
    response.outcome === 'error' ||
    (response.error?.length ?? 0) > 0 ||
    (response.outcome === 'complete' && benefitOf(response) === undefined)
  );
}
