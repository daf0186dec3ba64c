/**
 * Table types of the visas feature, added to the server's `DB` by module
 * augmentation (see src/db/schema.ts).
 */
import type { VisaApplication, VisaApplicationStatus } from '@clinicbridge/sdk/contract';
import type { Json } from '../db/schema.ts';

/**
 * A visa application: where it stands, what the partner said, and when the
 * background job looks at it next.
 *
 * @example
 * await db.selectFrom('visa_applications').selectAll().where('next_check_at', '<=', now).execute();
 */
export interface VisaApplicationsTable {
  id: string;
  tenant_id: string;
  patient_id: string;
  case_ref: string;
  destination: string;
  nationality: string;
  visa_type: VisaApplication['visaType'];
  arrival_date: string;
  departure_date: string | null;
  status: VisaApplicationStatus;
  /** A request still to be made to the partner: `submit` (new) or `cancel` (withdrawn by the clinic). */
  pending_action: 'submit' | 'cancel' | null;
  provider: string | null;
  provider_application_id: string | null;
  medical_reference: string | null;
  visa_number: string | null;
  valid_until: string | null;
  reason_codes: Json<string[]>;
  last_error: string | null;
  next_check_at: Date | null;
  /** Consecutive failed attempts talking to the partner, for the backoff. */
  attempts: number;
  /** When the decision SLA breach was alerted (once per application). */
  sla_alerted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * A supporting document of an application; the bytes leave only to the partner.
 *
 * @example
 * await db.selectFrom('visa_documents').select(['kind', 'size']).where('application_id', '=', id).execute();
 */
export interface VisaDocumentsTable {
  id: string;
  tenant_id: string;
  application_id: string;
  kind: VisaApplication['documents'][number]['kind'];
  content_type: 'application/pdf' | 'image/jpeg' | 'image/png';
  /** The bytes, base64. */
  data: string;
  size: number;
  sha256: string;
  created_at: Date;
}

declare module '../db/schema.ts' {
  interface DB {
    visa_applications: VisaApplicationsTable;
    visa_documents: VisaDocumentsTable;
  }
}
