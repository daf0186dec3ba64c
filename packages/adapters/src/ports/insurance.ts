/**
 * The `InsuranceGateway` port: what a clinic does with an insurer or a TPA
 * (third-party administrator) — check a member's eligibility, ask for
 * pre-authorisation, submit a claim with its document bundle, follow its
 * adjudication (approved, denied with reason codes, settled), resubmit a
 * denied claim, and read the remittance advice of a payment. Input carries
 * opaque references, codes and amounts; documents go to the payer (they
 * must), never into logs or manual tasks.
 */
import { z } from 'zod';
import { MoneySchema, ReferenceSchema } from './common.ts';

const Code = z.string().regex(/^[A-Za-z0-9.\-_]{1,32}$/, 'code');

/**
 * A coded value: a code and the system it comes from (ICD-10, CPT, a payer's catalogue).
 *
 * @example
 * CodingSchema.parse({ system: 'http://hl7.org/fhir/sid/icd-10', code: 'K02.1' });
 */
export const CodingSchema = z.strictObject({ system: z.url().max(200), code: Code });

/**
 * A member of a payer's plan.
 *
 * @example
 * MemberSchema.parse({ payerRef: 'payer_star', memberId: 'M-100-22' });
 */
export const MemberSchema = z.strictObject({
  payerRef: ReferenceSchema,
  memberId: z.string().regex(/^[A-Za-z0-9\-_/.]{1,64}$/, 'member id'),
});

/**
 * One billed line of a claim.
 *
 * @example
 * ClaimItemSchema.parse({ service: { system: 'https://clinic.example/services', code: 'IMPLANT' }, quantity: 1, unitPrice: { amountMinor: 250000, currency: 'EUR' } });
 */
export const ClaimItemSchema = z.strictObject({
  service: CodingSchema,
  quantity: z.number().int().min(1).max(10_000),
  unitPrice: MoneySchema,
});

/**
 * A supporting document of a claim (invoice, discharge summary, report), bytes in base64.
 *
 * @example
 * ClaimDocumentSchema.parse({ kind: 'invoice', contentType: 'application/pdf', title: 'inv_1.pdf', data: 'JVBERi0…' });
 */
export const ClaimDocumentSchema = z.strictObject({
  kind: z.enum([
    'invoice',
    'discharge_summary',
    'prescription',
    'lab_report',
    'imaging_report',
    'other',
  ]),
  contentType: z
    .string()
    .regex(/^[a-z]+\/[a-z0-9.+-]+$/i)
    .max(100),
  title: z.string().min(1).max(200),
  data: z.base64().max(2_800_000),
});

/**
 * Eligibility question: is this member covered for care on this date?
 *
 * @example
 * EligibilityInputSchema.parse({ requestRef: 'clm_1', member, patientRef: 'pat_1', serviceDate: '2026-12-10' });
 */
export const EligibilityInputSchema = z.strictObject({
  /** Our reference of the question (the claim it is for); repeats answer from the first. */
  requestRef: ReferenceSchema,
  member: MemberSchema,
  patientRef: ReferenceSchema,
  serviceDate: z.iso.date(),
});

/**
 * A claim, or a pre-authorisation request, as submitted.
 *
 * @example
 * ClaimSubmissionSchema.parse({ claimRef: 'clm_1', member, patientRef: 'pat_1', diagnoses: [], items: [item], documents: [] });
 */
export const ClaimSubmissionSchema = z
  .strictObject({
    claimRef: ReferenceSchema,
    member: MemberSchema,
    patientRef: ReferenceSchema,
    /** Reference the payer gave at pre-authorisation, when there was one. */
    preAuthorizationRef: z.string().min(1).max(64).optional(),
    diagnoses: z.array(CodingSchema).max(25),
    items: z.array(ClaimItemSchema).min(1).max(200),
    documents: z.array(ClaimDocumentSchema).max(20),
  })
  .refine((c) => new Set(c.items.map((i) => i.unitPrice.currency)).size === 1, {
    message: 'every item must be priced in one currency',
    path: ['items'],
  });

/**
 * A reason the payer gave for denying or reducing (e.g. X12 CARC `197`, `CO-16`).
 *
 * @example
 * const reason: ReasonCode = { code: '197', system: 'https://x12.org/codes/claim-adjustment-reason-codes' };
 */
export interface ReasonCode {
  code: string;
  system?: string | undefined;
}

/**
 * Eligibility answer.
 *
 * @example
 * if (result.status === 'ineligible') fallBackToSelfPay(result.reasons);
 */
export interface EligibilityResult {
  status: 'eligible' | 'ineligible' | 'pending';
  reasons: ReasonCode[];
}

/**
 * Pre-authorisation answer.
 *
 * @example
 * if (result.status === 'approved') claim.preAuthorizationRef = result.authorizationRef;
 */
export interface PreAuthorizationResult {
  status: 'approved' | 'denied' | 'pending';
  authorizationRef?: string | undefined;
  approved?: z.infer<typeof MoneySchema> | undefined;
  reasons: ReasonCode[];
}

/**
 * A submitted claim at the payer: its id there and the version submitted.
 *
 * @example
 * const { providerClaimId, version } = await gateway.submitClaim(claim);
 */
export interface SubmittedClaim {
  providerClaimId: string;
  version: string;
}

/**
 * Where a claim stands at the payer.
 *
 * @example
 * switch (status.status) { case 'denied': showReasons(status.reasons); break; }
 */
export interface ClaimStatus {
  status: 'pending' | 'approved' | 'denied' | 'settled';
  /** The version of the claim this status is about. */
  version: string;
  approved?: z.infer<typeof MoneySchema> | undefined;
  paid?: z.infer<typeof MoneySchema> | undefined;
  reasons: ReasonCode[];
  /** The remittance advice that paid the claim, when settled. */
  remittanceRef?: string | undefined;
}

/**
 * One claim paid by a remittance.
 *
 * @example
 * const line: RemittanceLine = { claimRef: 'clm_1', providerClaimId: '17', paid: { amountMinor: 200000, currency: 'EUR' } };
 */
export interface RemittanceLine {
  claimRef: string | undefined;
  providerClaimId: string;
  paid: z.infer<typeof MoneySchema>;
}

/**
 * A payer's remittance advice: one payment and the claims it settles.
 *
 * @example
 * const advice = await gateway.getRemittanceAdvice({ remittanceRef: 'RA-2026-0042' });
 */
export interface RemittanceAdvice {
  remittanceRef: string;
  paidAt: string;
  total: z.infer<typeof MoneySchema>;
  lines: RemittanceLine[];
}

/** @example const input: EligibilityInput = { requestRef: 'clm_1', member, patientRef: 'pat_1', serviceDate: '2026-12-10' }; */
export type EligibilityInput = z.infer<typeof EligibilityInputSchema>;
/** @example const claim: ClaimSubmission = { claimRef: 'clm_1', member, patientRef: 'pat_1', diagnoses: [], items, documents: [] }; */
export type ClaimSubmission = z.infer<typeof ClaimSubmissionSchema>;
/** @example const document: ClaimDocument = { kind: 'invoice', contentType: 'application/pdf', title: 'inv.pdf', data }; */
export type ClaimDocument = z.infer<typeof ClaimDocumentSchema>;
/** @example const member: Member = { payerRef: 'payer_star', memberId: 'M-1' }; */
export type Member = z.infer<typeof MemberSchema>;

/**
 * An insurer or TPA.
 *
 * @example
 * const eligibility = await gateway.checkEligibility({ requestRef: 'clm_1', member, patientRef: 'pat_1', serviceDate: '2026-12-10' });
 * if (eligibility.status === 'eligible') await gateway.submitClaim(claim);
 */
export interface InsuranceGateway {
  readonly provider: string;
  checkEligibility(input: EligibilityInput): Promise<EligibilityResult>;
  requestPreAuthorization(input: ClaimSubmission): Promise<PreAuthorizationResult>;
  /** Submits once per `claimRef`: a repeat answers the first submission. */
  submitClaim(input: ClaimSubmission): Promise<SubmittedClaim>;
  getClaimStatus(input: { providerClaimId: string }): Promise<ClaimStatus>;
  /** Replaces a denied claim's content, based on the version last submitted (412 → `conflict`). */
  resubmitClaim(input: {
    providerClaimId: string;
    version: string;
    claim: ClaimSubmission;
  }): Promise<SubmittedClaim>;
  getRemittanceAdvice(input: { remittanceRef: string }): Promise<RemittanceAdvice>;
}
