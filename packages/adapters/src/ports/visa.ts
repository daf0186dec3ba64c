/**
 * The `VisaService` port: a medical visa application handed to a
 * visa-processing partner (an e-visa agency, a consulate's processor) with
 * its supporting documents; its status as the partner advances it; the
 * clinic's invitation letter; and cancellation. Applications are keyed by
 * the platform's reference, so a repeated submission returns the same
 * application. Only references, dates, country codes and the documents the
 * consulate needs go; names and contact details travel inside the documents.
 */
import { z } from 'zod';
import { ReferenceSchema } from './common.ts';

const Country = z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 country code');
const Day = z.iso.date();

/**
 * Where an application stands with the partner.
 *
 * @example
 * VisaStateSchema.parse('in_review');
 */
export const VisaStateSchema = z.enum([
  'submitted',
  'in_review',
  'documents_requested',
  'granted',
  'rejected',
  'cancelled',
]);

/**
 * A visa state.
 *
 * @example
 * const state: VisaState = 'granted';
 */
export type VisaState = z.infer<typeof VisaStateSchema>;

/**
 * States the partner no longer changes.
 *
 * @example
 * if (FINAL_VISA_STATES.includes(status.state)) stopPolling();
 */
export const FINAL_VISA_STATES: readonly VisaState[] = ['granted', 'rejected', 'cancelled'];

/**
 * Why a partner rejected an application or asked for more, in the platform's
 * vocabulary (the partner's own code is kept beside it).
 *
 * @example
 * VISA_REASON_CODES.includes('missing_document'); // true
 */
export const VISA_REASON_CODES = [
  'missing_document',
  'invalid_passport',
  'insufficient_funds',
  'medical_justification',
  'travel_history',
  'security_check',
  'other',
] as const;

/**
 * One reason code.
 *
 * @example
 * const reason: VisaReasonCode = 'invalid_passport';
 */
export type VisaReasonCode = (typeof VISA_REASON_CODES)[number];

/**
 * A supporting document, base64 (at most about 5 MB each).
 *
 * @example
 * VisaDocumentSchema.parse({ kind: 'passport', contentType: 'application/pdf', data: 'JVBERi0=' });
 */
export const VisaDocumentSchema = z.strictObject({
  kind: z.enum([
    'passport',
    'photo',
    'medical_letter',
    'invitation_letter',
    'financial_proof',
    'accommodation',
    'other',
  ]),
  contentType: z.enum(['application/pdf', 'image/jpeg', 'image/png']),
  data: z.base64().max(7_000_000),
});

/**
 * An application as the partner receives it.
 *
 * @example
 * VisaApplicationSchema.parse({ applicationRef: 'visa_1', patientRef: 'pat_1', caseRef: 'case_1', destination: 'TR', nationality: 'GB', visaType: 'medical', arrivalDate: '2027-03-01', documents: [] });
 */
export const VisaApplicationSchema = z.strictObject({
  applicationRef: ReferenceSchema,
  patientRef: ReferenceSchema,
  caseRef: ReferenceSchema,
  destination: Country,
  nationality: Country,
  visaType: z.enum(['medical', 'medical_attendant']),
  arrivalDate: Day,
  departureDate: Day.optional(),
  documents: z.array(VisaDocumentSchema).max(20),
});

/**
 * Input of {@link VisaService.submit}.
 *
 * @example
 * const application: VisaApplication = { applicationRef: 'visa_1', patientRef: 'pat_1', caseRef: 'case_1', destination: 'TR', nationality: 'GB', visaType: 'medical', arrivalDate: '2027-03-01', documents };
 */
export type VisaApplication = z.infer<typeof VisaApplicationSchema>;

/**
 * The outcome of a submission: with the partner (its id and the medical
 * reference number it acknowledged), or a manual task when it was down.
 *
 * @example
 * if (result.status === 'manual') ops.notify(result.manualTaskId);
 */
export type VisaSubmitResult =
  | {
      status: 'submitted';
      providerApplicationId: string;
      medicalReference: string | null;
      state: VisaState;
    }
  | { status: 'manual'; manualTaskId: string };

/**
 * What the partner says about an application now.
 *
 * @example
 * if (status.state === 'rejected') console.log(status.reasonCodes);
 */
export interface VisaStatus {
  providerApplicationId: string;
  state: VisaState;
  reasonCodes: VisaReasonCode[];
  /** The partner's own reason codes, for operators. */
  providerReasonCodes: string[];
  /** Set once granted. */
  visaNumber: string | null;
  validUntil: string | null;
}

/**
 * An invitation letter the partner generated (PDF, base64).
 *
 * @example
 * const pdf = Buffer.from(letter.data, 'base64');
 */
export interface VisaInvitationLetter {
  letterId: string;
  contentType: 'application/pdf';
  data: string;
}

/**
 * A visa-processing partner.
 *
 * @example
 * const result = await visas.submit(application);
 * const status = result.status === 'submitted' ? await visas.status({ providerApplicationId: result.providerApplicationId }) : undefined;
 */
export interface VisaService {
  readonly provider: string;
  /** Submits an application (idempotent on `applicationRef`). */
  submit(application: VisaApplication): Promise<VisaSubmitResult>;
  status(input: { providerApplicationId: string }): Promise<VisaStatus>;
  /** The clinic's invitation letter for the consulate, generated by the partner. */
  requestInvitationLetter(input: {
    providerApplicationId: string;
    clinicRef: string;
  }): Promise<VisaInvitationLetter>;
  /** Withdraws an application the partner has not decided yet; `conflict` once decided. */
  cancel(input: { providerApplicationId: string }): Promise<VisaStatus>;
}
