/**
 * Visa applications: accepted `pending` for a patient of the tenant with
 * their documents (stored once, described by size and SHA-256, never
 * returned), then handed to the background job (`worker.ts`), which
 * submits them to the partner or to the operators. Cancellation is
 * immediate here; the job then tells the partner.
 */
import { createHash } from 'node:crypto';
import {
  auditActions,
  newId,
  type VisaApplication,
  visaCancellableStatuses,
} from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import { auditChange, type ChangeContext } from '../kernel/change.ts';
import { byPatientAndStatus, listPage, type PatientListQuery } from '../kernel/list.ts';
import { insertOwned } from '../kernel/owned.ts';
import { ApiError } from '../kernel/problem.ts';
import { requireOwned } from '../kernel/require-owned.ts';
import { requirePatient } from '../patients/service.ts';
import type { VisaDocumentsTable } from './schema.ts';
import { moveVisaApplication } from './transitions.ts';

type DocumentRow = Pick<
  VisaDocumentsTable,
  'application_id' | 'kind' | 'content_type' | 'size' | 'sha256'
>;

/**
 * An application as a partner sends it.
 *
 * @example
 * const input: VisaApplicationInput = { patientId: 'pat_…', caseRef: 'case_1', destination: 'TR', nationality: 'GB', visaType: 'medical', arrivalDate: '2027-03-01', documents: [] };
 */
export interface VisaApplicationInput {
  patientId: string;
  caseRef: string;
  destination: string;
  nationality: string;
  visaType: VisaApplication['visaType'];
  arrivalDate: string;
  departureDate?: string | undefined;
  documents: {
    kind: VisaDocumentsTable['kind'];
    contentType: VisaDocumentsTable['content_type'];
    data: string;
  }[];
}

/**
 * The public view of an application row and its documents.
 *
 * @example
 * toVisaApplication(row, documents).status; // 'pending'
 */
export function toVisaApplication(
  row: Row<'visa_applications'>,
  documents: readonly DocumentRow[],
): VisaApplication {
  return {
    id: row.id as `vsa_${string}`,
    patientId: row.patient_id as `pat_${string}`,
    caseRef: row.case_ref,
    destination: row.destination,
    nationality: row.nationality,
    visaType: row.visa_type,
    arrivalDate: row.arrival_date,
    departureDate: row.departure_date,
    status: row.status,
    medicalReference: row.medical_reference,
    visaNumber: row.visa_number,
    validUntil: row.valid_until,
    reasonCodes: row.reason_codes,
    documents: documents.map((d) => ({
      kind: d.kind,
      contentType: d.content_type,
      size: d.size,
      sha256: d.sha256,
    })),
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * An application row of the tenant, or 404.
 *
 * @example
 * const row = await requireVisaApplication(trx, tenantId, 'vsa_…', { lock: true });
 */
export function requireVisaApplication(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
  options: { lock?: boolean } = {},
): Promise<Row<'visa_applications'>> {
  return requireOwned(db, 'visa_applications', tenantId, id, options);
}

function describedDocuments(db: Kysely<DB>, tenantId: string, ids: readonly string[]) {
  if (ids.length === 0) return Promise.resolve([] as DocumentRow[]);
  return db
    .selectFrom('visa_documents')
    .select(['application_id', 'kind', 'content_type', 'size', 'sha256'])
    .where('tenant_id', '=', tenantId)
    .where('application_id', 'in', ids)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/**
 * The documents of an application, with their bytes (for the partner only).
 *
 * @example
 * const documents = await visaDocumentsWithData(db, tenantId, applicationId);
 */
export function visaDocumentsWithData(db: Kysely<DB>, tenantId: string, applicationId: string) {
  return db
    .selectFrom('visa_documents')
    .select(['kind', 'content_type', 'data'])
    .where('tenant_id', '=', tenantId)
    .where('application_id', '=', applicationId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

async function view(db: Kysely<DB>, row: Row<'visa_applications'>): Promise<VisaApplication> {
  return toVisaApplication(row, await describedDocuments(db, row.tenant_id, [row.id]));
}

/**
 * Accepts an application for a patient of the tenant; the job submits it.
 *
 * @example
 * await createVisaApplication(trx, change, { patientId: 'pat_…', caseRef: 'case_1', destination: 'TR', nationality: 'GB', visaType: 'medical', arrivalDate: '2027-03-01', documents: [] });
 */
export async function createVisaApplication(
  db: Kysely<DB>,
  change: ChangeContext,
  input: VisaApplicationInput,
): Promise<VisaApplication> {
  const patient = await requirePatient(db, change.tenantId, input.patientId);
  if (input.departureDate !== undefined && input.departureDate < input.arrivalDate) {
    throw new ApiError('validation_failed', 'departureDate must not be before arrivalDate.');
  }
  const row: Row<'visa_applications'> = {
    id: newId('vsa'),
    tenant_id: change.tenantId,
    patient_id: patient.id,
    case_ref: input.caseRef,
    destination: input.destination,
    nationality: input.nationality,
    visa_type: input.visaType,
    arrival_date: input.arrivalDate,
    departure_date: input.departureDate ?? null,
    status: 'pending',
    pending_action: 'submit',
    provider: null,
    provider_application_id: null,
    medical_reference: null,
    visa_number: null,
    valid_until: null,
    reason_codes: [],
    last_error: null,
    next_check_at: change.now,
    attempts: 0,
    sla_alerted_at: null,
    created_at: change.now,
    updated_at: change.now,
  };
  await insertOwned(db, 'visa_applications', { ...row, reason_codes: '[]' });
  if (input.documents.length > 0) {
    await db
      .insertInto('visa_documents')
      .values(
        input.documents.map((document) => {
          const bytes = Buffer.from(document.data, 'base64');
          return {
            id: `vdoc_${newId('vsa').slice(4)}`,
            tenant_id: change.tenantId,
            application_id: row.id,
            kind: document.kind,
            content_type: document.contentType,
            data: document.data,
            size: bytes.byteLength,
            sha256: createHash('sha256').update(bytes).digest('hex'),
            created_at: change.now,
          };
        }),
      )
      .execute();
  }
  await auditChange(db, change, auditActions['visas.create'], 'visa_application', row.id, {
    status: row.status,
    destination: row.destination,
  });
  return view(db, row);
}

/**
 * Cancels an undecided application; one already with the partner keeps a
 * `cancel` request for the job to make. 409 once decided or cancelled.
 *
 * @example
 * await cancelVisaApplication(trx, change, 'vsa_…');
 */
export async function cancelVisaApplication(
  db: Kysely<DB>,
  change: ChangeContext,
  id: string,
): Promise<VisaApplication> {
  const row = await requireVisaApplication(db, change.tenantId, id, { lock: true });
  if (!visaCancellableStatuses.includes(row.status)) {
    throw new ApiError(
      'invalid_state_transition',
      `A ${row.status} visa application cannot be cancelled.`,
    );
  }
  const withPartner = row.provider_application_id !== null;
  return view(
    db,
    await moveVisaApplication(
      db,
      change,
      row,
      'cancelled',
      {
        pending_action: withPartner ? 'cancel' : null,
        next_check_at: withPartner ? change.now : null,
        attempts: 0,
      },
      auditActions['visas.cancel'],
    ),
  );
}

/**
 * One application of the tenant.
 *
 * @example
 * const application = await getVisaApplication(db, tenantId, 'vsa_…');
 */
export async function getVisaApplication(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
): Promise<VisaApplication> {
  return view(db, await requireVisaApplication(db, tenantId, id));
}

/**
 * Lists applications by patient and status, oldest first.
 *
 * @example
 * await listVisaApplications(db, tenantId, { status: 'granted' });
 */
export async function listVisaApplications(
  db: Kysely<DB>,
  tenantId: string,
  query: PatientListQuery,
) {
  const page = await listPage(
    db,
    'visa_applications',
    tenantId,
    query,
    byPatientAndStatus(query),
    (row) => row,
  );
  const documents = await describedDocuments(
    db,
    tenantId,
    page.data.map((r) => r.id),
  );
  return {
    data: page.data.map((row) =>
      toVisaApplication(
        row,
        documents.filter((d) => d.application_id === row.id),
      ),
    ),
    nextCursor: page.nextCursor,
  };
}
