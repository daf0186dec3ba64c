/**
 * @clinicbridge/adapters/visa — `VisaService` on a generic visa-processing
 * partner REST API (bearer API key; `POST /v1/applications` with an
 * `Idempotency-Key`, `GET /v1/applications/{id}`, invitation letters and
 * withdrawal). Runs on the resilience core: timeouts, retries with backoff
 * on transient failures only (writes keep their idempotency key across
 * retries), a circuit breaker, errors mapped to the internal codes. A
 * submission the partner cannot take (down, breaker open) becomes a manual
 * task of kind `visa`, so the patient's application is never lost.
 */
import { z } from 'zod';
import { type AdapterOptions, pickAdapterOptions, segment } from '../core/adapter-options.ts';
import { bearerAuth } from '../core/auth.ts';
import { createProviderClient } from '../core/client.ts';
import { type ManualTaskSink, withManualFallback } from '../core/manual-tasks.ts';
import { parseInput } from '../ports/validate.ts';
import {
  type VisaApplication,
  VisaApplicationSchema,
  type VisaService,
  type VisaState,
  type VisaStatus,
  type VisaSubmitResult,
} from '../ports/visa.ts';
import { mapVisaPartnerError, visaReasonCode } from './errors.ts';

export { mapVisaPartnerError, visaReasonCode } from './errors.ts';

/**
 * Visa partner settings.
 *
 * @example
 * const options: VisaPartnerOptions = { apiKey: process.env.VISA_API_KEY!, baseUrl: 'https://api.visa-partner.example', sink };
 */
export interface VisaPartnerOptions extends AdapterOptions {
  apiKey: string;
  /** Where unsubmittable applications go. */
  sink: ManualTaskSink;
  /** Label in metrics, errors and manual tasks. Default `visa-partner`. */
  provider?: string;
}

const PARTNER_STATES: Record<string, VisaState> = {
  RECEIVED: 'submitted',
  PROCESSING: 'in_review',
  ADDITIONAL_DOCUMENTS: 'documents_requested',
  APPROVED: 'granted',
  REFUSED: 'rejected',
  WITHDRAWN: 'cancelled',
};

const PartnerApplication = z.object({
  id: z.string().min(1),
  status: z.string(),
  medical_reference: z.string().nullable().optional(),
  refusal_codes: z.array(z.string()).optional(),
  visa: z.object({ number: z.string(), valid_until: z.string() }).nullable().optional(),
});

const PartnerLetter = z.object({
  id: z.string().min(1),
  content_type: z.literal('application/pdf'),
  content_base64: z.string(),
});

type PartnerApplicationBody = z.infer<typeof PartnerApplication>;

function toState(status: string): VisaState {
  // An unknown partner status is still in the partner's hands.
  return PARTNER_STATES[status] ?? 'in_review';
}

function toStatus(body: PartnerApplicationBody): VisaStatus {
  const providerReasonCodes = body.refusal_codes ?? [];
  return {
    providerApplicationId: body.id,
    state: toState(body.status),
    reasonCodes: [...new Set(providerReasonCodes.map(visaReasonCode))],
    providerReasonCodes,
    visaNumber: body.visa?.number ?? null,
    validUntil: body.visa?.valid_until ?? null,
  };
}

function wireApplication(application: VisaApplication) {
  return {
    reference: application.applicationRef,
    applicant_reference: application.patientRef,
    case_reference: application.caseRef,
    destination_country: application.destination,
    nationality: application.nationality,
    visa_category: application.visaType === 'medical' ? 'MEDICAL' : 'MEDICAL_ATTENDANT',
    arrival_date: application.arrivalDate,
    ...(application.departureDate ? { departure_date: application.departureDate } : {}),
    documents: application.documents.map((d) => ({
      type: d.kind.toUpperCase(),
      mime_type: d.contentType,
      content_base64: d.data,
    })),
  };
}

/**
 * Creates the visa partner adapter.
 *
 * @example
 * const visas = createVisaPartnerService({ apiKey, sink });
 * const result = await visas.submit({ applicationRef: 'visa_1', patientRef: 'pat_1', caseRef: 'case_1', destination: 'TR', nationality: 'GB', visaType: 'medical', arrivalDate: '2027-03-01', documents: [] });
 */
export function createVisaPartnerService(options: VisaPartnerOptions): VisaService {
  const provider = options.provider ?? 'visa-partner';
  const client = createProviderClient({
    provider,
    baseUrl: options.baseUrl ?? 'https://api.visa-partner.example',
    auth: bearerAuth(options.apiKey),
    idempotencyHeader: 'Idempotency-Key',
    mapError: mapVisaPartnerError,
    ...pickAdapterOptions(options),
  });
  const application = (id: string) => `/v1/applications/${segment(id)}`;
  const idOf = (input: { providerApplicationId: string }, operation: string) =>
    parseInput(
      z.object({ providerApplicationId: z.string().min(1).max(128) }),
      input,
      provider,
      operation,
    ).providerApplicationId;

  return {
    provider,
    async submit(raw) {
      const input = parseInput(VisaApplicationSchema, raw, provider, 'visa.submit');
      return withManualFallback(
        {
          sink: options.sink,
          task: {
            kind: 'visa',
            provider,
            operation: 'visa.submit',
            subjectRef: input.applicationRef,
            summary: `Submit ${input.visaType} visa application ${input.applicationRef} (${input.nationality} → ${input.destination}, arriving ${input.arrivalDate}) by hand.`,
            details: { caseRef: input.caseRef, documents: input.documents.length },
          },
        },
        async (): Promise<VisaSubmitResult> => {
          const body = await client.json({
            operation: 'visa.submit',
            method: 'post',
            path: '/v1/applications',
            json: wireApplication(input),
            idempotencyKey: `visa:${input.applicationRef}`,
            schema: PartnerApplication,
          });
          return {
            status: 'submitted',
            providerApplicationId: body.id,
            medicalReference: body.medical_reference ?? null,
            state: toState(body.status),
          };
        },
        (task) => ({ status: 'manual', manualTaskId: task.id }),
      );
    },
    async status(input) {
      const id = idOf(input, 'visa.status');
      return toStatus(
        await client.json({
          operation: 'visa.status',
          path: application(id),
          schema: PartnerApplication,
        }),
      );
    },
    async requestInvitationLetter(input) {
      const id = idOf(input, 'visa.invitationLetter');
      const { clinicRef } = parseInput(
        z.object({ clinicRef: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }),
        { clinicRef: input.clinicRef },
        provider,
        'visa.invitationLetter',
      );
      const letter = await client.json({
        operation: 'visa.invitationLetter',
        method: 'post',
        path: `${application(id)}/invitation-letters`,
        json: { clinic_reference: clinicRef },
        idempotencyKey: `visa:${id}:letter:${clinicRef}`,
        schema: PartnerLetter,
      });
      return { letterId: letter.id, contentType: 'application/pdf', data: letter.content_base64 };
    },
    async cancel(input) {
      const id = idOf(input, 'visa.cancel');
      return toStatus(
        await client.json({
          operation: 'visa.cancel',
          method: 'post',
          path: `${application(id)}/withdraw`,
          idempotencyKey: `visa:${id}:withdraw`,
          schema: PartnerApplication,
        }),
      );
    },
  };
}
