/**
 * Visa applications: a patient's medical visa for a case, submitted with its
 * documents to the configured visa-processing partner (or, when there is
 * none or it is down, handed to the operators as a manual task), then
 * followed until the partner grants or rejects it. Documents are stored
 * once and never returned: an application lists their kind, size and SHA-256.
 */
import * as z from 'zod/mini';
import { date, listQuery, page, timestamp } from '../common.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';

/**
 * Where an application stands: `pending` (accepted, not yet with the
 * partner), `submitted`, `in_review`, `documents_requested`, `granted`,
 * `rejected`, `manual` (the operators carry it) or `cancelled`.
 *
 * @example
 * visaApplicationStatus.parse('in_review');
 */
export const visaApplicationStatus = z.enum([
  'pending',
  'submitted',
  'in_review',
  'documents_requested',
  'granted',
  'rejected',
  'manual',
  'cancelled',
]);

/** @example const status: VisaApplicationStatus = 'granted'; */
export type VisaApplicationStatus = z.infer<typeof visaApplicationStatus>;

/**
 * Statuses an application may be cancelled from (the partner has not decided).
 *
 * @example
 * if (!visaCancellableStatuses.includes(application.status)) showDecision(application);
 */
export const visaCancellableStatuses: readonly VisaApplicationStatus[] = [
  'pending',
  'submitted',
  'in_review',
  'documents_requested',
  'manual',
];

const country = z.string().check(z.regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code'));
const visaType = z.enum(['medical', 'medical_attendant']);
const visaDocumentKind = z.enum([
  'passport',
  'photo',
  'medical_letter',
  'invitation_letter',
  'financial_proof',
  'accommodation',
  'other',
]);
const visaDocumentInput = z.strictObject({
  kind: visaDocumentKind,
  contentType: z.enum(['application/pdf', 'image/jpeg', 'image/png']),
  /** The document's bytes, base64. */
  data: z.base64().check(z.minLength(1), z.maxLength(1_400_000)),
});

/**
 * A visa application. Documents are listed without their bytes; reason
 * codes are the platform's (`missing_document`, `invalid_passport`, …).
 *
 * @example
 * const v = visaApplication.parse(await res.json());
 */
export const visaApplication = z.object({
  id: idSchema('vsa'),
  patientId: idSchema('pat'),
  /** The platform's case the visa is for (an opaque reference). */
  caseRef: z.string(),
  destination: z.string(),
  nationality: z.string(),
  visaType,
  arrivalDate: date,
  departureDate: z.nullable(date),
  status: visaApplicationStatus,
  /** The partner's acknowledgement (medical reference number), once submitted. */
  medicalReference: z.nullable(z.string()),
  visaNumber: z.nullable(z.string()),
  validUntil: z.nullable(date),
  reasonCodes: z.array(z.string()),
  documents: z.array(
    z.object({
      kind: visaDocumentKind,
      contentType: z.string(),
      size: z.int(),
      sha256: z.string(),
    }),
  ),
  /** The last failure talking to the partner, if any (a code, never its text). */
  lastError: z.nullable(z.string()),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const visaParams = z.strictObject({ visaApplicationId: idSchema('vsa') });

/**
 * Apply for a medical visa (`visas.create`).
 *
 * @example
 * await client.request(visasCreate, ...args); // same arguments as client.visas.create
 */
export const visasCreate = defineOperation({
  id: 'visas.create',
  method: 'POST',
  path: '/api/v1/visa-applications',
  summary: 'Apply for a medical visa for a patient and case',
  scope: 'write:visas',
  write: true,
  status: 201,
  body: z.strictObject({
    patientId: idSchema('pat'),
    caseRef: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an opaque case reference')),
    destination: country,
    nationality: country,
    visaType,
    arrivalDate: date,
    departureDate: z.optional(date),
    documents: z.array(visaDocumentInput).check(z.maxLength(10)),
  }),
  response: visaApplication,
});

/**
 * Get a visa application (`visas.get`).
 *
 * @example
 * await client.request(visasGet, ...args); // same arguments as client.visas.get
 */
export const visasGet = defineOperation({
  id: 'visas.get',
  method: 'GET',
  path: '/api/v1/visa-applications/{visaApplicationId}',
  summary: 'Get a visa application',
  scope: 'read:visas',
  write: false,
  status: 200,
  params: visaParams,
  response: visaApplication,
});

/**
 * List visa applications (`visas.list`).
 *
 * @example
 * await client.request(visasList, ...args); // same arguments as client.visas.list
 */
export const visasList = defineOperation({
  id: 'visas.list',
  method: 'GET',
  path: '/api/v1/visa-applications',
  summary: 'List visa applications',
  scope: 'read:visas',
  write: false,
  status: 200,
  paginated: true,
  query: listQuery({
    patientId: z.optional(idSchema('pat')),
    status: z.optional(visaApplicationStatus),
  }),
  response: page(visaApplication),
});

/**
 * Cancel an undecided visa application (`visas.cancel`); the partner is told.
 *
 * @example
 * await client.request(visasCancel, ...args); // same arguments as client.visas.cancel
 */
export const visasCancel = defineOperation({
  id: 'visas.cancel',
  method: 'POST',
  path: '/api/v1/visa-applications/{visaApplicationId}/cancel',
  summary: 'Cancel an undecided visa application',
  scope: 'write:visas',
  write: true,
  status: 200,
  params: visaParams,
  body: z.strictObject({}),
  response: visaApplication,
});

/**
 * Operations on visa applications.
 *
 * @example
 * visaOperations.cancel.path; // '/api/v1/visa-applications/{visaApplicationId}/cancel'
 */
export const visaOperations = {
  create: visasCreate,
  get: visasGet,
  list: visasList,
  cancel: visasCancel,
} as const;
